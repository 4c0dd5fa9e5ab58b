using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Components.Pages.Inbox;
using AgentWorkspace.Web.Store.Inbox;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Inbox;

public class InboxComponentTests : BunitContext
{
    public InboxComponentTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void ATileShowsContactPreviewUnreadMarkWaitingTimeAndABreachedSla()
    {
        var now = DateTimeOffset.UtcNow;
        // Support's first response target is 30 minutes; nobody answered in 45.
        var tile = InboxReducerTests.Tile(7, unread: 2, preview: "Toujours rien reçu") with { CreatedAt = now.AddMinutes(-45), LastMessageAt = now.AddMinutes(-12) };
        long? opened = null;
        var cut = Render<InboxTileList>(p => p.Add(t => t.Tiles, [tile]).Add(t => t.Now, now).Add(t => t.ActiveCaseId, 7).Add(t => t.OnOpen, id => opened = id));

        cut.Find("[data-testid=tile-contact]").TextContent.ShouldBe("Zoé Le Gall");
        cut.Find("[data-testid=tile-preview]").TextContent.ShouldBe("Toujours rien reçu");
        cut.Find("[data-testid=unread-mark]").TextContent.ShouldContain("2");
        cut.Find("[data-testid=tile-waiting]").TextContent.ShouldBe("12 min");
        cut.Find("[data-testid=sla-state]").TextContent.ShouldBe("SLA breached");
        cut.Find("li").ClassList.ShouldContain("aw-tile-breached");
        cut.Find("li").ClassList.ShouldContain("aw-tile-active");
        cut.Find("button").GetAttribute("aria-current").ShouldBe("true");
        cut.Find("button").Click();
        opened.ShouldBe(7);
    }

    [Fact]
    public void ATileOnTimeWithoutUnreadHasNoMark_AndAClosedCaseShowsNoSla()
    {
        var now = DateTimeOffset.UtcNow;
        var tile = InboxReducerTests.Tile(8) with { CreatedAt = now.AddMinutes(-5) };
        var cut = Render<InboxTileList>(p => p.Add(t => t.Tiles, [tile, InboxReducerTests.Tile(9)]).Add(t => t.Now, now));
        cut.FindAll("[data-testid=case-tile]").Count.ShouldBe(2);
        cut.FindAll("[data-testid=unread-mark]").ShouldBeEmpty();
        cut.Find("[data-testid=sla-state]").TextContent.ShouldBe("On time");
        cut.FindAll("[aria-current]").ShouldBeEmpty();
        var closed = Render<InboxTileList>(p => p.Add(t => t.Tiles, [tile with { Status = CaseStatus.Resolved, ResolvedAt = now }]).Add(t => t.Now, now));
        closed.FindAll("[data-testid=sla-state]").ShouldBeEmpty();
    }

