using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentWorkspace.Core.Domain.Scripts;

/// <summary>
/// One action of a macro, as the administrator saved it (placeholders unfilled). Which properties count depends on
/// <see cref="Type"/>: a CRM record's type and fields, a quick reply's title, a custom field's ident and value, a
/// priority, a status, a queue, a note's text, a web address.
/// </summary>
public sealed record MacroAction
{
    public MacroActionType Type { get; init; }
    public string? RecordType { get; init; }
    public IReadOnlyDictionary<string, string?>? Fields { get; init; }
    public string? QuickReply { get; init; }
    public string? Field { get; init; }
    public string? Value { get; init; }
    public string? Priority { get; init; }
    public string? Status { get; init; }
    public string? Queue { get; init; }
    public string? Text { get; init; }
    public string? Url { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string ToJson(IReadOnlyList<MacroAction> actions) => JsonSerializer.Serialize(actions, Json);

    public static IReadOnlyList<MacroAction> FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<List<MacroAction>>(json, Json) ?? [];

    /// <summary>The wire name of an action type: createCrmRecord, insertQuickReply, ...</summary>
    public static string WireName(MacroActionType type) => JsonNamingPolicy.CamelCase.ConvertName(type.ToString());

    public static bool TryParseType(string? wire, out MacroActionType type)
    {
        foreach (var t in Enum.GetValues<MacroActionType>())
        {
            if (string.Equals(WireName(t), wire, StringComparison.Ordinal)) { type = t; return true; }
        }
        type = default;
        return false;
    }

    /// <summary>Every text of the action that may hold placeholders, with the name of the property that holds it.</summary>
    public IEnumerable<(string Property, string Text)> Templates()
    {
        if (Fields is not null)
            foreach (var (name, value) in Fields)
                if (value is not null) yield return ("fields." + name, value);
        if (Value is not null) yield return ("value", Value);
        if (Text is not null) yield return ("text", Text);
        if (Url is not null) yield return ("url", Url);
    }
}

/// <summary>What a macro's action produced, as kept on the case and shown to the agent: codes and counts, no customer data.</summary>
public sealed record MacroActionResult(MacroActionType Type, bool Ok, string Message, string? Code = null, IReadOnlyList<string>? Args = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>For the UI: the text to insert in the reply box (a quick reply), or the address to open (openUrl). Not stored.</summary>
    [JsonIgnore]
    public string? Output { get; init; }

    /// <summary>Not stored either: the args of a result may quote what the customer wrote.</summary>
    public static string ToJson(IReadOnlyList<MacroActionResult> results) =>
        JsonSerializer.Serialize(results.Select(r => r with { Args = null, Message = r.Ok ? r.Message : r.Code ?? "Failed" }).ToList(), Json);

    public static IReadOnlyList<MacroActionResult> FromJson(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        try { return JsonSerializer.Deserialize<List<MacroActionResult>>(json, Json) ?? []; }
        catch (JsonException) { return []; }
    }
}
