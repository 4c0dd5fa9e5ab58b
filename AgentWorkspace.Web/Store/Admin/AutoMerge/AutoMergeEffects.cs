using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.AutoMerge;

/// <summary>
/// Reads and changes the auto-merge levels, previews and runs through <see cref="MatchingRuleService"/> and
/// <see cref="AutoMergeService"/>. Live: every <see cref="ChangeKind.MatchingChanged"/> (a preview's progress, a run's,
/// a level changed elsewhere) reads the levels, the latest preview, the page shown and the latest run again, at most a
/// few times a second.
/// </summary>
public sealed class AutoMergeEffects(MatchingRuleService rules, AutoMergeService automerge, CustomFieldService fields, QueueService queues,
    IState<AutoMergeState> state, ActorAccessor actors, IChangeFeed feed, ILogger<AutoMergeEffects> logger) : IDisposable
{
    private IDisposable? _subscription;
    private int _refreshQueued;

    [EffectMethod]
    public Task Handle(LoadAutoMergeAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            if (change.Kind is ChangeKind.MatchingChanged or ChangeKind.Resync && Interlocked.Exchange(ref _refreshQueued, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    await Task.Delay(250);
                    Volatile.Write(ref _refreshQueued, 0);
                    dispatcher.Dispatch(new RefreshAutoMergeAction());
                });
            }
            return Task.CompletedTask;
        });
        return Run(action, dispatcher, "", async actor =>
        {
            var levels = await rules.ListAsync(actor);
            var customFields = (await fields.ListAsync(actor, includeArchived: false)).ToList();
            var allQueues = await queues.ListAsync(actor);
            var (preview, run) = await automerge.LatestAsync(actor);
            var page = preview is null ? null : await automerge.GetPairsAsync(actor, preview.Id, null, AutoMergeState.PageSize);
            dispatcher.Dispatch(new AutoMergeLoadedAction(levels, customFields, allQueues, preview, run, page, await NamesAsync(actor, page)));
        });
    }

    [EffectMethod]
    public Task Handle(RefreshAutoMergeAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async actor =>
    {
        var levels = await rules.ListAsync(actor);
        var (preview, run) = await automerge.LatestAsync(actor);
        var shown = state.Value;
        var after = preview?.Id == shown.Preview?.Id ? shown.After : null;
        var page = preview is null ? null : await automerge.GetPairsAsync(actor, preview.Id, after, AutoMergeState.PageSize);
        dispatcher.Dispatch(new AutoMergeRefreshedAction(levels, preview, run, page, await NamesAsync(actor, page)));
    });

    [EffectMethod]
    public Task Handle(SaveMatchingRuleAction action, IDispatcher dispatcher) => Run(action, dispatcher, "rule", byField: true, work: async actor =>
    {
        if (action.Id is { } id) await rules.UpdateAsync(actor, id, action.Input);
        else await rules.CreateAsync(actor, action.Input);
        dispatcher.Dispatch(new MatchingRulesSavedAction(await rules.ListAsync(actor), action.Id is null ? "added" : "saved"));
    });

    [EffectMethod]
    public Task Handle(DeleteMatchingRuleAction action, IDispatcher dispatcher) => Run(action, dispatcher, "rules", async actor =>
    {
        await rules.DeleteAsync(actor, action.Id);
        dispatcher.Dispatch(new MatchingRulesSavedAction(await rules.ListAsync(actor), "deleted"));
    });

    [EffectMethod]
    public Task Handle(MoveMatchingRuleAction action, IDispatcher dispatcher) => Run(action, dispatcher, "rules", async actor =>
        dispatcher.Dispatch(new MatchingRulesSavedAction(await rules.MoveAsync(actor, action.Id, action.Position), "moved")));

    [EffectMethod]
    public Task Handle(StartMatchPreviewAction action, IDispatcher dispatcher) => Run(action, dispatcher, "preview", async actor =>
    {
        var preview = await automerge.StartPreviewAsync(actor);
        var (_, run) = await automerge.LatestAsync(actor);
        var page = await automerge.GetPairsAsync(actor, preview.Id, null, AutoMergeState.PageSize);
        dispatcher.Dispatch(new AutoMergeRefreshedAction(await rules.ListAsync(actor), page.Preview, run, page, await NamesAsync(actor, page)));
    });

    [EffectMethod]
    public Task Handle(ShowMatchPairsAction action, IDispatcher dispatcher) => Run(action, dispatcher, "pairs", async actor =>
    {
        var shown = state.Value;
        if (shown.Preview is not { } preview) return;
        var earlier = action.Back
            ? (shown.Earlier.IsEmpty ? shown.Earlier : shown.Earlier.RemoveAt(shown.Earlier.Count - 1))
            : shown.Earlier.Add(shown.After);
        var after = action.Back ? (shown.Earlier.IsEmpty ? null : shown.Earlier[^1]) : action.After;
        var page = await automerge.GetPairsAsync(actor, preview.Id, after, AutoMergeState.PageSize);
        dispatcher.Dispatch(new MatchPairsShownAction(page, after, earlier, await NamesAsync(actor, page)));
    });

    [EffectMethod]
    public Task Handle(SetMatchPairExcludedAction action, IDispatcher dispatcher) => Run(action, dispatcher, "pairs", async actor =>
        dispatcher.Dispatch(new MatchPairChangedAction(await automerge.SetPairExcludedAsync(actor, action.PreviewId, action.PairId, action.Excluded))));

    [EffectMethod]
    public Task Handle(StartMatchRunAction action, IDispatcher dispatcher) => Run(action, dispatcher, "run", async actor =>
        dispatcher.Dispatch(new MatchRunChangedAction(await automerge.StartRunAsync(actor, action.PreviewId), "started")));

    [EffectMethod]
    public Task Handle(UndoMatchRunAction action, IDispatcher dispatcher) => Run(action, dispatcher, "run", async actor =>
        dispatcher.Dispatch(new MatchRunChangedAction(await automerge.UndoRunAsync(actor, action.RunId), "undoing")));

    private async Task<IReadOnlyDictionary<long, string>> NamesAsync(Actor actor, MatchPairPage? page) =>
        page is null || page.Pairs.Count == 0
            ? ImmutableDictionary<long, string>.Empty
            : await automerge.CardNamesAsync(actor, page.Pairs.SelectMany(p => new[] { p.SurvivorId, p.MergedId }).Distinct().ToList());

    private Task Run(object action, IDispatcher dispatcher, string where, Func<Actor, Task> work, bool byField = false) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, async () => await work(await actors.GetAsync()), ex => new AutoMergeFailedAction([ex], where, byField));

    public void Dispose() => _subscription?.Dispose();
}
