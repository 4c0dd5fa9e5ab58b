using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Security;

namespace AgentWorkspace.Web.Media;

/// <summary>
/// <c>GET /media/avatars/{cardId}</c>, for signed-in users: the card's photo as this server fetched it
/// (<see cref="AvatarFetcher"/>), or, when there is none or it cannot be fetched, the contact's initials as an SVG
/// picture. So an img always gets a picture: the page needs no onerror handler (which the Content-Security-Policy
/// would refuse as inline script), and the agent's browser loads images from this origin only (<c>img-src 'self' data:</c>).
/// </summary>
public static class AvatarEndpoints
{
    public static IEndpointRouteBuilder MapAvatars(this IEndpointRouteBuilder app)
    {
        app.MapGet("/media/avatars/{cardId:long}", async (long cardId, HttpContext http, CardReads cards, AvatarFetcher avatars, CancellationToken ct) =>
        {
            var actor = ActorAccessor.FromPrincipal(http.User);
            if (actor is null) return Results.Unauthorized();
            var source = await cards.GetAvatarSourceAsync(actor, cardId, ct);
            if (source is null) return Results.NotFound();
            var image = source.AvatarUrl is { } url ? await avatars.GetAsync(cardId, url, ct) : null;
            var headers = http.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            // The agent's browser keeps it, no shared cache does: the photo is customer data.
            headers.CacheControl = image is null ? "private, max-age=300" : "private, max-age=3600";
            return image is null
                ? Results.Bytes(AvatarInitials.Svg(source.DisplayName), "image/svg+xml")
                : Results.Bytes(image.Bytes, image.ContentType);
        }).RequireAuthorization(Policies.Agent).ExcludeFromDescription();
        return app;
    }

    public static IServiceCollection AddAvatars(this IServiceCollection services, IConfiguration configuration)
    {
        var options = AvatarOptions.From(configuration);
        services.AddSingleton(options);
        services.AddSingleton<AvatarFetcher>();
        services.AddHttpClient(AvatarFetcher.ClientName, c =>
            {
                c.Timeout = options.Timeout;
                c.DefaultRequestHeaders.UserAgent.ParseAdd("AgentWorkspace/1.0 (avatar)");
            })
            .ConfigurePrimaryHttpMessageHandler(() => AvatarFetcher.CreateHandler(options))
            // The client's own logging would write every customer's photo address to the log.
            .RemoveAllLoggers();
        return services;
    }
}
