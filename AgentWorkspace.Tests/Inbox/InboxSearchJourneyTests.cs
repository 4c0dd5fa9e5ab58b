using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// Issue 22 item 12 in the browser: the inbox's search box finds a case by a part of the contact's name, by the number
/// as the agent says it and by a word of the message, says so when nothing matches (in the user's language), and
/// Escape gives the whole list back; a contact erased by a supervisor leaves the agent's open tab and tile at once.
/// </summary>
[Collection(BrowserCollection.Name)]
public class InboxSearchJourneyTests(BrowserFixture browser)
{
    private async Task<(long CardId, long CaseId)> InboundSmsAsync(string firstName, string number, string text)
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var now = DateTimeOffset.UtcNow;
        await using var db = factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Cherche", MobilePhone = number }, "FR", now);
        card.AddIdentity(Channel.Sms, number, IdentityAddress.Normalize(Channel.Sms, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, "search-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        db.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId));
        return (card.Id, @case.Id);
    }

    private static ILocator Tile(IPage page, long caseId) => page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']");

    private static string Number() => "+3376" + Random.Shared.Next(1_000_000, 9_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"+33761234567" as an agent reads it out: "07 61 23 45 67".</summary>
    private static string National(string e164) => "0" + string.Join(' ', Enumerable.Range(0, 5).Select(i => e164.Substring(3 + (i == 0 ? 0 : 2 * i - 1), i == 0 ? 1 : 2)));

    private static async Task SearchAsync(IPage page, string text)
    {
        var box = page.Locator("[data-testid=inbox-search]");
        await box.FillAsync(text);
        await box.PressAsync("Enter");
    }

    [Theory]
    [InlineData("en-US", "Search cases", "No case matches “{0}” with these filters.")]
    [InlineData("fr-FR", "Rechercher un cas", "Aucun cas ne correspond à « {0} » avec ces filtres.")]
    public async Task AnAgentFindsACaseByName_ByNumber_AndByAWordOfTheMessage_AndEscapeGivesTheListBack(string locale, string label, string none)
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var tag = Guid.NewGuid().ToString("N")[..6];
        var (number, other) = (Number(), Number());
        var (_, wanted) = await InboundSmsAsync("Ysé" + tag, number, "Bonjour, ma facture " + tag + "X est fausse.");
        var (_, unwanted) = await InboundSmsAsync("Yann" + tag, other, "Bonjour, où est mon colis ?");
        await Tile(page, unwanted).WaitForAsync();
        (await page.Locator("label[for=aw-inbox-search]").InnerTextAsync()).ShouldBe(label);

        // A part of the name, typed without its accent: found as the agent types (no Enter).
        await page.Locator("[data-testid=inbox-search]").PressSequentiallyAsync("yse" + tag);
        await Tile(page, unwanted).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await Tile(page, wanted).WaitForAsync();
        (await page.Locator("[data-testid=case-tile]").CountAsync()).ShouldBe(1);

        await SearchAsync(page, National(number));
        await Tile(page, wanted).WaitForAsync();
        (await page.Locator("[data-testid=case-tile]").CountAsync()).ShouldBe(1);

        await SearchAsync(page, "facture " + tag + "x");
        await Tile(page, wanted).WaitForAsync();
        (await page.Locator("[data-testid=case-tile]").CountAsync()).ShouldBe(1);

        var nothing = "zz" + tag + "qq";
        await SearchAsync(page, nothing);
        await page.Locator("[data-testid=inbox-empty]").WaitForAsync();
        (await page.Locator("[data-testid=inbox-empty]").InnerTextAsync()).ShouldBe(string.Format(System.Globalization.CultureInfo.InvariantCulture, none, nothing));
        await BrowserFixture.ScreenshotAsync(page, $"inbox-search-none-{locale}");

        await page.Locator("[data-testid=inbox-search]").PressAsync("Escape");
        await Tile(page, unwanted).WaitForAsync();
        await Tile(page, wanted).WaitForAsync();
        (await page.Locator("[data-testid=inbox-search]").InputValueAsync()).ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AContactErasedWhileTheirCaseIsOpenLeavesTheAgentsTabAndTileAtOnce()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var name = "Erwan" + Guid.NewGuid().ToString("N")[..6];
        var (cardId, caseId) = await InboundSmsAsync(name, Number(), "Je souhaite que mes données soient effacées.");
        await Tile(page, caseId).ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        await active.WaitForAsync();
        (await page.Locator("[data-testid=case-tab]").Filter(new() { HasTextString = name }).CountAsync()).ShouldBe(1);

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        Actor supervisor;
        await using (var db = factory.CreateDbContext())
            supervisor = (await db.Users.FirstAsync(u => u.Role == Role.Supervisor)).ToActor();
        await browser.App.Services.GetRequiredService<PrivacyService>().AnonymizeAsync(supervisor, cardId, force: true);

        // Without a reload: the tab, the tile and the thread no longer show what was erased.
        await BrowserFixture.WaitUntilAsync(page, $"() => !document.querySelector('[data-testid=case-strip]').innerText.includes('{name}')");
        await BrowserFixture.WaitUntilAsync(page, $"() => (t => !t || !t.innerText.includes('{name}'))(document.querySelector('[data-testid=case-tile][data-case-id=\"{caseId}\"]'))");
        await BrowserFixture.WaitUntilAsync(page, "() => !document.querySelector('[data-testid=active-case]').innerText.includes('mes données soient effacées')");
        await page.Context.CloseAsync();
    }
}
