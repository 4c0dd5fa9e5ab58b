using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.Matching;

namespace AgentWorkspace.Web.Api;

/// <summary>Auto-merge (issue 21, ADR 023): levels, previews with their pairs, runs and their undo. Administrators only.</summary>
internal static class MatchingEndpoints
{
    /// <summary>A level: name, enabled, the attributes that must all match, the minimum score and the exclusions.</summary>
    public sealed record MatchingRuleBody(string? Name = null, bool? Enabled = null, IReadOnlyList<MatchAttributes>? Attributes = null, long? CustomFieldId = null,
        double? MinScore = null, bool? ExcludeLocked = null, IReadOnlyList<long>? ExcludeQueueIds = null, long? ExcludeFieldId = null, string? ExcludeFieldValue = null);

    /// <summary>A run of a preview.</summary>
    public sealed record MatchRunBody(long? PreviewId = null);

    /// <summary>Excludes a pair of a preview from its run, or includes it again.</summary>
    public sealed record MatchPairExclusionBody(bool? Excluded = null);

    public static RouteGroupBuilder MapMatchingApi(this RouteGroupBuilder api)
    {
        api.MapGet("/matching/rules", async (HttpContext http, MatchingRuleService rules, CancellationToken ct) =>
            Results.Ok(await rules.ListAsync(http.Actor(), ct))).WithName("GetMatchingRules");

        api.MapPost("/matching/rules", async (HttpContext http, MatchingRuleService rules, CancellationToken ct) =>
        {
            var view = await rules.CreateAsync(http.Actor(), Input(await ApiBody.ReadAsync<MatchingRuleBody>(http, ct)), ct);
            return Results.Created($"/api/v1/matching/rules/{view.Id}", view);
        }).WithName("CreateMatchingRule")
        .AcceptsJsonBody<MatchingRuleBody>("A level: name, enabled, attributes (phone, email, socialId, nameCompany, nameCity, customField; all must match), customFieldId (with customField), minScore (0 to 1), excludeLocked, excludeQueueIds, excludeFieldId and excludeFieldValue.");

        api.MapPut("/matching/rules/{id:long}", async (long id, HttpContext http, MatchingRuleService rules, CancellationToken ct) =>
            Results.Ok(await rules.UpdateAsync(http.Actor(), id, Input(await ApiBody.ReadAsync<MatchingRuleBody>(http, ct)), ct)))
        .WithName("UpdateMatchingRule")
        .AcceptsJsonBody<MatchingRuleBody>("The level as it should be (every field; as when adding one).");

        api.MapDelete("/matching/rules/{id:long}", async (long id, HttpContext http, MatchingRuleService rules, CancellationToken ct) =>
        {
            await rules.DeleteAsync(http.Actor(), id, ct);
            return Results.NoContent();
        }).WithName("DeleteMatchingRule");

        api.MapPost("/matching/preview", async (HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var view = await automerge.StartPreviewAsync(http.Actor(), ct);
            return Results.Accepted($"/api/v1/matching/preview/{view.Id}", new { view.Id, view.State, view.Counts });
        }).WithName("StartMatchingPreview");

        api.MapGet("/matching/preview/{id:long}", async (long id, long? after, int? limit, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var page = await automerge.GetPairsAsync(http.Actor(), id, after, limit ?? 100, ct);
            return Results.Ok(new { page.Preview.Id, page.Preview.State, page.Preview.Step, page.Preview.Steps, page.Preview.Counts, page.Preview.RunId,
                page.Preview.Error, page.Preview.Stale, page.Pairs, page.Next });
        }).WithName("GetMatchingPreview");

        api.MapGet("/matching/preview/{id:long}/csv", async (long id, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var actor = http.Actor();
            await automerge.GetPreviewAsync(actor, id, ct);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"matching-preview-{id}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false), leaveOpen: true);
            await automerge.ExportCsvAsync(actor, id, writer, ct);
            await writer.FlushAsync(ct);
            return Results.Empty;
        }).WithName("ExportMatchingPreview");

        api.MapPost("/matching/preview/{id:long}/pairs/{pairId:long}/exclusion", async (long id, long pairId, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync<MatchPairExclusionBody>(http, ct);
            if (body.Excluded is not { } excluded) throw new DomainException("excluded is required: true to leave the pair out of the run, false to put it back.", "excluded");
            return Results.Ok(await automerge.SetPairExcludedAsync(http.Actor(), id, pairId, excluded, ct));
        }).WithName("SetMatchingPairExclusion")
        .AcceptsJsonBody<MatchPairExclusionBody>("excluded: true leaves the pair out of the run, false puts it back.");

        api.MapPost("/matching/runs", async (HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync<MatchRunBody>(http, ct);
            if (body.PreviewId is not { } previewId) throw new DomainException("previewId is required: the preview to run.", "previewId");
            var view = await automerge.StartRunAsync(http.Actor(), previewId, ct);
            return Results.Accepted($"/api/v1/matching/runs/{view.Id}", view);
        }).WithName("StartMatchingRun")
        .AcceptsJsonBody<MatchRunBody>("previewId: a ready preview, not yet run and not older than an hour.");

        api.MapGet("/matching/runs/{id:long}", async (long id, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
            Results.Ok(await automerge.GetRunAsync(http.Actor(), id, ct))).WithName("GetMatchingRun");

        api.MapPost("/matching/runs/{id:long}/undo", async (long id, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
            Results.Accepted($"/api/v1/matching/runs/{id}", await automerge.UndoRunAsync(http.Actor(), id, ct))).WithName("UndoMatchingRun");
        return api;
    }

    private static MatchingRuleInput Input(MatchingRuleBody b) =>
        new(b.Name, b.Enabled ?? true, (b.Attributes ?? []).Aggregate(MatchAttributes.None, (all, a) => all | a), b.CustomFieldId,
            b.MinScore ?? throw new DomainException("minScore is required (0 to 1).", "minScore"), b.ExcludeLocked ?? true, b.ExcludeQueueIds,
            b.ExcludeFieldId, b.ExcludeFieldValue);
}
