using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cases;

public enum CaseStatus
{
    New = 0,
    Open = 1,
    Pending = 2,
    Resolved = 3,
    Cancelled = 4,
    /// <summary>Merged into another case of the same contact (<see cref="Case.MergedIntoCaseId"/>); its thread lives there until an unmerge.</summary>
    Merged = 5,
}

public enum CasePriority
{
    Low = 0,
    Normal = 1,
    High = 2,
    Urgent = 3,
}

/// <summary>After-call work of a voice case (seed 001): the call ends, the agent fills the wrap-up and completes it.</summary>
public enum AfterCallWork
{
    None = 0,
    /// <summary>The call ended; the wrap-up is to do.</summary>
    WrapUp = 1,
    Completed = 2,
}

/// <summary>One conversation with a contact on one channel.</summary>
public sealed class Case : IVersioned
{
    public long Id { get; private set; }
    public long Version { get; private set; } = 1;
    public long CardId { get; private set; }
    public Channel Channel { get; private set; }
    public long QueueId { get; private set; }
    public string Skills { get; private set; } = string.Empty;
    public CaseStatus Status { get; private set; }
    public CasePriority Priority { get; private set; } = CasePriority.Normal;
    public string? AssignedAgentId { get; private set; }
    public string Title { get; private set; } = string.Empty;
    public string? Product { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? FirstResponseAt { get; private set; }
    public DateTimeOffset? ResolvedAt { get; private set; }
    public DateTimeOffset LastMessageAt { get; private set; }
    public string LastMessagePreview { get; private set; } = string.Empty;
    /// <summary>Inbound messages the assigned agent has not opened yet.</summary>
    public int UnreadCount { get; private set; }
    /// <summary>Conversation context (pre-chat survey, visitor, self-service, variables) as JSON.</summary>
    public string? ContextJson { get; private set; }
    /// <summary>
    /// The identity the conversation came from: replies go back to it on the case's channel, whatever else the card
    /// holds (a chat visitor known by e-mail, a Messenger user whose card also has a Facebook page handle). Not a
    /// foreign key: identities are never deleted, and an erased one refuses replies with its own reason.
    /// </summary>
    public long? IdentityId { get; private set; }
    public AfterCallWork AfterCallWork { get; private set; }
    public DateTimeOffset? CallEndedAt { get; private set; }
    public string? Disposition { get; private set; }
    public string? WrapUpNotes { get; private set; }
    public DateTimeOffset? WrapUpCompletedAt { get; private set; }
    /// <summary>The case this one was merged into (status <see cref="CaseStatus.Merged"/>); null otherwise (ADR 021).</summary>
    public long? MergedIntoCaseId { get; private set; }

    public bool IsOpen => IsOpenStatus(Status);

    /// <summary>Records the identity the conversation came from; the first one stays (later messages of the case answer to it).</summary>
    public void CameFrom(long identityId)
    {
        if (identityId > 0) IdentityId ??= identityId;
    }

    /// <summary>Whether a case in <paramref name="status"/> still takes messages and work.</summary>
    public static bool IsOpenStatus(CaseStatus status) => status is CaseStatus.New or CaseStatus.Open or CaseStatus.Pending;

    private Case() { }

    public Case(long cardId, Channel channel, long queueId, string title, DateTimeOffset now, IEnumerable<string>? skills = null, long id = 0)
    {
        Id = id;
        CardId = cardId;
        Channel = channel;
        QueueId = queueId;
        Title = Text.Clean(title, 200, "subject") ?? channel.ToString();
        CreatedAt = now;
        LastMessageAt = now;
        Skills = string.Join('|', skills ?? []);
    }

    public IReadOnlyList<string> SkillList => Skills.Length == 0 ? [] : Skills.Split('|');

    public void SetContext(string? json) => ContextJson = json;
    public void SetProduct(string? product) => Product = Text.Clean(product, 120, "product");
    public void SetPriority(CasePriority priority)
    {
        if (!Enum.IsDefined(priority)) throw new DomainException("Unknown priority.", "priority");
        Priority = priority;
    }

    public void MessageArrived(Direction direction, string preview, DateTimeOffset at)
    {
        EnsureOpen();
        if (at >= LastMessageAt || LastMessagePreview.Length == 0)
        {
            LastMessageAt = at;
            LastMessagePreview = Text.Preview(preview);
        }
        if (direction == Direction.Inbound)
        {
            UnreadCount++;
            if (Status == CaseStatus.Pending) Status = CaseStatus.Open;
        }
        else
        {
            FirstResponseAt ??= at;
            if (Status == CaseStatus.New) Status = CaseStatus.Open;
        }
    }

    public void MarkRead() => UnreadCount = 0;

    /// <summary>Whether <paramref name="userId"/> may work the case: its assignee, anyone while it is unassigned, a supervisor always.</summary>
    public bool MayBeWorkedBy(string userId, bool isSupervisor) => isSupervisor || AssignedAgentId is null || AssignedAgentId == userId;

    /// <summary>Refuses a user who may not work the case, naming who has it (<paramref name="nameOf"/> gives an agent's name).</summary>
    public void EnsureWorkableBy(string userId, bool isSupervisor, Func<string?, string> nameOf)
    {
        if (MayBeWorkedBy(userId, isSupervisor)) return;
        var holder = nameOf(AssignedAgentId);
        throw new ForbiddenException($"This case is assigned to {holder}.") { Code = "CaseAssignedToOther", Args = [holder] };
    }

    /// <summary>Assign to me. Two agents taking the same case at once: the first wins, the second is told who has it.</summary>
    public void Take(string agentId, Func<string?, string> nameOf)
    {
        if (AssignedAgentId == agentId) throw new DomainException("The case is already assigned to you.") { Code = "CaseAlreadyYours" };
        if (AssignedAgentId is not null)
        {
            var holder = nameOf(AssignedAgentId);
            throw new ConflictException($"{holder} took this case first.") { Code = "CaseTakenFirst", Args = [holder] };
        }
        AssignTo(agentId);
    }

    public void AssignTo(string? agentId)
    {
        EnsureOpen();
        AssignedAgentId = agentId;
        if (agentId is not null && Status == CaseStatus.New) Status = CaseStatus.Open;
    }

    /// <summary>Back to the queue.</summary>
    public void Unassign()
    {
        if (AssignedAgentId is null) throw new DomainException("The case is not assigned.") { Code = "CaseNotAssigned" };
        AssignTo(null);
    }

    public void TransferTo(long queueId, string? agentId)
    {
        EnsureOpen();
        if (QueueId == queueId && AssignedAgentId == agentId) throw new DomainException("The case is already there.", "queueId") { Code = "CaseAlreadyThere" };
        QueueId = queueId;
        AssignedAgentId = agentId;
    }

    public void SetPending()
    {
        EnsureOpen();
        if (Status == CaseStatus.Pending) throw new DomainException("The case is already pending.") { Code = "CaseAlreadyPending" };
        Status = CaseStatus.Pending;
    }

    /// <summary>A reply goes out only on an open case of a written channel; a voice case is answered by calling back.</summary>
    public void EnsureReplyable() => EnsureReplyable(Channel);

    /// <summary>
    /// The same for a reply on <paramref name="via"/>: the case's own channel, or the channel of a case merged into it
    /// (ADR 021; the caller checks that it is one of those).
    /// </summary>
    public void EnsureReplyable(Channel via)
    {
        if (!IsOpen) throw new DomainException($"The case is {Status.ToString().ToLowerInvariant()}; reopen it to reply.") { Code = "CaseClosedNoReply_" + Status };
        if (via is Channel.Voice or Channel.Voicemail)
            throw new DomainException("A voice case is answered by calling back; add a note instead.", "text") { Code = "VoiceReplyByCall" };
    }

    /// <summary>
    /// This case goes into <paramref name="survivor"/> (ADR 021): both the same contact's, both open, neither merged, and
    /// this one holding no merged case of its own. It leaves the inbox lists; its unread messages are the survivor's now.
    /// </summary>
    public void MergeInto(Case survivor, bool holdsMergedCases)
    {
        if (survivor.Id == Id) throw new DomainException("A case cannot be merged into itself.", "mergedId") { Code = "CaseMergeSelf" };
        if (survivor.CardId != CardId)
            throw new DomainException($"Cases {survivor.Id} and {Id} belong to different contacts; merge the cards first.", "mergedId") { Code = "CaseMergeOtherCard", Args = [Id] };
        if (Status == CaseStatus.Merged)
            throw new ConflictException($"Case {Id} was already merged into case {MergedIntoCaseId}.") { Code = "CaseAlreadyMerged", Args = [Id, MergedIntoCaseId ?? 0] };
        if (survivor.Status == CaseStatus.Merged)
            throw new ConflictException($"Case {survivor.Id} was merged into case {survivor.MergedIntoCaseId}; merge into that case.") { Code = "CaseMergeSurvivorMerged", Args = [survivor.Id, survivor.MergedIntoCaseId ?? 0] };
        if (!survivor.IsOpen)
            throw new DomainException($"Case {survivor.Id} is {survivor.Status.ToString().ToLowerInvariant()}; reopen it to merge another case into it.", "caseId") { Code = "CaseMergeSurvivorClosed", Args = [survivor.Id] };
        if (!IsOpen)
            throw new DomainException($"Case {Id} is {Status.ToString().ToLowerInvariant()}; only an open case can be merged.", "mergedId") { Code = "CaseMergeClosed", Args = [Id] };
        if (holdsMergedCases)
            throw new DomainException($"Case {Id} holds cases merged into it; merge the other case into it instead, or unmerge them first.", "mergedId") { Code = "CaseMergeHoldsMerged", Args = [Id] };
        Status = CaseStatus.Merged;
        MergedIntoCaseId = survivor.Id;
        UnreadCount = 0;
    }

    /// <summary>
    /// The survivor takes in <paramref name="merged"/>'s conversation: the clocks of the older of the two (it started
    /// when the contact first wrote), its first reply if it came first, the later last message, the higher priority.
    /// </summary>
    public void Absorb(Case merged, int mergedUnread)
    {
        if (merged.CreatedAt < CreatedAt) CreatedAt = merged.CreatedAt;
        if (merged.FirstResponseAt is { } r && (FirstResponseAt is null || r < FirstResponseAt)) FirstResponseAt = r;
        if (merged.LastMessageAt > LastMessageAt)
        {
            LastMessageAt = merged.LastMessageAt;
            LastMessagePreview = merged.LastMessagePreview;
        }
        if (merged.Priority > Priority) Priority = merged.Priority;
        UnreadCount += mergedUnread;
    }

    /// <summary>The merged case back as it was before the merge (an unmerge, ADR 021).</summary>
    public void RestoreFromMerge(CaseStatus status, int unread)
    {
        if (Status != CaseStatus.Merged) throw new ConflictException($"Case {Id} is not merged.") { Code = "CaseNotMerged", Args = [Id] };
        Status = status;
        MergedIntoCaseId = null;
        UnreadCount = unread;
    }

    /// <summary>The survivor's clocks and last message back (an unmerge): what it had before, or what is newer since.</summary>
    public void RestoreAfterUnmerge(DateTimeOffset createdAt, DateTimeOffset? firstResponseAt, DateTimeOffset lastMessageAt, string preview, CasePriority priority, int unread)
    {
        CreatedAt = createdAt;
        FirstResponseAt = firstResponseAt;
        LastMessageAt = lastMessageAt;
        LastMessagePreview = preview;
        Priority = priority;
        UnreadCount = Math.Max(0, unread);
    }

    /// <summary>A cancelled case takes no more comments (its comments went with it, seed 002).</summary>
    public void EnsureTakesComments()
    {
        if (Status == CaseStatus.Cancelled) throw new DomainException("This case was cancelled; it takes no more comments.", "caseId") { Code = "CaseCancelledNoComments" };
    }

    public void Resolve(DateTimeOffset now)
    {
        EnsureOpen();
        Status = CaseStatus.Resolved;
        ResolvedAt = now;
        UnreadCount = 0;
    }

    public void Reopen()
    {
        if (Status != CaseStatus.Resolved) throw new DomainException("Only a resolved case can be reopened.") { Code = "CaseNotResolved" };
        Status = CaseStatus.Open;
        ResolvedAt = null;
    }

    public void Cancel(DateTimeOffset now)
    {
        EnsureOpen();
        Status = CaseStatus.Cancelled;
        ResolvedAt = now;
        UnreadCount = 0;
    }

    public void MoveTo(long cardId) => CardId = cardId;

    /// <summary>The call is over (the agent says so, or the telephony system through the API): after-call work begins.</summary>
    public void EndCall(DateTimeOffset now)
    {
        if (Channel != Channel.Voice) throw new DomainException("Only a call ends; this case is not a voice case.", "caseId") { Code = "CallEndNotVoice" };
        EnsureOpen();
        if (AfterCallWork != AfterCallWork.None) throw new ConflictException("The call has already ended.") { Code = "CallAlreadyEnded" };
        AfterCallWork = AfterCallWork.WrapUp;
        CallEndedAt = now;
    }

    /// <summary>Completes the wrap-up with a disposition from the administrators' list and the agent's notes; the push to the CRM follows.</summary>
    public void CompleteWrapUp(string? disposition, string? notes, DateTimeOffset now)
    {
        if (Channel != Channel.Voice) throw new DomainException("Only a call has a wrap-up; this case is not a voice case.", "caseId") { Code = "WrapUpNotVoice" };
        if (AfterCallWork == AfterCallWork.None) throw new DomainException("The call has not ended yet; end it before the wrap-up.", "caseId") { Code = "WrapUpBeforeCallEnd" };
        if (AfterCallWork == AfterCallWork.Completed) throw new ConflictException("The wrap-up is already completed.") { Code = "WrapUpAlreadyDone" };
        Disposition = disposition;
        WrapUpNotes = Text.Clean(notes, 4000, "notes");
        AfterCallWork = AfterCallWork.Completed;
        WrapUpCompletedAt = now;
    }

    /// <summary>For demo data: puts the case in a given state without the workflow.</summary>
    public void SeedState(CaseStatus status, CasePriority priority, string? agentId, DateTimeOffset? firstResponseAt, DateTimeOffset? resolvedAt,
        DateTimeOffset lastMessageAt, string preview, int unread)
    {
        Status = status; Priority = priority; AssignedAgentId = agentId; FirstResponseAt = firstResponseAt; ResolvedAt = resolvedAt;
        LastMessageAt = lastMessageAt; LastMessagePreview = Text.Preview(preview); UnreadCount = unread;
    }

    private void EnsureOpen()
    {
        if (!IsOpen) throw new DomainException($"The case is {Status.ToString().ToLowerInvariant()}; it can no longer change.") { Code = "CaseClosed_" + Status };
    }

    public void BumpVersion() => Version++;
}
