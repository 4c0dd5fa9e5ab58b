using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Approvals;
using AgentWorkspace.Web.Store.Inbox;

namespace AgentWorkspace.Tests.Inbox;

public class InboxReducerTests
{
    internal static CaseTile Tile(long id, int unread = 0, string preview = "Bonjour", string? agent = null, CaseStatus status = CaseStatus.New) =>
        new(id, 1, 100 + id, Channel.Sms, 1, "Support", status, CasePriority.Normal, agent, agent, "Zoé Le Gall", "Commande", preview,
            DateTimeOffset.UtcNow.AddMinutes(-20), DateTimeOffset.UtcNow.AddMinutes(-5), null, null, unread, 30, 480);

    private static CaseDetail Detail(CaseTile tile, params ThreadEntry[] thread) => new(tile, thread, null, [], null);

    private static HistoryEntry History(long id) => new(id, CaseEventType.Replied, "Camille Laurent", null, DateTimeOffset.UtcNow);

    private static InboxState Initial => new InboxFeature().GetInitialState();

    [Fact]
    public void APageReplacesTheTiles_LoadMoreAppendsWithoutDuplicates_AndAPageForAnOldFilterIsDropped()
    {
        var s = InboxReducers.Reduce(Initial, new LoadInboxAction());
        s.Loading.ShouldBeTrue();
        s = InboxReducers.Reduce(s, new InboxPageLoadedAction(s.Filter, new InboxPage([Tile(1), Tile(2)], new InboxCursor(DateTimeOffset.UtcNow, 2)), false));
        (s.Loading, s.Tiles.Count, s.Next is not null).ShouldBe((false, 2, true));
        s = InboxReducers.Reduce(s, new LoadMoreCasesAction());
        s.LoadingMore.ShouldBeTrue();
        s = InboxReducers.Reduce(s, new InboxPageLoadedAction(s.Filter, new InboxPage([Tile(2), Tile(3)], null), true));
        s.Tiles.Select(t => t.Id).ShouldBe([1, 2, 3]);
        s.Next.ShouldBeNull();

        var mine = s.Filter with { Scope = InboxScope.Mine };
        s = InboxReducers.Reduce(s, new SetInboxFilterAction(mine));
        var stale = InboxReducers.Reduce(s, new InboxPageLoadedAction(new InboxFilter(), new InboxPage([Tile(9)], null), false));
        stale.Tiles.Select(t => t.Id).ShouldBe([1, 2, 3]);
        InboxReducers.Reduce(s, new InboxPageLoadedAction(mine, new InboxPage([Tile(9)], null), false)).Tiles.Select(t => t.Id).ShouldBe([9]);
    }

    [Fact]
    public void SeveralCasesOpenAsTabs_ClosingTheActiveOneSelectsItsNeighbour_AndTheOldestGoesBeyondTheLimit()
    {
        var s = Initial;
        for (long id = 1; id <= 3; id++) s = InboxReducers.Reduce(s, new OpenCaseAction(id));
        s.OpenTabs.ShouldBe([1L, 2L, 3L]);
        s.ActiveCaseId.ShouldBe(3);
        s = InboxReducers.Reduce(s, new OpenCaseAction(1));
        (s.OpenTabs.Count, s.ActiveCaseId).ShouldBe((3, 1L));
        s = InboxReducers.Reduce(s, new CloseCaseAction(1));
        s.OpenTabs.ShouldBe([2L, 3L]);
        s.ActiveCaseId.ShouldBe(2);
        s.Cases.ContainsKey(1).ShouldBeFalse();
        for (long id = 10; id < 10 + InboxState.MaxOpenTabs; id++) s = InboxReducers.Reduce(s, new OpenCaseAction(id));
        s.OpenTabs.Count.ShouldBe(InboxState.MaxOpenTabs);
        s.OpenTabs.ShouldNotContain(2);
        s.ActiveCaseId.ShouldBe(10 + InboxState.MaxOpenTabs - 1);
    }

