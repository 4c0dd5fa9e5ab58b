using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Privacy;

namespace AgentWorkspace.Web.Security;

/// <summary>
/// The export buttons of a card are plain links: the browser downloads the file with the signed-in
/// user's cookie. The service checks the role again (supervisors); the API has the same export
/// under /api/v1 for scripts.
/// </summary>
public static class CardDownloadEndpoints
{
    public static void MapCardDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/cards/{id:long}/export", async (long id, string? format, HttpContext http, PrivacyService privacy, CancellationToken ct) =>
        {
            var actor = ActorAccessor.FromPrincipal(http.User);
            if (actor is null) return Results.Unauthorized();
            try
            {
                if (string.Equals(format, "csv", StringComparison.OrdinalIgnoreCase))
                    return Results.File(System.Text.Encoding.UTF8.GetBytes(await privacy.ExportMessagesCsvAsync(actor, id, ct)), "text/csv; charset=utf-8", $"card-{id}-messages.csv");
                return Results.File(System.Text.Encoding.UTF8.GetBytes(await privacy.ExportJsonAsync(actor, id, ct)), "application/json; charset=utf-8", $"card-{id}.json");
            }
            catch (ForbiddenException ex) { return Results.Problem(title: "Forbidden", detail: ex.Message, statusCode: StatusCodes.Status403Forbidden); }
            catch (NotFoundException ex) { return Results.Problem(title: "Not found", detail: ex.Message, statusCode: StatusCodes.Status404NotFound); }
        }).RequireAuthorization(Policies.Supervisor);
    }
}
