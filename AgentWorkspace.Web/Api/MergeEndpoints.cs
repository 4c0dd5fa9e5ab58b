using System.Text.Json;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;

namespace AgentWorkspace.Web.Api;

/// <summary>Duplicates, merge and unmerge, export, lock and anonymize (issue 6).</summary>
internal static class MergeEndpoints
{
    /// <summary>
    /// A merge: the card that disappears into the survivor, and for fields both cards fill, which value stays: a profile
    /// field ("city") or a custom field ("cf:loyalty-tier") mapped to "survivor" or "merged".
    /// </summary>
    public sealed record MergeBody(long? MergedId = null, IReadOnlyDictionary<string, MergeChoice>? Choices = null);

    /// <summary>An erasure; <c>force</c> erases a card that still has open cases.</summary>
    public sealed record AnonymizeBody(bool? Force = null);

    public static RouteGroupBuilder MapMergeApi(this RouteGroupBuilder api)
    {
        api.MapGet("/cards/{id:long}/duplicates", async (long id, HttpContext http, DuplicateService duplicates, CancellationToken ct) =>
            Results.Ok(await duplicates.SuggestAsync(http.Actor(), id, 10, ct)))
            .WithName("GetDuplicates");

        api.MapPost("/cards/{survivorId:long}/merge", async (long survivorId, HttpContext http, MergeService merges, CancellationToken ct) =>
        {
            var request = Parse(await ApiBody.ReadAsync(http, ct));
            var result = await merges.MergeAsync(http.Actor(), survivorId, request.MergedId, request.Choices, ct);
            return Results.Ok(result);
        }).WithName("MergeCards")
        .AcceptsJsonBody<MergeBody>("The card merged into the survivor (mergedId) and, per field both fill, the value kept (choices: field → survivor or merged; a field the cards do not have is refused).");

        api.MapPost("/merges/{mergeId:long}/undo", async (long mergeId, HttpContext http, MergeService merges, CancellationToken ct) =>
        {
            await merges.UndoAsync(http.Actor(), mergeId, ct);
            return Results.Ok(new { mergeId, undone = true });
        }).WithName("UndoMerge");

        api.MapGet("/cards/{id:long}/export", (long id, string? format, HttpContext http, PrivacyService privacy, CancellationToken ct) =>
            ExportFileAsync(privacy, http.Actor(), id, format, ct, http.Response)).WithName("ExportCard");

        api.MapPost("/cards/{id:long}/lock", async (long id, HttpContext http, PrivacyService privacy, CancellationToken ct) =>
        {
            await privacy.LockAsync(http.Actor(), id, ct);
            return Results.Ok(new { id, locked = true });
        }).WithName("LockCard");

        api.MapPost("/cards/{id:long}/unlock", async (long id, HttpContext http, PrivacyService privacy, CancellationToken ct) =>
        {
            await privacy.UnlockAsync(http.Actor(), id, ct);
            return Results.Ok(new { id, locked = false });
        }).WithName("UnlockCard");

        api.MapPost("/cards/{id:long}/anonymize", async (long id, HttpContext http, PrivacyService privacy, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync<AnonymizeBody>(http, ct);
            await privacy.AnonymizeAsync(http.Actor(), id, body.Force ?? false, ct);
            return Results.Ok(new { id, anonymized = true });
        }).WithName("AnonymizeCard")
        .AcceptsJsonBody<AnonymizeBody>("{ \"force\": false } erases a card without open cases; { \"force\": true } erases it anyway. The body is required (an erasure is never a bare POST).");
        return api;
    }

    private static (long MergedId, Dictionary<string, MergeChoice> Choices) Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object) throw new DomainException("The body is a JSON object { \"mergedId\", \"choices\" }.");
        if (!body.TryGetProperty("mergedId", out var m) || m.ValueKind != JsonValueKind.Number || !m.TryGetInt64(out var mergedId))
            throw new DomainException("mergedId is required: the id of the card that disappears into the survivor.", "mergedId");
        var choices = new Dictionary<string, MergeChoice>();
        if (body.TryGetProperty("choices", out var c) && c.ValueKind != JsonValueKind.Null)
        {
            if (c.ValueKind != JsonValueKind.Object) throw new DomainException("choices maps a field to \"survivor\" or \"merged\".", "choices");
            foreach (var p in c.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String || !Enum.TryParse<MergeChoice>(p.Value.GetString(), true, out var choice) || !Enum.IsDefined(choice))
                    throw new DomainException($"choices.{p.Name} is \"survivor\" or \"merged\".", "choices." + p.Name);
                choices[p.Name] = choice;
            }
        }
        return (mergedId, choices);
    }

    /// <summary>Everything about the contact as a JSON file, or its messages as CSV (<c>format=csv</c>); another format is refused.</summary>
    public static async Task<IResult> ExportFileAsync(PrivacyService privacy, Core.Domain.Identity.Actor actor, long id, string? format, CancellationToken ct, HttpResponse? response = null)
    {
        if (format is not null && !string.Equals(format, "json", StringComparison.OrdinalIgnoreCase) && !string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
            throw new DomainException("format is json (everything about the contact, the default) or csv (their messages).", "format");
        if (response is not null) Security.SecurityHeaders.NoStore(response);
        return string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase)
            ? Results.File(System.Text.Encoding.UTF8.GetBytes(await privacy.ExportMessagesCsvAsync(actor, id, ct)), "text/csv; charset=utf-8", $"card-{id}-messages.csv")
            : Results.File(System.Text.Encoding.UTF8.GetBytes(await privacy.ExportJsonAsync(actor, id, ct)), "application/json; charset=utf-8", $"card-{id}.json");
    }
}
