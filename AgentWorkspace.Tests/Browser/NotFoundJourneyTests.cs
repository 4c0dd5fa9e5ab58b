using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Browser;

/// <summary>Issue 22 item 12: an unknown address under the app shows the product's page (its bar and menu), signed in, in the user's language.</summary>
[Collection(BrowserCollection.Name)]
public class NotFoundJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-US", "Page not found", "There is nothing at this address.")]
    [InlineData("fr-FR", "Page introuvable", "Il n'y a rien à cette adresse.")]
    public async Task AnUnknownAddress_ShowsTheProductsNotFoundPage_WithItsBarAndMenu_InTheUsersLanguage(string locale, string title, string text)
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/", locale);
        await page.Locator("[data-testid=current-user]").WaitForAsync();
        var response = await page.GotoAsync(browser.App.BaseUrl + "/nowhere/at-all-" + Guid.NewGuid().ToString("N")[..6]);
        response!.Status.ShouldBe(404);
        await page.Locator("h1", new() { HasTextString = title }).WaitForAsync();
        (await page.GetByText(text).CountAsync()).ShouldBe(1);
        (await page.Locator("[data-testid=current-user]").CountAsync()).ShouldBe(1, "the product's app bar, signed in");
        (await page.Locator("[data-testid=sign-out]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-testid=nav-inbox]").CountAsync()).ShouldBeGreaterThan(0, "the product's menu");
        // The page's title reaches the document through the head outlet, a moment after the page itself.
        await BrowserFixture.WaitUntilAsync(page, $"() => document.title.includes('{title.Replace("'", "\\'")}')");
        (await page.TitleAsync()).ShouldContain(title);
        await BrowserFixture.ScreenshotAsync(page, "not-found-" + locale);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnUnknownAddress_AskedWithoutSigningIn_LeadsToTheSignInPage()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(browser.App.BaseUrl + "/nowhere/at-all");
        await BrowserFixture.WaitUntilAsync(page, "() => location.pathname.toLowerCase().includes('login')");
        await page.Context.CloseAsync();
    }
}
