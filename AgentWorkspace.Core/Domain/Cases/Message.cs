using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cases;

/// <summary>One message of a case: inbound from the contact or outbound from an agent.</summary>
public sealed class Message
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long CardId { get; private set; }
    public Channel Channel { get; private set; }
    /// <summary>The channel's own id, unique per channel: it makes ingest idempotent.</summary>
    public string? ExternalId { get; private set; }
    public Direction Direction { get; private set; }
    public MessageKind Kind { get; private set; }
    public string AuthorName { get; private set; } = string.Empty;
    public string? AuthorUserId { get; private set; }
    public string? Subject { get; private set; }
    /// <summary>Plain text; always present (derived from the HTML for e-mail).</summary>
    public string Text { get; private set; } = string.Empty;
    /// <summary>Sanitized HTML for e-mail; never the raw HTML received.</summary>
    public string? SanitizedHtml { get; private set; }
    public Sentiment Sentiment { get; private set; }
    public DateTimeOffset SentAt { get; private set; }
    public DeliveryStatus DeliveryStatus { get; private set; }
    /// <summary>The post or message this one answers (social comments hang under their post).</summary>
    public long? ParentMessageId { get; private set; }
    public int AttachmentCount { get; private set; }

    private Message() { }

    public Message(long caseId, long cardId, Channel channel, string? externalId, Direction direction, MessageKind kind, string authorName,
        string? authorUserId, string? subject, string text, string? sanitizedHtml, Sentiment sentiment, DateTimeOffset sentAt,
        long? parentMessageId = null, long id = 0)
    {
        Id = id;
        CaseId = caseId;
        CardId = cardId;
        Channel = channel;
        ExternalId = externalId;
        Direction = direction;
        Kind = kind;
        AuthorName = Common.Text.Clean(authorName, 200, "from.displayName") ?? "?";
        AuthorUserId = authorUserId;
        Subject = Common.Text.Clean(subject, 500, "subject");
        Text = text;
        SanitizedHtml = sanitizedHtml;
        Sentiment = sentiment;
        SentAt = sentAt;
        ParentMessageId = parentMessageId;
        DeliveryStatus = direction == Direction.Inbound ? DeliveryStatus.Received : DeliveryStatus.Pending;
    }

    public void SetAttachmentCount(int count) => AttachmentCount = count;
    public void SetDelivery(DeliveryStatus status) => DeliveryStatus = status;
    public void MoveTo(long cardId) => CardId = cardId;

    public void Erase()
    {
        Text = "[erased]";
        SanitizedHtml = null;
        Subject = Subject is null ? null : "[erased]";
        AuthorName = Direction == Direction.Inbound ? "[erased]" : AuthorName;
    }
}

public sealed class MessageAttachment
{
    public long Id { get; private set; }
    public long MessageId { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public string ContentType { get; private set; } = string.Empty;
    public long Size { get; private set; }
    public string? Url { get; private set; }

    private MessageAttachment() { }

    public MessageAttachment(long messageId, string? name, string? contentType, long? size, string? url, long id = 0)
    {
        Id = id;
        MessageId = messageId;
        Name = Common.Text.Clean(name, 255, "attachments.name") ?? throw new DomainException("An attachment needs a name.", "attachments.name");
        ContentType = Common.Text.Clean(contentType, 120, "attachments.contentType") ?? "application/octet-stream";
        if (size is < 0) throw new DomainException("An attachment size cannot be negative.", "attachments.size");
        Size = size ?? 0;
        Url = url is null ? null : Cards.CustomerCard.CleanUrl(url, "attachments.url");
    }

    public void Erase()
    {
        Name = "[erased]";
        Url = null;
    }
}