    [Fact]
    public async Task OfThirtyTiles_OnlyThoseInViewAndAMarginAreRendered_EachSaysItsPlace_AndTheWindowFollowsTheBrowser()
    {
        var now = DateTimeOffset.UtcNow;
        var tiles = Enumerable.Range(1, 30).Select(i => InboxReducerTests.Tile(i) with { CreatedAt = now.AddMinutes(-5) }).ToList();
        var cut = Render<InboxTileList>(p => p.Add(t => t.Tiles, tiles).Add(t => t.Now, now));

        // Before the browser measures: a 768-pixel screen's tiles and the margin below them, the others' space as padding.
        var shown = InboxTileList.DefaultVisible + InboxTileList.Margin;
        cut.FindAll("[data-testid=case-tile]").Select(b => b.GetAttribute("data-case-id")).ShouldBe(Enumerable.Range(1, shown).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var items = cut.FindAll("li");
        items.Select(li => li.GetAttribute("aria-posinset")).ShouldBe(Enumerable.Range(1, shown).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        items.ShouldAllBe(li => li.GetAttribute("aria-setsize") == "30");
        var list = cut.Find("ul");
        list.GetAttribute("style").ShouldBe($"padding-top:0px;padding-bottom:{(30 - shown) * InboxTileList.DefaultTileHeight}px");
        (list.GetAttribute("data-start"), list.GetAttribute("data-end"), list.GetAttribute("data-count")).ShouldBe(("0", shown.ToString(CultureInfo.InvariantCulture), "30"));

        // Scrolled to the 21st tile, six tiles in view, 100 pixels each: tiles 18 to 29, three on each side of 21 to 26.
        await cut.InvokeAsync(() => cut.Instance.Show(20, 6, 100));
        cut.FindAll("li").Select(li => li.GetAttribute("aria-posinset")).ShouldBe(Enumerable.Range(18, 12).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        cut.Find("ul").GetAttribute("style").ShouldBe("padding-top:1700px;padding-bottom:100px");
        cut.Find("[data-case-id='25']").Click(); // an event on a tile rendered late works

        // What a hostile client sends is held within bounds.
        await cut.InvokeAsync(() => cut.Instance.Show(-40, 100_000, double.NaN));
        cut.FindAll("li").Count.ShouldBe(30);
        cut.Find("ul").GetAttribute("style").ShouldBe("padding-top:0px;padding-bottom:0px");
        await cut.InvokeAsync(() => cut.Instance.Show(int.MaxValue, 0, 1e9));
        cut.FindAll("li").Select(li => li.GetAttribute("aria-posinset")).ShouldBe(Enumerable.Range(27, 4).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        cut.Find("ul").GetAttribute("style").ShouldBe("padding-top:10400px;padding-bottom:0px");
    }

    [Fact]
    public void TheComposerSubmitsInTheChosenMode_AsksForAQuickReplyAfterItsText_AndClearsOnceTheTextWentOut()
    {
        SubmitComposerAction? submitted = null;
        InsertQuickReplyAction? inserted = null;
        var replies = new[] { new QuickReplyView(1, "Remboursement", "Le remboursement a été initié.", "fr", "Paiement") };
        var cut = Render<Composer>(p => p.Add(c => c.CaseId, 5).Add(c => c.QuickReplies, replies).Add(c => c.OnSubmit, a => submitted = a)
            .Add(c => c.OnInsertQuickReply, a => inserted = a));

        cut.Find("[data-testid=composer-submit]").HasAttribute("disabled").ShouldBeTrue(); // nothing to send yet
        cut.Find("textarea").Input("Bonjour Zoé,");
        cut.Find("[data-testid=quick-replies]").Click();
        cut.Find("[data-testid=quick-reply]").Click();
        // The store fills it from the case (placeholders, link) and puts it after the text.
        inserted.ShouldBe(new InsertQuickReplyAction(5, 1, ComposerMode.Reply, "Bonjour Zoé,"));
        cut.FindAll("[data-testid=quick-reply-picker]").ShouldBeEmpty();
        var text = "Bonjour Zoé,\nLe remboursement a été initié.";
        cut.Render(p => p.Add(c => c.Text, text));
        cut.WaitForAssertion(() => cut.Find("textarea").GetAttribute("value")!.ShouldBe(text));

        cut.Find("[data-testid=composer-mode-draft]").Click();
        cut.Find("[data-testid=composer-submit]").TextContent.ShouldContain("Submit for approval");
        cut.Find("[data-testid=composer-submit]").Click();
        submitted.ShouldBe(new SubmitComposerAction(5, ComposerMode.Draft, text));

        // The store cleared the case's text once it went out.
        cut.Render(p => p.Add(c => c.Text, null));
        cut.WaitForAssertion(() => cut.Find("textarea").GetAttribute("value").ShouldBeNullOrEmpty());
    }

    [Fact]
    public void SlashAtTheStartOfTheBoxOpensTheQuickReplies_TypingFiltersByTitleTextOrCategory_ArrowsAndEnterInsert_EscapeCloses()
    {
        InsertQuickReplyAction? inserted = null;
        var replies = new[]
        {
            new QuickReplyView(1, "Accusé de réception", "Bonjour, merci pour votre message.", "fr", "Accueil"),
            new QuickReplyView(2, "Suivi de livraison", "Votre colis est en route.", "fr", "Livraison", "Suivre mon colis", "https://example.com/suivi"),
            new QuickReplyView(3, "Retard", "Le transporteur a du retard sur la LIVRAISON.", "fr", null),
            new QuickReplyView(4, "Payer", "Voici le lien.", "fr", "Paiement", "Payer", "https://example.com/pay"),
        };
        var cut = Render<Composer>(p => p.Add(c => c.CaseId, 9).Add(c => c.QuickReplies, replies).Add(c => c.OnInsertQuickReply, a => inserted = a));

        cut.Find("textarea").Input("/");
        cut.Find("[data-testid=quick-reply-picker]");
        cut.FindAll("[data-testid=quick-reply]").Count.ShouldBe(4);
        cut.Find("[data-testid=quick-reply-search]").Input("livraison"); // title, text (any case), or category, accents ignored
        cut.FindAll("[data-testid=quick-reply]").Select(e => e.GetAttribute("data-reply-id")).ShouldBe(["2", "3"]);
        cut.Find("[data-testid=quick-reply-search]").Input("paiément");
        cut.FindAll("[data-testid=quick-reply]").Select(e => e.GetAttribute("data-reply-id")).ShouldBe(["4"]);
        cut.Find("[data-testid=quick-reply-search]").Input("zzz");
        cut.Find("[data-testid=quick-reply-none]").TextContent.ShouldBe("No quick reply matches.");
        cut.Find("[data-testid=quick-reply-search]").Input("");
        cut.Find("[data-testid=quick-reply-picker]").KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        cut.Find("[data-testid=quick-reply-picker]").KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        cut.Find("[aria-selected=true]").GetAttribute("data-reply-id").ShouldBe("3");
        cut.Find("[data-testid=quick-reply-picker]").KeyDown(new KeyboardEventArgs { Key = "ArrowUp" });
        cut.Find("[data-testid=quick-reply-search]").GetAttribute("aria-activedescendant").ShouldBe(cut.Find("[aria-selected=true]").Id);
        cut.Find("[data-testid=quick-reply-picker]").KeyDown(new KeyboardEventArgs { Key = "Enter" });
        // The "/" that opened the list is not part of the reply.
        inserted.ShouldBe(new InsertQuickReplyAction(9, 2, ComposerMode.Reply, ""));
        cut.FindAll("[data-testid=quick-reply-picker]").ShouldBeEmpty();

        cut.Find("[data-testid=quick-replies]").Click();
        cut.Find("[data-testid=quick-reply-picker]").KeyDown(new KeyboardEventArgs { Key = "Escape" });
        cut.FindAll("[data-testid=quick-reply-picker]").ShouldBeEmpty();
        // A "/" inside the text is just a character.
        cut.Find("textarea").Input("1/2");
        cut.FindAll("[data-testid=quick-reply-picker]").ShouldBeEmpty();
    }

    [Fact]
    public void OnAVoiceCaseOnlyANoteIsPossible_AndAFieldErrorShowsUnderTheText()
    {
        SubmitComposerAction? submitted = null;
        var cut = Render<Composer>(p => p.Add(c => c.CaseId, 5).Add(c => c.CanReply, false).Add(c => c.OnSubmit, a => submitted = a)
            .Add(c => c.Error, "A note cannot be empty.").Add(c => c.ErrorField, "text"));
        cut.Find("[data-testid=composer-mode-reply]").HasAttribute("disabled").ShouldBeTrue();
        cut.Find("[data-testid=composer-mode-draft]").HasAttribute("disabled").ShouldBeTrue();
        cut.Markup.ShouldContain("A note cannot be empty.");
        cut.Find("textarea").Input("Rappelé, pas de réponse.");
        cut.Find("textarea").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Enter", CtrlKey = true });
        submitted.ShouldBe(new SubmitComposerAction(5, ComposerMode.Note, "Rappelé, pas de réponse."));
    }

    [Fact]
    public void AReplyRefusedAfterTheAgentTypedShowsTheReasonUnderTheText_AndKeepsTheText()
    {
        var cut = Render<Composer>(p => p.Add(c => c.CaseId, 5).Add(c => c.OnSubmit, _ => { }));
        cut.Find("textarea").Input("Autre chose ?");
        cut.Render(p => p.Add(c => c.Busy, true));
        cut.Render(p => p.Add(c => c.Busy, false).Add(c => c.Error, "The address this conversation came from was erased.").Add(c => c.ErrorField, "text"));
        cut.WaitForAssertion(() => cut.Markup.ShouldContain("The address this conversation came from was erased."));
        cut.Find("textarea").GetAttribute("value").ShouldBe("Autre chose ?");
    }

    [Fact]
    public void TheSlaBarShowsElapsedInRedAsAFractionOfTheTarget_AndABreachStandsOut()
    {
        var cut = Render<AgentWorkspace.Web.Components.Shared.SlaBar>(p => p.Add(b => b.Clock, new SlaClock(SlaKind.FirstResponse, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(15), false)));
        cut.Find(".aw-sla-elapsed").GetAttribute("style").ShouldBe("width:25%");
        cut.Find("[role=meter]").GetAttribute("aria-valuenow").ShouldBe("25");
        cut.Markup.ShouldContain("15 min elapsed, 45 min left");
        var breached = Render<AgentWorkspace.Web.Components.Shared.SlaBar>(p => p.Add(b => b.Clock, new SlaClock(SlaKind.Solution, TimeSpan.FromMinutes(60), TimeSpan.FromMinutes(90), false)));
        breached.Find("[data-testid=sla-Solution]").GetAttribute("data-breached").ShouldBe("true");
        breached.Markup.ShouldContain("breached by 30 min");
    }
}
