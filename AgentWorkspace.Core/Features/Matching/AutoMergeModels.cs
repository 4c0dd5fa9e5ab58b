using AgentWorkspace.Core.Domain.Matching;

namespace AgentWorkspace.Core.Features.Matching;

/// <summary>One matched attribute of a pair and the value both cards hold (a number, an address, "name | company").</summary>
public sealed record MatchedValue(MatchAttributes Attribute, string Value);

public sealed record MatchPreviewCounts(int Pairs, int Clusters, int Cards, int Excluded, int SkippedGroups);

/// <summary>A preview as the page and the API show it: its state, progress (<see cref="Step"/> of <see cref="Steps"/>) and counts.</summary>
public sealed record MatchPreviewView(long Id, MatchPreviewState State, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? FinishedAt,
    int Step, int Steps, MatchPreviewCounts Counts, long? RunId, string? Error, bool Stale);

/// <summary>
/// One pair of a preview: <see cref="SurvivorId"/> keeps, <see cref="MergedId"/> is merged into it; linked to
/// <see cref="LinkedToId"/> by level <see cref="RuleName"/> on <see cref="Matched"/> with <see cref="Score"/>. After a run:
/// its outcome (merged with <see cref="MergeId"/>, skipped with <see cref="SkipCode"/>) and the undo's.
/// </summary>
public sealed record MatchPairView(long Id, long SurvivorId, long MergedId, long LinkedToId, long RuleId, string RuleName, MatchAttributes Attributes,
    IReadOnlyList<MatchedValue> Matched, double Score, bool Excluded, MatchPairOutcome Outcome, string? SkipCode, long? MergeId,
    MatchUndoOutcome UndoOutcome, string? UndoCode);

/// <summary>A page of a preview's pairs, in pair order; <see cref="Next"/>: the <c>after</c> of the next page (null at the end).</summary>
public sealed record MatchPairPage(MatchPreviewView Preview, IReadOnlyList<MatchPairView> Pairs, long? Next);

public sealed record MatchRunView(long Id, long PreviewId, MatchRunState State, string StartedBy, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt,
    int Total, int Done, int Merged, int Skipped, int Undone, int UndoFailed, string? Error)
{
    internal static MatchRunView Of(MatchRun r) => new(r.Id, r.PreviewId, r.State, r.ActorName, r.CreatedAt, r.FinishedAt, r.Total, r.Done, r.Merged,
        r.Skipped, r.UndoneCount, r.UndoFailed, r.Error);
}

/// <summary>Why a pair of a run was not merged, or a merge of a run not undone (codes the page shows as <c>Err_</c> texts).</summary>
public static class MatchSkip
{
    public const string Excluded = "Excluded";
    public const string CardGone = "MatchCardGone";
    public const string Changed = "MatchChangedSincePreview";
    public const string NowShared = "MatchNowShared";
}
