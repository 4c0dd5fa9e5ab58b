using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 22 item 9 (seed 003's knowledge base): an administrator writes a quick reply with a category, placeholders and a
/// payment link (an unknown placeholder and a non-web link are refused beside their field); an agent whose inbox was
/// already open finds it at once from the reply box ("/" then the category, Enter) and gets it filled from the case.
/// </summary>
[Collection(BrowserCollection.Name)]
public class QuickRepliesJourneyTests(BrowserFixture browser)
{
    private AgentWorkspaceDbContextFactory Factory => browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();

    private async Task<long> InboundSmsAsync(string firstName, string lastName, string text)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = Factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = lastName, Company = "Acme" }, "FR", now);
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        card.AddIdentity(Channel.Sms, number, IdentityAddress.Normalize(Channel.Sms, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId));
        return @case.Id;
    }

    [Theory]
    [InlineData("en-US", "is not a placeholder the inbox can fill", "must be a web address", "Pay online")]
    [InlineData("fr-FR", "n'est pas un champ que la boîte de réception sait remplir", "doit être une adresse web", "Payer en ligne")]
    public async Task AQuickReplyAnAdminWrites_IsFoundAtOnceFromTheReplyBox_AndFilledFromTheCase(string locale, string unknownPlaceholder, string badLink, string linkLabel)
    {
        var suffix = Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);
        var first = "Maëlys" + suffix;
        var caseId = await InboundSmsAsync(first, "Durand", "Comment régler ma facture ?");
        var category = "Facturation" + suffix;
        var title = "Lien de paiement " + suffix;

        // The agent's inbox is open on the case before the reply exists.
        var agent = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        var active = agent.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        await agent.Locator($"[data-testid=case-tile][data-case-id='{caseId}']").ClickAsync();
        await active.WaitForAsync();

        var admin = await browser.SignInAsAsync(Role.Admin, "/admin/quick-replies", locale);
        await admin.ClickAsync("[data-testid=new-reply]");
        await admin.FillAsync("[data-testid=reply-title] input", title);
        await admin.FillAsync("[data-testid=reply-category] input", category);
        await admin.FillAsync("[data-testid=reply-body] textarea", "Bonjour {{customer.firstName}}, votre commande {{order.id}} est prête.");
        await admin.FillAsync("[data-testid=reply-link-label] input", linkLabel);
        await admin.FillAsync("[data-testid=reply-link-url] input", "javascript:alert(1)");
        await admin.ClickAsync("[data-testid=save-reply]");
        await admin.Locator("[data-testid=reply-body]", new() { HasTextString = unknownPlaceholder }).WaitForAsync();
        (await admin.InnerTextAsync("[data-testid=reply-body]")).ShouldContain("{{order.id}}");
        await admin.FillAsync("[data-testid=reply-body] textarea", "Bonjour {{customer.firstName}} {{customer.lastName}}, le service {{case.queue}} vous envoie le lien de paiement.");
        await admin.ClickAsync("[data-testid=save-reply]");
        await admin.Locator("[data-testid=reply-link-url]", new() { HasTextString = badLink }).WaitForAsync();
        await admin.FillAsync("[data-testid=reply-link-url] input", "https://pay.example.com/i/" + suffix);
        await admin.ClickAsync("[data-testid=save-reply]");
        var row = admin.Locator($"[data-testid=reply-row][data-title='{title}']");
        await row.WaitForAsync();
        (await row.Locator("[data-testid=reply-link]").InnerTextAsync()).ShouldContain(linkLabel);
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(admin, "admin-quick-replies");

        // No reload: "/" at the start of the box opens the list, the category finds it, Enter inserts it filled.
        var box = active.Locator("[data-testid=composer-text]");
        await box.ClickAsync();
        await box.PressSequentiallyAsync("/");
        var search = active.Locator("[data-testid=quick-reply-search]");
        await search.WaitForAsync();
        await agent.Keyboard.TypeAsync(category);
        var found = active.Locator("[data-testid=quick-reply]", new() { HasTextString = title });
        await found.WaitForAsync();
        // The list narrows as the keys arrive: only this reply holds the whole category.
        await Assertions.Expect(active.Locator("[data-testid=quick-reply]")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        (await found.GetAttributeAsync("aria-selected")).ShouldBe("true");
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(agent, "inbox-quick-replies");
        await agent.Keyboard.PressAsync("Enter");
        var expected = $"Bonjour {first} Durand, le service Support vous envoie le lien de paiement.\n{linkLabel}: https://pay.example.com/i/{suffix}";
        await Assertions.Expect(box).ToHaveValueAsync(expected, new() { Timeout = 10_000 });
        (await active.Locator("[data-testid=quick-reply-picker]").CountAsync()).ShouldBe(0);

        // The button opens it too; Escape closes it and gives the box the focus back.
        await active.Locator("[data-testid=quick-replies]").ClickAsync();
        await search.WaitForAsync();
        await agent.Keyboard.PressAsync("Escape");
        await active.Locator("[data-testid=quick-reply-picker]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await BrowserFixture.WaitUntilAsync(agent, "() => document.activeElement && document.activeElement.getAttribute('data-testid') === 'composer-text'");

        // Removed by the administrator: gone from the agent's list at once.
        await row.Locator("[data-testid=delete-reply]").ClickAsync();
        await admin.Locator(".mud-message-box button, .mud-dialog-actions button").Last.ClickAsync();
        await row.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await active.Locator("[data-testid=quick-replies]").ClickAsync();
        await search.WaitForAsync();
        await BrowserFixture.WaitUntilAsync(agent, "() => document.activeElement && document.activeElement.closest('[data-testid=quick-reply-search]') !== null");
        await agent.Keyboard.TypeAsync(category);
        await active.Locator("[data-testid=quick-reply-none]").WaitForAsync();

        await agent.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }
}
