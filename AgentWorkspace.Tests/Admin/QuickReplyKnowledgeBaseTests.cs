using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Admin;

/// <summary>Issue 22 item 9 (seed 003's knowledge base): categories, placeholders filled from the case, links, and the change announced.</summary>
[Trait("Category", "Service")]
public class QuickReplyKnowledgeBaseTests
{
    private static readonly Actor Admin = AdminTestData.AdminActor;

    [Fact]
    public void Placeholders_AreFilledWithoutCase_UnknownOnesAreNamed_AndAMissingValueIsListed()
    {
        QuickReplyPlaceholders.UnknownIn("Bonjour {{customer.firstName}}, {{ Customer.LastName }} — {{order.id}} {{}} {{order.id}}").ShouldBe(["order.id", ""]);
        QuickReplyPlaceholders.UnknownIn("Pas de champ ici { {x} }").ShouldBeEmpty();
        var missing = new List<string>();
        QuickReplyPlaceholders.Fill("Bonjour {{customer.firstName}} {{ CUSTOMER.lastName }}, file {{case.queue}}, {{order.id}}",
            new Dictionary<string, string?> { ["customer.firstName"] = "Zoé", ["customer.lastName"] = null, ["case.queue"] = "{{agent.name}}" }, missing)
            .ShouldBe("Bonjour Zoé , file {{agent.name}}, {{order.id}}");
        missing.ShouldBe(["customer.lastName"]);
    }

    [Fact]
    public async Task AnAdminSavesCategoryTextAndLink_UnknownPlaceholdersAndNonWebLinksAreRefusedBesideTheirField_AndAgentsAreToldAtOnce()
    {
        await using var test = await TestDatabase.CreateAsync();
        var feed = new RecordingFeed();
        var replies = new QuickReplyService(test.Factory, test.Runner(feed));

        var unknown = await Should.ThrowAsync<AdminRuleException>(() => replies.CreateAsync(Admin,
            new QuickReplyInput("Commande", "Votre commande {{order.id}} part demain.", "fr", [])));
        (unknown.Code, unknown.Field).ShouldBe(("PlaceholderUnknown", "body"));
        unknown.Args[0].ShouldBe("{{order.id}}");
        foreach (var bad in new[] { "javascript:alert(1)", "ftp://example.com/f", "/pay", "https://", "https://exa mple.com", "data:text/html,<b>x</b>" })
            (await Should.ThrowAsync<AdminRuleException>(() => replies.CreateAsync(Admin, new QuickReplyInput("Payer", "Voici le lien.", "fr", [], "Paiement", "Payer", bad))))
                .Code.ShouldBe("LinkUrlInvalid", bad);
        (await Should.ThrowAsync<AdminRuleException>(() => replies.CreateAsync(Admin, new QuickReplyInput("Payer", "Voici le lien.", "fr", [], "Paiement", " ", "https://pay.example.com/x"))))
            .Field.ShouldBe("linkLabel");
        (await Should.ThrowAsync<AdminRuleException>(() => replies.CreateAsync(Admin, new QuickReplyInput("Payer", "Voici le lien.", "fr", [], "Paiement", "Payer", null))))
            .Field.ShouldBe("linkUrl");
        feed.Published.ShouldBeEmpty();

        var saved = await replies.CreateAsync(Admin, new QuickReplyInput("Payer", "Bonjour {{customer.firstName}}, voici le lien.", "fr", [], " Paiement ", "Payer en ligne", "https://pay.example.com/i/42?x=1"));
        (saved.Category, saved.LinkLabel, saved.LinkUrl).ShouldBe(("Paiement", "Payer en ligne", "https://pay.example.com/i/42?x=1"));
        var edited = await replies.UpdateAsync(Admin, saved.Id, new QuickReplyInput("Payer", "Voici le lien.", "fr", [], "Facturation", null, null));
        (edited.Category, edited.LinkLabel, edited.LinkUrl).ShouldBe(("Facturation", null, null));
        await replies.DeleteAsync(Admin, saved.Id);
        feed.Published.Select(e => e.Kind).ShouldBe([ChangeKind.QuickRepliesChanged, ChangeKind.QuickRepliesChanged, ChangeKind.QuickRepliesChanged]);
        await using var db = test.Factory.CreateDbContext();
        (await db.Audit.Where(a => a.EntityType == "QuickReply" && a.Field == "link").Select(a => a.Action + ":" + a.Before + ">" + a.After).ToListAsync())
            .ShouldBe(["Created:>Payer en ligne <https://pay.example.com/i/42?x=1>", "Updated:Payer en ligne <https://pay.example.com/i/42?x=1>>"]);
        (await db.Audit.CountAsync(a => a.EntityType == "QuickReply" && a.Field == "category")).ShouldBe(2);
    }

