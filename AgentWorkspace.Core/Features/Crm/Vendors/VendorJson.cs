using System.Globalization;
using System.Text.Json;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>Reading the CRMs' JSON: optional values are null when absent or null; required ones throw <see cref="CrmAnswerUnreadable"/>.</summary>
internal static class VendorJson
{
    public static string? Text(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v)) return null;
        return v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            _ => throw new CrmAnswerUnreadable($"'{name}' is not a value"),
        };
    }

    public static string RequiredText(this JsonElement e, string name) =>
        e.Text(name) is { Length: > 0 } text ? text : throw new CrmAnswerUnreadable($"'{name}' is missing");

    public static JsonElement? Object(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Object ? v : null;

    public static IEnumerable<JsonElement> Items(this JsonElement e, string name)
    {
        if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(name, out var v) || v.ValueKind != JsonValueKind.Array)
            throw new CrmAnswerUnreadable($"'{name}' is not a list");
        return v.EnumerateArray().ToList();
    }

    public static string? Date(this JsonElement e, string name) =>
        e.Text(name) is { } raw && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? CrmActivityText.Utc(at)
            : null;

    /// <summary>A field list without the values the CRM left empty.</summary>
    public static IReadOnlyDictionary<string, string?> Fields(params (string Key, string? Value)[] pairs) =>
        pairs.Where(p => !string.IsNullOrWhiteSpace(p.Value)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
}
