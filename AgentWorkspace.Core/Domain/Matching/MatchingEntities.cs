using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Matching;

/// <summary>What must be the same on two cards, after normalisation, for an auto-merge level to link them (ADR 023).</summary>
[Flags]
public enum MatchAttributes
{
    None = 0,
    /// <summary>An E.164 number: any phone identity or the mobile / home number of the card.</summary>
    Phone = 1,
    /// <summary>A lower-case e-mail address: any e-mail identity or the primary / secondary address.</summary>
    Email = 2,
    /// <summary>A social identity: the same channel and identity address.</summary>
    SocialId = 4,
    /// <summary>The same name key (<see cref="Cards.NameKeys"/>) and the same folded company.</summary>
    NameCompany = 8,
    /// <summary>The same name key and the same city (trimmed, case-folded).</summary>
    NameCity = 16,
    /// <summary>The same value of one custom field (<see cref="MatchingRule.CustomFieldId"/>), trimmed and case-folded.</summary>
    CustomField = 32,
}

/// <summary>
/// One level of the auto-merge (issue 21, ADR 023): the attributes that must all match, the minimum score, and which
/// cards it never merges. Levels are tried in <see cref="Position"/> order; a pair takes the reasons of the first level
/// that links it.
/// </summary>
public sealed class MatchingRule
{
    public const int MaxName = 100;
    public const int MaxFieldValue = 200;
    public const int MaxQueues = 50;

