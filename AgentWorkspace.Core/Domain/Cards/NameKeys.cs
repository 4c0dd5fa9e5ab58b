using System.Globalization;
using System.Text;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>
/// The blocking keys of a person's name for the duplicate finder (issue 21): two cards whose names are the same
/// after normalisation have the same <see cref="Key"/>, whatever the case, accents, word order, hyphens and
/// spaces ("Edward Ferrars", "FERRARS Edward", "édward ferrars", "Jean-Pierre" / "Jean Pierre" / "Jeanpierre").
/// A name given with an initial ("E. Ferrars") has the key that <see cref="InitialKey"/> gives the full name.
/// <para>
/// Each part of the name (first, last) becomes one unit: folded (<see cref="Text.Fold"/>: lower case, no accents),
/// a few letters that do not decompose spelt out (ß → ss, æ → ae, œ → oe, ø → o, ł → l, đ → d), and everything but
/// letters and digits dropped (spaces, hyphens, apostrophes, dots, the Arabic tatweel). The two units are put in
/// ordinal order and joined without a separator, so that swapped fields and a whole name typed in one field
/// ("Edward Ferrars" as a first name) meet. Any script: a name in Arabic or Chinese letters keeps them, folded
/// the same way (Arabic vowel marks and hamza forms are marks, and go); letters outside the BMP are kept whole.
/// </para>
/// </summary>
public static class NameKeys
{
    /// <summary>The longest key: two parts of at most 100 characters each, some letters spelt out in two.</summary>
    public const int MaxLength = 400;

    /// <summary>One part of a name (a first or a last name) as a unit of the key.</summary>
    public static string Unit(string? part)
    {
        var folded = Text.Fold(part);
        if (folded.Length == 0) return string.Empty;
        var sb = new StringBuilder(folded.Length);
        foreach (var rune in folded.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case 'ß': sb.Append("ss"); continue;
                case 'æ': sb.Append("ae"); continue;
                case 'œ': sb.Append("oe"); continue;
                case 'ø': sb.Append('o'); continue;
                case 'ł': sb.Append('l'); continue;
                case 'đ': sb.Append('d'); continue;
                case 'ı': sb.Append('i'); continue;
                case 0x0640: continue; // Arabic tatweel: a stretch of the line, not a letter of the name
            }
            var category = Rune.GetUnicodeCategory(rune);
            if (Rune.IsLetterOrDigit(rune) || category == UnicodeCategory.SpacingCombiningMark)
                sb.Append(rune.ToString());
        }
        return sb.ToString();
    }

    /// <summary>The key of a name; empty when it has no letter.</summary>
    public static string Key(string? firstName, string? lastName) => Join(Unit(firstName), Unit(lastName));

    /// <summary>
    /// The key this name would have with its first name as an initial ("Edward Ferrars" → the key of "E Ferrars");
    /// empty without both a first and a last name.
    /// </summary>
    public static string InitialKey(string? firstName, string? lastName)
    {
        var first = Unit(firstName);
        var last = Unit(lastName);
        return first.Length == 0 || last.Length == 0 ? string.Empty : Join(FirstRune(first), last);
    }

    /// <summary>
    /// The keys of the name with either part cut to its initial, other than its own (the full name side of an
    /// initials match: "Edward Ferrars" looks for "E. Ferrars" and "Edward F.").
    /// </summary>
    public static IReadOnlyList<string> InitialVariants(string? firstName, string? lastName)
    {
        var first = Unit(firstName);
        var last = Unit(lastName);
        if (first.Length == 0 || last.Length == 0) return [];
        var own = Join(first, last);
        return new[] { Join(FirstRune(first), last), Join(first, FirstRune(last)) }.Where(k => k != own).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether a part of the name is only an initial ("E.", "e", "É"): the card matches full names by their initial key.</summary>
    public static bool HasInitial(string? firstName, string? lastName)
    {
        var first = Unit(firstName);
        var last = Unit(lastName);
        return first.Length > 0 && last.Length > 0 && (IsOneRune(first) || IsOneRune(last));
    }

    private static string Join(string a, string b) =>
        string.CompareOrdinal(a, b) <= 0 ? a + b : b + a;

    private static string FirstRune(string unit) => Rune.GetRuneAt(unit, 0).ToString();

    private static bool IsOneRune(string unit) => unit.Length == Rune.GetRuneAt(unit, 0).Utf16SequenceLength;
}
