using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 21, the seed's story (001: Edward Ferrars calls; he e-mailed yesterday; the two cards become one) where agents
/// may not merge: the agent proposes, the supervisor approves from the queue, the agent is told live, one card holds all.
/// </summary>
[Collection(BrowserCollection.Name)]
public class MergeRequestJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task ACallAndAnEmailFromEdwardFerrars_TheAgentProposes_TheSupervisorApproves_EverythingIsOnOneCard()
    {
        browser.RequireBrowser();
        var ingest = browser.App.Services.GetRequiredService<IngestService>();
        var connector = new Actor("apikey:journey", "Connector", Role.Agent);
        var tag = Guid.NewGuid().ToString("N")[..8];
        var phone = "+3365" + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var mail = await ingest.IngestAsync(connector, new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = $"<{tag}@classics.example>", SentAt = DateTimeOffset.UtcNow.AddDays(-1),
            From = new InteractionSender { Address = $"edward.{tag}@norland.example", DisplayName = "Edward Ferrars" },
            Subject = "Ma commande", Body = "Bonjour, je n'ai pas reçu ma commande.",
        });
        var call = await ingest.IngestAsync(connector, new InteractionRequest
        {
            Channel = Channel.Voice, ExternalId = "call-" + tag, From = new InteractionSender { Address = phone, DisplayName = "Edward Ferrars" },
            Body = "Appel entrant : il a écrit hier.",
        });
        call.CardId.ShouldNotBe(mail.CardId);

        // The agent, on the card the call made (agents may not merge here: the default), finds yesterday's card.
        var agent = await browser.SignInAsAsync(Role.Agent, $"/cards/{call.CardId}?tab=identities");
        var suggestion = agent.Locator("[data-testid=suggestion]").Filter(new() { Has = agent.Locator($"a[href='/cards/{mail.CardId}']") });
        await suggestion.WaitForAsync();
        (await suggestion.InnerTextAsync()).ShouldContain("Same name");
        (await agent.Locator("[data-testid=merge-suggestion]").CountAsync()).ShouldBe(0, "an agent who may not merge is not offered Merge");
        await suggestion.Locator("[data-testid=propose-merge-suggestion]").ClickAsync();
        await agent.FillAsync("#merge-comment", "Il dit avoir écrit hier : même personne.");
        await BrowserFixture.ScreenshotAsync(agent, "merge-propose-dialog");
        await agent.ClickAsync("[data-testid=confirm-merge-comment]");
        await agent.Locator("[data-testid=merge-proposed]").WaitForAsync();
        await suggestion.Locator("[data-testid=proposal-pending-merge-suggestion]").WaitForAsync();

        // The supervisor, in the queue beside the reply approvals: the merge preview, then the merge.
        var supervisor = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/approvals");
        var proposal = supervisor.Locator("[data-testid=merge-request]").Filter(new() { Has = supervisor.Locator($"a[href='/cards/{mail.CardId}']") });
        await proposal.WaitForAsync();
        (await proposal.InnerTextAsync()).ShouldContain("Il dit avoir écrit hier");
        await BrowserFixture.ScreenshotAsync(supervisor, "merge-requests-queue");
        await proposal.Locator("[data-testid=approve-merge-request]").ClickAsync();
        await supervisor.WaitForSelectorAsync("[data-testid=confirm-merge]:not([disabled])");
        await supervisor.ClickAsync("[data-testid=confirm-merge]");
        var done = supervisor.Locator("[data-testid=merge-request-done]");
        await done.WaitForAsync();
        (await done.InnerTextAsync()).ShouldContain($"card #{mail.CardId} is now part of card #{call.CardId}");
        (await done.GetAttributeAsync("class"))!.ShouldContain("mud-alert-filled-success");

        // The agent is told live, in green, and the card holds both the number and the address.
        var approved = agent.Locator("[data-testid=merge-request-approved]");
        await approved.WaitForAsync();
        (await approved.InnerTextAsync()).ShouldContain("Sophie");
        await BrowserFixture.WaitUntilAsync(agent, "() => document.querySelectorAll('[data-testid=identity-row]').length === 2");
        var identities = await agent.InnerTextAsync("[data-testid=identities-table]");
        identities.ShouldContain($"edward.{tag}@norland.example");
        await BrowserFixture.ScreenshotAsync(agent, "merge-request-approved");

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
        {
            var tombstone = await db.Cards.SingleAsync(c => c.Id == mail.CardId);
            (tombstone.Status, tombstone.MergedIntoId).ShouldBe((CardStatus.Merged, (long?)call.CardId));
            (await db.Cases.CountAsync(c => c.CardId == call.CardId)).ShouldBe(2);
        }
        await agent.Context.CloseAsync();
        await supervisor.Context.CloseAsync();
    }
}
