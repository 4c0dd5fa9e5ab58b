using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 22 item 8, seed 002 as written: the card's Cases tab shows the agents' replies, the customer's messages on request;
/// the comment field under the Summary's activity log posts a comment (its own kind, audited), not a note, and another
/// agent's open card shows it without a reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public class CardCommentsJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-US", "Comment", "Show the customer's messages too")]
    [InlineData("fr-FR", "Commentaire", "Afficher aussi les messages du client")]
    public async Task TheCasesTabShowsTheAgentsReplies_AndTheSummarysCommentFieldPostsAComment_SeenLiveByAnotherAgent(string locale, string label, string switchText)
    {
        browser.RequireBrowser();
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var lastName = "Comments" + Guid.NewGuid().ToString("N")[..6];
        // Message 0 and 2 come from the customer, message 1 is the agent's reply.
        var (cardId, caseId) = await CardTestData.CardWithMessagesAsync(factory, 3, lastName, "+3361" + Random.Shared.Next(1000000, 9999999), DateTimeOffset.UtcNow.AddHours(-1));

        var page = await browser.SignInAsAsync(Role.Agent, $"/cards/{cardId}?tab=cases", locale);
        var thread = page.Locator($"[data-testid=case-thread][data-case-id='{caseId}']");
        await thread.WaitForAsync();
        await thread.Locator("[data-testid=message-item]", new() { HasTextString = "Message 1" }).WaitForAsync();
        (await thread.Locator("[data-testid=message-item]").CountAsync()).ShouldBe(1);
        (await page.InnerTextAsync("[data-testid=show-customer-messages]")).ShouldContain(switchText);
        await page.Locator("[data-testid=show-customer-messages] input").CheckAsync();
        await thread.Locator("[data-testid=message-item]", new() { HasTextString = "Message 0" }).WaitForAsync();
        (await thread.Locator("[data-testid=message-item]").CountAsync()).ShouldBe(3);
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(page, "cards-cases-replies");

        // Another agent has the card's Summary open.
        var other = await browser.SignInAsync("agent2@demo.local", "Agent2-Demo-2026!", locale, $"/cards/{cardId}?tab=summary");
        await other.WaitForSelectorAsync("[data-testid=activity-log]");

        await page.GotoAsync($"/cards/{cardId}?tab=summary");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var text = "Called back, <b>parcel</b> found " + Guid.NewGuid().ToString("N")[..4];
        await page.FillAsync("textarea[data-testid=activity-comment], [data-testid=activity-comment] textarea", text);
        await page.ClickAsync("[data-testid=activity-comment-submit]");
        var entry = page.Locator("[data-testid=activity-log] [data-testid=timeline-item][data-kind=Comment]", new() { HasTextString = text });
        await entry.WaitForAsync();
        (await entry.Locator("strong").First.InnerTextAsync()).ShouldBe(label);
        (await page.Locator("[data-testid=activity-log] b").CountAsync()).ShouldBe(0);
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(page, "cards-summary-comment");

        // Live on the other agent's page, with the same label, once.
        var seen = other.Locator("[data-testid=activity-log] [data-testid=timeline-item][data-kind=Comment]", new() { HasTextString = text });
        await seen.WaitForAsync();
        (await seen.CountAsync()).ShouldBe(1);
        (await other.Locator("[data-testid=activity-log] [data-testid=timeline-item]", new() { HasTextString = text }).CountAsync()).ShouldBe(1);

        // A comment on the case, audited; not a note.
        await using (var db = factory.CreateDbContext())
        {
            (await db.CaseComments.CountAsync(c => c.CaseId == caseId && c.MessageId == null && c.Text == text)).ShouldBe(1);
            (await db.Notes.CountAsync(n => n.CardId == cardId)).ShouldBe(0);
            (await db.Audit.CountAsync(a => a.Action == "CommentAdded" && a.After == text)).ShouldBe(1);
        }

        await page.Context.CloseAsync();
        await other.Context.CloseAsync();
    }
}
