using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>One event on a channel, as a channel connector or a script sends it (POST /api/v1/interactions).</summary>
public sealed record InteractionRequest
{
    public Channel Channel { get; init; }
    /// <summary>The channel's own id of the message: the same id again is the same message (idempotency).</summary>
    public string? ExternalId { get; init; }
    /// <summary>What the message is; when absent, the channel's usual kind (an SMS on sms, a call on voice...).</summary>
    public MessageKind? Kind { get; init; }
    public Direction Direction { get; init; } = Direction.Inbound;
    /// <summary>The contact's address on the channel (the sender of an inbound message, the recipient of an outbound one).</summary>
    public InteractionSender? From { get; init; }
    public string? Subject { get; init; }
    public string? Body { get; init; }
    public string? Html { get; init; }
    public IReadOnlyList<InteractionAttachment> Attachments { get; init; } = [];
    /// <summary>The externalId, on the same channel, of the post or message this one answers.</summary>
    public string? InReplyTo { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    /// <summary>The queue for a new case; the default queue when absent.</summary>
    public string? Queue { get; init; }
    /// <summary>The channel's own sentiment; when absent the built-in analyzer decides.</summary>
    public Sentiment? Sentiment { get; init; }
    public ConversationContext? Context { get; init; }
}

public sealed record InteractionSender
{
    public string? Address { get; init; }
    public string? DisplayName { get; init; }
    public string? ProfileUrl { get; init; }
    /// <summary>The contact's photo on the channel (http or https): the card shows it, fetched by our server, while it has none of its own.</summary>
    public string? AvatarUrl { get; init; }
    public int? Followers { get; init; }
    public int? Following { get; init; }
}

public sealed record InteractionAttachment
{
    public string? Name { get; init; }
    public string? ContentType { get; init; }
    public long? Size { get; init; }
    public string? Url { get; init; }
}

/// <summary>Where the message landed. <see cref="Repeated"/>: the externalId was known and nothing was stored.</summary>
public sealed record IngestResult(long CardId, long CaseId, long MessageId, bool CardCreated, bool CaseCreated, bool Repeated);

/// <summary>Limits of ingest: <c>Api:MaxBodyLength</c> (characters of a message's text).</summary>
public sealed record IngestOptions(int MaxBodyLength = 20_000)
{
    public const int MaxAttachments = 50;
    public const int MaxExternalIdLength = 200;
    /// <summary>Received HTML may be much longer than its text (markup, inline styles).</summary>
    public int MaxHtmlLength => MaxBodyLength * 10;
}