    [Fact]
    public void ALoadedCaseRefreshesItsTile_ACommandMarksItBusy_AndSuccessUpdatesTheCase()
    {
        var s = Initial with { Tiles = [Tile(1, unread: 3), Tile(2)] };
        s = InboxReducers.Reduce(s, new OpenCaseAction(1));
        s.Active!.Busy.ShouldBeTrue();
        s = InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1, unread: 0))));
        (s.Active!.Busy, s.Tiles[0].UnreadCount).ShouldBe((false, 0));

        s = InboxReducers.Reduce(s, new SubmitComposerAction(1, ComposerMode.Reply, "Bonjour"));
        s.Active!.Busy.ShouldBeTrue();
        var failed = InboxReducers.Reduce(s, new CaseCommandFailedAction(1, "A reply cannot be empty.", "text"));
        (failed.Active!.Busy, failed.Active.Error, failed.Active.ErrorField).ShouldBe((false, "A reply cannot be empty.", "text"));

        var sent = InboxReducers.Reduce(s, new CaseCommandSucceededAction(1, Tile(1, preview: "Bonjour", agent: "me", status: CaseStatus.Open), true));
        (sent.Active!.Busy, sent.Active.Detail!.Case.Status).ShouldBe((false, CaseStatus.Open));
        sent.Tiles[0].AssignedAgentId.ShouldBe("me");
    }

    [Fact]
    public void RestoredTabsOpenBeforeThoseOpenedSince_KeepTheirShownCase_AndTheLimitKeepsTheNewest()
    {
        var s = InboxReducers.Reduce(Initial, new OpenCaseAction(9));
        s = InboxReducers.Reduce(s, new RestoreOpenCasesAction([3, 4, 9, 5], 4));
        s.OpenTabs.ShouldBe([3, 4, 5, 9]);
        s.ActiveCaseId.ShouldBe(9, "the case opened since the reload (a toast, say) stays shown");
        s.Cases[3].Busy.ShouldBeTrue();
        s.Cases.Keys.Order().ShouldBe([3, 4, 5, 9]);

        var fresh = InboxReducers.Reduce(Initial, new RestoreOpenCasesAction([3, 4, 5], 4));
        fresh.ActiveCaseId.ShouldBe(4);
        var none = InboxReducers.Reduce(Initial, new RestoreOpenCasesAction([3, 4], 99));
        none.ActiveCaseId.ShouldBe(4, "a shown case no longer among the tabs falls back to the last");

        var many = InboxReducers.Reduce(InboxReducers.Reduce(Initial, new OpenCaseAction(20)), new RestoreOpenCasesAction([1, 2, 3, 4, 5, 6, 7], 2));
        many.OpenTabs.Count.ShouldBe(InboxState.MaxOpenTabs);
        many.OpenTabs.ShouldContain(20);
        many.OpenTabs.ShouldNotContain(1);
        many.Cases.ContainsKey(1).ShouldBeFalse();
        InboxReducers.Reduce(many, new RestoreOpenCasesAction([0, -3], null)).ShouldBe(many);
    }

    [Fact]
    public void ACommandsAnswerAndTheCaseReadAfterItAreShownInOneUpdate_AnOlderReadFinishingLateIsDropped()
    {
        var s = InboxReducers.Reduce(Initial with { Tiles = [Tile(1)] }, new OpenCaseAction(1));
        s = InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1)), Load: 1));
        s = InboxReducers.Reduce(s, new ResolveCaseAction(1));

        var at = DateTimeOffset.UtcNow;
        var resolved = Tile(1, status: CaseStatus.Resolved);
        s = InboxReducers.Reduce(s, new CaseCommandSucceededAction(1, resolved, false,
            Detail(resolved, new ThreadEntry(ThreadEntryKind.Message, 5, at, "Zoé", "merci")), new HistoryPage([History(3)], null), Load: 3));

        (s.Active!.Busy, s.Active.Detail!.Case.Status, s.Active.Detail.Thread.Count, s.Active.History!.Entries.Count).ShouldBe((false, CaseStatus.Resolved, 1, 1));
        s.Tiles.Single().Status.ShouldBe(CaseStatus.Resolved);
        InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1)), Load: 2)).Active!.Detail!.Case.Status.ShouldBe(CaseStatus.Resolved);
    }

    [Fact]
    public void TwoReadsOfOneCaseFinishingInTheWrongOrder_TheOneStartedLastStays()
    {
        // Two change events (the draft approved, then the reply delivered) reload the open case at once;
        // the read started first finishes last and must not put the undelivered state back.
        var at = DateTimeOffset.UtcNow;
        var pending = new ThreadEntry(ThreadEntryKind.Message, 5, at, "Zoé", "Oui", Delivery: DeliveryStatus.Pending);
        var s = InboxReducers.Reduce(Initial, new OpenCaseAction(1));
        s = InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1), pending with { Delivery = DeliveryStatus.Delivered }), Load: 7));
        s = InboxReducers.Reduce(s, new CaseHistoryLoadedAction(1, new HistoryPage([History(2)], null), false, Load: 7));
        var late = InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1), pending), Load: 6));
        late.Active!.Detail!.Thread.Single().Delivery.ShouldBe(DeliveryStatus.Delivered);
        late = InboxReducers.Reduce(late, new CaseHistoryLoadedAction(1, new HistoryPage([History(1)], null), false, Load: 6));
        late.Active!.History!.Entries.Select(e => e.Id).ShouldBe([2L]);

        // A newer read replaces it; a page appended by "more" is not a read of the first page; an unnumbered one always shows.
        var newer = InboxReducers.Reduce(late, new CaseLoadedAction(Detail(Tile(1), pending with { Delivery = DeliveryStatus.Failed }), Load: 8));
        newer.Active!.Detail!.Thread.Single().Delivery.ShouldBe(DeliveryStatus.Failed);
        InboxReducers.Reduce(late, new CaseHistoryLoadedAction(1, new HistoryPage([History(1)], null), true)).Active!.History!.Entries.Select(e => e.Id).ShouldBe([2L, 1L]);
        InboxReducers.Reduce(late, new CaseLoadedAction(Detail(Tile(1), pending))).Active!.Detail!.Thread.Single().Delivery.ShouldBe(DeliveryStatus.Pending);
    }

    [Fact]
    public void EarlierMessagesGoBeforeTheThreadWithoutDuplicates()
    {
        var at = DateTimeOffset.UtcNow;
        var s = InboxReducers.Reduce(Initial, new OpenCaseAction(1));
        s = InboxReducers.Reduce(s, new CaseLoadedAction(Detail(Tile(1), new ThreadEntry(ThreadEntryKind.Message, 5, at, "Zoé", "b"), new ThreadEntry(ThreadEntryKind.Message, 6, at.AddMinutes(1), "Zoé", "c"))));
        s = InboxReducers.Reduce(s, new EarlierMessagesLoadedAction(1, [new ThreadEntry(ThreadEntryKind.Message, 4, at.AddMinutes(-1), "Zoé", "a"), new ThreadEntry(ThreadEntryKind.Message, 5, at, "Zoé", "b")], null));
        s.Active!.Detail!.Thread.Select(e => e.Text).ShouldBe(["a", "b", "c"]);
        s.Active.Detail.EarlierCursor.ShouldBeNull();
    }

    [Fact]
    public void AReviewedDraftLeavesTheApprovalList_AndACommentErrorStaysOnItsDraft()
    {
        static PendingDraft D(long id) => new(id, 1, Channel.Sms, "Zoé", "Commande", "Support", "Camille", "texte", DateTimeOffset.UtcNow, null);
        var s = ApprovalsReducers.Reduce(new ApprovalsFeature().GetInitialState(), new ApprovalsLoadedAction(new DraftPage([D(1), D(2)], null), false));
        s = ApprovalsReducers.Reduce(s, new RejectDraftAction(1, null));
        s.BusyDraftId.ShouldBe(1);
        s = ApprovalsReducers.Reduce(s, new ApprovalFailedAction(1, "Say why the draft is rejected.", "comment"));
        (s.BusyDraftId, s.ErrorDraftId, s.ErrorField, s.Drafts.Count).ShouldBe((null, 1L, "comment", 2));
        var view = new DraftView(2, 1, "a", "Camille", "texte", DraftStatus.Approved, DateTimeOffset.UtcNow, "Sophie", null, DateTimeOffset.UtcNow);
        s = ApprovalsReducers.Reduce(s, new DraftReviewDoneAction(view));
        s.Drafts.Select(d => d.Id).ShouldBe([1]);
        s.LastReviewed.ShouldBe(view);
    }
}
