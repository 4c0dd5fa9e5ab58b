using AgentWorkspace.Core.Domain.Common;
using PhoneNumbers;

namespace AgentWorkspace.Core.Domain.Channels;

/// <summary>A phone number in E.164 (+33612345678), parsed with libphonenumber.</summary>
public sealed record PhoneNumber
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    public string E164 { get; }
    public string Region { get; }

    private PhoneNumber(string e164, string region) { E164 = e164; Region = region; }

    /// <summary>
    /// Parses a number written in any usual form: national ("06 12 34 56 78"), international with
    /// spaces, dots or dashes ("+33 6.12.34.56.78"), or with the 00 prefix ("0033612345678").
    /// National forms are read in <paramref name="defaultRegion"/>.
    /// </summary>
    public static PhoneNumber Parse(string? raw, string defaultRegion, string field = "phone")
    {
        if (!TryParse(raw, defaultRegion, out var number, out var error))
            throw new DomainException(error!, field);
        return number!;
    }

    public static bool TryParse(string? raw, string defaultRegion, out PhoneNumber? number, out string? error)
    {
        number = null;
        error = null;
        if (string.IsNullOrWhiteSpace(raw)) { error = "A phone number is required."; return false; }
        var text = raw.Trim();
        if (text.Length > 40) { error = "A phone number is at most 40 characters."; return false; }
        if (text.StartsWith("00", StringComparison.Ordinal)) text = "+" + text[2..];
        if (text.StartsWith("tel:", StringComparison.OrdinalIgnoreCase)) text = text[4..];
        try
        {
            var parsed = Util.Parse(text, string.IsNullOrWhiteSpace(defaultRegion) ? "FR" : defaultRegion.ToUpperInvariant());
            if (!Util.IsValidNumber(parsed))
            {
                error = $"'{raw.Trim()}' is not a valid phone number.";
                return false;
            }
            number = new PhoneNumber(Util.Format(parsed, PhoneNumberFormat.E164), Util.GetRegionCodeForNumber(parsed) ?? defaultRegion);
            return true;
        }
        catch (NumberParseException)
        {
            error = $"'{raw.Trim()}' is not a valid phone number.";
            return false;
        }
    }

    /// <summary>
    /// The E.164 start of a number typed only in part, for prefix search: "06 71 2" in FR is
    /// "+336712", "+33 6 71" and "0033 671" are "+33671". At least four digits; a form that is no
    /// number start (letters, a lone digit run without 0, + or 00) gives nothing.
    /// </summary>
    public static bool TryE164Prefix(string? partial, string defaultRegion, out string prefix)
    {
        prefix = string.Empty;
        if (string.IsNullOrWhiteSpace(partial)) return false;
        var text = partial.Trim();
        if (text.Length > 40 || text.Any(c => !(char.IsAsciiDigit(c) || c is ' ' or '.' or '-' or '(' or ')' or '+' or '/'))) return false;
        if (text.IndexOf('+', 1) >= 0) return false;
        var digits = new string(text.Where(char.IsAsciiDigit).ToArray());
        string international;
        if (text.StartsWith('+')) international = digits;
        else if (digits.StartsWith("00", StringComparison.Ordinal)) international = digits[2..];
        else if (digits.StartsWith('0'))
        {
            var code = Util.GetCountryCodeForRegion(string.IsNullOrWhiteSpace(defaultRegion) ? "FR" : defaultRegion.ToUpperInvariant());
            if (code == 0) return false;
            international = code.ToString(System.Globalization.CultureInfo.InvariantCulture) + digits[1..];
        }
        else return false;
        if (international.Length < 4) return false;
        prefix = "+" + international;
        return true;
    }

    /// <summary>A readable international form for display: "+33 6 12 34 56 78".</summary>
    public string International => Util.Format(Util.Parse(E164, null), PhoneNumberFormat.INTERNATIONAL);

    public static bool IsKnownRegion(string? region) =>
        !string.IsNullOrWhiteSpace(region) && Util.GetSupportedRegions().Contains(region.ToUpperInvariant());

    public override string ToString() => E164;
}
