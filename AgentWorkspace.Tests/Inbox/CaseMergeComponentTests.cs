using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Components.Pages.Inbox;
using AgentWorkspace.Web.Store.Inbox;
using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>The "Merge with another case…" panel, the reply channel of a merged thread, and their reducers (ADR 021).</summary>
public class CaseMergeComponentTests : BunitContext
{
    private static readonly DateTimeOffset At = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);

    public CaseMergeComponentTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private static CaseMergeCandidate Candidate(long id, Channel channel, string title, string? refusal = null, params object[] args) =>
        new(id, channel, title, "Bonjour, mon colis…", CaseStatus.Open, At, At.AddMinutes(5), "Support", null, refusal, args);

    [Fact]
    public void ThePanelListsTheContactsOtherCases_OffersOnlyThoseThatCanMerge_SayingWhyNot_AndAsksToMergeTheChosenOne()
    {
        CaseMergeCandidate? asked = null;
        var closed = false;
        var candidates = new[]
        {
            Candidate(41, Channel.Email, "Colis en retard"),
            Candidate(42, Channel.Sms, "Adresse", "CaseAssignedToOther", "Lucas Bernard"),
        };
        var cut = Render<CaseMergePanel>(p => p.Add(x => x.CaseId, 7).Add(x => x.Candidates, candidates)
            .Add(x => x.OnMerge, c => asked = c).Add(x => x.OnClose, () => closed = true));

        var rows = cut.FindAll("[data-testid=merge-candidate]");
        rows.Select(r => r.GetAttribute("data-offered")).ShouldBe(["true", "false"]);
        rows[0].TextContent.ShouldContain("#41");
        rows[0].TextContent.ShouldContain("E-mail");
        rows[0].TextContent.ShouldContain("Colis en retard");
        rows[0].TextContent.ShouldContain("Bonjour, mon colis…");
        cut.Find("[data-testid=merge-refusal]").TextContent.ShouldBe("This case is assigned to Lucas Bernard.");
        rows[1].QuerySelector("input")!.HasAttribute("disabled").ShouldBeTrue();
        // Each radio has its label; a refused one is described by its reason.
        rows[1].QuerySelector("input")!.GetAttribute("aria-describedby").ShouldBe(cut.Find("[data-testid=merge-refusal]").Id);
        cut.Find("[data-testid=merge-confirm-open]").HasAttribute("disabled").ShouldBeTrue("nothing chosen yet");

        rows[0].QuerySelector("input")!.Change("41");
        cut.Find("[data-testid=merge-confirm-open]").HasAttribute("disabled").ShouldBeFalse();
        cut.Find("form").Submit();
        asked.ShouldBe(candidates[0]);

        cut.Find("[data-testid=merge-close]").Click();
        closed.ShouldBeTrue();
    }

    [Fact]
    public void WhileLoadingThePanelSaysSo_AndWithoutAnotherOpenCaseItSaysThatInFrenchToo()
    {
        Render<CaseMergePanel>(p => p.Add(x => x.CaseId, 7).Add(x => x.Candidates, null)).FindAll("[data-testid=merge-candidate]").ShouldBeEmpty();
        var previous = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("fr");
            var cut = Render<CaseMergePanel>(p => p.Add(x => x.CaseId, 7).Add(x => x.Candidates, Array.Empty<CaseMergeCandidate>()));
            cut.Find("[data-testid=merge-none]").TextContent.ShouldBe("Ce contact n'a pas d'autre cas ouvert.");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = previous;
        }
    }

    [Fact]
    public void AReplyInAThreadOfTwoChannelsGoesOnTheContactsLastChannel_OrTheOneTheAgentChooses()
    {
        SubmitComposerAction? submitted = null;
        var cut = Render<Composer>(p => p.Add(c => c.CaseId, 5).Add(c => c.ReplyChannels, [Channel.Sms, Channel.Email])
            .Add(c => c.DefaultReplyChannel, Channel.Email).Add(c => c.OnSubmit, a => submitted = a));

        cut.Find("[data-testid=reply-via-email]").HasAttribute("checked").ShouldBeTrue();
        cut.Find("textarea").Input("Bien reçu.");
        cut.Find("[data-testid=composer-submit]").Click();
        submitted.ShouldBe(new SubmitComposerAction(5, ComposerMode.Reply, "Bien reçu.", Channel.Email));

        cut.Find("[data-testid=reply-via-sms]").Change("Sms");
        cut.Find("textarea").Input("Par SMS.");
        cut.Find("[data-testid=composer-submit]").Click();
        submitted.ShouldBe(new SubmitComposerAction(5, ComposerMode.Reply, "Par SMS.", Channel.Sms));

        // One channel: no choice shown, the case's own route.
        var single = Render<Composer>(p => p.Add(c => c.CaseId, 6).Add(c => c.ReplyChannels, [Channel.Sms]).Add(c => c.OnSubmit, a => submitted = a));
        single.FindAll("[data-testid=reply-via]").ShouldBeEmpty();
        single.Find("textarea").Input("Un seul canal.");
        single.Find("[data-testid=composer-submit]").Click();
        submitted.ShouldBe(new SubmitComposerAction(6, ComposerMode.Reply, "Un seul canal."));
    }

    [Fact]
    public void ReducersOpenThePanelEmpty_FillIt_DropLateCandidates_AndAFailureWhileLoadingClosesIt()
    {
        var s = new InboxFeature().GetInitialState();
        s = InboxReducers.Reduce(s, new OpenCaseAction(7));
        s = InboxReducers.Reduce(s, new OpenMergePanelAction(7));
        (s.Cases[7].MergeOpen, s.Cases[7].MergeCandidates).ShouldBe((true, null));
        var list = new[] { Candidate(41, Channel.Email, "Colis") };
        s = InboxReducers.Reduce(s, new MergeCandidatesLoadedAction(7, list));
        s.Cases[7].MergeCandidates.ShouldBe(list);

        s = InboxReducers.Reduce(s, new CloseMergePanelAction(7));
        s = InboxReducers.Reduce(s, new MergeCandidatesLoadedAction(7, list));
        (s.Cases[7].MergeOpen, s.Cases[7].MergeCandidates).ShouldBe((false, null), "candidates of a closed panel are dropped");

        s = InboxReducers.Reduce(s, new OpenMergePanelAction(7));
        s = InboxReducers.Reduce(s, new CaseCommandFailedAction(7, "Refusé", null));
        (s.Cases[7].MergeOpen, s.Cases[7].Error).ShouldBe((false, "Refusé"));

        s = InboxReducers.Reduce(s, new CaseInfoAction(7, "Case #41 was merged into this case."));
        s.Cases[7].Info.ShouldBe("Case #41 was merged into this case.");
        s = InboxReducers.Reduce(s, (CaseCommandAction)new UnmergeCaseAction(7, 41));
        (s.Cases[7].Info, s.Cases[7].Busy).ShouldBe((null, true), "the next action clears what the last one said");
    }
}
