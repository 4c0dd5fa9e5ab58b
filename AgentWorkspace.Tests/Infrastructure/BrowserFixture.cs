using AgentWorkspace.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// One real app and one headless Chromium (Debian's /usr/bin/chromium) shared by the journeys of a
/// collection. Without Chromium, the journeys are reported as skipped with the reason.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private IPlaywright? _playwright;

    public AppHost App { get; private set; } = default!;
    public IBrowser? Browser { get; private set; }
    public string? SkipReason { get; private set; }

    public async ValueTask InitializeAsync()
    {
        App = await AppHost.StartAsync();
        if (!File.Exists(ChromiumPath))
        {
            SkipReason = $"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium); browser journeys need it.";
            return;
        }
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
        });
    }

    /// <summary>Skips the calling test, with the reason, when no browser could start.</summary>
    public IBrowser RequireBrowser()
    {
        if (Browser is null) Assert.Skip(SkipReason ?? "No browser.");
        return Browser;
    }

    /// <param name="viewport">The window's size (1440×900 unless given; issue 22 checks 1280×720 and 1366×768).</param>
    /// <param name="initScript">Script run in the page before its own (a test stands in for a browser API with it).</param>
    public async Task<IPage> NewPageAsync(string locale = "en-US", ViewportSize? viewport = null, string? initScript = null)
    {
        var context = await RequireBrowser().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseUrl,
            Locale = locale,
            ViewportSize = viewport ?? new ViewportSize { Width = 1440, Height = 900 },
        });
        context.SetDefaultTimeout(15_000);
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        return await context.NewPageAsync();
    }

    /// <summary>Signs in through the real form and waits until the interactive shell is live.</summary>
    public async Task<IPage> SignInAsync(string email, string password, string locale = "en-US", string path = "/", ViewportSize? viewport = null, string? initScript = null)
    {
        // A journey that switched the language saved it on the user; every journey starts from the browser's locale, unlocked.
        await ResetSignInStateAsync(email);
        var page = await NewPageAsync(locale, viewport, initScript);
        await page.GotoAsync("/account/login?returnUrl=" + Uri.EscapeDataString(path));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("[data-testid=sign-in]");
        await WaitForInteractiveAsync(page);
        return page;
    }

    private async Task ResetSignInStateAsync(string email)
    {
        var factory = App.Services.GetRequiredService<AgentWorkspace.Core.Persistence.AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        var normalized = email.ToUpperInvariant();
        // The lockout journey locks agent2 on purpose; a journey that signs agent2 in later starts unlocked.
        await db.Users.Where(u => u.NormalizedEmail == normalized)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.PreferredCulture, (string?)null)
                .SetProperty(u => u.LockoutEnd, (DateTimeOffset?)null)
                .SetProperty(u => u.AccessFailedCount, 0));
    }

    /// <summary>
    /// Signs a demo user of <paramref name="role"/> in at another app (its own servers, or a proxy in front of them), in a
    /// 1280×720 context of its own, and waits until the interactive page at <paramref name="path"/> is live.
    /// </summary>
    public async Task<IPage> SignInAtAsync(string baseUrl, Core.Domain.Identity.Role role, string path, string locale = "en-US")
    {
        var context = await RequireBrowser().NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseUrl, Locale = locale, ViewportSize = new ViewportSize { Width = 1280, Height = 720 },
        });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var user = DemoUsers.All.First(u => u.Role == role);
        await page.GotoAsync("/account/login?returnUrl=" + Uri.EscapeDataString(path));
        await page.FillAsync("#email", user.Email);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("[data-testid=sign-in]");
        await WaitForInteractiveAsync(page);
        return page;
    }

    public Task<IPage> SignInAsAsync(Core.Domain.Identity.Role role, string path = "/", string locale = "en-US", ViewportSize? viewport = null, string? initScript = null)
    {
        var user = DemoUsers.All.First(u => u.Role == role);
        return SignInAsync(user.Email, user.Password, locale, path, viewport, initScript);
    }

    /// <summary>The layout marks the body once the Blazor circuit has rendered interactively.</summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.WaitForSelectorAsync("body[data-interactive='true']", new PageWaitForSelectorOptions { State = WaitForSelectorState.Attached });

    /// <summary>
    /// Waits until <paramref name="predicate"/> (a JavaScript function returning a boolean) holds in the page. Polls
    /// through the DevTools protocol: Playwright's own WaitForFunction builds its predicate with eval, which the
    /// app's Content-Security-Policy (no unsafe-eval) rightly refuses.
    /// </summary>
    public static async Task WaitUntilAsync(IPage page, string predicate, int timeoutMs = 15_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        // An element not there yet reads as false, not as an error.
        var guarded = $"() => {{ try {{ return !!({predicate})(); }} catch {{ return false; }} }}";
        while (!await page.EvaluateAsync<bool>(guarded))
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"Still false after {timeoutMs} ms: {predicate}");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Runs axe on the page without its toasts. A toast comes and goes with whatever message arrives (another journey's, in
    /// a full run), and one fading in or out has its text at part opacity, which axe reads as too little contrast. The
    /// toasts are checked where they are held still: the notices journey (<see cref="WaitForToastsStillAsync"/>).
    /// </summary>
    public static Task<Deque.AxeCore.Commons.AxeResult> RunAxeWithoutToastsAsync(IPage page, Deque.AxeCore.Commons.AxeRunOptions options) =>
        Deque.AxeCore.Playwright.PageExtensions.RunAxe(page, new Deque.AxeCore.Commons.AxeRunContext
        {
            Include = [new Deque.AxeCore.Commons.AxeSelector("html")],
            Exclude = [new Deque.AxeCore.Commons.AxeSelector("#mud-snackbar-container")],
        }, options);

    /// <summary>Waits until no toast is fading in or out (MudBlazor animates their opacity; the visible time's bar is not waited for).</summary>
    public static Task WaitForToastsStillAsync(IPage page) => WaitUntilAsync(page,
        "() => !document.getAnimations().some(a => a.playState === 'running' && a.effect?.getKeyframes().some(k => 'opacity' in k))");

    /// <summary>Saves a screenshot under docs/screenshots when AW_SCREENSHOTS names that folder.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var dir = Environment.GetEnvironmentVariable("AW_SCREENSHOTS");
        if (string.IsNullOrEmpty(dir)) return;
        Directory.CreateDirectory(dir);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(dir, name + ".png"), FullPage = false });
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (App is not null) await App.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser journeys";
}
