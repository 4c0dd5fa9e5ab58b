using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class MergeJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task ASupervisorFindsAPlantedDuplicateMergesItSeesTheConfirmationAndUnmergesIt()
    {
        var page = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/duplicates");
        await page.WaitForSelectorAsync("[data-testid=duplicate-pair]");
        await BrowserFixture.ScreenshotAsync(page, "duplicates");
        var row = page.Locator("[data-testid=duplicate-pair]").First;
        // A planted duplicate is the same person again, the first name sometimes without its accent: the same name after normalisation (issue 21).
        (await row.InnerTextAsync()).ShouldContain("Same name");

        await row.Locator("[data-testid=open-merge]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=confirm-merge]:not([disabled])");
        await BrowserFixture.ScreenshotAsync(page, "merge-dialog");
        var survivorId = long.Parse((await page.InnerTextAsync("[data-testid=survivor-id]")).TrimStart('#'));
        await page.ClickAsync("[data-testid=confirm-merge]");

        var confirmation = page.Locator("[data-testid=merge-confirmation]");
        await confirmation.WaitForAsync();
        (await confirmation.InnerTextAsync()).ShouldContain($"#{survivorId}");
        await BrowserFixture.ScreenshotAsync(page, "merge-confirmation");

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        long mergedId;
        await using (var db = factory.CreateDbContext())
        {
            var tombstone = await db.Cards.SingleAsync(c => c.MergedIntoId == survivorId && c.Status == CardStatus.Merged);
            mergedId = tombstone.Id;
        }

        await page.ClickAsync("[data-testid=undo-merge]");
        await confirmation.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
        await using var check = factory.CreateDbContext();
        (await check.Cards.SingleAsync(c => c.Id == mergedId)).Status.ShouldBe(CardStatus.Active);
        await page.Context.CloseAsync();
    }

    /// <summary>
    /// The merge is in the survivor's timeline after a reload (from the database, not the page's memory); undone from
    /// there, its entry says who undid it, on both cards, and still does after another reload.
    /// </summary>
    [Fact]
    public async Task ASupervisorMergesThenAfterAReloadUndoesTheMergeFromTheSurvivorsTimeline_BothCardsKeepTheEntry()
    {
        var page = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/duplicates");
        await page.WaitForSelectorAsync("[data-testid=duplicate-pair]");
        await page.Locator("[data-testid=duplicate-pair]").First.Locator("[data-testid=open-merge]").ClickAsync();
        await page.WaitForSelectorAsync("[data-testid=confirm-merge]:not([disabled])");
        var survivorId = long.Parse((await page.InnerTextAsync("[data-testid=survivor-id]")).TrimStart('#'));
        await page.ClickAsync("[data-testid=confirm-merge]");
        await page.Locator("[data-testid=merge-confirmation]").WaitForAsync();
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        long mergedId;
        await using (var db = factory.CreateDbContext())
            mergedId = (await db.Merges.Where(m => m.SurvivorId == survivorId && m.UndoneAt == null).OrderByDescending(m => m.Id).FirstAsync()).MergedId;

        // A new page load: nothing of the duplicates page's memory comes along.
        await page.GotoAsync($"/cards/{survivorId}?tab=timeline");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var entry = page.Locator("[data-testid=timeline] [data-kind=Merge]").First;
        await entry.Locator("[data-testid=timeline-undo-merge]").WaitForAsync();
        (await entry.Locator("[data-testid=merge-merged-card]").GetAttributeAsync("href")).ShouldBe($"/cards/{mergedId}");
        await BrowserFixture.ScreenshotAsync(page, "merge-timeline-entry");

        await entry.Locator("[data-testid=timeline-undo-merge]").ClickAsync();
        await entry.Locator("[data-testid=merge-undone]").WaitForAsync();
        (await entry.Locator("[data-testid=merge-undone]").InnerTextAsync()).ShouldStartWith("Undone by Sophie Moreau");
        await using (var check = factory.CreateDbContext())
            (await check.Cards.SingleAsync(c => c.Id == mergedId)).Status.ShouldBe(CardStatus.Active);

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.Locator($"[data-testid=timeline] [data-kind=Merge] [data-testid=merge-undone]").First.WaitForAsync();
        (await page.Locator("[data-testid=timeline-undo-merge]").CountAsync()).ShouldBe(0);

        await page.GotoAsync($"/cards/{mergedId}?tab=timeline");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var restored = page.Locator("[data-testid=timeline] [data-kind=Merge]").First;
        await restored.Locator("[data-testid=merge-undone]").WaitForAsync();
        (await restored.Locator("[data-testid=merge-survivor-card]").GetAttributeAsync("href")).ShouldBe($"/cards/{survivorId}");
        await page.Context.CloseAsync();
    }
}
