using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>Issue 6, seed 002: the Identities tab of a card — search another card by phone, merge from the result, undo; lock.</summary>
[Collection(BrowserCollection.Name)]
public class IdentitiesJourneyTests(BrowserFixture browser)
{
    private static readonly Actor Setup = new("test-setup", "Test setup", Role.Admin);

    [Fact]
    public async Task ASupervisorFindsTheOtherCardByPhoneInAnyFormatMergesItFromTheIdentitiesTabAndUndoesIt()
    {
        browser.RequireBrowser();
        var cards = Cards.CardKit.From(browser.App.Services);
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var keptId = await cards.Edits.CreateAsync(Setup, new CardProfile { FirstName = "Philomène", LastName = "Quintal" + suffix, Company = "Vélos du Rhône" },
            [new NewIdentity(Channel.Email, $"philomene.{suffix}@example.fr")]);
        var otherId = await cards.Edits.CreateAsync(Setup, new CardProfile { FirstName = "Philomena", LastName = "Quintal" + suffix, Company = "Vélos du Rhône" },
            [new NewIdentity(Channel.Sms, $"+33 6 71 {suffix[..2]} {suffix[2..4]} {suffix[4..]}")]);

        var page = await browser.SignInAsAsync(Role.Supervisor, $"/cards/{keptId}?tab=identities");
        await page.WaitForSelectorAsync("[data-testid=identity-row]");
        // Same last name and company, a first name one letter apart: suggested, with its reasons.
        (await page.Locator("[data-testid=suggestion]").First.InnerTextAsync()).ShouldContain($"#{otherId}");
        (await page.InnerTextAsync("[data-testid=identities-table]")).ShouldContain($"philomene.{suffix}@example.fr");

        // The national form with dots finds the card whose identity was stored from +33 with spaces.
        await page.FillAsync("[data-testid=identities-search] input, input#identities-search", $"06.71.{suffix[..2]}.{suffix[2..4]}.{suffix[4..]}");
        var result = page.Locator("[data-testid=identities-result]").First;
        await result.WaitForAsync();
        (await result.InnerTextAsync()).ShouldContain($"#{otherId}");
        await BrowserFixture.ScreenshotAsync(page, "card-identities");

        await result.Locator("[data-testid=merge-result]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=confirm-merge]:not([disabled])");
        (await page.InnerTextAsync("[data-testid=survivor-id]")).ShouldBe($"#{keptId}");
        await page.ClickAsync("[data-testid=confirm-merge]");

        var confirmation = page.Locator("[data-testid=merge-confirmation]");
        await confirmation.WaitForAsync();
        (await confirmation.InnerTextAsync()).ShouldContain($"#{otherId}");
        // The SMS identity now shows on the surviving card, live.
        await page.WaitForSelectorAsync("[data-testid=identity-row]:nth-of-type(2)");
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
        {
            var other = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == otherId);
            other.Status.ShouldBe(CardStatus.Merged);
            other.MergedIntoId.ShouldBe(keptId);
        }

        await page.ClickAsync("[data-testid=undo-merge]");
        await confirmation.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
        await using (var db = factory.CreateDbContext())
        {
            (await db.Cards.AsNoTracking().SingleAsync(c => c.Id == otherId)).Status.ShouldBe(CardStatus.Active);
            (await db.Identities.AsNoTracking().CountAsync(i => i.CardId == keptId)).ShouldBe(1);
        }

        // Lock: the card says so and refuses merges until unlocked.
        await page.ClickAsync("[data-testid=lock-card]");
        await page.WaitForSelectorAsync("[data-testid=locked-notice]");
        await page.ClickAsync("[data-testid=unlock-card]");
        await page.WaitForSelectorAsync("[data-testid=locked-notice]", new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
    }

    [Fact]
    public async Task AnAgentSeesTheIdentitiesButNotTheSupervisorsPrivacyActions()
    {
        browser.RequireBrowser();
        var cards = Cards.CardKit.From(browser.App.Services);
        var id = await cards.Edits.CreateAsync(Setup, new CardProfile { FirstName = "Agathe", LastName = "Vernier" },
            [new NewIdentity(Channel.Twitter, "@agathe_v_" + Random.Shared.Next(1000, 9999), ProfileUrl: "https://x.com/agathe_v")]);
        var page = await browser.SignInAsAsync(Role.Agent, $"/cards/{id}?tab=identities");
        await page.WaitForSelectorAsync("[data-testid=identity-row]");
        (await page.Locator("[data-testid=anonymize-card]").CountAsync()).ShouldBe(0);
        (await page.Locator("[data-testid=export-json]").CountAsync()).ShouldBe(0);
        // The profile opens on the platform, in a new tab that cannot reach back into ours.
        var link = page.Locator("[data-testid=identity-row] a[href='https://x.com/agathe_v']");
        (await link.GetAttributeAsync("rel")).ShouldBe("noopener noreferrer");
        // The export download is refused to an agent: the access-denied page, not the contact's data.
        var response = await page.APIRequest.GetAsync($"/cards/{id}/export?format=json");
        response.Headers["content-type"].ShouldNotStartWith("application/json");
        (await response.TextAsync()).ShouldNotContain("Vernier");
    }
}
