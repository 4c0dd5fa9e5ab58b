using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Matching;

/// <summary>The matching page's field survivorship (issue 21): the rule of each field in force, and what was refused.</summary>
public sealed record SurvivorshipState(bool Loading, SurvivorshipRules? Rules, bool Saving, ImmutableDictionary<string, Exception> Errors);

public sealed class SurvivorshipFeature : Feature<SurvivorshipState>
{
    public override string Name => "Survivorship";
    public override SurvivorshipState GetInitialState() => new(false, null, false, FormErrors.None);
}

public sealed record LoadSurvivorshipAction;
public sealed record SurvivorshipLoadedAction(SurvivorshipRules Rules);
/// <summary>Saves the rules of the fields given (the others keep theirs).</summary>
public sealed record SaveSurvivorshipAction(IReadOnlyDictionary<string, SurvivorshipRule> Rules);
public sealed record SurvivorshipSavedAction(SurvivorshipRules Rules);
public sealed record SurvivorshipFailedAction(IReadOnlyList<Exception> Errors);

public static class SurvivorshipReducers
{
    [ReducerMethod]
    public static SurvivorshipState Reduce(SurvivorshipState s, LoadSurvivorshipAction _) => s with { Loading = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SurvivorshipState Reduce(SurvivorshipState s, SurvivorshipLoadedAction a) => s with { Loading = false, Rules = a.Rules };

    [ReducerMethod]
    public static SurvivorshipState Reduce(SurvivorshipState s, SaveSurvivorshipAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SurvivorshipState Reduce(SurvivorshipState s, SurvivorshipSavedAction a) => s with { Saving = false, Loading = false, Rules = a.Rules };

    [ReducerMethod]
    public static SurvivorshipState Reduce(SurvivorshipState s, SurvivorshipFailedAction a) => s with { Loading = false, Saving = false, Errors = FormErrors.Of(a.Errors, "") };
}

/// <summary>Reads and saves the survivorship rules through <see cref="SurvivorshipService"/>.</summary>
public sealed class SurvivorshipEffects(SurvivorshipService service, ActorAccessor actors, ILogger<SurvivorshipEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadSurvivorshipAction action, IDispatcher dispatcher) => EffectFailure.GuardAsync(logger, dispatcher, action,
        async () => dispatcher.Dispatch(new SurvivorshipLoadedAction(await service.GetRulesAsync(await actors.GetAsync()))),
        ex => new SurvivorshipFailedAction([ex]));

    [EffectMethod]
    public Task Handle(SaveSurvivorshipAction action, IDispatcher dispatcher) => EffectFailure.GuardAsync(logger, dispatcher, action,
        async () => dispatcher.Dispatch(new SurvivorshipSavedAction(await service.SaveRulesAsync(await actors.GetAsync(), action.Rules))),
        ex => new SurvivorshipFailedAction([ex]));
}
