using System.Text;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Infrastructure;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Every page of the product checked by axe-core in a real browser against WCAG 2.1 A and AA:
/// signed out, every page an administrator can open (so every page of every role), a case open in
/// the inbox, each tab of a card; then the dark theme and French. No violation is allowed; the
/// failure lists each rule, the elements and axe's reason.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AccessibilityJourneyTests(BrowserFixture browser)
{
    private static readonly AxeRunOptions Wcag = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    private static readonly string[] CardTabs = ["summary", "profile", "cases", "messages", "timeline", "notes", "identities"];

    private static readonly string[] EveryPage =
    [
        "/", "/inbox", "/cards", .. CardTabs.Select(t => "/cards/1?tab=" + t),
        "/supervisor/approvals", "/supervisor/duplicates",
        "/admin/users", "/admin/queues", "/admin/custom-fields", "/admin/quick-replies", "/admin/api-keys", "/admin/settings", "/admin/audit", "/admin/crm", "/admin/scripts", "/admin/matching", "/admin/matching/auto-merge",
        "/crm/contact/1", "/crm/account/1",
    ];

    private static async Task<string> ViolationsAsync(IPage page, string what)
    {
        var result = await BrowserFixture.RunAxeWithoutToastsAsync(page, Wcag);
        var report = new StringBuilder();
        foreach (var v in result.Violations)
        {
            report.AppendLine($"{what}: {v.Id} ({v.Impact}) {v.Help}");
            foreach (var node in v.Nodes.Take(5))
                report.AppendLine($"    {node.Target}  {string.Join(" | ", node.Any.Concat(node.All).Concat(node.None).Select(c => c.Message))}");
        }
        return report.ToString();
    }

    private static async Task<string> VisitAsync(IPage page, string path)
    {
        await page.GotoAsync(path);
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.WaitForSelectorAsync("h1");
        // Live data (counts, tabs' contents) arrives after the first render.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return await ViolationsAsync(page, path);
    }

    private static async Task<string> CaseOpenAsync(IPage page)
    {
        await page.GotoAsync("/inbox");
        // A click on the prerendered page, before the circuit is live, would do nothing.
        await BrowserFixture.WaitForInteractiveAsync(page);
        // Other journeys of the collection add cases; the first tile may be one of theirs, with no message yet: the case
        // view is checked with whatever it holds once it and its reply box are drawn.
        await page.Locator("[data-testid=case-tile]").First.ClickAsync();
        await page.Locator("[data-testid=active-case] [data-testid=composer-text]").First.WaitForAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return await ViolationsAsync(page, "/inbox with a case open");
    }

    [Fact]
    public async Task TheSignInPage_InEnglishAndFrench()
    {
        var report = new StringBuilder();
        foreach (var locale in new[] { "en-US", "fr-FR" })
        {
            var page = await browser.NewPageAsync(locale);
            await page.GotoAsync("/account/login");
            await page.WaitForSelectorAsync("#email");
            report.Append(await ViolationsAsync(page, $"/account/login ({locale})"));
            // A failed attempt shows its message: checked too.
            await page.FillAsync("#email", "nobody@demo.local");
            await page.FillAsync("#password", "not-the-password");
            await page.ClickAsync("[data-testid=sign-in]");
            await page.WaitForSelectorAsync("[role=alert]");
            report.Append(await ViolationsAsync(page, $"/account/login, failed ({locale})"));
            await page.Context.CloseAsync();
        }
        report.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task EveryPage_AndACaseOpenInTheInbox()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/");
        var report = new StringBuilder();
        foreach (var path in EveryPage) report.Append(await VisitAsync(page, path));
        report.Append(await CaseOpenAsync(page));
        await page.Context.CloseAsync();
        report.ToString().ShouldBeEmpty();
    }

    [Fact]
    public async Task TheDarkTheme_AndFrench()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/", locale: "fr-FR");
        await page.Locator("[data-testid=theme-toggle]").ClickAsync();
        // The choice lives in a cookie of this browser: every page below is drawn dark from the server on.
        await BrowserFixture.WaitUntilAsync(page, "() => document.cookie.includes('aw-theme=dark')");
        var report = new StringBuilder();
        foreach (var path in EveryPage) report.Append(await VisitAsync(page, path));
        report.Append(await CaseOpenAsync(page));
        await BrowserFixture.ScreenshotAsync(page, "inbox-dark-fr");
        await page.Context.CloseAsync();
        report.ToString().ShouldBeEmpty();
    }
}
