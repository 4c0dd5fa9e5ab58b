using AgentWorkspace.Core.Domain.Identity;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace AgentWorkspace.Web.Security;

public static class AccountEndpoints
{
    public static void MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Sign-out is a POST with the antiforgery token, so a link on another site cannot sign anyone out.
        app.MapPost("/account/logout", async (SignInManager<AppUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return Results.LocalRedirect("~/account/login");
        });
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

    public static string SafeReturn(string? returnUrl) =>
        string.IsNullOrEmpty(returnUrl) || !returnUrl.StartsWith('/') || returnUrl.StartsWith("//") || returnUrl.StartsWith("/\\") ? "~/" : "~" + returnUrl;
}
