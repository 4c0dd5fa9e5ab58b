using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using AgentWorkspace.Core.Domain.Common;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// The JSON body an operation reads, described by a wire contract: a record whose properties are the accepted
/// fields. The same record is the request schema of the OpenAPI document and the rule every request is held to.
/// </summary>
public sealed record JsonBodyContract(Type Type, string Description, int MaxDepth);

/// <summary>A request refused before it reaches a use case (wrong media type, body too large): a 4xx problem, optionally naming a field.</summary>
internal sealed class ApiRequestException(int status, string message, string? field = null) : Exception(message)
{
    public int Status { get; } = status;
    public string? Field { get; } = field;
}

/// <summary>
/// One way to read a JSON request body, for every operation under /api/v1. The body must be JSON (else 415), present,
/// well-formed UTF-8 JSON no deeper than the operation allows, and of the contract's shape: an object where the contract
/// is a record, with no property it does not name (strict: an unknown property is refused and named, so a typo is never
/// silently ignored), none twice, each of the JSON kind its type says (text, whole number in range, finite number,
/// true/false, array, object), enum values as names (never numbers), and every text valid Unicode. Dictionaries and
/// <see cref="JsonElement"/> properties are the open parts of a contract (free-form maps such as an interaction's context
/// variables): their keys are not checked, their text is. Anything else is a 4xx problem naming the JSON path at fault
/// ("profile.firstName", "identities[1].channel", "$" for the body itself); the endpoint then reads the fields' meaning.
/// </summary>
internal static class ApiBody
{
    public const int DefaultMaxDepth = 32;
    private const int ShownNameLength = 60;

