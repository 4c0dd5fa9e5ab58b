using System.Text;
using System.Text.Json;

namespace AgentWorkspace.Tests.Api;

/// <summary>A request body that no operation may accept: what it is, its bytes, its media type, and the field the refusal must name (when one is at fault).</summary>
public sealed record HostileBody(string What, byte[] Bytes, string? ContentType = "application/json", string? Names = null)
{
    public static HostileBody Text(string what, string json, string? names = null) => new(what, Encoding.UTF8.GetBytes(json), "application/json", names);
    public override string ToString() => What;
}

/// <summary>
/// The hostile inputs: bodies that are not JSON of the right shape (the same for every operation, and more derived
/// from each operation's request schema: every property with a value of the wrong kind, a numeric enum, an unknown
/// property in every closed object), and query values no parameter should choke on.
/// </summary>
public static class HostileCorpus
{
    /// <summary>Larger than any operation accepts (1 MB, 2 MB for ingest).</summary>
    private const int HugeLength = 3 * 1024 * 1024;

    public static IReadOnlyList<HostileBody> Bodies(JsonElement document, JsonElement schema)
    {
        var first = OpenApiOperations.Properties(document, schema).Select(p => p.Name).FirstOrDefault() ?? "value";
        var bodies = new List<HostileBody>
        {
            new("empty body", []),
            HostileBody.Text("only white space", "  \r\n\t "),
            HostileBody.Text("null", "null", "$"),
            HostileBody.Text("an empty array", "[]", "$"),
            HostileBody.Text("an array of an object", "[{}]", "$"),
            HostileBody.Text("a number", "0", "$"),
            HostileBody.Text("a negative number", "-1", "$"),
            HostileBody.Text("a number beyond double", "1e999", "$"),
            HostileBody.Text("a huge integer", "123456789012345678901234567890", "$"),
            HostileBody.Text("a string", "\"{}\"", "$"),
            HostileBody.Text("true", "true", "$"),
            HostileBody.Text("truncated: an open brace", "{", "$"),
            HostileBody.Text("truncated: a name", $"{{\"{first}\"", "$"),
            HostileBody.Text("truncated: a colon", $"{{\"{first}\":", "$"),
            HostileBody.Text("truncated: a value", $"{{\"{first}\":null", "$"),
            HostileBody.Text("truncated: inside a string", $"{{\"{first}\":\"abc", "$"),
            HostileBody.Text("trailing garbage", "{} x", "$"),
            HostileBody.Text("two documents", "{}{}", "$"),
            HostileBody.Text("single quotes", $"{{'{first}':null}}", "$"),
            HostileBody.Text("a comment", "{/* */}", "$"),
            HostileBody.Text("a trailing comma", $"{{\"{first}\":null,}}", "$"),
            HostileBody.Text("NaN", $"{{\"{first}\":NaN}}", "$"),
            HostileBody.Text("Infinity", $"{{\"{first}\":Infinity}}", "$"),
            new("a byte order mark before an array", [0xEF, 0xBB, 0xBF, (byte)'[', (byte)']'], "application/json", "$"),
            new("UTF-16 instead of UTF-8", Encoding.Unicode.GetBytes($"{{\"{first}\":null}}"), "application/json", "$"),
            Bytes("invalid UTF-8 in a value", $"{{\"{first}\":\"", [0xC3, 0x28], "\"}", first),
            Bytes("an overlong UTF-8 sequence in a value", $"{{\"{first}\":\"", [0xC0, 0xAF], "\"}", first),
            Bytes("an encoded surrogate in a value", $"{{\"{first}\":\"", [0xED, 0xA0, 0x80], "\"}", first),
            Bytes("invalid UTF-8 in a property name", "{\"", [0xFF, 0xFE], "\":1}", "$"),
            HostileBody.Text("a lone surrogate escape in a value", $"{{\"{first}\":\"\\ud800\"}}", first),
            HostileBody.Text("a lone low surrogate escape in a value", $"{{\"{first}\":\"x\\udc00y\"}}", first),
            HostileBody.Text("a lone surrogate escape in a property name", "{\"\\ud800\":1}", "$"),
            Bytes("a raw control character in a string", $"{{\"{first}\":\"a", [0x01], "b\"}", "$"),
            Bytes("a raw NUL in a property name", "{\"a", [0x00], "\":1}", "$"),
            HostileBody.Text("an escaped NUL in a property name", "{\"a\\u0000\":1}", "a\u0000"),
            HostileBody.Text("an unknown property", "{\"zzUnknown\":1}", "zzUnknown"),
            HostileBody.Text("an unknown property after a known one", $"{{\"{first}\":null,\"zzUnknown\":true}}", "zzUnknown"),
            HostileBody.Text("a known property in another case", $"{{\"{char.ToUpperInvariant(first[0]) + first[1..]}\":null}}", char.ToUpperInvariant(first[0]) + first[1..]),
            HostileBody.Text("a property twice", $"{{\"{first}\":null,\"{first}\":null}}", first),
            HostileBody.Text("a very long unknown property name", $"{{\"{new string('n', 5000)}\":1}}"),
            HostileBody.Text("nested arrays 10000 deep", new string('[', 10_000) + new string(']', 10_000), "$"),
            HostileBody.Text("nested objects 1000 deep", $"{{\"{first}\":" + string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1001), "$"),
            HostileBody.Text("a body larger than any operation accepts", $"{{\"{first}\":\"" + new string('a', HugeLength) + "\"}", "$"),
            new("JSON sent as text/plain", Encoding.UTF8.GetBytes("{}"), "text/plain", "Content-Type"),
            new("a form instead of JSON", Encoding.UTF8.GetBytes("a=1&b=2"), "application/x-www-form-urlencoded", "Content-Type"),
            new("JSON without a media type", Encoding.UTF8.GetBytes("{}"), null, "Content-Type"),
            new("a media type that only says json", Encoding.UTF8.GetBytes("{}"), "application/jsonx", "Content-Type"),
        };
        bodies.AddRange(WrongKinds(document, schema, "$", 0));
        return bodies;
    }

    private static HostileBody Bytes(string what, string before, byte[] middle, string after, string? names) =>
        new(what, [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)], "application/json", names);

    /// <summary>For every property the schema describes (nested ones too): a body with only it, set to a value of the wrong kind.</summary>
    private static IEnumerable<HostileBody> WrongKinds(JsonElement document, JsonElement schema, string path, int depth)
    {
        if (depth > 3) yield break;
        foreach (var (name, property) in OpenApiOperations.Properties(document, schema))
        {
            var at = path == "$" ? name : $"{path}.{name}";
            foreach (var (what, value, names) in WrongValues(document, property, at, depth))
                yield return HostileBody.Text($"{at}: {what}", Wrap(at, value), names);
        }
    }

    /// <summary>Values that are not of the schema's kind, each with the path the refusal must name.</summary>
    private static IEnumerable<(string What, string Json, string Names)> WrongValues(JsonElement document, JsonElement schema, string at, int depth)
    {
        var types = OpenApiOperations.Types(schema);
        if (types.Count == 0) yield break; // an open value: anything goes
        if (types.Contains("enum"))
        {
            foreach (var v in new[] { "0", "1", "\"1\"", "\"-1\"", "true", "{}", "\"\"" })
                yield return ($"enum value {v}", v, at);
            yield break;
        }
        var candidates = new List<(string, string)>
        {
            ("a number", "1"), ("a fraction", "1.5"), ("a number beyond double", "1e400"), ("a huge integer", "99999999999999999999"),
            ("a negative huge integer", "-99999999999999999999"), ("a string", "\"x\""), ("a numeric string", "\"1\""), ("true", "true"),
            ("an array", "[]"), ("an object", "{}"),
        };
        foreach (var (what, json) in candidates)
            if (!Fits(types, json)) yield return (what, json, at);

        if (types.Contains("object") && OpenApiOperations.IsClosed(schema))
        {
            yield return ("an unknown property inside", "{\"zzUnknown\":1}", at + ".zzUnknown");
            foreach (var (name, property) in OpenApiOperations.Properties(document, schema))
                foreach (var (what, value, names) in WrongValues(document, property, $"{at}.{name}", depth + 1))
                    yield return ($"{name}: {what}", $"{{\"{name}\":{value}}}", names);
        }
        if (types.Contains("object") && OpenApiOperations.MapValues(document, schema) is { } values)
            foreach (var (what, value, names) in WrongValues(document, values, $"{at}.k", depth + 1))
                yield return ($"a map value: {what}", $"{{\"k\":{value}}}", names);
        if (types.Contains("array") && schema.TryGetProperty("items", out var items))
            foreach (var (what, value, names) in WrongValues(document, OpenApiOperations.Resolve(document, items), $"{at}[0]", depth + 1))
                yield return ($"an item: {what}", $"[{value}]", names);
    }

    /// <summary>Whether a JSON value is of one of the schema's kinds (the walk only sends those that are not).</summary>
    private static bool Fits(IReadOnlyList<string> types, string json)
    {
        using var value = JsonDocument.Parse(json);
        var v = value.RootElement;
        return v.ValueKind switch
        {
            JsonValueKind.String => types.Contains("string"),
            JsonValueKind.True or JsonValueKind.False => types.Contains("boolean"),
            JsonValueKind.Array => types.Contains("array"),
            JsonValueKind.Object => types.Contains("object"),
            JsonValueKind.Number => types.Contains("number") && v.TryGetDouble(out var d) && double.IsFinite(d)
                || types.Contains("integer") && v.TryGetInt32(out _),
            _ => false,
        };
    }

    /// <summary>The body that sets the property at <paramref name="path"/> ("a.b") to <paramref name="value"/>, and nothing else.</summary>
    private static string Wrap(string path, string value)
    {
        var parts = path.Split('.');
        var json = value;
        for (var i = parts.Length - 1; i >= 0; i--) json = $"{{\"{parts[i]}\":{json}}}";
        return json;
    }

    /// <summary>Values for a query parameter that nothing should fail on (a 200 is fine, a 5xx is not).</summary>
    public static IReadOnlyList<(string What, string Raw)> QueryValues { get; } =
    [
        ("empty", ""),
        ("a NUL", "%00"),
        ("letters", "abc"),
        ("minus one", "-1"),
        ("zero", "0"),
        ("a huge integer", "99999999999999999999"),
        ("a number beyond double", "1e400"),
        ("a fraction", "1.5"),
        ("invalid UTF-8", "%FF%FE%C0%AF"),
        ("a lone surrogate", "%ED%A0%80"),
        ("a broken escape", "%zz%"),
        ("markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
        ("SQL", "'%20OR%201%3D1%20--"),
        ("a LIKE wildcard", "%25%5F%5B"),
        ("control characters", "a%01%07%1Bb"),
        ("5000 characters", new string('a', 5000)),
        ("a path", "..%2F..%2Fetc%2Fpasswd"),
        ("base64 garbage", "AAAA%2F%2F%2F%2B%2B%2B%3D%3D"),
    ];
}
