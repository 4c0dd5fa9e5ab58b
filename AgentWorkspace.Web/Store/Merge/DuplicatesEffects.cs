using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>The duplicates page's I/O: each command's answer updates the list once, without reading it again on top.</summary>
public sealed class DuplicatesEffects(DuplicateService duplicates, MergeService merges, ActorAccessor actors,
    IStringLocalizer<MergeResource> localizer, ILogger<DuplicatesEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadDuplicatesAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new DuplicatesLoadedAction(await duplicates.TopPairsAsync(await actors.GetAsync()))));

    [EffectMethod]
    public Task Handle(DismissPairAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        await duplicates.DismissAsync(await actors.GetAsync(), action.CardId, action.OtherId);
        dispatcher.Dispatch(new PairDismissedAction(action.CardId, action.OtherId));
    });

    [EffectMethod]
    public Task Handle(MergeCardsAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new CardsMergedAction(await merges.MergeAsync(await actors.GetAsync(), action.SurvivorId, action.MergedId, action.Choices))));

    /// <summary>An undone merge brings its pair back: the pairs are read once after it, and shown with the undo.</summary>
    [EffectMethod]
    public Task Handle(UndoMergeAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        var actor = await actors.GetAsync();
        await merges.UndoAsync(actor, action.MergeId);
        IReadOnlyList<DuplicatePair>? pairs = null;
        try
        {
            pairs = await duplicates.TopPairsAsync(actor);
        }
        catch (Exception ex)
        {
            // The undo is done and is said so; the list stays as it was until the next refresh.
            EffectFailure.Log(logger, new LoadDuplicatesAction(), ex);
        }
        dispatcher.Dispatch(new MergeUndoneAction(action.MergeId, pairs));
    });

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new DuplicatesFailedAction(MergeErrors.Of(localizer, ex)));
}