    /// <summary>Declares the operation's JSON body: documented in the OpenAPI document and checked by <see cref="ReadAsync(HttpContext, CancellationToken)"/>.</summary>
    /// <remarks>
    /// Not <c>Accepts&lt;T&gt;()</c>: that lets routing turn away other media types with a bare 415 before the endpoint;
    /// here the refusal says what to send.
    /// </remarks>
    public static RouteHandlerBuilder AcceptsJsonBody<T>(this RouteHandlerBuilder builder, string description, int maxDepth = DefaultMaxDepth) where T : class =>
        builder
            .WithMetadata(new JsonBodyContract(typeof(T), description, maxDepth))
            .AddOpenApiOperationTransformer(async (operation, context, ct) =>
            {
                var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct);
                operation.RequestBody = new Microsoft.OpenApi.OpenApiRequestBody
                {
                    Required = true,
                    Description = description,
                    Content = new Dictionary<string, Microsoft.OpenApi.OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
                };
            });

    /// <summary>The body as a JSON element of the operation's declared contract (see the class summary for what is refused).</summary>
    public static async Task<JsonElement> ReadAsync(HttpContext http, CancellationToken ct)
    {
        var contract = http.GetEndpoint()?.Metadata.GetMetadata<JsonBodyContract>()
            ?? throw new InvalidOperationException($"{http.Request.Method} {http.Request.Path} reads a JSON body but declares none (AcceptsJsonBody<T>): the OpenAPI document would not show it and nothing would check it.");
        var request = http.Request;
        // No body at all (HTTP/1.1 without Content-Length or chunking, HTTP/2 ending the stream with the headers) or an empty one.
        var none = request.ContentLength == 0 || http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false;
        if (none) throw Refuse("$", "The body is required: a JSON object.");
        if (!request.HasJsonContentType())
            throw new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Send the body as JSON (Content-Type: application/json).", "Content-Type");

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty) throw Refuse("$", "The body is required: a JSON object.");

        JsonDocument document;
        try
        {
            // Duplicates are found by the contract walk below, which can name them.
            document = JsonDocument.Parse(bytes, new JsonDocumentOptions { MaxDepth = contract.MaxDepth });
        }
        catch (JsonException ex)
        {
            throw Refuse("$", $"The body is not valid JSON: {ReaderMessage(ex, contract.MaxDepth)}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind == JsonValueKind.Null) throw Refuse("$", "The body is required: a JSON object, not null.");
            var options = Options(http);
            Check(document.RootElement, options.GetTypeInfo(contract.Type), "$", options);
            return document.RootElement.Clone();
        }
    }

    /// <summary>The body checked as above, then as the contract's record.</summary>
    public static async Task<T> ReadAsync<T>(HttpContext http, CancellationToken ct) where T : class
    {
        if (http.GetEndpoint()?.Metadata.GetMetadata<JsonBodyContract>() is { } declared && declared.Type != typeof(T))
            throw new InvalidOperationException($"{http.Request.Method} {http.Request.Path} declares its body as {declared.Type.Name} but reads {typeof(T).Name}.");
        var element = await ReadAsync(http, ct);
        try
        {
            return element.Deserialize<T>(Options(http)) ?? throw Refuse("$", "The body is required: a JSON object.");
        }
        catch (JsonException ex)
        {
            var field = FieldOf(ex.Path);
            throw Refuse(field, field == "$" ? "The body does not have the expected shape." : $"{field} has a value that is not accepted here.");
        }
    }

    /// <summary>A JSON path of System.Text.Json ("$.profile.firstName", "$['a b']") as the API names fields ("profile.firstName", "$" for the body).</summary>
    public static string FieldOf(string? jsonPath)
    {
        if (string.IsNullOrEmpty(jsonPath) || jsonPath == "$") return "$";
        return jsonPath.StartsWith("$.", StringComparison.Ordinal) ? jsonPath[2..] : jsonPath.TrimStart('$');
    }

    /// <summary>A reader's complaint without its position suffix (given separately, 1-based, for people).</summary>
    private static string ReaderMessage(JsonException ex, int maxDepth)
    {
        var text = ex.Message;
        foreach (var cut in new[] { " LineNumber:", " Path:" })
        {
            var at = text.IndexOf(cut, StringComparison.Ordinal);
            if (at >= 0) text = text[..at];
        }
        text = text.Trim().TrimEnd('.', '|', ' ');
        if (text.Contains("depth", StringComparison.OrdinalIgnoreCase)) text = $"nested deeper than {maxDepth} levels";
        var where = ex.LineNumber is { } line ? $" (line {line + 1}, position {ex.BytePositionInLine + 1})" : string.Empty;
        return $"{text}{where}.";
    }

    private static JsonSerializerOptions Options(HttpContext http) =>
        http.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;

    private static void Check(JsonElement element, JsonTypeInfo info, string path, JsonSerializerOptions options)
    {
        var type = Nullable.GetUnderlyingType(info.Type) ?? info.Type;
        // Whether a field may be null or absent is the endpoint's rule (it names the missing field); its kind is checked here.
        if (element.ValueKind == JsonValueKind.Null) return;
        if (type == typeof(JsonElement) || type == typeof(object) || typeof(JsonNode).IsAssignableFrom(type))
        {
            CheckOpen(element, path);
            return;
        }
        switch (info.Kind)
        {
            case JsonTypeInfoKind.Object:
                CheckObject(element, info, path, options);
                break;
            case JsonTypeInfoKind.Enumerable:
                if (element.ValueKind != JsonValueKind.Array) throw Refuse(path, $"{Say(path)} is an array.");
                var i = 0;
                var items = options.GetTypeInfo(info.ElementType!);
                foreach (var item in element.EnumerateArray()) Check(item, items, $"{path}[{i++}]", options);
                break;
            case JsonTypeInfoKind.Dictionary:
                if (element.ValueKind != JsonValueKind.Object) throw Refuse(path, $"{Say(path)} is a JSON object.");
                var values = options.GetTypeInfo(info.ElementType!);
                var keys = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    var name = NameOf(p, path);
                    var at = Join(path, name);
                    if (!keys.Add(name)) throw Refuse(at, $"'{Show(name)}' appears twice in {Say(path)}.");
                    Check(p.Value, values, at, options);
                }
                break;
            default:
                CheckScalar(element, type, path);
                break;
        }
    }

    private static void CheckObject(JsonElement element, JsonTypeInfo info, string path, JsonSerializerOptions options)
    {
        if (element.ValueKind != JsonValueKind.Object)
            throw Refuse(path, path == "$" ? $"The body is a JSON object {{ {Known(info)} }}." : $"{Say(path)} is a JSON object {{ {Known(info)} }}.");
        var comparison = options.PropertyNameCaseInsensitive ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in element.EnumerateObject())
        {
            var name = NameOf(p, path);
            var at = Join(path, name);
            JsonPropertyInfo? property = null;
            foreach (var candidate in info.Properties)
            {
                if (candidate.Get is null && candidate.Set is null) continue;
                if (string.Equals(candidate.Name, name, StringComparison.Ordinal)) { property = candidate; break; }
                if (property is null && string.Equals(candidate.Name, name, comparison)) property = candidate;
            }
            if (property is null)
                throw Refuse(at, $"Unknown property '{Show(name)}'{(path == "$" ? "" : " in " + path)}; the known ones are {Known(info)}.");
            if (!seen.Add(property.Name)) throw Refuse(at, $"'{Show(name)}' appears twice{(path == "$" ? "" : " in " + path)}.");
            Check(p.Value, options.GetTypeInfo(property.PropertyType), at, options);
        }
    }

    private static void CheckScalar(JsonElement element, Type type, string path)
    {
        if (type.IsEnum)
        {
            var names = string.Join(", ", Enum.GetNames(type).Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
            if (element.ValueKind != JsonValueKind.String) throw Refuse(path, $"{Say(path)} is one of {names} (a name, not a number).");
            var text = Text(element, path).Trim();
            if (text.Length == 0 || char.IsDigit(text[0]) || text[0] is '-' or '+')
                throw Refuse(path, $"{Say(path)} is one of {names} (a name, not a number).");
            return;
        }
        switch (Type.GetTypeCode(type))
        {
            case TypeCode.Boolean:
                if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Refuse(path, $"{Say(path)} is true or false.");
                return;
            case TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64:
                var (min, max) = Range(Type.GetTypeCode(type));
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetInt64(out var whole) || whole < min || whole > max)
                    throw Refuse(path, $"{Say(path)} is a whole number from {min} to {max}.");
                return;
            case TypeCode.UInt64:
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetUInt64(out _)) throw Refuse(path, $"{Say(path)} is a whole number from 0 to {ulong.MaxValue}.");
                return;
            case TypeCode.Single or TypeCode.Double or TypeCode.Decimal:
                if (element.ValueKind != JsonValueKind.Number || !element.TryGetDouble(out var real) || !double.IsFinite(real)
                    || (type == typeof(decimal) && !element.TryGetDecimal(out _)) || (type == typeof(float) && !float.IsFinite((float)real)))
                    throw Refuse(path, $"{Say(path)} is a number.");
                return;
            default:
                // Text, and what travels as text (dates, ids, addresses): the endpoint parses its format.
                if (element.ValueKind != JsonValueKind.String) throw Refuse(path, $"{Say(path)} is a string.");
                Text(element, path);
                return;
        }
    }

    private static (long Min, long Max) Range(TypeCode code) => code switch
    {
        TypeCode.Byte => (byte.MinValue, byte.MaxValue),
        TypeCode.SByte => (sbyte.MinValue, sbyte.MaxValue),
        TypeCode.Int16 => (short.MinValue, short.MaxValue),
        TypeCode.UInt16 => (ushort.MinValue, ushort.MaxValue),
        TypeCode.Int32 => (int.MinValue, int.MaxValue),
        TypeCode.UInt32 => (uint.MinValue, uint.MaxValue),
        _ => (long.MinValue, long.MaxValue),
    };

    /// <summary>A free-form part: any JSON, but its names and texts must be valid Unicode and no name may appear twice.</summary>
    private static void CheckOpen(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                Text(element, path);
                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray()) CheckOpen(item, $"{path}[{i++}]");
                break;
            case JsonValueKind.Object:
                var names = new HashSet<string>(StringComparer.Ordinal);
                foreach (var p in element.EnumerateObject())
                {
                    var name = NameOf(p, path);
                    if (!names.Add(name)) throw Refuse(Join(path, name), $"'{Show(name)}' appears twice in {Say(path)}.");
                    CheckOpen(p.Value, Join(path, name));
                }
                break;
        }
    }

    /// <summary>The text of a string; invalid UTF-8 bytes and lone surrogate escapes ("\ud800") are refused, naming where.</summary>
    private static string Text(JsonElement element, string path)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Refuse(path, $"{Say(path)} is not valid Unicode text (invalid UTF-8 or a lone surrogate).");
        }
    }

    private static string NameOf(JsonProperty property, string parent)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Refuse(parent, $"A property name in {Say(parent)} is not valid Unicode text (invalid UTF-8 or a lone surrogate).");
        }
    }

    private static string Known(JsonTypeInfo info) => string.Join(", ", info.Properties.Where(p => p.Get is not null || p.Set is not null).Select(p => p.Name));

    private static string Join(string path, string name)
    {
        var shown = name.Length > ShownNameLength ? name[..ShownNameLength] + "…" : name;
        return path == "$" ? shown : $"{path}.{shown}";
    }

    private static string Say(string path) => path == "$" ? "the body" : path;

    /// <summary>A name from the request echoed in a message: without control characters, cut short.</summary>
    private static string Show(string value)
    {
        var clean = new string(value.Where(c => !char.IsControl(c)).Take(40).ToArray());
        return value.Length > 40 ? clean + "…" : clean;
    }

    private static DomainException Refuse(string field, string message) => new(message, field);
}