    [Fact]
    public async Task AQuickReplyIsFilledFromTheCase_ItsLinkFollowsAsAText_AndAHandleGreetsACustomerWithoutFirstName()
    {
        var (test, _, feed) = await CardTestData.CreateAsync();
        await using var _ = test;
        var replies = new QuickReplyService(test.Factory, test.Runner(feed));
        var placeholders = new QuickReplyPlaceholders(test.Factory);
        var (cardId, caseId) = await CardTestData.CardWithMessagesAsync(test.Factory, 1, "Le Gall");
        var reply = await replies.CreateAsync(Admin, new QuickReplyInput("Payer",
            "Bonjour {{customer.firstName}} {{customer.lastName}} ({{customer.company}}), le service {{case.queue}} vous écrit au sujet du cas {{case.id}}.\n{{agent.firstName}} — {{agent.name}}",
            "fr", [], "Paiement", "Payer en ligne", "https://pay.example.com/i/42"));
        string queue;
        await using (var db = test.Factory.CreateDbContext()) queue = await db.Queues.Where(q => q.IsDefault).Select(q => q.Name).SingleAsync();

        var filled = await placeholders.FillQuickReplyAsync(CardTestData.Agent, reply.Id, caseId);

        filled.Text.ShouldBe($"Bonjour Zoé Le Gall (Acme), le service {queue} vous écrit au sujet du cas {caseId}.\nCamille — Camille Laurent\nPayer en ligne: https://pay.example.com/i/42");
        filled.Missing.ShouldBeEmpty();
        (filled.LinkLabel, filled.LinkUrl).ShouldBe(("Payer en ligne", "https://pay.example.com/i/42"));

        // A sender known only by the channel's handle: the greeting uses it; the missing last name is listed, not invented.
        await using (var db = test.Factory.CreateDbContext())
            await db.Cards.Where(c => c.Id == cardId).ExecuteUpdateAsync(u => u
                .SetProperty(c => c.FirstName, (string?)null).SetProperty(c => c.LastName, (string?)null).SetProperty(c => c.ChannelName, "marguerite_92"));
        var handle = await placeholders.FillAsync(CardTestData.Agent, "Bonjour {{customer.firstName}} {{customer.lastName}}!", caseId);
        handle.Text.ShouldBe("Bonjour marguerite_92 !");
        handle.Missing.ShouldBe(["customer.lastName"]);
        await Should.ThrowAsync<NotFoundException>(() => placeholders.FillQuickReplyAsync(CardTestData.Agent, 999_999, caseId));
        await Should.ThrowAsync<ForbiddenException>(() => placeholders.FillAsync(new Actor("x", "Nobody", (Role)0), "x", caseId));
    }

    [Fact]
    public async Task TheInboxFindsQuickRepliesByTitleTextAndCategory()
    {
        var (test, _, feed) = await CardTestData.CreateAsync();
        await using var _ = test;
        var replies = new QuickReplyService(test.Factory, test.Runner(feed));
        await replies.CreateAsync(Admin, new QuickReplyInput("Relance", "Votre facture reste due.", "fr", [], "Recouvrement"));
        var inbox = new Core.Features.Inbox.InboxQueries(test.Factory, null!, TimeProvider.System);
        (await inbox.QuickRepliesAsync(CardTestData.Agent, "fr", "Recouvrement")).ShouldHaveSingleItem().Title.ShouldBe("Relance");
        (await inbox.QuickRepliesAsync(CardTestData.Agent, "fr", "facture reste")).ShouldHaveSingleItem().Category.ShouldBe("Recouvrement");
        (await inbox.QuickRepliesAsync(CardTestData.Agent, "fr", "Paiement")).Select(r => r.Title).ShouldContain("Demande de paiement");
    }
}
