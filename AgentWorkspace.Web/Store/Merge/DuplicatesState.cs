using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

public sealed record DuplicatesState(bool Loading, ImmutableList<DuplicatePair> Pairs, string? Error, MergeResult? LastMerge, bool Busy);

public sealed class DuplicatesFeature : Feature<DuplicatesState>
{
    public override string Name => "Duplicates";
    public override DuplicatesState GetInitialState() => new(false, [], null, null, false);
}

public sealed record LoadDuplicatesAction;
public sealed record DuplicatesLoadedAction(IReadOnlyList<DuplicatePair> Pairs);
public sealed record DismissPairAction(long CardId, long OtherId);
public sealed record PairDismissedAction(long CardId, long OtherId);
public sealed record MergeCardsAction(long SurvivorId, long MergedId, IReadOnlyDictionary<string, MergeChoice> Choices);
public sealed record CardsMergedAction(MergeResult Result);
public sealed record UndoMergeAction(long MergeId);
/// <summary>The merge was undone; <paramref name="Pairs"/> are the best pairs read right after, the undone pair among them again.</summary>
public sealed record MergeUndoneAction(long MergeId, IReadOnlyList<DuplicatePair>? Pairs = null);
/// <summary>A refused or failed action, said in the user's language.</summary>
public sealed record DuplicatesFailedAction(string Error);

public static class DuplicatesReducers
{
    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, LoadDuplicatesAction _) => s with { Loading = true, Error = null };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, DuplicatesLoadedAction a) => s with { Loading = false, Pairs = [.. a.Pairs] };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, DismissPairAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, PairDismissedAction a) =>
        s with { Busy = false, Pairs = s.Pairs.RemoveAll(p => IsPair(p, a.CardId, a.OtherId)) };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, MergeCardsAction _) => s with { Busy = true, Error = null };

    /// <summary>Both cards leave the list: the merged one is gone, the survivor's pairs are recomputed on reload.</summary>
    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, CardsMergedAction a) =>
        s with { Busy = false, LastMerge = a.Result, Pairs = s.Pairs.RemoveAll(p => Touches(p, a.Result.MergedId) || IsPair(p, a.Result.SurvivorId, a.Result.MergedId)) };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, UndoMergeAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, MergeUndoneAction a) =>
        s with { Busy = false, LastMerge = s.LastMerge?.MergeId == a.MergeId ? null : s.LastMerge, Pairs = a.Pairs is { } pairs ? [.. pairs] : s.Pairs };

    [ReducerMethod]
    public static DuplicatesState Reduce(DuplicatesState s, DuplicatesFailedAction a) => s with { Busy = false, Loading = false, Error = a.Error };

    private static bool IsPair(DuplicatePair p, long a, long b) => (p.CardId == a && p.Candidate.CardId == b) || (p.CardId == b && p.Candidate.CardId == a);
    private static bool Touches(DuplicatePair p, long id) => p.CardId == id || p.Candidate.CardId == id;
}
