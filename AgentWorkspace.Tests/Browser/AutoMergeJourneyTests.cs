using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 21, auto-merge (ADR 023) on /admin/matching/auto-merge: an administrator adds a level (e-mail, with name and
/// company so that only this journey's cards match in the shared database), previews over three planted duplicates,
/// excludes one pair, runs, sees the merge on the survivor's card, undoes the run and sees the card back.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AutoMergeJourneyTests(BrowserFixture browser)
{
    private static readonly ViewportSize Screen = new() { Width = 1280, Height = 720 };

    private AgentWorkspaceDbContextFactory Factory => browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();

    [Theory]
    [InlineData("en-US", "Merge these pairs", "Merged", "Excluded from the run by an administrator.", "Merge undone")]
    [InlineData("fr-FR", "Fusionner ces paires", "Fusionnée", "Exclue de l'exécution par un administrateur.", "Fusion annulée")]
    public async Task AnAdministratorAddsALevel_PreviewsExcludesAPair_Runs_AndUndoesTheRun(string locale, string mergeButton, string merged,
        string excluded, string undone)
    {
        browser.RequireBrowser();
        var tag = Guid.NewGuid().ToString("N")[..8];
        var email = $"jeanne.{tag}@example.org";
        var company = "Atelier " + tag;
        // Three cards of one person: the oldest keeps (it holds the address in its profile), the second has it as its
        // e-mail identity (it should move to the survivor), the third will be excluded from the run.
        var survivor = await CardAsync("Jeanne", "Moreau", company, email, identity: null);
        var second = await CardAsync("Jeanne", "Moreau", company, null, identity: email);
        var third = await CardAsync("Jeanne", "Moreau", company, email, identity: null);

        var admin = await browser.SignInAsAsync(Role.Admin, "/admin/matching/auto-merge", locale, Screen);
        await admin.WaitForSelectorAsync("[data-testid=rules-table]");
        (await admin.Locator("[data-testid=rule-form]").CountAsync()).ShouldBe(0, "the form opens on demand");

        // A level with no attribute is refused beside the attributes, in the user's language.
        var level = "Journey " + tag;
        await admin.ClickAsync("[data-testid=new-rule]");
        await admin.FillAsync("[data-testid=rule-name] input", level);
        await admin.ClickAsync("[data-testid=save-rule]");
        await admin.Locator("[data-testid=attributes-error]").WaitForAsync();
        await BrowserFixture.ScreenshotAsync(admin, "automerge-rule-refused-" + locale[..2]);
        await admin.ClickAsync("[data-testid=attr-Email] input");
        await admin.ClickAsync("[data-testid=attr-NameCompany] input");
        await admin.ClickAsync("[data-testid=save-rule]");
        await admin.Locator($"[data-testid=rule-row][data-name='{level}']").WaitForAsync();
        try
        {
            await admin.ClickAsync("[data-testid=start-preview]");
            await BrowserFixture.WaitUntilAsync(admin, "() => !!document.querySelector('[data-testid=preview-state], [data-testid=preview-error]')");
            (await admin.Locator("[data-testid=preview-error]").CountAsync()).ShouldBe(0, await admin.Locator("[data-testid=preview]").InnerTextAsync());
            var computed = await PreviewComputedAsync();
            computed.State.ShouldBe(Core.Domain.Matching.MatchPreviewState.Ready, computed.Error);
            // The page follows the computation live (MatchingChanged), without a reload.
            await BrowserFixture.WaitUntilAsync(admin, "() => document.querySelector('[data-testid=preview-state]')?.dataset.state === 'Ready'");
            var rows = admin.Locator($"[data-testid=pair-row][data-survivor='{survivor}']");
            await rows.First.WaitForAsync();
            (await rows.CountAsync()).ShouldBe(2);
            var secondRow = admin.Locator($"[data-testid=pair-row][data-merged='{second}']");
            (await secondRow.Locator("[data-testid=pair-reasons]").InnerTextAsync()).ShouldContain(email);
            (await secondRow.Locator("[data-testid=pair-survivor]").GetAttributeAsync("href")).ShouldBe($"/cards/{survivor}");
            await BrowserFixture.ScreenshotAsync(admin, "automerge-preview-" + locale[..2]);

            // Exclude the third card's pair: the count on the run button follows.
            var thirdRow = admin.Locator($"[data-testid=pair-row][data-merged='{third}']");
            await thirdRow.Locator("input[data-testid=pair-toggle], [data-testid=pair-toggle] input").ClickAsync();
            await BrowserFixture.WaitUntilAsync(admin, $"() => document.querySelector(\"[data-testid=pair-row][data-merged='{third}']\")?.dataset.excluded === 'true'");
            var total = await PairsOfLatestPreviewAsync();
            var runButton = admin.Locator("[data-testid=start-run]");
            (await runButton.InnerTextAsync()).ShouldContain($"{mergeButton} ({total - 1})");

            await runButton.ClickAsync();
            await admin.Locator(".mud-message-box button, .mud-dialog-actions button").Last.ClickAsync();
            await BrowserFixture.WaitUntilAsync(admin, "() => document.querySelector('[data-testid=run-state]')?.dataset.state === 'Done'", 60_000);
            await BrowserFixture.WaitUntilAsync(admin, $"() => document.querySelector(\"[data-testid=pair-row][data-merged='{second}']\")?.dataset.outcome === 'Merged'");
            (await secondRow.Locator("[data-testid=pair-outcome]").InnerTextAsync()).ShouldContain(merged);
            (await thirdRow.Locator("[data-testid=pair-outcome]").InnerTextAsync()).ShouldContain(excluded);
            await BrowserFixture.ScreenshotAsync(admin, "automerge-run-done-" + locale[..2]);

            // The survivor's card now holds the merged card's e-mail identity.
            var card = await browser.SignInAsAsync(Role.Admin, $"/cards/{survivor}?tab=identities", locale, Screen);
            await BrowserFixture.WaitUntilAsync(card, $"() => [...document.querySelectorAll('[data-testid=identity-row]')].some(r => r.innerText.includes('{email}'))");
            await BrowserFixture.ScreenshotAsync(card, "automerge-survivor-card-" + locale[..2]);
            (await StatusAsync(second)).ShouldBe(CardStatus.Merged);

            await admin.ClickAsync("[data-testid=undo-run]");
            await admin.Locator(".mud-message-box button, .mud-dialog-actions button").Last.ClickAsync();
            await BrowserFixture.WaitUntilAsync(admin, "() => document.querySelector('[data-testid=run-state]')?.dataset.state === 'Undone'", 60_000);
            await BrowserFixture.WaitUntilAsync(admin, $"() => document.querySelector(\"[data-testid=pair-row][data-merged='{second}']\")?.dataset.undo === 'Undone'");
            (await secondRow.Locator("[data-testid=pair-undo]").InnerTextAsync()).ShouldContain(undone);
            await BrowserFixture.ScreenshotAsync(admin, "automerge-undone-" + locale[..2]);

            (await StatusAsync(second)).ShouldBe(CardStatus.Active);
            (await StatusAsync(third)).ShouldBe(CardStatus.Active);
            await card.GotoAsync($"/cards/{second}?tab=identities");
            await BrowserFixture.WaitUntilAsync(card, $"() => [...document.querySelectorAll('[data-testid=identity-row]')].some(r => r.innerText.includes('{email}'))");
        }
        finally
        {
            // The level is this journey's: other journeys' cards never meet it.
            await using var db = Factory.CreateDbContext();
            await db.MatchingRules.Where(r => r.Name == level).ExecuteDeleteAsync();
        }
    }

    private async Task<long> CardAsync(string first, string last, string company, string? email, string? identity)
    {
        await using var db = Factory.CreateDbContext();
        var now = DateTimeOffset.UtcNow;
        var card = new CustomerCard(new CardProfile { FirstName = first, LastName = last, Company = company, PrimaryEmail = email }, "FR", now);
        if (identity is not null) card.AddIdentity(Channel.Email, identity, IdentityAddress.Normalize(Channel.Email, identity, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        return card.Id;
    }

    private async Task<CardStatus> StatusAsync(long cardId)
    {
        await using var db = Factory.CreateDbContext();
        return await db.Cards.AsNoTracking().Where(c => c.Id == cardId).Select(c => c.Status).SingleAsync();
    }

    private async Task<(Core.Domain.Matching.MatchPreviewState State, string? Error)> PreviewComputedAsync()
    {
        for (var i = 0; i < 600; i++)
        {
            await using var db = Factory.CreateDbContext();
            var latest = await db.MatchPreviews.AsNoTracking().OrderByDescending(p => p.Id).Select(p => new { p.State, p.Error }).FirstAsync();
            if (latest.State != Core.Domain.Matching.MatchPreviewState.Computing) return (latest.State, latest.Error);
            await Task.Delay(100);
        }
        throw new TimeoutException("The preview is still computing after 60 s.");
    }

    private async Task<int> PairsOfLatestPreviewAsync()
    {
        await using var db = Factory.CreateDbContext();
        var id = await db.MatchPreviews.AsNoTracking().MaxAsync(p => p.Id);
        return await db.MatchPreviewPairs.AsNoTracking().CountAsync(p => p.PreviewId == id);
    }
}
