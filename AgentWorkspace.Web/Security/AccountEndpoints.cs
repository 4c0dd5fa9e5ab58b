using AgentWorkspace.Core.Domain.Identity;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace AgentWorkspace.Web.Security;

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Sign-out is a POST with the antiforgery token, so a link or a form on another site cannot sign anyone out.
        // A minimal API endpoint without form parameters is not checked by the antiforgery middleware: it is checked here.
        app.MapPost("/account/logout", async (HttpContext http, IAntiforgery antiforgery, SignInManager<AppUser> signIn) =>
        {
            // Nobody to sign out (never signed in, or a session that ended meanwhile): nothing a forged post could do.
            if (http.User.Identity?.IsAuthenticated != true) return Results.LocalRedirect("~/account/login");
            if (!await antiforgery.IsRequestValidAsync(http))
                return Results.Problem(title: "Invalid request", detail: "Sign out from the app's own button: the form's antiforgery token is missing or wrong.",
                    statusCode: StatusCodes.Status400BadRequest);
            await signIn.SignOutAsync();
            return Results.LocalRedirect("~/account/login");
        }).AllowAnonymous().DisableAntiforgery();
    }

    public static void MapPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        // The language choice is remembered in the culture cookie (a year) and on the user.
        app.MapGet("/preferences/culture", async (string culture, string? returnUrl, HttpContext http, UserManager<AppUser> users) =>
        {
            if (!Hosting.AgentWorkspaceApp.SupportedCultures.Contains(culture))
                return Results.Problem(title: "Unknown language", detail: $"'{culture}' is not supported; use en or fr.", statusCode: 400);
            http.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
                CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
                new CookieOptions { Expires = DateTimeOffset.UtcNow.AddYears(1), IsEssential = true, SameSite = SameSiteMode.Lax, HttpOnly = false });
            if (await users.GetUserAsync(http.User) is { } user)
            {
                user.PreferredCulture = culture;
                await users.UpdateAsync(user);
            }
            return Results.LocalRedirect(SafeReturn(returnUrl));
        }).AllowAnonymous();
    }

    /// <summary>
    /// Where to go after signing in or switching the language: the given address when it is a path of this app
    /// (the rule of ASP.NET Core's <c>Url.IsLocalUrl</c>), else the home page. An absolute address, <c>//host</c>,
    /// <c>/\host</c> and control characters (a browser drops a tab or a line break and reads <c>/\t/host</c> as
    /// <c>//host</c>) all go home.
    /// </summary>
    public static string SafeReturn(string? returnUrl) => IsLocalUrl(returnUrl) ? returnUrl!.StartsWith('~') ? returnUrl[1..] : returnUrl : "/";

    public static bool IsLocalUrl([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] string? url)
    {
        if (string.IsNullOrEmpty(url)) return false;
        var path = url.StartsWith("~/", StringComparison.Ordinal) ? url[1..] : url;
        if (path[0] != '/') return false;
        if (path.Length == 1) return true;
        if (path[1] is '/' or '\\') return false;
        return !path.Any(char.IsControl);
    }
}
