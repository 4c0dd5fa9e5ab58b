using AgentWorkspace.Core.Domain.Channels;
using PhoneNumberUtil = PhoneNumbers.PhoneNumberUtil;
using PhoneNumberFormat = PhoneNumbers.PhoneNumberFormat;
using NumberParseException = PhoneNumbers.NumberParseException;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>
/// How an outside CRM's records are matched to the card. CRMs keep phone numbers as typed ("06 12 34 56 78",
/// "+33 6 12 34 56 78", "+33612345678"), so the query asks for the usual written forms of each E.164 number, and every
/// answer is compared again in E.164 (and e-mails in lower case) before it is kept and ranked.
/// </summary>
internal sealed class CrmMatching
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();
    private const int MaxPhones = 4;
    private const int MaxEmails = 4;

    public string Region { get; }
    public IReadOnlyList<string> Phones { get; }
    public IReadOnlyList<string> Emails { get; }
    public string? FirstName { get; }
    public string? LastName { get; }
    public string? Company { get; }

    public CrmMatching(CrmLookup lookup, string region)
    {
        Region = region;
        Phones = lookup.PhonesE164
            .Select(p => PhoneNumber.TryParse(p, region, out var n, out _) ? n!.E164 : null)
            .OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxPhones).ToList();
        Emails = lookup.Emails
            .Select(e => EmailAddress.TryParse(e, out var a) ? a!.Value : null)
            .OfType<string>().Distinct(StringComparer.Ordinal).Take(MaxEmails).ToList();
        FirstName = Clean(lookup.FirstName);
        LastName = Clean(lookup.LastName);
        Company = Clean(lookup.Company);
    }

    public bool HasFullName => FirstName is not null && LastName is not null;
    public bool IsEmpty => Phones.Count == 0 && Emails.Count == 0 && !HasFullName && Company is null;

    /// <summary>The forms a number is commonly written in: E.164, international and national (no duplicates).</summary>
    public IReadOnlyList<string> WrittenForms()
    {
        var forms = new List<string>();
        foreach (var e164 in Phones)
        {
            forms.Add(e164);
            try
            {
                var parsed = Util.Parse(e164, null);
                forms.Add(Util.Format(parsed, PhoneNumberFormat.INTERNATIONAL));
                forms.Add(Util.Format(parsed, PhoneNumberFormat.NATIONAL));
            }
            catch (NumberParseException)
            {
                // E.164 parsed once already; nothing more to add
            }
        }
        return forms.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>A phone as the card compares it: E.164 when it reads as a number, otherwise null (never matched).</summary>
    public string? E164(string? raw) => PhoneNumber.TryParse(raw, Region, out var n, out _) ? n!.E164 : null;

    /// <summary>A phone as the card shows it: E.164 when it reads as a number, else as the CRM has it.</summary>
    public string? ShownPhone(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : E164(raw) ?? raw.Trim();

    public static string? ShownEmail(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim().ToLowerInvariant();

    /// <summary>
    /// How well a record fits the card: a phone or e-mail match counts most, the full name next, the company last;
    /// 0 means the CRM returned it for a form we did not mean (then it is dropped).
    /// </summary>
    public int Score(IEnumerable<string?> phones, IEnumerable<string?> emails, string? firstName, string? lastName, string? company)
    {
        var score = 0;
        if (phones.Select(E164).Any(p => p is not null && Phones.Contains(p))) score += 4;
        if (emails.Select(ShownEmail).Any(e => e is not null && Emails.Contains(e))) score += 4;
        if (HasFullName && Same(firstName, FirstName) && Same(lastName, LastName)) score += 2;
        if (Company is not null && Same(company, Company)) score += 1;
        return score;
    }

    private static bool Same(string? a, string? b) =>
        a is not null && b is not null && string.Equals(a.Trim(), b, StringComparison.CurrentCultureIgnoreCase);

    private static string? Clean(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = new string(value.Trim().Where(c => !char.IsControl(c)).ToArray());
        return text.Length == 0 ? null : text.Length > 120 ? text[..120] : text;
    }
}
