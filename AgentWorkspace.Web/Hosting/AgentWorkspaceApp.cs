using System.Globalization;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Api;
using AgentWorkspace.Web.Components;
using AgentWorkspace.Web.Hosting.Features;
using AgentWorkspace.Web.Media;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using MudBlazor.Services;

namespace AgentWorkspace.Web.Hosting;

/// <summary>Builds, initialises and runs the web app; tests use <see cref="Build"/> to host it on a free port.</summary>
public static class AgentWorkspaceApp
{
    public static readonly string[] SupportedCultures = ["en", "fr"];

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            if (args.Length > 0 && args[0] == "seed") return await SeedCommand.RunAsync(args[1..]);
            if (args.Length > 0 && args[0] == "users") return await UsersCommand.RunAsync(args[1..], Console.In, Console.Out, Console.Error);
            var app = Build(args);
            await InitializeAsync(app, Console.Out);
            await app.RunAsync();
            return 0;
        }
        catch (StartupException ex)
        {
            Console.Error.WriteLine($"AgentWorkspace cannot start: {ex.Message}");
            return 1;
        }
    }

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(AgentWorkspaceApp).Assembly.GetName().Name,
        });
        AddRootConfiguration(builder);
        builder.WebHost.UseStaticWebAssets();
        configure?.Invoke(builder);

        var services = builder.Services;
        var config = builder.Configuration;

        // Outside Development nothing published opens the door: demo accounts, the demo key, short keys.
        DemoSettings.CheckApiKeys(config, builder.Environment);
        services.AddSingleton(DemoSettings.From(config, builder.Environment));

        // Persistence: one factory, one context per operation.
        var dbOptions = DatabaseOptions.From(config["Database:Provider"], config.GetConnectionString("AgentWorkspace"), builder.Environment.ContentRootPath);
        var factory = new AgentWorkspaceDbContextFactory(dbOptions);
        services.AddSingleton(dbOptions);
        // Registered through a factory so that the container disposes it (closing SQLite's kept connections) when the app stops.
        services.AddSingleton(_ => factory);
        services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(sp => sp.GetRequiredService<AgentWorkspaceDbContextFactory>());
        // Identity's stores need a context; it lives for one request (sign-in pages are not interactive).
        services.AddScoped<AgentWorkspaceDbContext>(sp => factory.CreateDbContext());
        services.AddSingleton(TimeProvider.System);
        // The change feed: in-process on one server; over Redis pub/sub between several (Realtime:Redis, issue 20).
        var realtime = Realtime.RealtimeSettings.From(config);
        services.AddSingleton(realtime);
        if (realtime.UsesRedis)
        {
            services.AddSingleton<Realtime.RedisChangeFeed>();
            services.AddSingleton<IChangeFeed>(sp => sp.GetRequiredService<Realtime.RedisChangeFeed>());
            services.AddHostedService(sp => sp.GetRequiredService<Realtime.RedisChangeFeed>());
        }
        else
        {
            services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        }
        // Every change of data goes through it: execution strategy, transaction, audit, events after commit (ADR 008).
        services.AddSingleton<Core.UseCases.UseCaseRunner>();

        // Core services.
        services.AddSingleton<ReferenceData>();
        services.AddSingleton<DemoDataSeeder>();
        services.AddSingleton<DashboardService>();
        services.AddSingleton<Core.Features.Audit.AuditService>();
        var region = config["Phone:DefaultRegion"];
        if (!string.IsNullOrWhiteSpace(region) && !Core.Domain.Channels.PhoneNumber.IsKnownRegion(region))
            throw new StartupException($"Phone:DefaultRegion is '{region}'; set it to a two-letter region code such as FR, BE or GB.");
        services.AddSingleton(new Core.Features.Settings.SettingsDefaults(
            string.IsNullOrWhiteSpace(region) ? "FR" : region.ToUpperInvariant(), config.GetValue("Merge:AgentsMayMerge", false)));
        services.AddSingleton<Core.Features.Settings.SettingsService>();
        services.AddSingleton<Core.Features.Merge.MergeService>();
        services.AddSingleton<Core.Features.Merge.DuplicateService>();
        services.AddSingleton<Core.Features.Matching.SharedIdentifierService>();
        services.AddSingleton<Core.Features.Merge.SurvivorshipService>();
        services.AddSingleton<Core.Features.Merge.MergeRequestService>();
        services.AddSingleton<Core.Features.Matching.MatchingRuleService>();
        services.AddSingleton<Core.Features.Matching.AutoMergeService>();
        services.AddHostedService<Features.AutoMergeWorker>();
        services.AddSingleton<Core.Features.Privacy.PrivacyService>();
        services.AddIngest(config);
        services.AddInbox();
        services.AddCards();
        services.AddAdministration();
        services.AddScripts();
        services.AddCrm(config);
        services.AddAvatars(config);

        // Identity, roles, policies; how soon access follows the user and how guessing is slowed.
        var security = SecuritySettings.From(config);
        services.AddSingleton(security);
        services.AddAgentWorkspaceIdentity();
        if (!builder.Environment.IsDevelopment())
        {
            // Outside Development the sign-in and antiforgery cookies travel over HTTPS only.
            services.PostConfigure<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme,
                o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
            services.Configure<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        }

        // UI.
        services.AddRazorComponents().AddInteractiveServerComponents(o =>
        {
            // Circuit settings (ADR 016). A page whose connection drops (a laptop asleep, a network blip) is kept for
            // 3 minutes and comes back as it was; a blip that drops a whole floor at once must not evict pages, so up
            // to 1,000 disconnected pages are kept per server (they hold their memory meanwhile).
            o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMinutes(3);
            o.DisconnectedCircuitMaxRetained = 1000;
            // Our JS calls are small and local (sound, theme, focus): a call that takes 30 s is a dead browser.
            o.JSInteropDefaultCallTimeout = TimeSpan.FromSeconds(30);
            o.MaxBufferedUnacknowledgedRenderBatches = 10;
        }).AddHubOptions(o =>
        {
            // A reply or an e-mail being written travels in one message (up to Api:MaxBodyLength characters, UTF-16 in
            // JSON): SignalR's default 32 KB would drop the connection on a long reply.
            o.MaximumReceiveMessageSize = 256 * 1024;
        });
        services.AddCascadingAuthenticationState();
        // After AddInteractiveServerComponents, replacing its provider: an open page checks its user again (UserRevalidation).
        services.AddScoped<AuthenticationStateProvider, RevalidatingUserStateProvider>();
        // Toasts (the agent's notices among them, issue 22) rise at the bottom left: over the menu and the case list,
        // never over the reply box and Send, nor the app bar's controls.
        services.AddMudServices(o => o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomLeft);
        services.AddSingleton<AgentWorkspace.Web.Components.Layout.ThemeStyles>();
        services.AddLocalization(o => o.ResourcesPath = "Resources");
        // Each resource string read once per language, not through the resource manager's lock at every render (issue 20).
        services.AddSingleton(typeof(Microsoft.Extensions.Localization.IStringLocalizer<>), typeof(AgentWorkspace.Web.Localization.CachedStringLocalizer<>));
        services.AddAgentWorkspaceStore();
        services.AddHttpContextAccessor();
        services.AddScoped<ActorAccessor>();
        services.AddOpenApi();
        services.AddProblemDetails();
        var health = services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        if (realtime.UsesRedis) health.AddCheck<Realtime.RealtimeHealthCheck>("realtime");
        services.AddAgentWorkspaceApi(security);

        var app = builder.Build();
        // The live lane says here what held it too long or failed in it (issue 20).
        AgentWorkspace.Core.Realtime.LiveLane.Shared.Logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("AgentWorkspace.Realtime.LiveLane");

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/error", createScopeForErrors: true);
            // Behind a reverse proxy on this host: its X-Forwarded-Proto says whether the browser used HTTPS.
            app.UseForwardedHeaders(new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto });
            app.UseHsts();
            app.UseHttpsRedirection();
        }
        app.UseSecurityHeaders();
        // Pages get the product's "not found" page: re-executed from here, where routing runs again for it (inside a
        // UseWhen branch it found no endpoint and answered a bare 404). The API answers problem details, always (unknown
        // address 404, wrong method 405, with a key), and turns this page off for its requests; images (/media) get
        // their status alone.
        app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/api"), api => api.UseApiProblems());
        app.UseWhen(c => c.Request.Path.StartsWithSegments("/media"), media => media.Use((http, next) =>
        {
            if (http.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(http);
        }));
        app.UseWhen(c => !c.Request.Path.StartsWithSegments("/api"), pages => pages.UseBadRequestStatus());
        app.UseRequestLocalization(o =>
        {
            o.SetDefaultCulture("en").AddSupportedCultures(SupportedCultures).AddSupportedUICultures(SupportedCultures);
            o.RequestCultureProviders = [new CookieRequestCultureProvider(), new AcceptLanguageHeaderRequestCultureProvider()];
        });
        // Before authentication, so that guessing keys is limited as much as using one.
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapStaticAssets().AllowAnonymous();
        app.MapHealthChecks("/health", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { ResponseWriter = HealthAnswer.WriteAsync }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.MapAccountEndpoints();
        app.MapCardDownloads();
        app.MapMatchingDownloads();
        app.MapAvatars();
        app.MapAgentWorkspaceApi();
        app.MapPreferenceEndpoints();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    /// <summary>The one configuration file is the repository's root appsettings.json (linked into the build output).</summary>
    private static void AddRootConfiguration(WebApplicationBuilder builder)
    {
        var file = FindRootSettings(builder.Environment.ContentRootPath) ?? FindRootSettings(AppContext.BaseDirectory);
        if (file is null) return;
        var sources = builder.Configuration.Sources;
        var index = sources.ToList().FindIndex(s => s is JsonConfigurationSource);
        var source = new JsonConfigurationSource { Path = Path.GetFileName(file), Optional = false, ReloadOnChange = false };
        source.ResolveFileProvider();
        source.FileProvider = new Microsoft.Extensions.FileProviders.PhysicalFileProvider(Path.GetDirectoryName(file)!);
        // Before environment variables and the command line, which must still override it.
        if (index >= 0) sources.Insert(index, source); else sources.Insert(0, source);
    }

    private static string? FindRootSettings(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "appsettings.json");
            if (File.Exists(candidate) && (File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln")) || dir.FullName.TrimEnd('/') == AppContext.BaseDirectory.TrimEnd('/')))
                return candidate;
        }
        return null;
    }

    /// <summary>Migrates, creates what the first start needs, seeds the demo when asked, and prints where to go.</summary>
    public static async Task InitializeAsync(WebApplication app, TextWriter? output)
    {
        var factory = app.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await DatabaseStartup.MigrateAsync(factory, output: output);
        var reference = app.Services.GetRequiredService<ReferenceData>();
        await reference.EnsureDefaultQueueAsync();
        // The roles exist from the first start: the admin pages and 'users add' give them.
        await using (var scope = app.Services.CreateAsyncScope())
            await DemoUsers.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());

        var demo = app.Services.GetRequiredService<DemoSettings>();
        if (demo.SeedData || demo.Accounts)
        {
            await using var db = factory.CreateDbContext();
            var empty = !await db.Cards.AnyAsync();
            await reference.EnsureDemoReferenceDataAsync();
            if (demo.SeedData) await reference.EnsureDemoScriptsAsync();
            IReadOnlyList<DemoAgent> agents = demo.Accounts ? await DemoUsers.EnsureAsync(app.Services) : [];
            if (empty && demo.SeedData)
            {
                var cards = demo.Cards;
                var result = await Task.Run(() => app.Services.GetRequiredService<DemoDataSeeder>().SeedCards(new DemoSeedOptions(cards), agents));
                output?.WriteLine($"Demo data: {result.Cards} cards, {result.Identities} identities, {result.Cases} cases, {result.Messages} messages, {result.CrmRecords} CRM records ({result.Elapsed.TotalSeconds:0.0} s).");
            }
        }

        await DemoSettings.CheckNoDemoAccountOpensAsync(app.Services, app.Environment);

        if (output is not null)
        {
            app.Lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = app.Urls.Count > 0 ? string.Join(", ", app.Urls) : "(see the ASP.NET Core log above)";
                output.WriteLine();
                output.WriteLine($"AgentWorkspace is running at {addresses}");
                output.WriteLine($"Database: {factory.Options.Provider} {DatabaseStartup.Describe(factory.Options)}");
                if (demo.Accounts && app.Environment.IsDevelopment())
                {
                    output.WriteLine("Demo logins (e-mail / password):");
                    foreach (var u in DemoUsers.All)
                        output.WriteLine($"  {u.Role,-10} {u.Email,-26} {u.Password}");
                }
                output.WriteLine();
            });
        }
    }
}

/// <summary>
/// "Healthy", or the status and which checks are not healthy: "Degraded: realtime" (still 200: the server serves),
/// "Unhealthy: database" (503). Plain text, nothing about the checks' internals.
/// </summary>
internal static class HealthAnswer
{
    public static Task WriteAsync(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "text/plain; charset=utf-8";
        http.Response.Headers.CacheControl = "no-store";
        var failing = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy).Select(e => e.Key).ToList();
        return http.Response.WriteAsync(failing.Count == 0 ? report.Status.ToString() : $"{report.Status}: {string.Join(", ", failing)}");
    }
}

internal sealed class DatabaseHealthCheck(IDbContextFactory<AgentWorkspaceDbContext> factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var db = await factory.CreateDbContextAsync(cancellationToken);
            return await db.Database.CanConnectAsync(cancellationToken)
                ? HealthCheckResult.Healthy("The database answers.")
                : HealthCheckResult.Unhealthy("The database does not answer.");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", ex);
        }
    }
}
