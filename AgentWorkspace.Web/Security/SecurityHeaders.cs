namespace AgentWorkspace.Web.Security;

/// <summary>
/// The headers every answer carries. The Content-Security-Policy is the one Blazor Server and MudBlazor
/// work under: scripts from this origin only (no inline script, no eval), inline styles (MudBlazor sets
/// style attributes), the circuit's WebSocket to this origin, no framing by anyone. Images from this origin only:
/// a customer's photo comes through /media/avatars (Media/AvatarEndpoints), so no tracking pixel of a customer's
/// reaches the agent's browser.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            return Task.CompletedTask;
        });
        return next(context);
    });

    /// <summary>A file of customer data is never kept by the browser or a proxy.</summary>
    public static void NoStore(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
    }
}
