using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Store.Inbox;
using AgentWorkspace.Web.Store.Notices;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>The notices on every page and the composer's kept text (issue 22, items 2 and 3): reducers and the feed's judgement, without services.</summary>
public class NoticesAndComposerReducerTests
{
    private static NoticesState Notices => new NoticesFeature().GetInitialState();
    private static ComposerState Composer => new ComposerFeature().GetInitialState();

    [Fact]
    public void NewsCountsOnceACase_NoticesNumberThemselves_AndAReviewedDraftIsToldButNotCounted()
    {
        var s = NoticesReducers.Reduce(Notices, new NoticesStartedAction([4, 5]));
        (s.Started, s.Unseen.Count).ShouldBe((true, 2));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.MessageArrived, 7, "Zoé Le Gall"));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.MessageArrived, 7, "Zoé Le Gall"));
        s.Unseen.Order().ShouldBe([4, 5, 7]);
        s.Last.ShouldBe(new Notice(2, NoticeKind.MessageArrived, 7, "Zoé Le Gall", null));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.DraftRejected, 8, "Hugo", "trop sec"));
        (s.Last!.Id, s.Last.Detail, s.Unseen.Contains(8)).ShouldBe((3, "trop sec", false));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.CaseAssigned, 9));
        s.Unseen.ShouldContain(9);
    }

    [Fact]
    public void TheCountStopsAtItsMost_ANewCaseIsCountedAgainOnceOneIsSeen_AndTheNoticesStillCome()
    {
        // Issue 20: under a steady flow of new cases every open page's set grew without end.
        var s = NoticesReducers.Reduce(Notices, new NoticesStartedAction([.. Enumerable.Range(1, NoticesState.MaxUnseen + 50).Select(i => (long)i)]));
        (s.Unseen.Count, s.UnseenFull).ShouldBe((NoticesState.MaxUnseen, true));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.MessageArrived, 5_000, "Zoé"));
        s.Unseen.Count.ShouldBe(NoticesState.MaxUnseen);
        s.Unseen.ShouldNotContain(5_000);
        s.Last!.CaseId.ShouldBe(5_000, "the notice is still told");

        s = NoticesReducers.Reduce(s, new OpenCaseAction(1));
        s = NoticesReducers.Reduce(s, new CaseNewsAction(NoticeKind.MessageArrived, 5_001, "Hugo"));
        s.Unseen.ShouldContain(5_001);
        s.Unseen.Count.ShouldBe(NoticesState.MaxUnseen);
        Web.Components.Layout.NewsCount.Said(s.Unseen.Count).ShouldBe("999+");
        Web.Components.Layout.NewsCount.Said(998).ShouldBe("998");
    }

    [Fact]
    public void OpeningShowingOrClearingACaseTakesItOutOfTheCount()
    {
        var s = NoticesReducers.Reduce(Notices, new NoticesStartedAction([1, 2, 3, 4]));
        s = NoticesReducers.Reduce(s, new OpenCaseAction(1));
        s = NoticesReducers.Reduce(s, new SelectCaseAction(2));
        s = NoticesReducers.Reduce(s, new ClearCaseNewsAction(3));
        s.Unseen.ShouldBe([4]);
    }

    [Fact]
    public void AnAwayAgentOrOneWithEveryNoticeOffIsToldNothing_ButTheCountStillMoves()
    {
        var away = NoticesReducers.Reduce(Notices, new SetAvailabilityAction(AgentAvailability.Away));
        away = NoticesReducers.Reduce(away, new CaseNewsAction(NoticeKind.MessageArrived, 7));
        (away.Last, away.Unseen.Contains(7)).ShouldBe((null, true));

        var quiet = NoticesReducers.Reduce(NoticesReducers.Reduce(Notices, new ToggleSoundAction(false)), new ToggleVisualNoticeAction(false));
        NoticesReducers.Reduce(quiet, new CaseNewsAction(NoticeKind.MessageArrived, 7)).Last.ShouldBeNull();
        // Desktop notices alone still tell, once the browser allows them.
        var desktopOnly = NoticesReducers.Reduce(NoticesReducers.Reduce(quiet, new ToggleDesktopNoticeAction(true)), new DesktopPermissionKnownAction(DesktopPermission.Granted));
        NoticesReducers.Reduce(desktopOnly, new CaseNewsAction(NoticeKind.MessageArrived, 7)).Last.ShouldNotBeNull();
        var soundOnly = NoticesReducers.Reduce(Notices, new ToggleVisualNoticeAction(false));
        NoticesReducers.Reduce(soundOnly, new CaseNewsAction(NoticeKind.MessageArrived, 7)).Last.ShouldNotBeNull();
    }

    [Fact]
    public void DesktopNoticesStayOffWhereTheBrowserRefusesThem()
    {
        var on = NoticesReducers.Reduce(Notices, new ToggleDesktopNoticeAction(true));
        (on.DesktopOn, on.DesktopActive).ShouldBe((true, false), "asked, not answered yet");
        var denied = NoticesReducers.Reduce(on, new DesktopPermissionKnownAction(DesktopPermission.Denied));
        denied.DesktopOn.ShouldBeFalse();
        NoticesReducers.Reduce(denied, new ToggleDesktopNoticeAction(true)).DesktopOn.ShouldBeFalse();
        var remembered = NoticesReducers.Reduce(Notices, new NoticePreferencesLoadedAction(AgentAvailability.Away, false, true, true, DesktopPermission.Unsupported));
        (remembered.Availability, remembered.SoundOn, remembered.VisualOn, remembered.DesktopOn).ShouldBe((AgentAvailability.Away, false, true, false));
    }

    [Theory]
    [InlineData(ChangeKind.MessageArrived, "me", 1L, null, false, "MessageArrived")]     // on my case
    [InlineData(ChangeKind.MessageArrived, null, 1L, null, false, "MessageArrived")]     // unassigned, in my queue
    [InlineData(ChangeKind.MessageArrived, null, 2L, null, false, "none")]               // unassigned, not my queue
    [InlineData(ChangeKind.MessageArrived, "other", 1L, null, false, "none")]            // a colleague's case in my queue
    [InlineData(ChangeKind.MessageArrived, "me", 1L, "me", false, "none")]               // my own doing
    [InlineData(ChangeKind.CaseChanged, "me", 1L, "boss", true, "CaseAssigned")]         // given to me
    [InlineData(ChangeKind.CaseChanged, "me", 2L, "boss", false, "none")]                // my case changed, not newly mine
    [InlineData(ChangeKind.CaseChanged, "me", 1L, "me", true, "none")]                   // I took it myself
    [InlineData(ChangeKind.CardChanged, "me", 1L, "boss", false, "none")]
    public void TheFeedIsJudgedFromTheEventAlone(ChangeKind kind, string? agent, long queue, string? actor, bool assigned, string expected)
    {
        var change = new ChangeEvent(kind, 10, 42, queue, actor, agent) { Assigned = assigned };
        var verdict = NoticesEffects.Judge(change, "me", new HashSet<long> { 1 }, new HashSet<long>());
        (verdict.Kind?.ToString() ?? "none").ShouldBe(expected);
        verdict.Clears.ShouldBeFalse();
    }

    [Fact]
    public void ACaseWithNewsLeavesTheCountWhenTheAgentActsOnItElsewhere_OrItGoesToSomeoneElse()
    {
        var unseen = new HashSet<long> { 42 };
        NoticesEffects.Judge(new ChangeEvent(ChangeKind.CaseChanged, 10, 42, 1, "me", "me"), "me", new HashSet<long> { 1 }, unseen).Clears.ShouldBeTrue();
        NoticesEffects.Judge(new ChangeEvent(ChangeKind.CaseChanged, 10, 42, 1, "boss", "other") { Assigned = true }, "me", new HashSet<long> { 1 }, unseen).Clears.ShouldBeTrue();
        NoticesEffects.Judge(new ChangeEvent(ChangeKind.MessageArrived, 10, 42, 1, null, "other"), "me", new HashSet<long> { 1 }, unseen).Clears.ShouldBeTrue();
        NoticesEffects.Judge(new ChangeEvent(ChangeKind.CaseChanged, 10, 43, 1, "me", "me"), "me", new HashSet<long> { 1 }, unseen).Clears.ShouldBeFalse("not counted: nothing to clear");
    }

    [Fact]
    public void TypedTextIsKeptAtOnce_SavesAnswerTheirOwnEdit_AndSendingClearsIt()
    {
        var s = ComposerReducers.Reduce(Composer, new ComposerTextChangedAction(5, ComposerMode.Reply, "Bonj"));
        s = ComposerReducers.Reduce(s, new ComposerTextChangedAction(5, ComposerMode.Reply, "Bonjour"));
        s.For(5).ShouldBe(new ComposerEntry(ComposerMode.Reply, "Bonjour", DraftSave.Pending, 2));

        // The save of the first edit answers after the second: the entry waits for its own save.
        s = ComposerReducers.Reduce(s, new ComposerDraftSavedAction(5, 1));
        s.For(5)!.Save.ShouldBe(DraftSave.Pending);
        s = ComposerReducers.Reduce(s, new ComposerDraftSavingAction(5, 2));
        s.For(5)!.Save.ShouldBe(DraftSave.Saving);
        var failed = ComposerReducers.Reduce(s, new ComposerDraftFailedAction(5, 2, "This case no longer exists."));
        (failed.For(5)!.Save, failed.For(5)!.Error, failed.For(5)!.Text).ShouldBe((DraftSave.Failed, "This case no longer exists.", "Bonjour"));
        s = ComposerReducers.Reduce(s, new ComposerDraftSavedAction(5, 2));
        s.For(5)!.Save.ShouldBe(DraftSave.Saved);

        var tile = InboxReducerTests.Tile(5);
        ComposerReducers.Reduce(s, new CaseCommandSucceededAction(5, tile, ComposerDone: false)).For(5).ShouldNotBeNull("taking the case sends no text");
        ComposerReducers.Reduce(s, new CaseCommandSucceededAction(5, tile, ComposerDone: true)).For(5).ShouldBeNull();
    }

    [Fact]
    public void AKeptDraftFillsAnEmptyComposer_ButNeverReplacesWhatWasTypedMeanwhile()
    {
        var draft = new ComposerDraftView(5, ComposerMode.Note, "Rappeler demain", DateTimeOffset.UtcNow);
        var loaded = ComposerReducers.Reduce(Composer, new ComposerDraftLoadedAction(5, draft));
        loaded.For(5).ShouldBe(new ComposerEntry(ComposerMode.Note, "Rappeler demain", DraftSave.Saved, 0));
        ComposerReducers.Reduce(Composer, new ComposerDraftLoadedAction(5, null)).For(5).ShouldBeNull();

        var typed = ComposerReducers.Reduce(Composer, new ComposerTextChangedAction(5, ComposerMode.Reply, "Déjà tapé"));
        ComposerReducers.Reduce(typed, new ComposerDraftLoadedAction(5, draft)).For(5)!.Text.ShouldBe("Déjà tapé");
    }
}
