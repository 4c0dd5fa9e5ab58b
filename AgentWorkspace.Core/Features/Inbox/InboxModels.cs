using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>Which of the agent's cases the assignment panel shows.</summary>
public enum InboxScope
{
    /// <summary>Assigned to me, and everything in my queues.</summary>
    All = 0,
    /// <summary>Assigned to me only.</summary>
    Mine = 1,
    /// <summary>In my queues and assigned to nobody.</summary>
    Unassigned = 2,
}

public enum InboxSort
{
    /// <summary>Most recent activity first.</summary>
    Newest = 0,
    /// <summary>Waiting longest first.</summary>
    Oldest = 1,
}

/// <summary>Filters of the assignment panel; <see cref="Status"/> null means every open status (new, open, pending).</summary>
/// <param name="Text">
/// Words the cases must hold, each in the contact's name, their number or address, the case's title or its last message
/// (issue 22 item 12); a number may be typed as the agent says it ("06 12 34 56 78"). Null or blank: no search.
/// </param>
public sealed record InboxFilter(InboxScope Scope = InboxScope.All, long? QueueId = null, Channel? Channel = null, CaseStatus? Status = null, InboxSort Sort = InboxSort.Newest,
    string? Text = null)
{
    public const int MaxTextLength = 200;

    /// <summary>
    /// Whether the panel of <paramref name="userId"/>, who sees the queues <paramref name="visibleQueues"/> (all of them for
    /// a supervisor), lists <paramref name="tile"/> under this filter: the rule of <see cref="InboxQueries.ListAsync"/> on one
    /// tile in memory, so that a changed case moves in an open panel without reading the panel again. Null when it cannot
    /// be told without the database (a text search).
    /// </summary>
    public bool? Admits(CaseTile tile, string userId, IReadOnlySet<long> visibleQueues)
    {
        if (Search is not null) return null;
        if (Status is { } status ? tile.Status != status : tile.Status is not (CaseStatus.New or CaseStatus.Open or CaseStatus.Pending)) return false;
        if (Channel is { } channel && tile.Channel != channel) return false;
        if (QueueId is { } queue && tile.QueueId != queue) return false;
        var inMyQueues = visibleQueues.Contains(tile.QueueId);
        var mine = string.Equals(tile.AssignedAgentId, userId, StringComparison.Ordinal);
        return Scope switch
        {
            InboxScope.Mine => mine,
            InboxScope.Unassigned => inMyQueues && tile.AssignedAgentId is null,
            _ => inMyQueues || mine,
        };
    }

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/> in the panel's order (then by id, as the keyset).</summary>
    public bool Precedes(CaseTile a, CaseTile b) => Sort == InboxSort.Oldest
        ? a.LastMessageAt < b.LastMessageAt || (a.LastMessageAt == b.LastMessageAt && a.Id < b.Id)
        : a.LastMessageAt > b.LastMessageAt || (a.LastMessageAt == b.LastMessageAt && a.Id > b.Id);

    /// <summary>The search as it is applied: trimmed, at most <see cref="MaxTextLength"/> characters, null when blank.</summary>
    public string? Search => string.IsNullOrWhiteSpace(Text) ? null : Text.Trim() is var t && t.Length > MaxTextLength ? t[..MaxTextLength] : Text.Trim();
}

/// <summary>Keyset position: the (last activity, id) of the last tile shown.</summary>
public sealed record InboxCursor(DateTimeOffset LastMessageAt, long Id);

/// <summary>One case tile: what the assignment panel and the case header need, SLA inputs included.</summary>
public sealed record CaseTile(
    long Id,
    long Version,
    long CardId,
    Channel Channel,
    long QueueId,
    string QueueName,
    CaseStatus Status,
    CasePriority Priority,
    string? AssignedAgentId,
    string? AssignedAgentName,
    string ContactName,
    string Title,
    string Preview,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastMessageAt,
    DateTimeOffset? FirstResponseAt,
    DateTimeOffset? ResolvedAt,
    int UnreadCount,
    int FirstResponseTargetMinutes,
    int ResolutionTargetMinutes)
{
    public bool IsOpen => Status is CaseStatus.New or CaseStatus.Open or CaseStatus.Pending;

    public SlaClock FirstResponse(DateTimeOffset now) => Sla.FirstResponse(CreatedAt, FirstResponseAt, FirstResponseTargetMinutes, now);

    public SlaClock Solution(DateTimeOffset now) => Sla.Solution(CreatedAt, ResolvedAt, ResolutionTargetMinutes, now);

    /// <summary>How long the contact has been waiting since the last message (or since the case was resolved).</summary>
    public TimeSpan Waiting(DateTimeOffset now) => (ResolvedAt ?? now) - LastMessageAt is var d && d > TimeSpan.Zero ? d : TimeSpan.Zero;
}

