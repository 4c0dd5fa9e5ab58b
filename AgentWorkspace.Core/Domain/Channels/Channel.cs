namespace AgentWorkspace.Core.Domain.Channels;

public enum Channel
{
    Voice = 1,
    Voicemail = 2,
    Sms = 3,
    Email = 4,
    Chat = 5,
    ChatMessaging = 6,
    Facebook = 7,
    Twitter = 8,
    LinkedIn = 9,
    WhatsApp = 10,
    Messenger = 11,
    AppleMessages = 12,
}

/// <summary>
/// Where an address lives. Channels that share a space share identities: an SMS from a number that
/// called yesterday is the same contact.
/// </summary>
public enum IdentitySpace
{
    Phone = 1,
    Email = 2,
    Chat = 3,
    Facebook = 4,
    Twitter = 5,
    LinkedIn = 6,
    Messenger = 7,
    AppleMessages = 8,
}

public enum MessageKind
{
    Call = 1,
    Voicemail = 2,
    Sms = 3,
    Email = 4,
    Chat = 5,
    DirectMessage = 6,
    Post = 7,
    Comment = 8,
    Mention = 9,
    Like = 10,
}

public enum Direction
{
    Inbound = 1,
    Outbound = 2,
}

public enum Sentiment
{
    Neutral = 0,
    Positive = 1,
    Negative = 2,
}

public enum DeliveryStatus
{
    Received = 0,
    Pending = 1,
    Sent = 2,
    Delivered = 3,
    Failed = 4,
}

public static class Channels
{
    public static readonly IReadOnlyList<Channel> All = Enum.GetValues<Channel>();

    public static bool IsPhone(this Channel channel) =>
        channel is Channel.Voice or Channel.Voicemail or Channel.Sms or Channel.WhatsApp;

    public static bool IsSocial(this Channel channel) =>
        channel is Channel.Facebook or Channel.Twitter or Channel.LinkedIn or Channel.Messenger;

    public static IdentitySpace DefaultSpace(this Channel channel) => channel switch
    {
        Channel.Voice or Channel.Voicemail or Channel.Sms or Channel.WhatsApp => IdentitySpace.Phone,
        Channel.Email => IdentitySpace.Email,
        Channel.Chat or Channel.ChatMessaging => IdentitySpace.Chat,
        Channel.Facebook => IdentitySpace.Facebook,
        Channel.Twitter => IdentitySpace.Twitter,
        Channel.LinkedIn => IdentitySpace.LinkedIn,
        Channel.Messenger => IdentitySpace.Messenger,
        Channel.AppleMessages => IdentitySpace.AppleMessages,
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    /// <summary>The wire name used by the API ("voice", "chatMessaging", "appleMessages"...).</summary>
    public static string WireName(this Channel channel) => JsonNamingPolicyCamel(channel.ToString());

    public static bool TryParseWire(string? value, out Channel channel)
    {
        channel = default;
        if (string.IsNullOrWhiteSpace(value)) return false;
        foreach (var c in All)
        {
            if (string.Equals(c.ToString(), value.Trim(), StringComparison.OrdinalIgnoreCase)) { channel = c; return true; }
        }
        if (string.Equals(value.Trim(), "x", StringComparison.OrdinalIgnoreCase)) { channel = Channel.Twitter; return true; }
        return false;
    }

    internal static string JsonNamingPolicyCamel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
