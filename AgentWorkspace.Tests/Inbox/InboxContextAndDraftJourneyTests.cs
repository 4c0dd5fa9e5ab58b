using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>Issue 22: the conversation context as fields beside the case (item 5); a rejected draft edited and sent again (item 12).</summary>
[Collection(BrowserCollection.Name)]
public class InboxContextAndDraftJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-US", "Pre-chat survey", "Visitor details", "Context variables", "Article viewed")]
    [InlineData("fr-FR", "Enquête préalable", "Détails sur le visiteur", "Variables de contexte", "Article consulté")]
    public async Task TheCustomerPanelShowsTheConversationContextAsLabelledFields_WithAccents_AndMarkupAsText(string locale, string survey, string visitor, string variables, string article)
    {
        var name = "Élise" + Random.Shared.Next(1000, 9999);
        // Serialized as a client library would: accents escaped (\u00E9), markup in a value.
        var context = System.Text.Json.JsonSerializer.Serialize(new
        {
            preChatSurvey = new Dictionary<string, string> { ["Motif"] = "Problème de livraison", ["Numéro de commande"] = "CMD-4521" },
            visitor = new Dictionary<string, string> { ["Ville"] = "Besançon", ["Navigateur"] = "Firefox" },
            selfService = new[] { new { type = "articleViewed", title = "Où est mon colis ?", at = "2026-12-07T08:00:00Z" } },
            variables = new Dictionary<string, string> { ["panier"] = "<b>42 €</b><script>alert(1)</script>" },
        });
        context.ShouldContain("\\u00E9"); // the escapes the panel showed raw
        var (_, caseId) = await InboundAsync(name, "Bonjour, où est ma commande ?", context);

        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        await page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']").ClickAsync();
        var panel = page.Locator("[data-testid=inbox-context]");
        await panel.WaitForAsync();

        var text = await panel.InnerTextAsync();
        text.ShouldNotContain("\\u00");
        text.ShouldNotContain("{");
        foreach (var heading in new[] { survey, visitor, variables }) (await panel.Locator("h4", new() { HasTextString = heading }).CountAsync()).ShouldBe(1, heading);
        (await panel.Locator("[data-testid=pre-chat] dt").AllInnerTextsAsync()).ShouldBe(["Motif", "Numéro de commande"]);
        (await panel.Locator("[data-testid=pre-chat] dd").AllInnerTextsAsync()).ShouldBe(["Problème de livraison", "CMD-4521"]);
        (await panel.Locator("[data-testid=visitor]").InnerTextAsync()).ShouldContain("Besançon");
        var selfService = await panel.Locator("[data-testid=self-service]").InnerTextAsync();
        selfService.ShouldContain(article);
        selfService.ShouldContain("Où est mon colis ?");
        // A value is text: the markup shows as written and nothing of it is an element.
        (await panel.Locator("[data-testid=variables] dd").InnerTextAsync()).ShouldBe("<b>42 €</b><script>alert(1)</script>");
        (await panel.Locator("b, script").CountAsync()).ShouldBe(0);
        await BrowserFixture.ScreenshotAsync(page, "inbox-context-" + locale);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("en-US", "Edit and send for approval again", "Send for approval")]
    [InlineData("fr-FR", "Modifier et soumettre à nouveau", "Soumettre pour validation")]
    public async Task AnAgentEditsARejectedDraftAfterReadingTheComment_AndTheSupervisorSeesTheNewVersion(string locale, string edit, string resubmit)
    {
        var name = "Rémi" + Random.Shared.Next(1000, 9999);
        var (_, caseId) = await InboundAsync(name, "Je veux être remboursé.");
        var agentActor = await ActorAsync("agent@demo.local");
        var cases = browser.App.Services.GetRequiredService<Core.Features.Inbox.CaseCommands>();
        await cases.TakeAsync(agentActor, caseId);
        var draft = await cases.SubmitDraftAsync(agentActor, caseId, "C'est votre faute.");
        await browser.App.Services.GetRequiredService<Core.Features.Inbox.ApprovalService>()
            .RejectAsync(await ActorAsync("supervisor@demo.local"), draft.Id, "Trop sec : excusez-vous d'abord.");

        var agent = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        await agent.Locator($"[data-testid=case-tile][data-case-id='{caseId}']").ClickAsync();
        var active = agent.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        var rejected = active.Locator("[data-testid=draft][data-status=Rejected]");
        await rejected.WaitForAsync();
        (await rejected.Locator("[data-testid=draft-comment]").InnerTextAsync()).ShouldBe("Trop sec : excusez-vous d'abord.");
        var open = rejected.Locator("[data-testid=draft-edit-open]");
        (await open.InnerTextAsync()).ShouldBe(edit, StringCompareShould.IgnoreCase);
        await open.ClickAsync();
        var box = rejected.Locator("[data-testid=draft-edit-text]");
        (await box.InputValueAsync()).ShouldBe("C'est votre faute.");
        await box.FillAsync("Toutes nos excuses : le remboursement part aujourd'hui.");
        var send = rejected.Locator("[data-testid=draft-resubmit]");
        (await send.InnerTextAsync()).ShouldBe(resubmit, StringCompareShould.IgnoreCase);
        await send.ClickAsync();
        var pending = active.Locator("[data-testid=draft][data-status=Pending]");
        await pending.WaitForAsync();
        (await pending.InnerTextAsync()).ShouldContain("Toutes nos excuses : le remboursement part aujourd'hui.");
        (await active.Locator("[data-testid=draft-edit-open]").CountAsync()).ShouldBe(0);
        await BrowserFixture.ScreenshotAsync(agent, "inbox-draft-resubmitted-" + locale);

        var supervisor = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/approvals", locale);
        var row = supervisor.Locator("[data-testid=pending-draft]", new() { HasTextString = name });
        await row.WaitForAsync();
        (await row.Locator("[data-testid=draft-text]").InnerTextAsync()).ShouldBe("Toutes nos excuses : le remboursement part aujourd'hui.");
        await supervisor.Context.CloseAsync();
        await agent.Context.CloseAsync();
    }

    private async Task<Actor> ActorAsync(string email)
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        return (await db.Users.SingleAsync(u => u.Email == email)).ToActor();
    }

    /// <summary>An inbound SMS on a new card and case in the Support queue (with its conversation context), announced on the change feed.</summary>
    private async Task<(long CardId, long CaseId)> InboundAsync(string firstName, string text, string? context = null)
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var now = DateTimeOffset.UtcNow;
        await using var db = factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Journey" }, "FR", now);
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999);
        card.AddIdentity(Channel.Sms, number, IdentityAddress.Normalize(Channel.Sms, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
        @case.SetContext(context);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        db.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId));
        return (card.Id, @case.Id);
    }
}
