using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>The merge dialog's field-by-field preview of two cards: the survivor's values beside the merged card's.</summary>
public sealed record MergePreviewState(long SurvivorId, long MergedId, bool Loading, ImmutableList<MergeField>? Fields, string? Error);

public sealed class MergePreviewFeature : Feature<MergePreviewState>
{
    public override string Name => "MergePreview";
    public override MergePreviewState GetInitialState() => new(0, 0, false, null, null);
}

public sealed record PreviewMergeAction(long SurvivorId, long MergedId);
public sealed record MergePreviewLoadedAction(long SurvivorId, long MergedId, IReadOnlyList<MergeField> Fields);
/// <summary>The preview was refused or failed, said in the user's language.</summary>
public sealed record MergePreviewFailedAction(long SurvivorId, long MergedId, string Error);

public static class MergePreviewReducers
{
    [ReducerMethod]
    public static MergePreviewState Reduce(MergePreviewState _, PreviewMergeAction a) => new(a.SurvivorId, a.MergedId, true, null, null);

    /// <summary>An answer about another pair (the sides were swapped meanwhile) is dropped.</summary>
    [ReducerMethod]
    public static MergePreviewState Reduce(MergePreviewState s, MergePreviewLoadedAction a) =>
        !IsShown(s, a.SurvivorId, a.MergedId) ? s : s with { Loading = false, Fields = [.. a.Fields] };

    [ReducerMethod]
    public static MergePreviewState Reduce(MergePreviewState s, MergePreviewFailedAction a) =>
        !IsShown(s, a.SurvivorId, a.MergedId) ? s : s with { Loading = false, Fields = [], Error = a.Error };

    private static bool IsShown(MergePreviewState s, long survivorId, long mergedId) => s.SurvivorId == survivorId && s.MergedId == mergedId;
}