    public long Id { get; private set; }
    public int Position { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public bool IsEnabled { get; private set; }
    public MatchAttributes Attributes { get; private set; }
    public long? CustomFieldId { get; private set; }
    public double MinScore { get; private set; }
    /// <summary>Locked cards (privacy lock) are never merged by this level.</summary>
    public bool ExcludeLocked { get; private set; }
    /// <summary>Cards with a case not yet resolved in one of these queues (ids, comma-separated), e.g. a VIP queue.</summary>
    public string ExcludeQueueIds { get; private set; } = string.Empty;
    /// <summary>Cards whose custom field <see cref="ExcludeFieldId"/> holds <see cref="ExcludeFieldValue"/> (trimmed, case-folded).</summary>
    public long? ExcludeFieldId { get; private set; }
    public string? ExcludeFieldValue { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private MatchingRule() { }

    public MatchingRule(int position, DateTimeOffset now)
    {
        Position = position;
        UpdatedAt = now;
    }

    public IReadOnlyList<long> ExcludedQueues =>
        ExcludeQueueIds.Length == 0 ? [] : ExcludeQueueIds.Split(',').Select(s => long.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ToList();

    public void Set(string name, bool enabled, MatchAttributes attributes, long? customFieldId, double minScore, bool excludeLocked,
        IReadOnlyCollection<long> excludeQueues, long? excludeFieldId, string? excludeFieldValue, DateTimeOffset now)
    {
        Name = name;
        IsEnabled = enabled;
        Attributes = attributes;
        CustomFieldId = customFieldId;
        MinScore = minScore;
        ExcludeLocked = excludeLocked;
        ExcludeQueueIds = string.Join(',', excludeQueues.Distinct().Order().Select(q => q.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        ExcludeFieldId = excludeFieldId;
        ExcludeFieldValue = excludeFieldValue;
        UpdatedAt = now;
    }

    public void MoveTo(int position) => Position = position;
}

public enum MatchPreviewState
{
    Computing = 0,
    Ready = 1,
    Failed = 2,
}

/// <summary>
/// An auto-merge preview (ADR 023): computed in the background from the rules in force; its pairs are exactly what a run
/// merges. Survives a restart (the worker computes a <see cref="MatchPreviewState.Computing"/> one again from the start).
/// </summary>
public sealed class MatchPreview
{
    public long Id { get; private set; }
    public MatchPreviewState State { get; private set; }
    public string CreatedById { get; private set; } = string.Empty;
    public string CreatedByName { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    /// <summary>Why the computation failed (the app's own words, never customer data).</summary>
    public string? Error { get; private set; }
    public int Step { get; private set; }
    public int Steps { get; private set; }
    public int PairCount { get; private set; }
    public int ClusterCount { get; private set; }
    public int CardCount { get; private set; }
    public int ExcludedCount { get; private set; }
    /// <summary>Keys shared by too many cards to be evidence (more than the shared threshold or <c>MaxGroup</c>): skipped.</summary>
    public int SkippedGroups { get; private set; }
    /// <summary>The run made from it (a preview runs once).</summary>
    public long? RunId { get; private set; }

    private MatchPreview() { }

    public MatchPreview(string byId, string byName, DateTimeOffset now)
    {
        CreatedById = byId;
        CreatedByName = byName;
        CreatedAt = now;
        State = MatchPreviewState.Computing;
    }

    public void Progress(int step, int steps) { Step = step; Steps = steps; }

    public void Restart() { Step = 0; PairCount = ClusterCount = CardCount = ExcludedCount = SkippedGroups = 0; }

    public void Complete(int pairs, int clusters, int cards, int skippedGroups, DateTimeOffset now)
    {
        State = MatchPreviewState.Ready;
        PairCount = pairs; ClusterCount = clusters; CardCount = cards; SkippedGroups = skippedGroups;
        Step = Steps;
        FinishedAt = now;
    }

    public void Fail(string error, DateTimeOffset now)
    {
        State = MatchPreviewState.Failed;
        Error = error.Length > 500 ? error[..500] : error;
        FinishedAt = now;
    }

    public void Excluded(int delta) => ExcludedCount += delta;

    public void RunAs(long runId) => RunId = runId;
}

public enum MatchPairOutcome
{
    Pending = 0,
    Merged = 1,
    Skipped = 2,
    Excluded = 3,
}

public enum MatchUndoOutcome
{
    None = 0,
    Undone = 1,
    Failed = 2,
}

/// <summary>
/// One pair of a preview: the survivor of its cluster and one other card, linked by <see cref="RuleId"/>'s level through
/// <see cref="LinkedToId"/> (the card it matched; the survivor or another member). <see cref="MatchedJson"/> holds the
/// matched values (numbers, addresses, names): the erasure of either card empties it. The run's outcome lives here too.
/// </summary>
public sealed class MatchPreviewPair
{
    public long Id { get; private set; }
    public long PreviewId { get; private set; }
    public long SurvivorId { get; private set; }
    public long MergedId { get; private set; }
    public long LinkedToId { get; private set; }
    public long RuleId { get; private set; }
    public string RuleName { get; private set; } = string.Empty;
    public MatchAttributes Attributes { get; private set; }
    public string MatchedJson { get; private set; } = "[]";
    public double Score { get; private set; }
    /// <summary>The merged card's version when the preview was made: a card edited since is skipped as changed.</summary>
    public long MergedVersion { get; private set; }
    public bool IsExcluded { get; private set; }
    public MatchPairOutcome Outcome { get; private set; }
    public string? SkipCode { get; private set; }
    public long? MergeId { get; private set; }
    public MatchUndoOutcome UndoOutcome { get; private set; }
    public string? UndoCode { get; private set; }

    private MatchPreviewPair() { }

    public MatchPreviewPair(long previewId, long survivorId, long mergedId, long linkedToId, long ruleId, string ruleName, MatchAttributes attributes,
        string matchedJson, double score, long mergedVersion)
    {
        PreviewId = previewId; SurvivorId = survivorId; MergedId = mergedId; LinkedToId = linkedToId; RuleId = ruleId; RuleName = ruleName;
        Attributes = attributes; MatchedJson = matchedJson; Score = score; MergedVersion = mergedVersion;
    }

    public void Exclude(bool excluded) => IsExcluded = excluded;
    public void Merged(long mergeId) { Outcome = MatchPairOutcome.Merged; MergeId = mergeId; SkipCode = null; }
    public void Skipped(string code) { Outcome = code == "Excluded" ? MatchPairOutcome.Excluded : MatchPairOutcome.Skipped; SkipCode = code; }
    public void Undone() { UndoOutcome = MatchUndoOutcome.Undone; UndoCode = null; }
    public void UndoFailed(string code) { UndoOutcome = MatchUndoOutcome.Failed; UndoCode = code.Length > 100 ? code[..100] : code; }
}

public enum MatchRunState
{
    Pending = 0,
    Running = 1,
    Done = 2,
    Failed = 3,
    Undoing = 4,
    Undone = 5,
}

/// <summary>
/// A run of a preview (ADR 023): merges its pairs one use case each, in pair order, in the background; a
/// <see cref="MatchRunState.Running"/> or <see cref="MatchRunState.Undoing"/> run is taken up again after a restart.
/// The actor is kept so that the merges made after a restart are still the administrator's.
/// </summary>
public sealed class MatchRun
{
    public long Id { get; private set; }
    public long PreviewId { get; private set; }
    public MatchRunState State { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public string? Error { get; private set; }
    public int Total { get; private set; }
    public int Done { get; private set; }
    public int Merged { get; private set; }
    public int Skipped { get; private set; }
    public int UndoneCount { get; private set; }
    public int UndoFailed { get; private set; }
    public string? UndoneById { get; private set; }
    public string? UndoneByName { get; private set; }

    private MatchRun() { }

    public MatchRun(long previewId, string actorId, string actorName, int total, DateTimeOffset now)
    {
        PreviewId = previewId; ActorId = actorId; ActorName = actorName; Total = total; CreatedAt = now;
        State = MatchRunState.Running;
    }

    public void CountMerged() { Done++; Merged++; }
    public void CountSkipped() { Done++; Skipped++; }
    public void Finish(DateTimeOffset now) { State = MatchRunState.Done; FinishedAt = now; }
    public void Fail(string error, DateTimeOffset now) { State = MatchRunState.Failed; Error = error.Length > 500 ? error[..500] : error; FinishedAt = now; }

    public void StartUndo(string byId, string byName)
    {
        if (State is not (MatchRunState.Done or MatchRunState.Failed))
            throw new ConflictException(State is MatchRunState.Undoing or MatchRunState.Undone
                ? "This run is already undone or being undone." : "A run can be undone once it has finished.") { Code = "MatchRunNotUndoable", Args = [State.ToString()] };
        State = MatchRunState.Undoing;
        UndoneById = byId; UndoneByName = byName;
    }

    public void CountUndone(bool ok) { if (ok) UndoneCount++; else UndoFailed++; }
    public void FinishUndo(DateTimeOffset now) { State = MatchRunState.Undone; FinishedAt = now; }
}
