using System.Security.Claims;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentWorkspace.Web.Security;

/// <summary>
/// Whether a signed-in principal still speaks for its user: the account exists, is not disabled, holds the security
/// stamp the principal was issued with, and no lower role than the principal claims. Changing a role, disabling and
/// resetting a password renew the stamp (UserAdminService), so any of them ends what the old principal allowed; the
/// role is compared as well for a change made without the stamp. One read by primary key.
/// </summary>
/// <remarks>
/// A lockout after wrong passwords is not a reason: it stops new sign-ins, while ending open sessions on it
/// would let anyone who types a wrong password five times throw an agent out of their work.
/// </remarks>
public sealed class SignedInUserCheck(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IOptions<IdentityOptions> identity)
{
    private sealed record UserAccess(string? SecurityStamp, bool IsDisabled, Role Role);

    private static readonly Func<AgentWorkspaceDbContext, string, CancellationToken, Task<UserAccess?>> Read =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string id, CancellationToken ct) =>
            db.Users.Where(u => u.Id == id).Select(u => new UserAccess(u.SecurityStamp, u.IsDisabled, u.Role)).FirstOrDefault());

    public async Task<bool> IsCurrentAsync(ClaimsPrincipal user, CancellationToken ct = default)
    {
        if (user.Identity?.IsAuthenticated != true) return false;
        var claims = identity.Value.ClaimsIdentity;
        var id = user.FindFirstValue(claims.UserIdClaimType);
        var stamp = user.FindFirstValue(claims.SecurityStampClaimType);
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(stamp)) return false;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await Read(db, id, ct);
        return row is { IsDisabled: false } && string.Equals(row.SecurityStamp, stamp, StringComparison.Ordinal)
            && (user.HighestRole() is not { } claimed || row.Role >= claimed);
    }

    /// <summary>
    /// The sign-in cookie, checked at every request but those for static files (scripts, styles, images): a user whose
    /// access changed does not get it back by reloading the page, and the pages open to everyone (the sign-in page
    /// itself) see them signed out too, so that the sign-in form is made for nobody rather than for the old user.
    /// Then Identity's own validator refreshes the cookie's claims at its interval, in a scope of its own (issue 20): it
    /// resolves Identity's sign-in and user managers and a database context, and from the request's services these
    /// lived as long as the request, which for an open page's WebSocket is as long as the page.
    /// </summary>
    public static async Task ValidateCookieAsync(CookieValidatePrincipalContext context)
    {
        var endpoint = context.HttpContext.GetEndpoint();
        if (context.Principal is { } principal && endpoint?.Metadata.GetMetadata<Microsoft.AspNetCore.StaticAssets.StaticAssetDescriptor>() is null)
        {
            var check = context.HttpContext.RequestServices.GetRequiredService<SignedInUserCheck>();
            if (!await check.IsCurrentAsync(principal, context.HttpContext.RequestAborted))
            {
                context.RejectPrincipal();
                await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.SignOutAsync(context.HttpContext, IdentityConstants.ApplicationScheme);
                return;
            }
        }
        await using var scope = context.HttpContext.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ISecurityStampValidator>().ValidateAsync(context);
    }
}

/// <summary>
/// The user of an open page (a Blazor circuit), checked again every <see cref="SecuritySettings.RevalidationInterval"/>
/// and at once when an administrator changes that user (the <see cref="ChangeKind.SettingsChanged"/> event that names
/// them). A user who no longer passes <see cref="SignedInUserCheck"/> becomes anonymous in the tab already open: the
/// page shows the sign-in page, and <see cref="ActorAccessor"/> refuses every action.
/// </summary>
public sealed class RevalidatingUserStateProvider : RevalidatingServerAuthenticationStateProvider
{
    private static readonly AuthenticationState SignedOut = new(new ClaimsPrincipal(new ClaimsIdentity()));
    private readonly SignedInUserCheck _check;
    private readonly TimeSpan _interval;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private volatile bool _disposed;

    public RevalidatingUserStateProvider(ILoggerFactory loggers, SignedInUserCheck check, SecuritySettings settings, IChangeFeed feed) : base(loggers)
    {
        _check = check;
        _interval = settings.RevalidationInterval;
        _logger = loggers.CreateLogger<RevalidatingUserStateProvider>();
        // Judged on the publisher's thread: a message, a case or a card changing (nearly every event) costs this page nothing.
        _subscription = feed.Subscribe(Concerns, OnChangeAsync);
    }

    protected override TimeSpan RevalidationInterval => _interval;

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken) =>
        _check.IsCurrentAsync(authenticationState.User, cancellationToken);

    /// <summary>The state after checking the user now: the same, or signed out when the user no longer passes.</summary>
    public async Task<AuthenticationState> CheckNowAsync(CancellationToken ct = default)
    {
        var state = await GetAuthenticationStateAsync();
        if (state.User.Identity?.IsAuthenticated != true || await _check.IsCurrentAsync(state.User, ct)) return state;
        _logger.LogInformation("User {UserId} no longer passes the access check; their open page is signed out.", state.User.FindFirstValue(ClaimTypes.NameIdentifier));
        SetAuthenticationState(Task.FromResult(SignedOut));
        return SignedOut;
    }

    /// <summary>The changes that may take a user's access away: a change of that user, or an interruption of the feed.</summary>
    internal static bool Concerns(ChangeEvent change) => change.Kind == ChangeKind.Resync || change.Kind == ChangeKind.SettingsChanged && change.AgentId is not null;

    private async Task OnChangeAsync(ChangeEvent change)
    {
        // A change published as the page closes finds the provider disposed: there is no page left to sign out.
        // After an interruption of the feed between servers (Resync), any user may have been changed meanwhile.
        if (_disposed || !Concerns(change)) return;
        Task<AuthenticationState> current;
        try { current = GetAuthenticationStateAsync(); }
        catch (InvalidOperationException) { return; } // no user set yet: the page's first state will be checked when it comes
        if (!current.IsCompletedSuccessfully) return;
        if (change.Kind != ChangeKind.Resync && (await current).User.FindFirstValue(ClaimTypes.NameIdentifier) != change.AgentId) return;
        await CheckNowAsync();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _disposed = true;
            _subscription.Dispose();
        }
        base.Dispose(disposing);
    }
}
