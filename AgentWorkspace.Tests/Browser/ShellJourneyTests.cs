using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class ShellJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task TheDemoAgentSignsInAndSeesTheShellWithTheirNameAndRole()
    {
        var page = await browser.SignInAsAsync(Role.Agent);
        (await page.InnerTextAsync("[data-testid=current-user]")).ShouldBe("Camille Laurent");
        (await page.InnerTextAsync("[data-testid=current-role]")).ShouldBe("Agent");
        await page.WaitForSelectorAsync("[data-testid=by-queue]");
        (await page.InnerTextAsync("h1")).ShouldBe("Overview");
        (await page.ContentAsync()).ShouldNotContain("Administration");
        await BrowserFixture.ScreenshotAsync(page, "overview-agent");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task FiveWrongPasswordsLockTheAccount_WhichSaysNoMoreThanAWrongPasswordDoes()
    {
        var page = await browser.NewPageAsync();
        for (var i = 0; i < 5; i++)
        {
            await page.GotoAsync("/account/login");
            await page.FillAsync("#email", "agent2@demo.local");
            await page.FillAsync("#password", "wrong-password-" + i);
            await page.ClickAsync("[data-testid=sign-in]");
            (await page.InnerTextAsync("[data-testid=login-error]")).ShouldBe(OneMessage);
            (await page.InputValueAsync("#password")).ShouldBeEmpty("the password is never sent back to the browser");
        }
        // Locked: even the right password is refused, in the same words as a wrong one.
        await page.FillAsync("#email", "agent2@demo.local");
        await page.FillAsync("#password", DemoUsersPassword("agent2@demo.local"));
        await page.ClickAsync("[data-testid=sign-in]");
        (await page.InnerTextAsync("[data-testid=login-error]")).ShouldBe(OneMessage);
        page.Url.ShouldContain("/account/login");
        await BrowserFixture.ScreenshotAsync(page, "sign-in-locked");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnUnknownUserGetsTheSameMessageAsAWrongPassword()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/account/login");
        await page.FillAsync("#email", "nobody@demo.local");
        await page.FillAsync("#password", "whatever-password");
        await page.ClickAsync("[data-testid=sign-in]");
        (await page.InnerTextAsync("[data-testid=login-error]")).ShouldBe(OneMessage);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASignedOutVisitToTheInboxLandsOnSignIn()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/inbox");
        page.Url.ShouldContain("/account/login");
        (await page.InnerTextAsync("h1")).ShouldBe("Sign in");
        await BrowserFixture.ScreenshotAsync(page, "sign-in");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAgentCannotOpenAnAdminPage()
    {
        var page = await browser.SignInAsAsync(Role.Agent);
        await page.GotoAsync("/admin/audit");
        await page.WaitForSelectorAsync("[data-testid=access-denied]");
        (await page.ContentAsync()).ShouldNotContain("data-testid=\"audit-table\"");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheLanguageSwitchesToFrenchAndIsRemembered()
    {
        var page = await browser.SignInAsAsync(Role.Supervisor);
        await page.GotoAsync("/preferences/culture?culture=fr&returnUrl=%2F");
        await BrowserFixture.WaitForInteractiveAsync(page);
        (await page.InnerTextAsync("h1")).ShouldBe("Vue d'ensemble");
        await page.GotoAsync("/");
        await BrowserFixture.WaitForInteractiveAsync(page);
        (await page.InnerTextAsync("[data-testid=current-role]")).ShouldBe("Superviseur");
        await BrowserFixture.ScreenshotAsync(page, "overview-supervisor-fr");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task TheDarkThemeIsRemembered()
    {
        var page = await browser.SignInAsAsync(Role.Agent);
        await page.ClickAsync("[data-testid=theme-toggle]");
        await BrowserFixture.WaitUntilAsync(page, "() => document.cookie.includes('aw-theme=dark')");
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        (await page.GetAttributeAsync("[data-testid=theme-toggle]", "aria-label")).ShouldBe("Switch to the light theme");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SigningOutEndsTheSession()
    {
        var page = await browser.SignInAsAsync(Role.Agent);
        await page.ClickAsync("[data-testid=sign-out]");
        await page.WaitForURLAsync("**/account/login**");
        await page.GotoAsync("/");
        page.Url.ShouldContain("/account/login");
        await page.Context.CloseAsync();
    }

    private const string OneMessage = "The e-mail or the password is wrong, or the account is locked for a while after too many failed attempts.";

    private static string DemoUsersPassword(string email) => Web.Hosting.DemoUsers.All.First(u => u.Email == email).Password;
}
