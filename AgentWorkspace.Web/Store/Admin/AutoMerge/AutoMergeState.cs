using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.AutoMerge;

/// <summary>
/// The auto-merge page (issue 21, ADR 023): the levels, the latest preview with one keyset page of its pairs (and the
/// names of their cards), the latest run, and what was refused where (<c>"rule"</c>-form fields, <c>"preview"</c>,
/// <c>"pairs"</c>, <c>"run"</c>, <c>""</c>: the page). <see cref="After"/>: the <c>after</c> of the page shown (null: the
/// first); <see cref="Earlier"/>: the <c>after</c> of each earlier page, for "Previous" (newest last).
/// </summary>
public sealed record AutoMergeState(
    bool Loading,
    IReadOnlyList<MatchingRuleView>? Rules,
    IReadOnlyList<CustomFieldView> Fields,
    IReadOnlyList<QueueView> Queues,
    MatchPreviewView? Preview,
    MatchPairPage? Page,
    long? After,
    ImmutableList<long?> Earlier,
    IReadOnlyDictionary<long, string> Names,
    MatchRunView? Run,
    bool Saving,
    ImmutableDictionary<string, Exception> Errors)
{
    public const int PageSize = 25;

    /// <summary>The pairs a run of the preview would merge (those not excluded).</summary>
    public int ToMerge => Preview is { } p ? p.Counts.Pairs - p.Counts.Excluded : 0;

    /// <summary>The run goes on in the background (merging or undoing).</summary>
    public bool RunGoing => Run is { State: MatchRunState.Pending or MatchRunState.Running or MatchRunState.Undoing };
}

public sealed class AutoMergeFeature : Feature<AutoMergeState>
{
    public override string Name => "AutoMerge";
    public override AutoMergeState GetInitialState() =>
        new(false, null, [], [], null, null, null, [], new Dictionary<long, string>(), null, false, FormErrors.None);
}

public sealed record LoadAutoMergeAction;
public sealed record AutoMergeLoadedAction(IReadOnlyList<MatchingRuleView> Rules, IReadOnlyList<CustomFieldView> Fields, IReadOnlyList<QueueView> Queues,
    MatchPreviewView? Preview, MatchRunView? Run, MatchPairPage? Page, IReadOnlyDictionary<long, string> Names);
/// <summary>The preview, its page and the run read again (a <c>MatchingChanged</c> came).</summary>
public sealed record RefreshAutoMergeAction;
public sealed record AutoMergeRefreshedAction(IReadOnlyList<MatchingRuleView> Rules, MatchPreviewView? Preview, MatchRunView? Run, MatchPairPage? Page, IReadOnlyDictionary<long, string> Names);

/// <summary>Adds (<paramref name="Id"/> null) or changes a level.</summary>
public sealed record SaveMatchingRuleAction(long? Id, MatchingRuleInput Input);
public sealed record DeleteMatchingRuleAction(long Id);
public sealed record MoveMatchingRuleAction(long Id, int Position);
/// <summary>A level was added, changed, moved or removed: the levels as they are now.</summary>
public sealed record MatchingRulesSavedAction(IReadOnlyList<MatchingRuleView> Rules, string What);

public sealed record StartMatchPreviewAction;
/// <summary>Shows the page of pairs after <paramref name="After"/>; <paramref name="Back"/>: "Previous".</summary>
public sealed record ShowMatchPairsAction(long? After, bool Back);
public sealed record MatchPairsShownAction(MatchPairPage Page, long? After, ImmutableList<long?> Earlier, IReadOnlyDictionary<long, string> Names);
public sealed record SetMatchPairExcludedAction(long PreviewId, long PairId, bool Excluded);
public sealed record MatchPairChangedAction(MatchPairView Pair);

public sealed record StartMatchRunAction(long PreviewId);
public sealed record UndoMatchRunAction(long RunId);
public sealed record MatchRunChangedAction(MatchRunView Run, string What);

/// <summary>
/// Something was refused or failed; <paramref name="Where"/>: the part of the page where the admin acted. With
/// <paramref name="ByField"/> (the level form) a refusal naming a field goes beside that field.
/// </summary>
public sealed record AutoMergeFailedAction(IReadOnlyList<Exception> Errors, string Where, bool ByField = false);
public sealed record ClearAutoMergeErrorsAction;
