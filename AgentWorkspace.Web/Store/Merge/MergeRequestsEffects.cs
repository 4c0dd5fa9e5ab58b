using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>Loads the pending merge proposals and keeps the queue live; approves (the merge) and declines.</summary>
public sealed class MergeRequestsEffects(MergeRequestService requests, ActorAccessor actors, IChangeFeed feed,
    IStringLocalizer<MergeResource> localizer, ILogger<MergeRequestsEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new();
    private IDisposable? _subscription;

    [EffectMethod]
    public Task Handle(LoadMergeRequestsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, async change =>
        {
            // A new proposal, a decision elsewhere, or a merge that makes a proposal impossible (a card merged away).
            if (change.Kind == ChangeKind.Resync || change.Kind is ChangeKind.MergeRequestChanged or ChangeKind.CardMerged && !_own.IsEcho(change))
                await Run(action, dispatcher, null, async actor => dispatcher.Dispatch(new MergeRequestsLoadedAction(await requests.PendingAsync(actor))));
        });
        return Run(action, dispatcher, null, async actor => dispatcher.Dispatch(new MergeRequestsLoadedAction(await requests.PendingAsync(actor))));
    }

    [EffectMethod]
    public Task Handle(ApproveMergeRequestAction action, IDispatcher dispatcher) => Run(action, dispatcher, action.RequestId, async actor =>
    {
        using (_own.Begin(actor.UserId))
        {
            var result = await requests.ApproveAsync(actor, action.RequestId, action.Choices, survivorId: action.SurvivorId);
            dispatcher.Dispatch(new MergeRequestDoneAction(action.RequestId, localizer["MergeRequestApproved", result.MergedId, result.SurvivorId]));
        }
    });

    [EffectMethod]
    public Task Handle(DeclineMergeRequestAction action, IDispatcher dispatcher) => Run(action, dispatcher, action.RequestId, async actor =>
    {
        using (_own.Begin(actor.UserId))
        {
            var view = await requests.DeclineAsync(actor, action.RequestId, action.Comment);
            dispatcher.Dispatch(new MergeRequestDoneAction(action.RequestId, localizer["MergeRequestDeclined", view.ProposedByName]));
        }
    });

    private async Task Run(object action, IDispatcher dispatcher, long? requestId, Func<Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new MergeRequestFailedAction(requestId, MergeErrors.Of(localizer, ex)));
            // The proposal may have been decided by someone else meanwhile: show the queue as it is now.
            if (requestId is not null && EffectFailure.IsRefusal(ex))
            {
                try { dispatcher.Dispatch(new MergeRequestsLoadedAction(await requests.PendingAsync(await actors.GetAsync()))); }
                catch (Exception again) { EffectFailure.Log(logger, action, again); }
            }
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
