using System.Security.Claims;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AgentWorkspace.Web.Security;

/// <summary>Policy names. Roles are cumulative: each policy admits its role and every higher one.</summary>
public static class Policies
{
    public const string Agent = "AgentOrAbove";
    public const string Supervisor = "SupervisorOrAbove";
    public const string Admin = "AdminOnly";
}

public static class IdentitySetup
{
    public const string DisplayNameClaim = "aw:display_name";

    /// <summary>Identity, the sign-in cookie, roles and policies; <see cref="SecuritySettings"/> when registered before, else the defaults.</summary>
    public static IServiceCollection AddAgentWorkspaceIdentity(this IServiceCollection services)
    {
        services.TryAddSingleton(SecuritySettings.Default);
        services.TryAddSingleton<SignedInUserCheck>();
        services.TryAddSingleton<SignInThrottle>();
        // Identity's validator refreshes the cookie's claims at the same interval as open pages are checked.
        services.AddOptions<SecurityStampValidatorOptions>().Configure<SecuritySettings>((o, s) => o.ValidationInterval = s.RevalidationInterval);
        services.AddAuthentication(o =>
            {
                o.DefaultScheme = IdentityConstants.ApplicationScheme;
                o.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies(cookies => cookies.ApplicationCookie?.Configure(o =>
            {
                o.LoginPath = "/account/login";
                o.LogoutPath = "/account/logout";
                o.AccessDeniedPath = "/account/access-denied";
                o.Cookie.Name = "aw.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(10);
                // API callers (and image requests) get status codes, never a redirect to the sign-in page.
                o.Events.OnRedirectToLogin = ctx => ApiAware(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
                // A disabled user or a changed security stamp ends the cookie at the next page request.
                o.Events.OnValidatePrincipal = SignedInUserCheck.ValidateCookieAsync;
            }));

        services.AddIdentityCore<AppUser>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.SignIn.RequireConfirmedAccount = false;
                // Length over composition rules (NIST 800-63B): 12 characters at least.
                o.Password.RequiredLength = 12;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Password.RequiredUniqueChars = 4;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<AgentWorkspaceDbContext>()
            .AddSignInManager()
            .AddClaimsPrincipalFactory<AgentClaimsFactory>()
            .AddDefaultTokenProviders();

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Agent, p => p.RequireRole(Roles.AtLeast(Role.Agent)))
            .AddPolicy(Policies.Supervisor, p => p.RequireRole(Roles.AtLeast(Role.Supervisor)))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.AtLeast(Role.Admin)));
        return services;
    }

    private static Task ApiAware(Microsoft.AspNetCore.Authentication.RedirectContext<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions> ctx, int status)
    {
        // An image request (/media) is answered by its status too: a sign-in page is no picture.
        if (ctx.Request.Path.StartsWithSegments("/api") || ctx.Request.Path.StartsWithSegments("/media"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    /// <summary>The highest role in a principal's role claims, or null when it has none.</summary>
    public static Role? HighestRole(this ClaimsPrincipal user)
    {
        Role? best = null;
        foreach (var claim in user.FindAll(ClaimTypes.Role))
            if (Enum.TryParse<Role>(claim.Value, out var r) && (best is null || r > best)) best = r;
        return best;
    }

    public static string DisplayName(this ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayNameClaim) ?? user.Identity?.Name ?? "?";
}

/// <summary>Adds the display name to the cookie so the shell never queries the user table.</summary>
public sealed class AgentClaimsFactory(UserManager<AppUser> users, RoleManager<IdentityRole> roles, IOptions<IdentityOptions> options)
    : UserClaimsPrincipalFactory<AppUser, IdentityRole>(users, roles, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(AppUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(IdentitySetup.DisplayNameClaim, user.DisplayName));
        return identity;
    }
}
