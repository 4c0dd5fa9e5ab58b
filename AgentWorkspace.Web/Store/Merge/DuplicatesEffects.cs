using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

public sealed class DuplicatesEffects(DuplicateService duplicates, MergeService merges, ActorAccessor actors)
{
    [EffectMethod]
    public Task Handle(LoadDuplicatesAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
        dispatcher.Dispatch(new DuplicatesLoadedAction(await duplicates.TopPairsAsync(actor))));

    [EffectMethod]
    public Task Handle(DismissPairAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        await duplicates.DismissAsync(actor, action.CardId, action.OtherId);
        dispatcher.Dispatch(new PairDismissedAction(action.CardId, action.OtherId));
    });

    [EffectMethod]
    public Task Handle(MergeCardsAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
        dispatcher.Dispatch(new CardsMergedAction(await merges.MergeAsync(actor, action.SurvivorId, action.MergedId, action.Choices))));

    [EffectMethod]
    public Task Handle(UndoMergeAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        await merges.UndoAsync(actor, action.MergeId);
        dispatcher.Dispatch(new MergeUndoneAction(action.MergeId));
        dispatcher.Dispatch(new LoadDuplicatesAction());
    });

    private async Task Run(IDispatcher dispatcher, Func<AgentWorkspace.Core.Domain.Identity.Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            dispatcher.Dispatch(new DuplicatesFailedAction(ex.Message));
        }
    }
}
