using System.Text.Json;

namespace AgentWorkspace.Core.Features.Audit;

/// <summary>What an audit value holds once read: stored text, named values, or a sentence of the product's.</summary>
public abstract record AuditValue
{
    /// <summary>As it was written (a name, a text someone typed, a number).</summary>
    public sealed record Plain(string Text) : AuditValue;

    /// <summary>Several values, each under a field code ("role", "queues"…) that the reader's page names in its language.</summary>
    public sealed record Pairs(IReadOnlyList<KeyValuePair<string, string>> Values) : AuditValue;

    /// <summary>A sentence of the product's, by code and arguments: the reader's page says it in its language.</summary>
    public sealed record Sentence(string Code, IReadOnlyList<string> Args) : AuditValue;
}

/// <summary>
/// Audit values that the product writes itself are stored structured (a JSON object), never as an English summary:
/// "role=Agent; queues=1" was readable in one language only. Field codes and sentence codes stay language-neutral
/// in the database; the audit log names them in the reader's language.
/// </summary>
public static class AuditValues
{
    private const string SentenceKey = "@sentence";
    private const string ArgsKey = "@args";

    /// <summary>Named values, in this order; null values are left out.</summary>
    public static string Summary(params (string Key, object? Value)[] values)
    {
        var o = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
            if (value is not null) o[key] = Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        return JsonSerializer.Serialize(o);
    }

    /// <summary>A sentence of the product's, by code (the resource "AuditText.{code}") and its arguments.</summary>
    public static string Sentence(string code, params object[] args) =>
        JsonSerializer.Serialize(new Dictionary<string, object>
        {
            [SentenceKey] = code,
            [ArgsKey] = args.Select(a => Convert.ToString(a, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty).ToArray(),
        });

    /// <summary>
    /// Reads a stored value. Rows written before values were structured ("name=x; role=Agent") read as named values
    /// when every part is "code=value"; anything else is plain text.
    /// </summary>
    public static AuditValue? Read(string? stored)
    {
        if (stored is null) return null;
        var t = stored.Trim();
        if (t.StartsWith('{') && t.EndsWith('}'))
        {
            try
            {
                using var doc = JsonDocument.Parse(t);
                if (doc.RootElement.ValueKind == JsonValueKind.Object)
                {
                    if (doc.RootElement.TryGetProperty(SentenceKey, out var code) && code.ValueKind == JsonValueKind.String)
                    {
                        var args = doc.RootElement.TryGetProperty(ArgsKey, out var a) && a.ValueKind == JsonValueKind.Array
                            ? a.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() ?? "" : x.GetRawText()).ToList()
                            : [];
                        return new AuditValue.Sentence(code.GetString()!, args);
                    }
                    return new AuditValue.Pairs(doc.RootElement.EnumerateObject()
                        .Select(p => new KeyValuePair<string, string>(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText())).ToList());
                }
            }
            catch (JsonException)
            {
                // Text that merely looks like JSON: shown as written.
            }
        }
        var parts = stored.Split("; ");
        if (parts.Length > 1 || stored.Contains('=', StringComparison.Ordinal))
        {
            var pairs = new List<KeyValuePair<string, string>>();
            foreach (var part in parts)
            {
                var eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0 || !part[..eq].All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_')) return new AuditValue.Plain(stored);
                pairs.Add(new(part[..eq], part[(eq + 1)..]));
            }
            return new AuditValue.Pairs(pairs);
        }
        return new AuditValue.Plain(stored);
    }
}
