using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.CustomFields;

namespace AgentWorkspace.Core.Features.Cards;

/// <summary>One channel identity of a card, as shown and as the API returns it.</summary>
public sealed record IdentityView(long Id, Channel Channel, string Address, string Normalized, string? DisplayName, string? ProfileUrl,
    int? Followers, int? Following, DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt);

/// <summary>Sentiment counts over the card's inbound messages and the audience of its social identities.</summary>
public sealed record CardIndicators(int Positive, int Neutral, int Negative, int Followers, int Following);

/// <summary>A custom field as it applies to one card: its definition and the card's value (null when none).</summary>
public sealed record CardFieldValue(long FieldId, string Ident, string Label, string? LabelFr, string? LabelEn, CustomFieldType Type,
    IReadOnlyList<string> Options, bool Editable, bool VisibleInRightPanel, bool VisibleInCard, string? Value)
{
    public string LabelFor(string? culture) =>
        (culture?.StartsWith("fr", StringComparison.OrdinalIgnoreCase) == true ? LabelFr : culture?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? LabelEn : null)
        ?? Label;
}

public sealed record MessageView(long Id, long CaseId, Channel Channel, Direction Direction, MessageKind Kind, string AuthorName, string? Subject,
    string Text, Sentiment Sentiment, DateTimeOffset SentAt, int AttachmentCount);

/// <summary>Keyset position in a message history: the (time, id) of the last message shown.</summary>
public sealed record MessageCursor(DateTimeOffset SentAt, long Id);

public sealed record MessagePage(IReadOnlyList<MessageView> Items, MessageCursor? Next);

public sealed record CaseSummary(long Id, Channel Channel, string Title, CaseStatus Status, CasePriority Priority, string? Product,
    string? OwnerName, string QueueName, IReadOnlyList<string> Skills, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt,
    DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt, string LastMessagePreview);

/// <summary>The "Customer" tab beside an open case (seed 003): who the contact is at a glance.</summary>
public sealed record CondensedCardView(long Id, long Version, CardStatus Status, bool IsLocked, string DisplayName, string? Company, string? AvatarUrl,
    string? PrimaryEmail, string? MobilePhone, CardIndicators Indicators, IReadOnlyList<IdentityView> Identities, IReadOnlyList<CardFieldValue> RightPanelFields);

/// <summary>The detailed card's first view: profile, identities, indicators, custom fields and the 50 newest messages.</summary>
public sealed record CardFirstView(long Id, long Version, CardStatus Status, bool IsLocked, string DisplayName, CardProfile Profile,
    IReadOnlyList<IdentityView> Identities, CardIndicators Indicators, IReadOnlyList<CardFieldValue> CustomFields, MessagePage Messages,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastContactAt)
{
    /// <summary>The values the card's fields took, newest first (at most <see cref="CardReads.ProvenanceRows"/>): issue 21.</summary>
    public CardProvenance Provenance { get; init; } = CardProvenance.Empty;
}

/// <summary>
/// One value a field of a card took: the value (null: cleared), its source and when; for a value taken from another card
/// by a merge, who had set it there (<see cref="OriginKind"/>…).
/// </summary>
public sealed record ValueSourceView(string Field, string? Value, ValueSourceKind Kind, string? Ref, string? Label, DateTimeOffset At, long? MergeId,
    ValueSourceKind? OriginKind, string? OriginLabel, DateTimeOffset? OriginAt);

/// <summary>A card's value history (newest first) and, per field, the source of its current value.</summary>
public sealed record CardProvenance(IReadOnlyList<ValueSourceView> Rows)
{
    public static readonly CardProvenance Empty = new([]);

    /// <summary>
    /// The source of <paramref name="currentValue"/>, the field's value now: the field's newest row when it holds that value;
    /// null when unknown (a value older than provenance, docs/decisions/022, or written by a path that keeps none).
    /// </summary>
    public ValueSourceView? SourceOf(string field, string? currentValue)
    {
        foreach (var row in Rows)
        {
            if (row.Field != field) continue;
            return string.Equals(row.Value ?? string.Empty, currentValue ?? string.Empty, StringComparison.Ordinal) ? row : null;
        }
        return null;
    }

    /// <summary>The values <paramref name="field"/> has had, newest first.</summary>
    public IReadOnlyList<ValueSourceView> HistoryOf(string field) => Rows.Where(r => r.Field == field).ToList();
}

/// <summary>What the Summary tab shows about the current case (seed 004).</summary>
public sealed record ConversationSummary(CaseSummary Case, TimeSpan WaitingTime, IReadOnlyList<KeyValuePair<string, string>> PreChatSurvey,
    IReadOnlyList<SelfServiceActivity> SelfService, IReadOnlyList<KeyValuePair<string, string>> Visitor, IReadOnlyList<KeyValuePair<string, string>> Variables);

public sealed record SelfServiceActivity(string Type, string Title, DateTimeOffset? At);

/// <summary>A card's photo address (null: none to show) and the name its initials come from.</summary>
public sealed record CardAvatarSource(long CardId, string DisplayName, string? AvatarUrl);

public sealed record CardSearchHit(long Id, string DisplayName, string? Company, string? AvatarUrl, string? PrimaryEmail, string? MobilePhone,
    IReadOnlyList<Channel> Channels, DateTimeOffset? LastContactAt);

