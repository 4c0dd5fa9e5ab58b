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
