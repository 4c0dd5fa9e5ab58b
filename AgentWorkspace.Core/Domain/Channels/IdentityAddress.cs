using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Channels;

/// <summary>
/// The normalised form of a sender address on a channel: E.164 on phone channels, lower-case
/// e-mail, and on social platforms the user id or handle without "@" and in lower case.
/// </summary>
public sealed record IdentityAddress(IdentitySpace Space, string Normalized)
{
    public const int MaxLength = 320;

    public static IdentityAddress Normalize(Channel channel, string? raw, string defaultRegion)
    {
        if (string.IsNullOrWhiteSpace(raw))
            throw new DomainException("The sender address is required.", "from.address");
        var text = raw.Trim();
        if (text.Length > MaxLength)
            throw new DomainException($"The sender address must be at most {MaxLength} characters.", "from.address");

        var space = channel.DefaultSpace();
        switch (space)
        {
            case IdentitySpace.Phone:
                return new(space, PhoneNumber.Parse(text, defaultRegion, "from.address").E164);
            case IdentitySpace.Email:
                return new(space, EmailAddress.Parse(text, "from.address").Value);
            case IdentitySpace.Chat:
                // A chat visitor who gave an e-mail is the same person as the e-mail sender.
                if (EmailAddress.TryParse(text, out var email)) return new(IdentitySpace.Email, email!.Value);
                return new(space, Handle(text));
            default:
                return new(space, Handle(text));
        }
    }

    /// <summary>Handles compare without "@", surrounding spaces and case: "@Zoe_Martin " = "zoe_martin".</summary>
    private static string Handle(string text)
    {
        var h = text.TrimStart('@').Trim().ToLowerInvariant();
        if (h.Length == 0) throw new DomainException("The sender address is required.", "from.address");
        if (h.Any(char.IsControl)) throw new DomainException("The sender address contains control characters.", "from.address");
        return h;
    }
}
