using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cases;

/// <summary>
/// One merge of a contact's case into another of theirs (ADR 021), with its ledger: the rows that moved into the survivor
/// and both cases' states before, so that an unmerge puts everything back. The ledger holds ids, times, statuses and staff
/// ids only, never what the contact said. Both cases are one card's: a card unmerge that would part them is refused
/// (ADR 012's blockers), so the merge needs no card of its own (the survivor's last-message preview is read back from its messages).
/// </summary>
public sealed class CaseMerge
{
    public long Id { get; private set; }
    public long SurvivorCaseId { get; private set; }
    public long MergedCaseId { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }
    public string LedgerJson { get; private set; } = "{}";
    public DateTimeOffset? UndoneAt { get; private set; }
    public string? UndoneById { get; private set; }
    public string? UndoneByName { get; private set; }

    private CaseMerge() { }

    public CaseMerge(long survivorCaseId, long mergedCaseId, string actorId, string actorName, DateTimeOffset at, string ledgerJson)
    {
        SurvivorCaseId = survivorCaseId; MergedCaseId = mergedCaseId; ActorId = actorId; ActorName = actorName; At = at; LedgerJson = ledgerJson;
    }

    public bool IsUndone => UndoneAt is not null;

    public void Undo(string actorId, string actorName, DateTimeOffset at)
    {
        if (UndoneAt is not null)
            throw new ConflictException($"This merge of cases was already undone (by {UndoneByName}).") { Code = "CaseUnmergeAlreadyDone", Args = [UndoneByName ?? "?"] };
        UndoneAt = at;
        UndoneById = actorId;
        UndoneByName = actorName;
    }
}
