using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Cards;

[Collection(BrowserCollection.Name)]
public class CardJourneyTests(BrowserFixture browser)
{
    private static string Input(string testId) => $"[data-testid={testId}] input, input[data-testid={testId}]";

    [Fact]
    public async Task AnAgentEditsTheProfile_ASecondAgentsStaleSaveShowsBothValues_AndANewMessageAppearsLive()
    {
        browser.RequireBrowser();
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var lastName = "Journey" + Guid.NewGuid().ToString("N")[..6];
        var phone = "+3361" + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var (cardId, caseId) = await CardTestData.CardWithMessagesAsync(factory, 3, lastName, phone, DateTimeOffset.UtcNow.AddHours(-2));
        await AddMessageAsync(factory, cardId, caseId, "<img src=x onerror=alert(1)>", publish: false);

        // Agent 1 finds the card by its phone number in a national form and opens it.
        var first = await browser.SignInAsAsync(Role.Agent, "/cards");
        first.Dialog += (_, d) => throw new InvalidOperationException("A script ran: " + d.Message);
        await first.FillAsync(Input("card-search") , "0" + phone[3..]);
        await first.ClickAsync("[data-testid=card-search-submit]");
        var result = first.Locator($"[data-testid=card-result][data-card-id='{cardId}']");
        await result.WaitForAsync();
        await BrowserFixture.ScreenshotAsync(first, "cards-search");
        await result.Locator("a").First.ClickAsync();
        await first.WaitForSelectorAsync($"[data-testid=card-name]:has-text('{lastName}')");
        await first.WaitForSelectorAsync("[data-testid=conversation-summary]");
        await BrowserFixture.ScreenshotAsync(first, "cards-summary");

        // The HTML-looking message is text, not markup.
        await first.GotoAsync($"/cards/{cardId}?tab=messages");
        await BrowserFixture.WaitForInteractiveAsync(first);
        var hostile = first.Locator("[data-testid=message-text]", new() { HasTextString = "<img src=x onerror=alert(1)>" });
        await hostile.WaitForAsync();
        (await first.Locator("[data-testid=message-history] img").CountAsync()).ShouldBe(0);
        await BrowserFixture.ScreenshotAsync(first, "cards-messages");

        // Agent 2 opens the profile and starts typing before agent 1 saves. (Another journey locks agent 2 out on purpose: lift that first.)
        await using (var db = factory.CreateDbContext())
            await db.Users.Where(u => u.NormalizedEmail == "AGENT2@DEMO.LOCAL")
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.LockoutEnd, (DateTimeOffset?)null).SetProperty(x => x.AccessFailedCount, 0));
        var second = await browser.SignInAsync("agent2@demo.local", "Agent2-Demo-2026!", path: $"/cards/{cardId}?tab=profile");
        await second.WaitForSelectorAsync("[data-testid=profile-editor]");
        await second.FillAsync(Input("profile-city"), "Marseille");
        await second.WaitForSelectorAsync("[data-testid=profile-dirty]");

        await first.GotoAsync($"/cards/{cardId}?tab=profile");
        await BrowserFixture.WaitForInteractiveAsync(first);
        await first.WaitForSelectorAsync("[data-testid=profile-editor]");
        await first.FillAsync(Input("profile-city"), "Lyon");
        await first.FillAsync(Input("profile-jobTitle"), "Buyer");
        await first.ClickAsync("[data-testid=save-profile]");
        await first.WaitForSelectorAsync("[data-testid=profile-saved]");
        await BrowserFixture.ScreenshotAsync(first, "cards-profile");

        // Agent 2's save is refused with both values; agent 2 keeps theirs.
        await second.ClickAsync("[data-testid=save-profile]");
        var conflict = second.Locator("[data-testid=conflict-field][data-field=city]");
        await conflict.WaitForAsync();
        (await conflict.Locator("[data-testid=conflict-yours]").InnerTextAsync()).ShouldBe("Marseille");
        (await conflict.Locator("[data-testid=conflict-theirs]").InnerTextAsync()).ShouldBe("Lyon");
        // Only what agent 2 changed is in question; agent 1's job title is not.
        (await second.Locator("[data-testid=conflict-field]").CountAsync()).ShouldBe(1);
        await BrowserFixture.ScreenshotAsync(second, "cards-conflict");
        await second.ClickAsync("[data-testid=keep-mine]");
        await second.WaitForSelectorAsync("[data-testid=profile-saved]");
        (await second.Locator("[data-testid=conflict-dialog]").CountAsync()).ShouldBe(0);

        // Agent 1's untouched form shows agent 2's value live, without reload.
        await Assertions.Expect(first.Locator(Input("profile-city"))).ToHaveValueAsync("Marseille", new() { Timeout = 10_000 });
        await using (var db = factory.CreateDbContext())
        {
            var card = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == cardId);
            card.City.ShouldBe("Marseille");
            card.JobTitle.ShouldBe("Buyer");
            (await db.Audit.CountAsync(a => a.EntityId == cardId.ToString() && a.Field == "city")).ShouldBe(2);
        }

        // A custom field and a note, then a new message shows up live on the open Messages tab.
        await first.GotoAsync($"/cards/{cardId}?tab=notes");
        await BrowserFixture.WaitForInteractiveAsync(first);
        await first.FillAsync("[data-testid=new-note] textarea, textarea[data-testid=new-note]", "Prefers e-mail after 6 pm");
        await first.ClickAsync("[data-testid=add-note]");
        await first.WaitForSelectorAsync("[data-testid=note-text]:has-text('Prefers e-mail after 6 pm')");
        await BrowserFixture.ScreenshotAsync(first, "cards-notes");

        await first.GotoAsync($"/cards/{cardId}?tab=messages");
        await BrowserFixture.WaitForInteractiveAsync(first);
        await first.WaitForSelectorAsync("[data-testid=message-item]");
        var text = "Live message " + Guid.NewGuid().ToString("N")[..6];
        await AddMessageAsync(factory, cardId, caseId, text, publish: true);
        await first.Locator("[data-testid=message-text]", new() { HasTextString = text }).WaitForAsync(new() { Timeout = 10_000 });
        (await first.Locator("[data-testid=message-item]").First.InnerTextAsync()).ShouldContain(text);

        await first.GotoAsync($"/cards/{cardId}?tab=timeline");
        await BrowserFixture.WaitForInteractiveAsync(first);
        await first.WaitForSelectorAsync("[data-testid=timeline-item]");
        await BrowserFixture.ScreenshotAsync(first, "cards-timeline");
        await first.GotoAsync($"/cards/{cardId}?tab=cases");
        await BrowserFixture.WaitForInteractiveAsync(first);
        await first.WaitForSelectorAsync("[data-testid=case-thread]");
        await first.Locator("[data-testid=show-customer-messages] input").CheckAsync();
        await first.Locator("[data-testid=comment-message]").First.ClickAsync();
        await first.FillAsync("[data-testid=comment-text] input, input[data-testid=comment-text]", "Checked the parcel number");
        await first.ClickAsync("[data-testid=comment-submit]");
        await first.WaitForSelectorAsync("[data-testid=comment]:has-text('Checked the parcel number')");
        await BrowserFixture.ScreenshotAsync(first, "cards-cases");

        await first.Context.CloseAsync();
        await second.Context.CloseAsync();
    }

    /// <summary>What ingest does for a message: store it, keep the indicators current, and announce it after commit.</summary>
    private async Task AddMessageAsync(AgentWorkspaceDbContextFactory factory, long cardId, long caseId, string text, bool publish)
    {
        await using (var db = factory.CreateDbContext())
        {
            var card = await db.Cards.SingleAsync(c => c.Id == cardId);
            var now = DateTimeOffset.UtcNow;
            db.Messages.Add(new Message(caseId, cardId, Channel.Sms, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms,
                "Zoé", null, null, text, null, Sentiment.Positive, now));
            card.RecordMessage(Sentiment.Positive, Direction.Inbound, now);
            await db.SaveChangesAsync();
        }
        if (publish) browser.App.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, CardId: cardId, CaseId: caseId));
    }
}
