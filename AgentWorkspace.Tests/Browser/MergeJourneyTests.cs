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
        (await row.InnerTextAsync()).ShouldContain("Similar name");

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
}
