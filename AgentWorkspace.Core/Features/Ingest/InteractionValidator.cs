using AgentWorkspace.Core.Persistence.Sqlite;
using System.Data;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>An interaction checked and normalised: what the use case writes, nothing left to validate.</summary>
internal sealed record PreparedInteraction(
    Channel Channel, string ExternalId, MessageKind Kind, Direction Direction, string RawAddress, IdentityAddress Address,
    string? DisplayName, string? ProfileUrl, int? Followers, int? Following, string? Subject, EmailContent Content,
    IReadOnlyList<InteractionAttachment> Attachments, string? InReplyTo, DateTimeOffset SentAt, string? Queue, ConversationContext? Context)
{
    /// <summary>The contact's photo on the channel (checked: an http(s) address).</summary>
    public string? AvatarUrl { get; init; }
}

/// <summary>
/// Everything about an interaction is checked before the database is touched; each error names the
/// JSON field at fault. The HTML of an e-mail is sanitized here, once.
/// </summary>
public sealed class InteractionValidator(EmailSanitizer sanitizer, IngestOptions options)
{

    private static readonly Dictionary<Channel, MessageKind[]> KindsByChannel = new()
    {
        [Channel.Voice] = [MessageKind.Call, MessageKind.Voicemail],
        [Channel.Voicemail] = [MessageKind.Voicemail],
        [Channel.Sms] = [MessageKind.Sms],
        [Channel.Email] = [MessageKind.Email],
        [Channel.Chat] = [MessageKind.Chat],
        [Channel.ChatMessaging] = [MessageKind.Chat, MessageKind.DirectMessage],
        [Channel.WhatsApp] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.Messenger] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.AppleMessages] = [MessageKind.DirectMessage, MessageKind.Chat],
        [Channel.Facebook] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
        [Channel.Twitter] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
        [Channel.LinkedIn] = [MessageKind.Post, MessageKind.Comment, MessageKind.Mention, MessageKind.Like, MessageKind.DirectMessage],
    };

    /// <summary>The kinds a channel carries; the first is the default when the event names none (social channels must name it).</summary>
    public static IReadOnlyList<MessageKind> KindsOf(Channel channel) => KindsByChannel[channel];

    internal PreparedInteraction Prepare(InteractionRequest r, string region, DateTimeOffset now)
    {
        if (!Enum.IsDefined(r.Channel)) throw new DomainException("Unknown channel.", "channel");
        var externalId = Text.Clean(r.ExternalId, IngestOptions.MaxExternalIdLength, "externalId")
            ?? throw new DomainException("externalId is required: the channel's id of the message (it makes a repeat harmless).", "externalId");
        if (!Enum.IsDefined(r.Direction)) throw new DomainException("direction is inbound or outbound.", "direction");

        var kinds = KindsByChannel[r.Channel];
        MessageKind kind;
        if (r.Kind is { } k)
        {
            if (!Enum.IsDefined(k)) throw new DomainException("Unknown kind.", "kind");
            if (!kinds.Contains(k))
                throw new DomainException($"A {k.ToString().ToLowerInvariant()} cannot arrive on {r.Channel.WireName()}; it carries {string.Join(", ", kinds.Select(Wire))}.", "kind");
            kind = k;
        }
        else if (r.Channel.IsSocial() && r.Channel != Channel.Messenger)
            throw new DomainException($"kind is required on {r.Channel.WireName()}: {string.Join(", ", kinds.Select(Wire))}.", "kind");
        else kind = kinds[0];

        var from = r.From ?? throw new DomainException("from is required: the contact's address on the channel.", "from");
        if (string.IsNullOrWhiteSpace(from.Address)) throw new DomainException("from.address is required.", "from.address");
        var address = IdentityResolver.Normalize(r.Channel, from.Address, region);
        var displayName = Text.Clean(from.DisplayName, 200, "from.displayName") ?? IdentityResolver.NameInAddress(from.Address);
        if (displayName is { Length: > 200 }) displayName = displayName[..200];
        var profileUrl = from.ProfileUrl is null ? null : CustomerCard.CleanUrl(from.ProfileUrl, "from.profileUrl");
        var avatarUrl = from.AvatarUrl is null ? null : CustomerCard.CleanUrl(from.AvatarUrl, "from.avatarUrl");
        if (from.Followers is < 0) throw new DomainException("from.followers cannot be negative.", "from.followers");
        if (from.Following is < 0) throw new DomainException("from.following cannot be negative.", "from.following");

        var subject = Text.Clean(r.Subject, 500, "subject");
        if (r.Body is { } body)
        {
            if (body.Length > options.MaxBodyLength)
                throw new DomainException($"body must be at most {options.MaxBodyLength} characters.", "body");
            if (body.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'))
                throw new DomainException("body contains control characters.", "body");
        }
        if (r.Html is { Length: var htmlLength } && htmlLength > options.MaxHtmlLength)
            throw new DomainException($"html must be at most {options.MaxHtmlLength} characters.", "html");
        var content = sanitizer.Clean(r.Body, r.Html);
        if (content.Text.Length > options.MaxBodyLength)
            throw new DomainException($"The text of html must be at most {options.MaxBodyLength} characters.", "html");
        if (content.Text.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'))
            content = content with { Text = new string(content.Text.Where(c => !char.IsControl(c) || c is '\n' or '\r' or '\t').ToArray()) };

        var attachments = r.Attachments ?? [];
        if (attachments.Count > IngestOptions.MaxAttachments)
            throw new DomainException($"A message has at most {IngestOptions.MaxAttachments} attachments.", "attachments");
        for (var i = 0; i < attachments.Count; i++)
        {
            var a = attachments[i] ?? throw new DomainException("An attachment cannot be null.", $"attachments[{i}]");
            if (Text.Clean(a.Name, 255, $"attachments[{i}].name") is null)
                throw new DomainException("An attachment needs a name.", $"attachments[{i}].name");
            Text.Clean(a.ContentType, 120, $"attachments[{i}].contentType");
            if (a.Size is < 0) throw new DomainException("An attachment size cannot be negative.", $"attachments[{i}].size");
            if (a.Url is not null) CustomerCard.CleanUrl(a.Url, $"attachments[{i}].url");
        }

        var inReplyTo = Text.Clean(r.InReplyTo, IngestOptions.MaxExternalIdLength, "inReplyTo");
        var sentAt = r.SentAt ?? now;
        if (sentAt > now.AddDays(1)) throw new DomainException("sentAt is more than a day in the future.", "sentAt");
        if (sentAt.Year < 1990) throw new DomainException("sentAt is before 1990.", "sentAt");
        var queue = Text.Clean(r.Queue, 80, "queue");
        if (r.Sentiment is { } s && !Enum.IsDefined(s)) throw new DomainException("sentiment is positive, neutral or negative.", "sentiment");
        if (r.Context is { } context)
        {
            context.Validate();
            if (context.ToJson().Length > 32_000) throw new DomainException("context is larger than 32,000 characters.", "context");
        }

        return new PreparedInteraction(r.Channel, externalId, kind, r.Direction, from.Address.Trim(), address, displayName, profileUrl, from.Followers, from.Following,
            subject, content, attachments, inReplyTo, sentAt.ToUniversalTime(), queue, r.Context) { AvatarUrl = avatarUrl };
    }

    private static string Wire(MessageKind kind) => char.ToLowerInvariant(kind.ToString()[0]) + kind.ToString()[1..];
}
