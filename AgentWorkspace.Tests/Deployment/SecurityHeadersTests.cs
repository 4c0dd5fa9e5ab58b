using System.Text.RegularExpressions;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Tests.UseCases;
using AgentWorkspace.Web.Security;

namespace AgentWorkspace.Tests.Deployment;

/// <summary>Every page and API answer carries the security headers; a file of customer data is never cached.</summary>
public partial class SecurityHeadersTests : IAsyncLifetime
{
    private AppHost _app = default!;

    public async ValueTask InitializeAsync() => _app = await AppHost.StartAsync(demoCards: 5);
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    [GeneratedRegex("""@page\s+"([^"]+)" """, RegexOptions.None)]
    private static partial Regex PageDirective();

    /// <summary>Every route a page declares, found in the sources, so that a page added later is covered by itself.</summary>
    private static List<string> PageRoutes()
    {
        var pages = Path.Combine(OneWayForDataTests.RepositoryRoot(), "AgentWorkspace.Web", "Components");
        return Directory.EnumerateFiles(pages, "*.razor", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "@page\\s+\"([^\"]+)\"").Select(m => m.Groups[1].Value))
            .Select(r => Regex.Replace(r, "\\{[^}]+\\}", "1"))
            .Distinct().Order().ToList();
    }

    private static void ShouldCarryTheHeaders(HttpResponseMessage response, string what)
    {
        response.Headers.TryGetValues("Content-Security-Policy", out var csp).ShouldBeTrue($"{what}: no Content-Security-Policy");
        csp!.Single().ShouldBe(SecurityHeaders.ContentSecurityPolicy);
        csp!.Single().ShouldContain("frame-ancestors 'none'");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff", what);
        response.Headers.GetValues("Referrer-Policy").Single().ShouldNotBeNullOrWhiteSpace(what);
        response.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY", what);
    }

    [Fact]
    public async Task EveryPageSignedInOrNotCarriesTheHeaders()
    {
        var routes = PageRoutes();
        routes.Count.ShouldBeGreaterThan(12, "the page routes were found in the sources");
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(_app.BaseUrl + "/") };
        foreach (var route in routes)
            ShouldCarryTheHeaders(await anonymous.GetAsync(route.TrimStart('/')), route);
        ShouldCarryTheHeaders(await anonymous.GetAsync("no-such-page"), "404");
    }

    [GeneratedRegex("""(\b(src|srcset|Src|Image|poster)\s*=\s*["']\s*(https?:)?//)|(url\(\s*["']?\s*(https?:)?//)""", RegexOptions.IgnoreCase)]
    private static partial Regex RemoteImage();

    /// <summary>
    /// Images come from this origin only (issue 17): a customer's photo through /media/avatars, so the policy admits no
    /// remote image, and no page, style or script of the app asks for one.
    /// </summary>
    [Fact]
    public void ImagesComeFromThisOriginOnly_AndNoPageStyleOrScriptAsksForARemoteOne()
    {
        SecurityHeaders.ContentSecurityPolicy.ShouldContain("img-src 'self' data:;");
        var web = Path.Combine(OneWayForDataTests.RepositoryRoot(), "AgentWorkspace.Web");
        var sources = new[] { "Components", "wwwroot" }.SelectMany(d => Directory.EnumerateFiles(Path.Combine(web, d), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".css", StringComparison.Ordinal) || f.EndsWith(".js", StringComparison.Ordinal) || f.EndsWith(".html", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}lib{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();
        sources.Count.ShouldBeGreaterThan(20, "the app's pages were found");
        var remote = sources.SelectMany(f => RemoteImage().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetRelativePath(web, f)}: {m.Value}")).ToList();
        remote.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheApiCarriesTheHeadersAndAnExportIsNeverStored()
    {
        using var api = _app.CreateClient();
        ShouldCarryTheHeaders(await api.GetAsync("health"), "/health");
        ShouldCarryTheHeaders(await api.GetAsync("api/v1/cards?q=a"), "search");
        var export = await api.GetAsync("api/v1/cards/1/export");
        export.EnsureSuccessStatusCode();
        export.Headers.CacheControl!.NoStore.ShouldBeTrue();
        var csv = await api.GetAsync("api/v1/cards/1/export?format=csv");
        csv.Headers.CacheControl!.NoStore.ShouldBeTrue();
    }
}
