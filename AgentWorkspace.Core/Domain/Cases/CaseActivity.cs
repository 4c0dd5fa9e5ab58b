using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cases;

/// <summary>A comment on a case message. Cannot be edited or deleted; goes when the case is cancelled.</summary>
public sealed class CaseComment
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long? MessageId { get; private set; }
    public string AuthorId { get; private set; } = string.Empty;
    public string AuthorName { get; private set; } = string.Empty;
    public string Text { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }

    private CaseComment() { }

    public CaseComment(long caseId, long? messageId, string authorId, string authorName, string text, DateTimeOffset now)
    {
        CaseId = caseId;
        MessageId = messageId;
        AuthorId = authorId;
        AuthorName = authorName;
        Text = Common.Text.Clean(text, 2000, "text") ?? throw new DomainException("A comment cannot be empty.", "text");
        CreatedAt = now;
    }

    public void Erase() => Text = "[erased]";
}

public enum CaseEventType
{
    Created = 1,
    MessageReceived = 2,
    Assigned = 3,
    Unassigned = 4,
    Transferred = 5,
    Replied = 6,
    NoteAdded = 7,
    DraftSubmitted = 8,
    DraftApproved = 9,
    DraftRejected = 10,
    StatusChanged = 11,
    CommentAdded = 12,
    Merged = 13,
    /// <summary>A CRM record was linked to the case (the detail names it).</summary>
    CrmLinked = 14,
    CrmUnlinked = 15,
    /// <summary>A CRM record was created from the card.</summary>
    CrmRecordCreated = 16,
    /// <summary>The interaction reached a linked CRM record.</summary>
    CrmPushed = 17,
    /// <summary>The push to a linked CRM record failed (the detail gives the CRM's reason).</summary>
    CrmPushFailed = 18,
    /// <summary>The call ended: after-call work begins.</summary>
    CallEnded = 19,
    /// <summary>The wrap-up of a call was completed (the detail gives the disposition).</summary>
    WrapUpCompleted = 20,
    /// <summary>The case's priority changed (the detail gives the new one).</summary>
    PriorityChanged = 21,
    /// <summary>A text instruction of the agent script was marked done (the detail gives the step's title).</summary>
    ScriptStepDone = 22,
    /// <summary>A macro of the agent script ran (the detail gives its title and how many actions succeeded).</summary>
    ScriptMacroRan = 23,
    /// <summary>The case came from a shared address (ADR 020); the detail says whether a new card was made for it ("new:") or the sender's name found one ("name:"), then the address.</summary>
    SharedAddress = 30,
    /// <summary>Another case of the contact was merged into this one (the detail: "#" and its number) — ADR 021.</summary>
    CaseMergedIn = 31,
    /// <summary>This case was merged into another (the detail: "#" and the survivor's number).</summary>
    CaseMergedInto = 32,
    /// <summary>A case merge was undone (the detail: "#" and the other case's number).</summary>
    CaseUnmerged = 33,
}

/// <summary>The case's History tab: every action taken on it, who and when.</summary>
public sealed class CaseEvent
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long CardId { get; private set; }
    public CaseEventType Type { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public string? Detail { get; private set; }
    public DateTimeOffset At { get; private set; }

    private CaseEvent() { }

    public CaseEvent(long caseId, long cardId, CaseEventType type, string actorId, string actorName, string? detail, DateTimeOffset at, long id = 0)
    {
        Id = id;
        CaseId = caseId;
        CardId = cardId;
        Type = type;
        ActorId = actorId;
        ActorName = actorName;
        Detail = detail is { Length: > 500 } ? detail[..500] : detail;
        At = at;
    }

    public void MoveTo(long cardId) => CardId = cardId;
}

public enum DraftStatus
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
}

/// <summary>A reply drafted by an agent and submitted to a supervisor for approval.</summary>
public sealed class ReplyDraft
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public string AuthorId { get; private set; } = string.Empty;
    public string AuthorName { get; private set; } = string.Empty;
    public string Text { get; private set; } = string.Empty;
    public DraftStatus Status { get; private set; }
    public DateTimeOffset SubmittedAt { get; private set; }
    public string? ReviewerId { get; private set; }
    public string? ReviewerName { get; private set; }
    public string? ReviewComment { get; private set; }
    public DateTimeOffset? ReviewedAt { get; private set; }
    public long? MessageId { get; private set; }

    private ReplyDraft() { }

    public ReplyDraft(long caseId, string authorId, string authorName, string text, DateTimeOffset now)
    {
        CaseId = caseId;
        AuthorId = authorId;
        AuthorName = authorName;
        Text = Common.Text.Clean(text, 10_000, "text") ?? throw new DomainException("A draft cannot be empty.", "text");
        SubmittedAt = now;
    }

    public void Approve(string reviewerId, string reviewerName, long messageId, string? comment, DateTimeOffset now)
    {
        EnsurePending();
        Status = DraftStatus.Approved;
        ReviewerId = reviewerId; ReviewerName = reviewerName; ReviewedAt = now; MessageId = messageId;
        ReviewComment = Common.Text.Clean(comment, 1000, "comment");
    }

    public void Reject(string reviewerId, string reviewerName, string? comment, DateTimeOffset now)
    {
        EnsurePending();
        Status = DraftStatus.Rejected;
        ReviewerId = reviewerId; ReviewerName = reviewerName; ReviewedAt = now;
        ReviewComment = Common.Text.Clean(comment, 1000, "comment");
    }

    /// <summary>
    /// The author's new version of a rejected draft, sent for approval again (issue 22): the same draft, pending,
    /// with the new text; the rejection and its comment stay in the case's history.
    /// </summary>
    public void Resubmit(string authorId, string text, DateTimeOffset now)
    {
        if (!string.Equals(authorId, AuthorId, StringComparison.Ordinal))
            throw new ForbiddenException("Only the agent who wrote this draft may change it.") { Code = "DraftNotYours" };
        if (Status != DraftStatus.Rejected)
            throw new DomainException("Only a rejected draft can be changed and sent for approval again.") { Code = "DraftNotRejected" };
        Text = Common.Text.Clean(text, 10_000, "text") ?? throw new DomainException("A draft cannot be empty.", "text") { Code = "DraftEmpty" };
        Status = DraftStatus.Pending;
        SubmittedAt = now;
        ReviewerId = null; ReviewerName = null; ReviewedAt = null; ReviewComment = null;
    }

    private void EnsurePending()
    {
        if (Status != DraftStatus.Pending) throw new DomainException($"This draft was already {Status.ToString().ToLowerInvariant()}.");
    }
}

/// <summary>What the built-in outbound connector would have sent (no real channel is wired here).</summary>
public sealed class OutboundDelivery
{
    public long Id { get; private set; }
    public long MessageId { get; private set; }
    public Channels.Channel Channel { get; private set; }
    public string To { get; private set; } = string.Empty;
    public string Body { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }

    private OutboundDelivery() { }

    public OutboundDelivery(long messageId, Channels.Channel channel, string to, string body, DateTimeOffset at)
    {
        MessageId = messageId; Channel = channel; To = to; Body = body; At = at;
    }
}
