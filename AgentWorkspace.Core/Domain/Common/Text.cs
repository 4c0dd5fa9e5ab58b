using System.Globalization;
using System.Text;

namespace AgentWorkspace.Core.Domain.Common;

/// <summary>Text normalisation shared by search and matching.</summary>
public static class Text
{
    /// <summary>
    /// The smallest string above every string that starts with <paramref name="prefix"/>: its last character
    /// moved one up ("zoe mar" → "zoe mas"), for a range condition on an index. Not prefix + U+FFFF: under
    /// SQL Server's usual case-insensitive collations U+FFFF weighs nothing, and the range would be empty.
    /// </summary>
    public static string PrefixUpperBound(string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var end = prefix.Length - 1;
        while (end >= 0 && prefix[end] == char.MaxValue) end--;
        return end < 0 ? prefix + char.MaxValue : prefix[..end] + (char)(prefix[end] + 1);
    }

    /// <summary>Lower case, accents removed, whitespace collapsed: "  Zoé  LE Gall" → "zoe le gall".</summary>
    public static string Fold(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return string.Empty;
        var decomposed = value.Trim().Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var lastWasSpace = false;
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsWhiteSpace(c) || c == '-' || c == '\'' || c == '’')
            {
                if (!lastWasSpace && sb.Length > 0) sb.Append(' ');
                lastWasSpace = true;
                continue;
            }
            sb.Append(char.ToLowerInvariant(c));
            lastWasSpace = false;
        }
        return sb.ToString().TrimEnd().Normalize(NormalizationForm.FormC);
    }

    public static string? Clean(string? value, int maxLength, string field)
    {
        if (value is null) return null;
        var trimmed = value.Trim();
        if (trimmed.Length == 0) return null;
        if (trimmed.Length > maxLength)
            throw new DomainException($"{field} must be at most {maxLength} characters.", field);
        if (trimmed.Any(c => char.IsControl(c) && c != '\n' && c != '\r' && c != '\t'))
            throw new DomainException($"{field} contains control characters.", field);
        return trimmed;
    }

    public static string Preview(string? value, int length = 120)
    {
        if (string.IsNullOrWhiteSpace(value)) return string.Empty;
        var flat = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= length ? flat : flat[..(length - 1)] + "…";
    }
}
