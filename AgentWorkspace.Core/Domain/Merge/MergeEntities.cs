using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Merge;

/// <summary>
/// One merge of two cards, with the ledger of every moved row and every field choice, so that an
/// unmerge restores both cards exactly.
/// </summary>
public sealed class MergeRecord
{
    public long Id { get; private set; }
    public long SurvivorId { get; private set; }
    public long MergedId { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }
    public string LedgerJson { get; private set; } = "{}";
    public DateTimeOffset? UndoneAt { get; private set; }
    public string? UndoneBy { get; private set; }

    private MergeRecord() { }

    public MergeRecord(long survivorId, long mergedId, string actorId, string actorName, DateTimeOffset at, string ledgerJson)
    {
        SurvivorId = survivorId; MergedId = mergedId; ActorId = actorId; ActorName = actorName; At = at; LedgerJson = ledgerJson;
    }

    public void Undo(string actorName, DateTimeOffset at)
    {
        EnsureNotUndone();
        UndoneAt = at;
        UndoneBy = actorName;
    }

    public void EnsureNotUndone()
    {
        if (UndoneAt is not null) throw new Common.DomainException($"This merge was already undone (by {UndoneBy}).") { Code = "UnmergeAlreadyUndone", Args = [UndoneBy ?? "?"] };
    }
}

/// <summary>"Not a duplicate": the pair (lower id first) is not suggested again.</summary>
public sealed class DuplicateDismissal
{
    public long CardA { get; private set; }
    public long CardB { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }

    private DuplicateDismissal() { }

    public DuplicateDismissal(long card1, long card2, string actorId, DateTimeOffset at)
    {
        CardA = Math.Min(card1, card2); CardB = Math.Max(card1, card2); ActorId = actorId; At = at;
    }
}

/// <summary>
/// How many active cards have a name key (<see cref="Cards.CustomerCard.NameKey"/>): a name shared by hundreds of
/// cards is weak evidence that two of them are one person. Kept by database triggers on the cards' column, on
/// every write path (use cases, the SQLite ingest writer, bulk seeding), never counted per query (docs/decisions/016).
/// </summary>
public sealed class NameFrequency
{
    public string NameKey { get; private set; } = string.Empty;
    public int CardCount { get; private set; }

    private NameFrequency() { }
}

public enum MergeRequestStatus
{
    Pending = 0,
    Approved = 1,
    Declined = 2,
}

/// <summary>
/// An agent's proposal to merge two cards, where agents may not merge themselves (issue 21): a supervisor approves it
/// (the merge happens) or declines it with a comment. The comment is staff text about the contact (erased with it).
/// </summary>
public sealed class MergeRequest
{
    public const int MaxComment = 1000;

    public long Id { get; private set; }
    public long SurvivorId { get; private set; }
    public long MergedId { get; private set; }
    public string ProposedById { get; private set; } = string.Empty;
    public string ProposedByName { get; private set; } = string.Empty;
    public string? Comment { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public MergeRequestStatus Status { get; private set; }
    public string? DecidedById { get; private set; }
    public string? DecidedByName { get; private set; }
    public string? DecisionComment { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    /// <summary>The merge an approval made (its ledger entry in <c>Merges</c>).</summary>
    public long? MergeId { get; private set; }

    private MergeRequest() { }

    public MergeRequest(long survivorId, long mergedId, string actorId, string actorName, string? comment, DateTimeOffset now)
    {
        if (survivorId == mergedId) throw new DomainException("A card cannot be merged with itself.", "mergedId") { Code = "MergeWithItself" };
        SurvivorId = survivorId;
        MergedId = mergedId;
        ProposedById = actorId;
        ProposedByName = actorName;
        Comment = Text.Clean(comment, MaxComment, "comment");
        CreatedAt = now;
        Status = MergeRequestStatus.Pending;
    }

    public void Approve(string actorId, string actorName, string? comment, long mergeId, DateTimeOffset now)
    {
        EnsurePending();
        Decide(MergeRequestStatus.Approved, actorId, actorName, Text.Clean(comment, MaxComment, "comment"), now);
        MergeId = mergeId;
    }

    public void Decline(string actorId, string actorName, string? comment, DateTimeOffset now)
    {
        EnsurePending();
        var clean = Text.Clean(comment, MaxComment, "comment")
            ?? throw new DomainException("Say why the merge is declined: the agent who proposed it reads it.", "comment") { Code = "MergeRequestDeclineNeedsComment" };
        Decide(MergeRequestStatus.Declined, actorId, actorName, clean, now);
    }

    private void Decide(MergeRequestStatus status, string actorId, string actorName, string? comment, DateTimeOffset now)
    {
        Status = status;
        DecidedById = actorId;
        DecidedByName = actorName;
        DecisionComment = comment;
        DecidedAt = now;
    }

    /// <summary>A decided proposal is decided once: a second decision (two supervisors at once) is a conflict naming the first.</summary>
    public void EnsurePending()
    {
        if (Status != MergeRequestStatus.Pending)
            throw new ConflictException($"This merge proposal was already {(Status == MergeRequestStatus.Approved ? "approved" : "declined")} by {DecidedByName}.")
            { Code = "MergeRequestDecided", Args = [DecidedByName ?? string.Empty] };
    }
}