public sealed record InboxPage(IReadOnlyList<CaseTile> Tiles, InboxCursor? Next);

/// <summary>The figures of the workspace header.</summary>
public sealed record InboxCounts(int AssignedToMe, int Unread, int UnassignedInMyQueues, int FirstResponseBreached, int PendingDrafts);

public enum ThreadEntryKind
{
    Message = 0,
    Note = 1,
    Comment = 2,
}

public sealed record AttachmentView(string Name, string ContentType, long Size, string? Url);

/// <summary>One line of the case thread: a message, an internal note, or a comment. <see cref="Depth"/> 1 puts a social comment under its post.</summary>
public sealed record ThreadEntry(
    ThreadEntryKind Kind,
    long Id,
    DateTimeOffset At,
    string Author,
    string Text,
    Direction? Direction = null,
    MessageKind? MessageKind = null,
    DeliveryStatus? Delivery = null,
    long? ParentMessageId = null,
    string? Subject = null,
    Sentiment? Sentiment = null,
    IReadOnlyList<AttachmentView>? Attachments = null,
    int Depth = 0,
    /// <summary>A message's own channel: in a case that took in merged cases (ADR 021), the thread holds several.</summary>
    Channel? Channel = null);

public sealed record DraftView(long Id, long CaseId, string AuthorId, string AuthorName, string Text, DraftStatus Status, DateTimeOffset SubmittedAt,
    string? ReviewerName, string? ReviewComment, DateTimeOffset? ReviewedAt);

/// <summary>An open case: header, thread (the latest messages; <see cref="EarlierCursor"/> pages back), drafts.</summary>
public sealed record CaseDetail(CaseTile Case, IReadOnlyList<ThreadEntry> Thread, ThreadCursor? EarlierCursor, IReadOnlyList<DraftView> Drafts, string? ContextJson,
    SharedSender? Shared = null)
{
    /// <summary>The case was merged into this one (ADR 021): opening it says where its conversation went.</summary>
    public long? MergedIntoCaseId { get; init; }
    /// <summary>The cases merged into this one, each with whether the reader may undo its merge.</summary>
    public IReadOnlyList<MergedCaseView> MergedCases { get; init; } = [];
    /// <summary>The channels a reply may go on (the case's own first); more than one once cases were merged into it.</summary>
    public IReadOnlyList<Channel> ReplyChannels { get; init; } = [];
    /// <summary>The channel a reply goes on unless the agent chooses another: the one the contact last wrote on.</summary>
    public Channel? DefaultReplyChannel { get; init; }
}

/// <summary>
/// The case came from a shared address (ADR 020): the agent is told, and whether its card was made for this sender
/// (<see cref="NewCard"/>) or found by the sender's name.
/// </summary>
public sealed record SharedSender(string Address, bool NewCard);

public sealed record ThreadCursor(DateTimeOffset SentAt, long Id);

public sealed record HistoryEntry(long Id, CaseEventType Type, string ActorName, string? Detail, DateTimeOffset At);

public sealed record HistoryCursor(DateTimeOffset At, long Id);

public sealed record HistoryPage(IReadOnlyList<HistoryEntry> Entries, HistoryCursor? Next);

public sealed record QueueOption(long Id, string Name, int FirstResponseTargetMinutes, int ResolutionTargetMinutes, bool IsMember);

public sealed record AgentOption(string UserId, string DisplayName);

/// <summary>A quick reply as the reply box offers it (its text still with its placeholders; see QuickReplyPlaceholders).</summary>
public sealed record QuickReplyView(long Id, string Title, string Body, string Language, string? Category = null, string? LinkLabel = null, string? LinkUrl = null);

/// <summary>The contact beside an open case (the condensed card's data).</summary>
public sealed record ContactSummary(long CardId, string DisplayName, string? Company, string? PrimaryEmail, string? MobilePhone, string? AvatarUrl,
    int Positive, int Neutral, int Negative, int Followers, int Following, IReadOnlyList<(Channel Channel, string Address, string? ProfileUrl)> Identities);

/// <summary>A draft waiting for a supervisor, with its case's context.</summary>
public sealed record PendingDraft(long Id, long CaseId, Channel Channel, string ContactName, string CaseTitle, string QueueName, string AuthorName,
    string Text, DateTimeOffset SubmittedAt, string? LastInbound);

public sealed record DraftCursor(DateTimeOffset SubmittedAt, long Id);

public sealed record DraftPage(IReadOnlyList<PendingDraft> Drafts, DraftCursor? Next);

/// <summary>A case's after-call work: only a voice case has one; <see cref="State"/> None until the call ends, WrapUp until completed.</summary>
public sealed record AfterCallWorkView(long CaseId, bool IsCall, AfterCallWork State, DateTimeOffset? CallEndedAt, string? Disposition, string? Notes, DateTimeOffset? CompletedAt);
