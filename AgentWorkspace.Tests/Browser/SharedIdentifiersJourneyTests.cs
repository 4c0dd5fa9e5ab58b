using System.Globalization;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 21, shared identifiers (ADR 020): an administrator shares a switchboard number on /admin/matching (a wrong
/// number is refused beside the field); a call from it by a new name lands on a new card, the agent is told in the
/// case, and the card's Identities tab marks the number as shared.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SharedIdentifiersJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-US", "is not a phone number", "Shared (listed)", "is a shared number")]
    [InlineData("fr-FR", "n'est pas un numéro de téléphone", "Partagé (listé)", "est un numéro ou une adresse partagé")]
    public async Task AnAdministratorSharesASwitchboard_ACallFromItByANewNameGetsItsOwnCard_AndTheAgentIsTold(string locale, string invalid, string listed, string told)
    {
        browser.RequireBrowser();
        var digits = Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
        var national = $"01 {digits[..2]} {digits[2..4]} {digits[4..6]} {digits[6..]}";
        var e164 = "+331" + digits;
        var ingest = browser.App.Services.GetRequiredService<IngestService>();
        var script = new Actor("apikey:journey", "Journey", Role.Agent);
        // The switchboard's first caller owns the number until it is shared.
        var first = await ingest.IngestAsync(script, new InteractionRequest
        {
            Channel = Channel.Voice, ExternalId = Guid.NewGuid().ToString("N"), Body = "Appel entrant", Queue = "Support",
            From = new InteractionSender { Address = national, DisplayName = "Accueil Siège" },
        });

        var admin = await browser.SignInAsAsync(Role.Admin, "/admin/matching", locale);
        await admin.WaitForSelectorAsync("[data-testid=shared-table]");
        await admin.FillAsync("[data-testid=shared-address] input", "standard");
        await admin.ClickAsync("[data-testid=add-shared]");
        await BrowserFixture.WaitUntilAsync(admin, $"() => document.querySelector('[data-testid=shared-address]')?.innerText.includes(\"{invalid}\")");
        await admin.FillAsync("[data-testid=shared-address] input", national);
        await admin.FillAsync("[data-testid=shared-note] input", "Standard du siège");
        await admin.ClickAsync("[data-testid=add-shared]");
        var row = admin.Locator($"[data-testid=shared-row][data-address='{e164}']");
        await row.WaitForAsync();
        (await row.InnerTextAsync()).ShouldContain(listed);
        (await row.Locator("[data-testid=shared-cards]").InnerTextAsync()).ShouldBe("1");
        await BrowserFixture.ScreenshotAsync(admin, "admin-matching-" + locale[..2]);

        // A call from the switchboard by someone else: a new card, not the first caller's.
        var call = await ingest.IngestAsync(script, new InteractionRequest
        {
            Channel = Channel.Voice, ExternalId = Guid.NewGuid().ToString("N"), Body = "Bonjour, c'est Edward Ferrars.", Queue = "Support",
            From = new InteractionSender { Address = e164, DisplayName = "Edward Ferrars" },
        });
        call.CardCreated.ShouldBeTrue();
        call.CardId.ShouldNotBe(first.CardId);

        var agent = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        var tile = agent.Locator($"[data-testid=case-tile][data-case-id='{call.CaseId}']");
        await tile.ClickAsync();
        var notice = agent.Locator($"[data-testid=active-case][data-case-id='{call.CaseId}'] [data-testid=shared-sender]");
        await notice.WaitForAsync();
        (await notice.GetAttributeAsync("data-new-card")).ShouldBe("true");
        (await notice.InnerTextAsync()).ShouldContain(told);
        (await notice.InnerTextAsync()).ShouldContain(e164);
        await BrowserFixture.ScreenshotAsync(agent, "case-shared-sender-" + locale[..2]);

        await agent.GotoAsync($"/cards/{call.CardId}?tab=identities");
        await agent.WaitForSelectorAsync("[data-testid=identity-shared]");

        await using var db = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.SharedIdentifiers.AsNoTracking().CountAsync(s => s.NormalizedAddress == e164)).ShouldBe(1);
    }
}
