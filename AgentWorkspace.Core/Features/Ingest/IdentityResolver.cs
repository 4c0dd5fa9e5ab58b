using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using PhoneNumbers;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// How a sender address becomes the key of an identity, for ingest and for any lookup by address
/// (the cards search can reuse it): phone channels share one space in E.164 read with the default
/// region ("06 12 34 56 78", "+33 6.12.34.56.78", "0033612345678" are one number); e-mail trimmed
/// and lower-cased, also when written "Name &lt;address&gt;"; social platforms by user id or handle,
/// without "@" and case.
/// </summary>
public static partial class IdentityResolver
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The normalised address; a <see cref="DomainException"/> naming <paramref name="field"/> when it is not one.</summary>
    public static IdentityAddress Normalize(Channel channel, string? address, string defaultRegion, string field = "from.address")
    {
        try
        {
            return IdentityAddress.Normalize(channel, Unwrap(channel, address), defaultRegion);
        }
        catch (DomainException ex) when (field != "from.address")
        {
            throw new DomainException(ex.Message, field);
        }
    }

    /// <summary>Like <see cref="Normalize"/> without throwing (for searches: "is this text an address?").</summary>
    public static bool TryNormalize(Channel channel, string? address, string defaultRegion, out IdentityAddress? normalized)
    {
        try
        {
            normalized = Normalize(channel, address, defaultRegion);
            return true;
        }
        catch (DomainException)
        {
            normalized = null;
            return false;
        }
    }

    /// <summary>"Zoé Martin &lt;zoe@example.com&gt;" → "zoe@example.com" on e-mail; other channels unchanged.</summary>
    private static string? Unwrap(Channel channel, string? address)
    {
        if (address is null || channel.DefaultSpace() is not (IdentitySpace.Email or IdentitySpace.Chat)) return address;
        var m = NameAndAddress().Match(address);
        return m.Success ? m.Groups["address"].Value : address;
    }

    /// <summary>The display name written before an e-mail address ("Zoé Martin &lt;zoe@…&gt;"), if any.</summary>
    public static string? NameInAddress(string? address)
    {
        if (address is null) return null;
        var m = NameAndAddress().Match(address);
        return m.Success && m.Groups["name"].Value.Trim().Trim('"').Trim() is { Length: > 0 } name ? name : null;
    }

    [GeneratedRegex(@"^\s*(?<name>[^<>]*)<(?<address>[^<>\s]+)>\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameAndAddress();

    /// <summary>Whether an E.164 number is a mobile (goes to the card's mobile phone) rather than a landline.</summary>
    public static bool IsMobile(string e164)
    {
        try
        {
            var type = Util.GetNumberType(Util.Parse(e164, null));
            return type is PhoneNumberType.MOBILE or PhoneNumberType.FIXED_LINE_OR_MOBILE or PhoneNumberType.PAGER;
        }
        catch (NumberParseException)
        {
            return false;
        }
    }

    /// <summary>
    /// Splits a display name into first and last name the way people write them: "Zoé Le Gall" →
    /// (Zoé, Le Gall); "Martin, Zoé" → (Zoé, Martin); "MARTIN Zoé" (French surname first in
    /// capitals) → (Zoé, MARTIN); a single word is a first name; an address or a handle is no name.
    /// </summary>
    public static (string? First, string? Last) SplitName(string? displayName)
    {
        if (string.IsNullOrWhiteSpace(displayName)) return (null, null);
        var name = string.Join(' ', displayName.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).Trim('"', '\'', ' ');
        if (name.Length == 0 || name.Contains('@') || name.StartsWith('+') || name.Any(char.IsDigit) || name.Contains("://", StringComparison.Ordinal))
            return (null, null);

        if (name.Split(',', 2) is [var before, var after] && before.Trim().Length > 0 && after.Trim().Length > 0)
            return (Cap(after.Trim()), Cap(before.Trim()));

        var words = name.Split(' ');
        if (words.Length == 1) return (Cap(words[0]), null);

        // "MARTIN Zoé", "LE GALL Zoé Anne": leading words in capitals are the surname.
        var upper = words.TakeWhile(IsCapitals).Count();
        if (upper > 0 && upper < words.Length && !words.All(IsCapitals))
            return (Cap(string.Join(' ', words[upper..])), Cap(string.Join(' ', words[..upper])));

        return (Cap(words[0]), Cap(string.Join(' ', words[1..])));
    }

    private static bool IsCapitals(string word) => word.Any(char.IsLetter) && word.Where(char.IsLetter).All(char.IsUpper) && word.Count(char.IsLetter) > 1;

    private static string? Cap(string value)
    {
        var v = value.Trim();
        if (v.Length == 0) return null;
        return v.Length <= 100 ? v : v[..100].TrimEnd();
    }
}
