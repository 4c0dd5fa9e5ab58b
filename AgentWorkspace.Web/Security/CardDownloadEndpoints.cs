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
                return await Api.MergeEndpoints.ExportFileAsync(privacy, actor, id, format, ct, http.Response);
            }
            catch (ForbiddenException ex) { return Results.Problem(title: "Forbidden", detail: ex.Message, statusCode: StatusCodes.Status403Forbidden); }
            catch (NotFoundException ex) { return Results.Problem(title: "Not found", detail: ex.Message, statusCode: StatusCodes.Status404NotFound); }
            catch (DomainException ex) { return Api.ApiSetup.Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Message, ex.Field); }
        }).RequireAuthorization(Policies.Supervisor);
    }
}
