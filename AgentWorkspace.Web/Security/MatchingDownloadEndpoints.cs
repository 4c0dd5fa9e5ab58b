using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Matching;

namespace AgentWorkspace.Web.Security;

/// <summary>
/// "Download CSV" on the auto-merge page is a plain link: the browser downloads a preview's pairs with the signed-in
/// administrator's cookie (the service checks the role again). Scripts have the same export under /api/v1 with a key.
/// </summary>
public static class MatchingDownloadEndpoints
{
    public static string PreviewCsv(long previewId) => $"/admin/matching/preview/{previewId}/csv";

    public static void MapMatchingDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/matching/preview/{id:long}/csv", async (long id, HttpContext http, AutoMergeService automerge, CancellationToken ct) =>
        {
            var actor = ActorAccessor.FromPrincipal(http.User);
            if (actor is null) return Results.Unauthorized();
            try
            {
                // Checked before the first byte: a refusal is still a status, not half a file.
                await automerge.GetPreviewAsync(actor, id, ct);
            }
            catch (ForbiddenException ex) { return Results.Problem(title: "Forbidden", detail: ex.Message, statusCode: StatusCodes.Status403Forbidden); }
            catch (NotFoundException ex) { return Results.Problem(title: "Not found", detail: ex.Message, statusCode: StatusCodes.Status404NotFound); }
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"matching-preview-{id}.csv\"";
            await using var writer = new StreamWriter(http.Response.Body, new System.Text.UTF8Encoding(false), leaveOpen: true);
            await automerge.ExportCsvAsync(actor, id, writer, ct);
            await writer.FlushAsync(ct);
            return Results.Empty;
        }).RequireAuthorization(Policies.Admin);
    }
}
