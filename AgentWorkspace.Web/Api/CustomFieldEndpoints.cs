using System.Text.Json;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.CustomFields;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// The custom-field editor over HTTP (issue 5): the same rules as the form, problem details naming
/// the field (a duplicate ident is a 409).
/// </summary>
internal static class CustomFieldEndpoints
{
    public sealed record LabelsDto(string? Fr, string? En);

    public sealed record CustomFieldDto(string Ident, string Label, LabelsDto Labels, string Type, IReadOnlyList<string> Options,
        bool VisibleInRightPanel, bool Editable, bool VisibleInCard, int DisplayOrder, bool Archived, int ValueCount);

    /// <summary>A new custom field (the form's fields).</summary>
    public sealed record CreateCustomFieldBody(
        string? Ident = null, string? Label = null, LabelsDto? Labels = null, CustomFieldType? Type = null, IReadOnlyList<string>? Options = null,
        bool? VisibleInRightPanel = null, bool? Editable = null, bool? VisibleInCard = null);

    /// <summary>
    /// A change to a field: what is absent stays as it is. <c>renamedOptions</c> maps an option to its new name;
    /// <c>removedOptions</c> maps a removed option to the option its values move to, or to null to clear them.
    /// </summary>
    public sealed record UpdateCustomFieldBody(
        string? Ident = null, string? Label = null, LabelsDto? Labels = null, CustomFieldType? Type = null, IReadOnlyList<string>? Options = null,
        bool? VisibleInRightPanel = null, bool? Editable = null, bool? VisibleInCard = null,
        IReadOnlyDictionary<string, string>? RenamedOptions = null, IReadOnlyDictionary<string, string?>? RemovedOptions = null, bool? Archived = null);

    public static RouteGroupBuilder MapCustomFieldsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/custom-fields", async (bool? includeArchived, HttpContext http, CustomFieldService fields, CancellationToken ct) =>
            Results.Ok((await fields.ListAsync(http.Actor(), includeArchived ?? true, ct)).Select(Dto)))
            .WithName("ListCustomFields");

        api.MapGet("/custom-fields/{ident}", async (string ident, HttpContext http, CustomFieldService fields, CancellationToken ct) =>
            Results.Ok(Dto(await fields.GetAsync(http.Actor(), ident, ct))))
            .WithName("GetCustomField");

        api.MapPost("/custom-fields", async (HttpContext http, CustomFieldService fields, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync(http, ct);
            var input = new CustomFieldInput(
                String(body, "ident"), String(body, "label"), Label(body, "fr"), Label(body, "en"), String(body, "type"),
                Options(body), Bool(body, "visibleInRightPanel") ?? false, Bool(body, "editable") ?? false, Bool(body, "visibleInCard") ?? false);
            var created = await fields.CreateAsync(http.Actor(), input, ct);
            return Results.Created($"/api/v1/custom-fields/{Uri.EscapeDataString(created.Ident)}", Dto(created));
        }).WithName("CreateCustomField")
        .AcceptsJsonBody<CreateCustomFieldBody>("A new custom field: ident (fixed once created), label and labels by language, type, options of a dropdown, where it shows.");

        api.MapPut("/custom-fields/{ident}", async (string ident, HttpContext http, CustomFieldService fields, CancellationToken ct) =>
        {
            var actor = http.Actor();
            var body = await ApiBody.ReadAsync(http, ct);
            var current = await fields.GetAsync(actor, ident, ct);
            var labels = body.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Object;
            var input = new CustomFieldInput(
                String(body, "ident"),
                body.TryGetProperty("label", out _) ? String(body, "label") : current.Label,
                labels ? Label(body, "fr") : current.LabelFr,
                labels ? Label(body, "en") : current.LabelEn,
                String(body, "type"),
                body.TryGetProperty("options", out _) ? Options(body) : current.Options,
                Bool(body, "visibleInRightPanel") ?? current.VisibleInRightPanel,
                Bool(body, "editable") ?? current.Editable,
                Bool(body, "visibleInCard") ?? current.VisibleInCard);
            var changes = new OptionChanges(StringMap(body, "renamedOptions"), RemovalMap(body, "removedOptions"));
            var updated = await fields.UpdateAsync(actor, ident, input, changes, ct);
            if (Bool(body, "archived") is { } archived && archived != updated.IsArchived)
                updated = archived ? await fields.ArchiveAsync(actor, ident, ct) : await fields.RestoreAsync(actor, ident, ct);
            return Results.Ok(Dto(updated));
        }).WithName("UpdateCustomField")
        .AcceptsJsonBody<UpdateCustomFieldBody>("What changes in the field; what is absent stays as it is.");

        api.MapDelete("/custom-fields/{ident}", async (string ident, HttpContext http, CustomFieldService fields, CancellationToken ct) =>
        {
            await fields.DeleteAsync(http.Actor(), ident, ct);
            return Results.NoContent();
        }).WithName("DeleteCustomField");
        return api;
    }

    public static CustomFieldDto Dto(CustomFieldView f) =>
        new(f.Ident, f.Label, new LabelsDto(f.LabelFr, f.LabelEn), CustomFieldRules.TypeName(f.Type), f.Options,
            f.VisibleInRightPanel, f.Editable, f.VisibleInCard, f.DisplayOrder, f.IsArchived, f.ValueCount);

    private static string? String(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new DomainException($"{name} must be a string.", name);
    }

    private static bool? Bool(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new DomainException($"{name} must be true or false.", name),
        };
    }

    private static string? Label(JsonElement body, string language)
    {
        if (!body.TryGetProperty("labels", out var labels) || labels.ValueKind == JsonValueKind.Null) return null;
        if (labels.ValueKind != JsonValueKind.Object) throw new DomainException("labels must be an object { \"fr\", \"en\" }.", "labels");
        if (!labels.TryGetProperty(language, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new DomainException($"labels.{language} must be a string.", "labels." + language);
    }

    private static List<string>? Options(JsonElement body)
    {
        if (!body.TryGetProperty("options", out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Array) throw new DomainException("options must be an array of strings.", "options");
        return v.EnumerateArray().Select(o => o.ValueKind == JsonValueKind.String ? o.GetString()! : throw new DomainException("options must be an array of strings.", "options")).ToList();
    }

    private static Dictionary<string, string>? StringMap(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new DomainException($"{name} maps an old option to its new name.", name);
        return v.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : throw new DomainException($"{name}.{p.Name} must be a string.", name));
    }

    private static Dictionary<string, string?>? RemovalMap(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind != JsonValueKind.Object) throw new DomainException($"{name} maps a removed option to the option its values move to, or to null to clear them.", name);
        return v.EnumerateObject().ToDictionary(p => p.Name,
            p => p.Value.ValueKind switch
            {
                JsonValueKind.String => p.Value.GetString(),
                JsonValueKind.Null => (string?)null,
                _ => throw new DomainException($"{name}.{p.Name} is an option or null.", name),
            });
    }
}
