using System.Text;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Merged conversations in a real browser (issue 21, ADR 021): the contact e-mailed yesterday and calls today; the agent,
/// in the call, merges the e-mail case into it from the keyboard, sees both in one thread (each message on its channel),
/// answers by e-mail, then unmerges.
/// </summary>
[Collection(BrowserCollection.Name)]
public class CaseMergeJourneyTests(BrowserFixture browser)
{
    private static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    private async Task<(long Email, long Call)> EmailYesterdayCallTodayAsync(string firstName)
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var now = DateTimeOffset.UtcNow;
        var yesterday = now.AddDays(-1);
        await using var db = factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Ferrars" }, "FR", yesterday);
        var address = $"{firstName.ToLowerInvariant()}.ferrars@example.com";
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999);
        var mailIdentity = card.AddIdentity(Channel.Email, address, IdentityAddress.Normalize(Channel.Email, address, "FR"), yesterday);
        var phoneIdentity = card.AddIdentity(Channel.Voice, number, IdentityAddress.Normalize(Channel.Voice, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var email = new Case(card.Id, Channel.Email, queueId, "Colis jamais arrivé", yesterday);
        email.CameFrom(mailIdentity.Id);
        var call = new Case(card.Id, Channel.Voice, queueId, "Appel entrant", now);
        call.CameFrom(phoneIdentity.Id);
        db.Cases.AddRange(email, call);
        await db.SaveChangesAsync();
        void Inbound(Case c, Channel channel, MessageKind kind, string? subject, string text, DateTimeOffset at)
        {
            db.Messages.Add(new Message(c.Id, card.Id, channel, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, kind, card.DisplayName, null, subject, text, null, Sentiment.Neutral, at));
            c.MessageArrived(Direction.Inbound, text, at);
            card.RecordMessage(Sentiment.Neutral, Direction.Inbound, at);
        }
        // The e-mail case was opened yesterday; its message is dated a moment ago so that its tile is on the list's first
        // page (latest activity first) however many cases the other journeys made today.
        Inbound(email, Channel.Email, MessageKind.Email, "Colis jamais arrivé", "Bonjour, ma commande 4411 n'est jamais arrivée.", now.AddSeconds(-5));
        Inbound(call, Channel.Voice, MessageKind.Call, null, "Appel : le client rappelle pour sa commande.", now);
        db.CaseEvents.Add(new CaseEvent(email.Id, card.Id, CaseEventType.Created, "system", "System", null, yesterday));
        db.CaseEvents.Add(new CaseEvent(call.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        var feed = browser.App.Services.GetRequiredService<IChangeFeed>();
        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, email.Id, queueId));
        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, call.Id, queueId));
        return (email.Id, call.Id);
    }

    private static ILocator Tile(IPage page, long caseId) => page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']");

    [Fact]
    public async Task TheAgentMergesTheEmailCaseIntoTheCall_TheThreadShowsBoth_RepliesByEmail_AndUnmerges()
    {
        var page = await browser.SignInAsAsync(Core.Domain.Identity.Role.Agent, "/inbox", viewport: new ViewportSize { Width = 1280, Height = 720 });
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var (email, call) = await EmailYesterdayCallTodayAsync("Edward" + Random.Shared.Next(1000, 9999));
        await Tile(page, call).WaitForAsync();
        await Tile(page, email).WaitForAsync();

        await Tile(page, call).ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{call}']");
        await active.WaitForAsync();
        await active.Locator("[data-testid=take-case]").ClickAsync();
        await active.Locator("[data-testid=case-status]", new() { HasTextString = "Open" }).WaitForAsync();

        // "Merge with another case…", then the keyboard: the e-mail case is offered with its channel, subject and first words.
        await active.Locator("[data-testid=merge-case]").ClickAsync();
        var candidate = active.Locator($"[data-testid=merge-candidate][data-case-id='{email}']");
        await candidate.WaitForAsync();
        var offered = await candidate.InnerTextAsync();
        offered.ShouldContain("E-mail");
        offered.ShouldContain("Colis jamais arrivé");
        offered.ShouldContain("commande 4411");
        (await candidate.GetAttributeAsync("data-offered")).ShouldBe("true");
        (await ViolationsAsync(page, "the merge panel")).ShouldBeEmpty();
        await candidate.Locator("input").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await active.Locator("[data-testid=merge-confirm-open]").ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog);
        await dialog.WaitForAsync();
        (await dialog.InnerTextAsync()).ShouldContain($"#{email}");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Merge", Exact = true }).ClickAsync();

        // The result: said on the case, one thread of both channels in time order, the e-mail case gone from the list.
        await active.Locator("[data-testid=case-info]").WaitForAsync();
        (await active.Locator("[data-testid=case-info]").InnerTextAsync()).ShouldContain($"Case #{email} was merged into this case.");
        await active.Locator("[data-testid=thread-entry][data-channel=Email]").WaitForAsync();
        var channels = await active.Locator("[data-testid=thread-entry][data-kind=inbound]").EvaluateAllAsync<string[]>("es => es.map(e => e.dataset.channel)");
        channels.ShouldBe(["Email", "Voice"]);
        await active.Locator($"[data-testid=merged-case][data-case-id='{email}']").WaitForAsync();
        await Tile(page, email).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await BrowserFixture.ScreenshotAsync(page, "inbox-case-merged");

        // The call alone could only be answered by calling back; merged, it replies by e-mail (its one written channel), to their address.
        (await active.Locator("[data-testid=composer-mode-reply]").IsEnabledAsync()).ShouldBeTrue();
        await active.Locator("[data-testid=composer-text]").FillAsync("Nous avons relancé le transporteur, vous serez livré demain.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await active.Locator("[data-testid=thread-entry][data-kind=outbound][data-channel=Email]").WaitForAsync();

        // The history says who merged what.
        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await page.Locator("[data-testid=history-entry][data-type=CaseMergedIn]").WaitForAsync();

        // Unmerge: the e-mail case is back in the inbox with its own message; the reply written since stays in the call.
        await active.Locator("[data-testid=unmerge-case]").ClickAsync();
        await dialog.WaitForAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Unmerge", Exact = true }).ClickAsync();
        await active.Locator("[data-testid=case-info]", new() { HasTextString = $"Case #{email} was unmerged" }).WaitForAsync();
        await active.Locator("[data-testid=thread-entry][data-kind=inbound][data-channel=Email]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        (await active.Locator("[data-testid=merged-cases]").CountAsync()).ShouldBe(0);
        await Tile(page, email).WaitForAsync();

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
        {
            var back = await db.Cases.SingleAsync(c => c.Id == email);
            (back.Status, back.MergedIntoCaseId).ShouldBe((CaseStatus.New, (long?)null));
            (await db.Messages.CountAsync(m => m.CaseId == email)).ShouldBe(1);
            (await db.Messages.CountAsync(m => m.CaseId == call && m.Channel == Channel.Email && m.Direction == Direction.Outbound)).ShouldBe(1);
        }
        await page.Context.CloseAsync();
    }

    private static async Task<string> ViolationsAsync(IPage page, string what)
    {
        var result = await BrowserFixture.RunAxeWithoutToastsAsync(page, Wcag);
        var report = new StringBuilder();
        foreach (var v in result.Violations)
        {
            report.AppendLine($"{what}: {v.Id} ({v.Impact}) {v.Help}");
            foreach (var node in v.Nodes.Take(5))
                report.AppendLine($"  {node.Target}  {string.Join(" | ", node.Any.Concat(node.All).Concat(node.None).Select(c => c.Message))}");
        }
        return report.ToString();
    }
}
