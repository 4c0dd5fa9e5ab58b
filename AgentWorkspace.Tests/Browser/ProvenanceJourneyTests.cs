using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 21: the merge dialog preselects, field by field, the value field survivorship proposes and says why; after the
/// merge, the card says where the value came from.
/// </summary>
[Collection(BrowserCollection.Name)]
public class ProvenanceJourneyTests(BrowserFixture browser)
{
    private static readonly Actor Script = new("apikey:991", "API key Journey script", Role.Agent);
    private static readonly Actor Agent = new("journey-agent", "Alice Martin", Role.Agent);

    [Fact]
    public async Task TheMergeDialogPreselectsTheSurvivingValuesWithTheirReasons_TheCardThenNamesTheMergeAsTheSource()
    {
        browser.RequireBrowser();
        var cards = Cards.CardKit.From(browser.App.Services);
        var suffix = Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        // The kept card came through a script's API key; an agent typed the other one later, with another city.
        var keptId = await cards.Edits.CreateAsync(Script, new CardProfile { FirstName = "Ed", LastName = "Ferrars" + suffix, Company = "Norland", City = "Barton" },
            [new NewIdentity(Channel.Email, $"ed.{suffix}@example.co.uk")]);
        var otherId = await cards.Edits.CreateAsync(Agent, new CardProfile { FirstName = "Edward", LastName = "Ferrars" + suffix, Company = "Norland", City = "Delaford" },
            [new NewIdentity(Channel.Sms, $"+33 6 72 {suffix[..2]} {suffix[2..4]} {suffix[4..]}")]);

        var page = await browser.SignInAsAsync(Role.Supervisor, $"/cards/{keptId}?tab=identities");
        var suggestion = page.Locator("[data-testid=suggestion]", new() { HasText = $"#{otherId}" });
        await suggestion.WaitForAsync();
        await suggestion.Locator("[data-testid=merge-suggestion]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=confirm-merge]:not([disabled])");
        (await page.InnerTextAsync("[data-testid=survivor-id]")).ShouldBe($"#{keptId}");

        // City: the most recent value (the agent's, set after the script's); first name: an agent beats an API key.
        (await page.InnerTextAsync("[data-testid=proposal-city]")).ShouldStartWith("Proposed: the most recent value");
        (await page.IsCheckedAsync("[data-testid=take-merged-city]")).ShouldBeTrue();
        (await page.InnerTextAsync("[data-testid=proposal-firstName]")).ShouldBe("Proposed: the most trusted source (an agent)");
        (await page.IsCheckedAsync("[data-testid=take-merged-firstName]")).ShouldBeTrue();
        await BrowserFixture.ScreenshotAsync(page, "merge-dialog-survivorship");
        await page.ClickAsync("[data-testid=confirm-merge]");
        await page.Locator("[data-testid=merge-confirmation]").WaitForAsync();

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
        {
            var kept = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == keptId);
            (kept.FirstName, kept.City).ShouldBe(("Edward", "Delaford"));
        }

        // The profile tab says where the city came from, on hover and to the keyboard (the button's accessible name).
        await page.GotoAsync($"/cards/{keptId}?tab=profile");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var source = page.Locator("[data-testid=source-city]");
        await source.WaitForAsync();
        (await source.GetAttributeAsync("title"))!.ShouldStartWith($"From merge with card #{otherId}");
        (await source.GetAttributeAsync("title"))!.ShouldContain("there: Set by Alice Martin (agent)");
        await source.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        var history = page.Locator("[data-testid=value-history]");
        await history.WaitForAsync();
        (await history.Locator("[data-testid=value-history-value]").AllInnerTextsAsync()).ShouldBe(["Delaford", "Barton"]);
        await BrowserFixture.ScreenshotAsync(page, "card-value-history");
        await page.Context.CloseAsync();
    }
}
