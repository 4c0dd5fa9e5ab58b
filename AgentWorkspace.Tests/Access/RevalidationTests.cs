using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Security;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Access;

/// <summary>
/// The user of an open page (a circuit's scope in the real app) is checked again: at once when an administrator changes
/// them, at the revalidation interval otherwise, and before every action.
/// </summary>
public class RevalidationTests
{
    private sealed record OpenPage(AsyncServiceScope Scope, RevalidatingUserStateProvider State, ActorAccessor Actors, TaskCompletionSource<AuthenticationState> SignedOut) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Scope.DisposeAsync();
    }

    /// <summary>What a circuit holds once the signed-in user's page has connected: its state provider, set from the cookie's principal.</summary>
    private static async Task<OpenPage> OpenPageAsync(AppHost app, string userId)
    {
        var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var principal = await scope.ServiceProvider.GetRequiredService<SignInManager<AppUser>>().CreateUserPrincipalAsync((await users.FindByIdAsync(userId))!);
        var state = (RevalidatingUserStateProvider)scope.ServiceProvider.GetRequiredService<AuthenticationStateProvider>();
        var signedOut = new TaskCompletionSource<AuthenticationState>(TaskCreationOptions.RunContinuationsAsynchronously);
        state.AuthenticationStateChanged += async task =>
        {
            var now = await task;
            if (now.User.Identity?.IsAuthenticated != true) signedOut.TrySetResult(now);
        };
        state.SetAuthenticationState(Task.FromResult(new AuthenticationState(principal)));
        return new OpenPage(scope, state, scope.ServiceProvider.GetRequiredService<ActorAccessor>(), signedOut);
    }

    private static async Task<(Actor Admin, UserView User)> UserAsync(AppHost app, Role role)
    {
        await using var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        var admin = (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
        var email = $"open-{Guid.NewGuid().ToString("N")[..8]}@demo.local";
        return (admin, await app.GetRequiredService<UserAdminService>().CreateAsync(admin, new NewUserInput(email, "Open Page", role, "Open-Page-Password-1", [])));
    }

    [Fact]
    public async Task DisablingAUserSignsOutTheirOpenPageAtOnce_AndTheirNextActionIsRefused()
    {
        await using var app = await AppHost.StartAsync(demoCards: 2);
        var (admin, user) = await UserAsync(app, Role.Agent);
        await using var page = await OpenPageAsync(app, user.Id);
        (await page.Actors.GetAsync()).UserId.ShouldBe(user.Id);

        await app.GetRequiredService<UserAdminService>().SetDisabledAsync(admin, user.Id, true);

        // The default interval is a minute: the administrator's change itself reaches the page.
        (await page.SignedOut.Task.WaitAsync(TimeSpan.FromSeconds(30))).User.Identity!.IsAuthenticated.ShouldBeFalse();
        (await Should.ThrowAsync<ForbiddenException>(page.Actors.GetAsync)).Code.ShouldBe("SignedOut");
    }

    [Fact]
    public async Task ADemotedUsersNextActionIsRefusedBeforeAnyRevalidation()
    {
        await using var app = await AppHost.StartAsync(new Dictionary<string, string?> { ["Security:RevalidationInterval"] = "01:00:00" }, demoCards: 2);
        var (_, user) = await UserAsync(app, Role.Supervisor);
        await using var page = await OpenPageAsync(app, user.Id);
        (await page.Actors.GetAsync()).Role.ShouldBe(Role.Supervisor);

        // Changed without the administrator's event (by a tool, or on another server): only the fresh check can see it.
        await using (var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext())
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.Role, Role.Agent));

        (await Should.ThrowAsync<ForbiddenException>(page.Actors.GetAsync)).Code.ShouldBe("SignedOut");
        page.SignedOut.Task.IsCompletedSuccessfully.ShouldBeTrue("the page was told as the action was refused");
    }

    [Fact]
    public async Task WithoutAnyEventOrAction_TheRegularCheckFindsTheChangedStamp()
    {
        await using var app = await AppHost.StartAsync(new Dictionary<string, string?> { ["Security:RevalidationInterval"] = "00:00:01" }, demoCards: 2);
        var (_, user) = await UserAsync(app, Role.Agent);
        await using var page = await OpenPageAsync(app, user.Id);

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            await users.UpdateSecurityStampAsync((await users.FindByIdAsync(user.Id))!);
        }

        (await page.SignedOut.Task.WaitAsync(TimeSpan.FromSeconds(30))).User.Identity!.IsAuthenticated.ShouldBeFalse();
    }

    [Fact]
    public async Task AnUnchangedUserKeepsTheirPage_AndAnotherUsersChangeLeavesItAlone()
    {
        await using var app = await AppHost.StartAsync(new Dictionary<string, string?> { ["Security:RevalidationInterval"] = "00:00:01" }, demoCards: 2);
        var (admin, user) = await UserAsync(app, Role.Agent);
        var (_, other) = await UserAsync(app, Role.Agent);
        await using var page = await OpenPageAsync(app, user.Id);

        await app.GetRequiredService<UserAdminService>().SetDisabledAsync(admin, other.Id, true);
        // Several regular checks pass meanwhile.
        await Task.Delay(TimeSpan.FromSeconds(3));

        page.SignedOut.Task.IsCompleted.ShouldBeFalse();
        (await page.Actors.GetAsync()).UserId.ShouldBe(user.Id);
    }

    [Fact]
    public async Task TheCookiesCheck_RefreshesItAtItsInterval_InAScopeOfItsOwn_SoThatAnOpenPagesRequestHoldsNoIdentityManagers()
    {
        // Issue 20: the request that carries an open page's WebSocket lasts as long as the page. Identity's validator,
        // resolved from it, kept a sign-in manager, a user manager and a database context per open page.
        await using var app = await AppHost.StartAsync(demoCards: 2);
        var (_, user) = await UserAsync(app, Role.Agent);
        System.Security.Claims.ClaimsPrincipal principal;
        await using (var signIn = app.Services.CreateAsyncScope())
        {
            var users = signIn.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            principal = await signIn.ServiceProvider.GetRequiredService<SignInManager<AppUser>>().CreateUserPrincipalAsync((await users.FindByIdAsync(user.Id))!);
        }

        await using var request = app.Services.CreateAsyncScope();
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = request.ServiceProvider };
        app.GetRequiredService<Microsoft.AspNetCore.Http.IHttpContextAccessor>().HttpContext = http;
        var scheme = new Microsoft.AspNetCore.Authentication.AuthenticationScheme(IdentityConstants.ApplicationScheme, null, typeof(Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationHandler));
        var options = app.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>().Get(IdentityConstants.ApplicationScheme);
        // Issued two days ago: past any revalidation interval, so Identity's validator checks the stamp and renews.
        var ticket = new Microsoft.AspNetCore.Authentication.AuthenticationTicket(principal, new Microsoft.AspNetCore.Authentication.AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow.AddDays(-2) }, IdentityConstants.ApplicationScheme);
        var context = new Microsoft.AspNetCore.Authentication.Cookies.CookieValidatePrincipalContext(http, scheme, options, ticket);

        await SignedInUserCheck.ValidateCookieAsync(context);

        context.Principal.ShouldNotBeNull("the user is still signed in");
        context.ShouldRenew.ShouldBeTrue("Identity's validator checked the stamp and renewed the cookie");
        // What the request's own scope resolved (the container keeps it in its ResolvedServices).
        var resolved = request.ServiceProvider.GetType().GetProperty("ResolvedServices", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)
            ?.GetValue(request.ServiceProvider) as System.Collections.IDictionary ?? throw new InvalidOperationException("The container no longer says what a scope resolved: this test must find another way.");
        resolved.Values.Cast<object?>().ShouldNotContain(v => v is UserManager<AppUser> || v is SignInManager<AppUser> || v is DbContext,
            "Identity's managers and their database context belong to the check's own scope, gone with it");
    }

    [Fact]
    public void TheIntervalAndLimitsAreReadFromConfiguration_AndAWrongValueStopsTheStartWithTheKey()
    {
        var settings = SecuritySettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Security:RevalidationInterval"] = "00:00:05",
            ["Security:SignIn:PerAccount:PermitLimit"] = "4",
            ["Api:RateLimit:PermitLimit"] = "0",
        }).Build());
        settings.RevalidationInterval.ShouldBe(TimeSpan.FromSeconds(5));
        settings.SignInPerAccount.ShouldBe(new AttemptLimit(4, TimeSpan.FromMinutes(15)));
        settings.SignInPerAddress.ShouldBe(SecuritySettings.Default.SignInPerAddress);
        settings.ApiPerKey.ShouldBeNull();

        foreach (var (key, value) in new[] { ("Security:RevalidationInterval", "soon"), ("Security:RevalidationInterval", "00:00:00"), ("Security:SignIn:PerAddress:PermitLimit", "0"), ("Api:RateLimit:PermitLimit", "-1") })
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build();
            Should.Throw<StartupException>(() => SecuritySettings.From(config)).Message.ShouldStartWith(key);
        }
    }
}
