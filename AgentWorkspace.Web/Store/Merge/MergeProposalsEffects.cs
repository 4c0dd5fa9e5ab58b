using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>
/// I/O of merge proposals on a card. Subscribes to the change feed so that the agent who proposed a merge hears of the
/// supervisor's decision live, wherever the proposal's cards are on screen.
/// </summary>
public sealed class MergeProposalsEffects(MergeRequestService requests, ActorAccessor actors, IChangeFeed feed, IState<MergeProposalsState> state,
    IStringLocalizer<MergeResource> localizer, ILogger<MergeProposalsEffects> logger) : IDisposable
{
    private IDisposable? _subscription;

    [EffectMethod]
    public Task Handle(LoadMergeProposalsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, async change =>
        {
            if (change.Kind is not (ChangeKind.MergeRequestChanged or ChangeKind.Resync) || state.Value.CardId == 0) return;
            if (change.Kind == ChangeKind.Resync)
            {
                await Run(action, dispatcher, a => LoadAsync(a, state.Value.CardId, dispatcher));
                return;
            }
            var actor = await actors.GetAsync();
            // Someone else's decision on this agent's proposal, or any proposal about the card on screen.
            if ((change.AgentId == actor.UserId && change.ActorId != actor.UserId) || state.Value.Proposals.Any(p => p.SurvivorId == change.CardId || p.MergedId == change.CardId)
                || change.CardId == state.Value.CardId)
                await Run(action, dispatcher, a => LoadAsync(a, state.Value.CardId, dispatcher));
        });
        return Run(action, dispatcher, actor => LoadAsync(actor, action.CardId, dispatcher));
    }

    [EffectMethod]
    public Task Handle(ProposeMergeAction action, IDispatcher dispatcher) => Run(action, dispatcher, async actor =>
        dispatcher.Dispatch(new MergeProposedAction(await requests.ProposeAsync(actor, action.SurvivorId, action.MergedId, action.Comment))));

    private async Task LoadAsync(Actor actor, long cardId, IDispatcher dispatcher)
    {
        if (cardId == 0) return;
        var right = await requests.RightAsync(actor);
        dispatcher.Dispatch(new MergeProposalsLoadedAction(cardId, right, await requests.ForCardAsync(actor, cardId)));
    }

    private async Task Run(object action, IDispatcher dispatcher, Func<Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new MergeProposalFailedAction(MergeErrors.Of(localizer, ex)));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
