using System.Text.Json;

namespace AgentWorkspace.Tests.Api;

public sealed record ApiParameter(string Name, string In, JsonElement Schema);

/// <summary>One operation of the OpenAPI document: method, path template, parameters and the request body's schema (resolved).</summary>
public sealed record ApiOperation(string Method, string Path, IReadOnlyList<ApiParameter> Parameters, JsonElement? Body)
{
    public override string ToString() => $"{Method} {Path}";
    public IEnumerable<ApiParameter> PathParameters => Parameters.Where(p => p.In == "path");
    public IEnumerable<ApiParameter> QueryParameters => Parameters.Where(p => p.In == "query");
    public bool IsRead => Method is "GET" or "HEAD";
}

/// <summary>Reading the app's own OpenAPI 3.1 document: its operations and what their schemas say.</summary>
public static class OpenApiOperations
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    public static IReadOnlyList<ApiOperation> Read(JsonElement document, string prefix)
    {
        var operations = new List<ApiOperation>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            if (!path.Name.StartsWith(prefix, StringComparison.Ordinal)) continue;
            foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
            {
                var parameters = new List<ApiParameter>();
                foreach (var source in new[] { path.Value, method.Value })
                {
                    if (!source.TryGetProperty("parameters", out var list)) continue;
                    foreach (var p in list.EnumerateArray().Select(p => Resolve(document, p)))
                        parameters.Add(new ApiParameter(p.GetProperty("name").GetString()!, p.GetProperty("in").GetString()!,
                            p.TryGetProperty("schema", out var s) ? Resolve(document, s) : default));
                }
                JsonElement? body = null;
                if (method.Value.TryGetProperty("requestBody", out var requestBody)
                    && Resolve(document, requestBody).GetProperty("content").TryGetProperty("application/json", out var json)
                    && json.TryGetProperty("schema", out var schema))
                    body = Resolve(document, schema);
                operations.Add(new ApiOperation(method.Name.ToUpperInvariant(), path.Name, parameters, body));
            }
        }
        return operations;
    }

    /// <summary>The schema a "$ref" points to (components), followed until it is not a reference.</summary>
    public static JsonElement Resolve(JsonElement document, JsonElement node)
    {
        for (var hops = 0; hops < 16 && node.ValueKind == JsonValueKind.Object && node.TryGetProperty("$ref", out var reference); hops++)
        {
            var target = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
                target = target.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
            node = target;
        }
        return node;
    }

    /// <summary>The JSON types a schema allows, without "null" ("string", "integer", "object"...); "enum" when it lists values; empty when anything goes.</summary>
    public static IReadOnlyList<string> Types(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object) return [];
        if (schema.TryGetProperty("enum", out _)) return ["enum"];
        var types = new List<string>();
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String) types.Add(type.GetString()!);
            else types.AddRange(type.EnumerateArray().Select(t => t.GetString()!));
        }
        foreach (var combinator in new[] { "oneOf", "anyOf" })
            if (schema.TryGetProperty(combinator, out var options))
                types.AddRange(options.EnumerateArray().SelectMany(Types));
        return types.Where(t => t != "null").Distinct().ToList();
    }

    /// <summary>The names an object schema's properties have.</summary>
    public static IEnumerable<(string Name, JsonElement Schema)> Properties(JsonElement document, JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var properties)
            ? properties.EnumerateObject().Select(p => (p.Name, Resolve(document, p.Value)))
            : [];

    /// <summary>An object schema closed to other names ("additionalProperties": false).</summary>
    public static bool IsClosed(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.False;

    /// <summary>The schema of a map's values ("additionalProperties": { ... }), or null when the object is not a map.</summary>
    public static JsonElement? MapValues(JsonElement document, JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("additionalProperties", out var extra) && extra.ValueKind == JsonValueKind.Object
            ? Resolve(document, extra)
            : null;
}
