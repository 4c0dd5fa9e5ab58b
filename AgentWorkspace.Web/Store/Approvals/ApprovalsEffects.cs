using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Approvals;

/// <summary>
/// Loads pending drafts and keeps the list live: a submitted or reviewed draft anywhere reloads it. A review
/// done here removes its draft from the service's answer; the change feed's echo of it is not read again.
/// </summary>
public sealed class ApprovalsEffects(ApprovalService approvals, ActorAccessor actors, IChangeFeed feed, IState<ApprovalsState> state,
    IStringLocalizer<InboxResource> localizer, ILogger<ApprovalsEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new();
    private IDisposable? _subscription;
    private int _refreshQueued;
    // One read of the list at a time, so that the list shown is always the one read last (a read started
    // before a review cannot finish after the read started after it and show the reviewed draft again).
    private readonly SemaphoreSlim _reading = new(1, 1);

    [EffectMethod]
    public async Task Handle(LoadApprovalsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            if (change.Kind == ChangeKind.Resync || change.Kind is (ChangeKind.CaseChanged or ChangeKind.DraftReviewed or ChangeKind.CardMerged) && !_own.IsEcho(change))
                dispatcher.Dispatch(new RefreshApprovalsAction());
            return Task.CompletedTask;
        });
        await Run(action, dispatcher, null, () => InTurnAsync(async () => dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync()), false))));
    }

    [EffectMethod]
    public async Task Handle(RefreshApprovalsAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(300);
        Volatile.Write(ref _refreshQueued, 0);
        await Run(action, dispatcher, null, () => InTurnAsync(async () =>
            dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync(), null, Math.Clamp(state.Value.Drafts.Count, 30, 100)), false))));
    }

    private async Task InTurnAsync(Func<Task> read)
    {
        await _reading.WaitAsync();
        try { await read(); }
        finally { _reading.Release(); }
    }

    [EffectMethod]
    public Task Handle(LoadMoreApprovalsAction action, IDispatcher dispatcher) => state.Value.Next is not { } next ? Task.CompletedTask
        : Run(action, dispatcher, null, async () => dispatcher.Dispatch(new ApprovalsLoadedAction(await approvals.PendingAsync(await actors.GetAsync(), next), true)));

    [EffectMethod]
    public Task Handle(ApproveDraftAction action, IDispatcher dispatcher) => Run(action, dispatcher, action.DraftId, async () =>
    {
        var actor = await actors.GetAsync();
        using (_own.Begin(actor.UserId)) dispatcher.Dispatch(new DraftReviewDoneAction(await approvals.ApproveAsync(actor, action.DraftId, action.Comment)));
    });

    [EffectMethod]
    public Task Handle(RejectDraftAction action, IDispatcher dispatcher) => Run(action, dispatcher, action.DraftId, async () =>
    {
        var actor = await actors.GetAsync();
        using (_own.Begin(actor.UserId)) dispatcher.Dispatch(new DraftReviewDoneAction(await approvals.RejectAsync(actor, action.DraftId, action.Comment)));
    });

    private async Task Run(object action, IDispatcher dispatcher, long? draftId, Func<Task> work)
    {
        try { await work(); }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            var refused = EffectFailure.IsRefusal(ex);
            dispatcher.Dispatch(new ApprovalFailedAction(draftId, refused ? ex.Message : localizer["ErrorUnexpected"], (ex as DomainException)?.Field));
            // The draft may have been reviewed by someone else meanwhile: show the list as it is now.
            if (draftId is not null && refused) dispatcher.Dispatch(new RefreshApprovalsAction());
        }
    }

    // The semaphore is not disposed: a read still under way when the circuit ends releases it afterwards.
    public void Dispose() => _subscription?.Dispose();
}
