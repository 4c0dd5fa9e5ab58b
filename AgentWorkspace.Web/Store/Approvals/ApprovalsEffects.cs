using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Approvals;

/// <summary>Loads pending drafts and keeps the list live: a submitted or reviewed draft anywhere reloads it.</summary>
public sealed class ApprovalsEffects(ApprovalService approvals, ActorAccessor actors, IChangeFeed feed, IState<ApprovalsState> state) : IDisposable
{
    private IDisposable? _subscription;
    private int _refreshQueued;

    [EffectMethod]
    public async Task Handle(LoadApprovalsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(change =>
        {
            if (change.Kind is ChangeKind.CaseChanged or ChangeKind.DraftReviewed or ChangeKind.CardMerged) dispatcher.Dispatch(new RefreshApprovalsAction());
            return Task.CompletedTask;
        });
        await Run(dispatcher, null, async () => dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync()), false)));
    }

    [EffectMethod]
    public async Task Handle(RefreshApprovalsAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(300);
        Volatile.Write(ref _refreshQueued, 0);
        await Run(dispatcher, null, async () =>
            dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync(), null, Math.Clamp(state.Value.Drafts.Count, 30, 100)), false)));
    }

    [EffectMethod]
    public Task Handle(LoadMoreApprovalsAction action, IDispatcher dispatcher) => state.Value.Next is not { } next ? Task.CompletedTask
        : Run(dispatcher, null, async () => dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync(), next), true)));

    [EffectMethod]
    public Task Handle(ApproveDraftAction action, IDispatcher dispatcher) => Run(dispatcher, action.DraftId, async () =>
        dispatcher.Dispatch(new DraftReviewDoneAction(await approvals.ApproveAsync(await actors.GetAsync(), action.DraftId, action.Comment))));

    [EffectMethod]
    public Task Handle(RejectDraftAction action, IDispatcher dispatcher) => Run(dispatcher, action.DraftId, async () =>
        dispatcher.Dispatch(new DraftReviewDoneAction(await approvals.RejectAsync(await actors.GetAsync(), action.DraftId, action.Comment))));

    private static async Task Run(IDispatcher dispatcher, long? draftId, Func<Task> work)
    {
        try { await work(); }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            dispatcher.Dispatch(new ApprovalFailedAction(draftId, ex.Message, (ex as DomainException)?.Field));
            if (draftId is not null) dispatcher.Dispatch(new RefreshApprovalsAction());
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