/// <summary>An opaque keyset position in search results (stage, key, id), safe to put in a URL.</summary>
public sealed record SearchCursor(int Stage, string Key, long Id)
{
    public string Encode() => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Stage}\n{Id}\n{Key}")).Replace('+', '-').Replace('/', '_').TrimEnd('=');

    public static SearchCursor Decode(string? token)
    {
        try
        {
            var s = (token ?? string.Empty).Replace('-', '+').Replace('_', '/');
            s = s.PadRight(s.Length + (4 - s.Length % 4) % 4, '=');
            var parts = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(s)).Split('\n', 3);
            return new SearchCursor(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts[2],
                long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException or OverflowException)
        {
            throw new Domain.Common.DomainException("after is not a position returned by a previous search.", "after");
        }
    }
}

public sealed record CardSearchPage(IReadOnlyList<CardSearchHit> Items, SearchCursor? Next);

public enum TimelineKind
{
    /// <summary>Conversation activity.</summary>
    Message = 1,
    /// <summary>Customer activity.</summary>
    Note = 2,
    /// <summary>Case activity.</summary>
    CaseEvent = 3,
    /// <summary>Customer activity: the card took in another card, or was merged into one (see <see cref="TimelineMerge"/>).</summary>
    Merge = 4,
    /// <summary>Customer activity: a merge proposed by an agent, approved or declined by a supervisor (see <see cref="TimelineMergeRequest"/>).</summary>
    MergeRequest = 5,
    /// <summary>Case activity: an agent's internal comment on a case or on one of its messages (seed 002); never edited or deleted.</summary>
    Comment = 6,
}

[Flags]
public enum TimelineFilter
{
    None = 0,
    Customer = 1,
    Case = 2,
    Conversation = 4,
    All = Customer | Case | Conversation,
}

public sealed record TimelineItem(TimelineKind Kind, long Id, DateTimeOffset At, long? CaseId, string Actor, string Text,
    Channel? Channel = null, Direction? Direction = null, CaseEventType? EventType = null, TimelineMerge? Merge = null,
    TimelineMergeRequest? MergeRequest = null);

/// <summary>A merge proposal on both cards' timelines (issue 21): who proposed it and why (the item's actor and text), and its decision.</summary>
public sealed record TimelineMergeRequest(long RequestId, long SurvivorId, long MergedId, Domain.Merge.MergeRequestStatus Status,
    string? DecidedByName, string? DecisionComment, DateTimeOffset? DecidedAt);

/// <summary>
/// A merge in a card's timeline, on both cards: the survivor's and the merged card's (shown once the merge is undone,
/// since a merged card's page leads to its survivor). The names are the cards' as they are now (none once anonymized).
/// <see cref="Undo"/> is what the reader may do about it, added by <see cref="Merge.MergeService.GetUndoOffersAsync"/>
/// (none: no Undo is offered).
/// </summary>
public sealed record TimelineMerge(long MergeId, long SurvivorId, string? SurvivorName, long MergedId, string? MergedName,
    DateTimeOffset? UndoneAt, string? UndoneBy, Merge.MergeUndoOffer? Undo = null);

public sealed record TimelineCursor(DateTimeOffset At, TimelineKind Kind, long Id);

public sealed record TimelinePage(IReadOnlyList<TimelineItem> Items, TimelineCursor? Next);

public sealed record NoteView(long Id, long? CaseId, string AuthorId, string AuthorName, string Text, DateTimeOffset CreatedAt, DateTimeOffset? UpdatedAt);

public sealed record CommentView(long Id, long CaseId, long? MessageId, string AuthorName, string Text, DateTimeOffset CreatedAt);

/// <summary>One case of the Cases tab with its messages (oldest first) and the comments on them.</summary>
public sealed record CaseThread(CaseSummary Case, IReadOnlyList<MessageView> Messages, IReadOnlyList<CommentView> Comments);

public sealed record NewIdentity(Channel Channel, string Address, string? DisplayName = null, string? ProfileUrl = null, int? Followers = null, int? Following = null);

/// <summary>One field that two agents set differently: what this agent sent and what is stored now.</summary>
public sealed record FieldConflict(string Field, string? Yours, string? Theirs);

/// <summary>The card was merged: it lives on as <see cref="SurvivorId"/>.</summary>
public sealed class CardMergedException(long cardId, long survivorId)
    : Exception($"Card {cardId} was merged into card {survivorId}.")
{
    public long CardId { get; } = cardId;
    public long SurvivorId { get; } = survivorId;
}

/// <summary>
/// The profile was saved by someone else since it was read. Carries both values of each field that
/// differs, and the current profile and version so that the agent can keep theirs or take the other.
/// </summary>
public sealed class ProfileConflictException(long cardId, long currentVersion, CardProfile current, IReadOnlyList<FieldConflict> fields)
    : Exception($"Card {cardId} was changed by someone else (now version {currentVersion}); {fields.Count} field(s) differ.")
{
    public long CardId { get; } = cardId;
    public long CurrentVersion { get; } = currentVersion;
    public CardProfile Current { get; } = current;
    public IReadOnlyList<FieldConflict> Fields { get; } = fields;
    /// <summary>What "keep mine" saves: the stored profile with this agent's own changes on top (null when the service was not told what the agent read).</summary>
    public CardProfile? Mine { get; init; }
}

/// <summary>The custom field exists but administrators made it read-only.</summary>
public sealed class FieldReadOnlyException(string ident, string label) : Domain.Common.DomainException($"{label} is read-only.", ident);
