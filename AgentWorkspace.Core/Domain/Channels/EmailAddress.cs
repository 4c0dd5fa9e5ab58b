using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Channels;

/// <summary>An e-mail address, trimmed and lower-cased so that comparisons ignore case.</summary>
public sealed partial record EmailAddress
{
    public string Value { get; }

    private EmailAddress(string value) => Value = value;

    public static EmailAddress Parse(string? raw, string field = "email")
    {
        if (!TryParse(raw, out var email)) throw new DomainException($"'{raw?.Trim()}' is not a valid e-mail address.", field);
        return email!;
    }

    public static bool TryParse(string? raw, out EmailAddress? email)
    {
        email = null;
        if (string.IsNullOrWhiteSpace(raw)) return false;
        var text = raw.Trim();
        if (text.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase)) text = text[7..];
        if (text.Length > 254 || !Shape().IsMatch(text)) return false;
        email = new EmailAddress(text.ToLowerInvariant());
        return true;
    }

    [GeneratedRegex(@"^[^@\s<>(),;:""\[\]]+@[^@\s<>(),;:""\[\]]+\.[^@\s<>(),;:""\[\]]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();

    public override string ToString() => Value;
}
