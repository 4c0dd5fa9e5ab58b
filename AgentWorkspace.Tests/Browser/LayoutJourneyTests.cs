using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// The frame of every page (MainLayout), plain markup in MudBlazor's classes since issue 20: the navigation drawer
/// beside the page on a wide screen and over it on a narrow one, its toggle's state for screen readers, the keyboard,
/// the skip link and the landmarks.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LayoutJourneyTests(BrowserFixture browser)
{
    private const string Toggle = "[data-testid=nav-toggle]:visible";
    private const string DrawerHidden = "() => getComputedStyle(document.getElementById('aw-nav')).visibility === 'hidden'";
    private const string DrawerShown = "() => { const d = document.getElementById('aw-nav'); return getComputedStyle(d).visibility === 'visible' && Math.abs(d.getBoundingClientRect().left) < 1; }";

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(1366, 768)]
    public async Task OnAWideScreen_TheNavigationIsBesideThePage_ItsToggleClosesAndReopensItByKeyboard_AndSaysWhetherItIsOpen(int width, int height)
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", viewport: new ViewportSize { Width = width, Height = height });
        await page.Locator("[data-testid=case-tiles]").WaitForAsync();

        // One banner, one main navigation, one main region; one toggle for this width, which says the drawer is open.
        (await page.Locator("header.mud-appbar").CountAsync()).ShouldBe(1);
        (await page.Locator("main#main").CountAsync()).ShouldBe(1);
        var nav = page.Locator("#aw-nav nav[aria-label='Main navigation']");
        await nav.WaitForAsync();
        (await page.Locator(Toggle).CountAsync()).ShouldBe(1);
        var toggle = page.Locator(Toggle);
        (await toggle.GetAttributeAsync("aria-expanded")).ShouldBe("true");
        (await toggle.GetAttributeAsync("aria-controls")).ShouldBe("aw-nav");
        (await toggle.GetAttributeAsync("aria-label")).ShouldBe("Show or hide the navigation");
        await BrowserFixture.WaitUntilAsync(page, DrawerShown);
        var drawer = await page.Locator("#aw-nav").BoundingBoxAsync();
        var bar = await page.Locator("header.mud-appbar").BoundingBoxAsync();
        var main = await page.Locator("#main").BoundingBoxAsync();
        drawer.ShouldNotBeNull(); bar.ShouldNotBeNull(); main.ShouldNotBeNull();
        drawer.Width.ShouldBeInRange(200, 300);
        drawer.Y.ShouldBe(bar.Y + bar.Height, 1, "the drawer starts under the app bar");
        main.X.ShouldBeGreaterThanOrEqualTo(drawer.X + drawer.Width - 1, "the page is beside the navigation, not under it");
        main.Y.ShouldBeGreaterThanOrEqualTo(bar.Y + bar.Height - 1, "the page starts under the app bar");
        await BrowserFixture.ScreenshotAsync(page, $"layout-inbox-{width}x{height}");

        // The skip link shows when focused and moves the focus to the page, without leaving it.
        var url = page.Url;
        var skip = page.Locator("[data-testid=skip-link]");
        await skip.FocusAsync();
        (await skip.InnerTextAsync()).ShouldBe("Skip to content");
        var shown = await skip.BoundingBoxAsync();
        shown.ShouldNotBeNull();
        shown.Y.ShouldBeGreaterThanOrEqualTo(0, "visible once focused");
        await page.Keyboard.PressAsync("Enter");
        await BrowserFixture.WaitUntilAsync(page, "() => document.activeElement && document.activeElement.id === 'main'");
        page.Url.ShouldBe(url);

        // The toggle by keyboard: closed, the navigation is out of sight, of the tab order and of the page's way.
        await toggle.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await BrowserFixture.WaitUntilAsync(page, "() => document.querySelector('.aw-nav-toggle-wide').getAttribute('aria-expanded') === 'false'");
        await BrowserFixture.WaitUntilAsync(page, DrawerHidden);
        await BrowserFixture.WaitUntilAsync(page, "() => document.getElementById('main').getBoundingClientRect().left < 1");
        (await nav.IsVisibleAsync()).ShouldBeFalse();
        (await page.EvaluateAsync<bool>("() => document.activeElement && document.activeElement.classList.contains('aw-nav-toggle-wide')")).ShouldBeTrue("the focus stays on the toggle");

        await page.Keyboard.PressAsync("Space");
        await BrowserFixture.WaitUntilAsync(page, "() => document.querySelector('.aw-nav-toggle-wide').getAttribute('aria-expanded') === 'true'");
        await BrowserFixture.WaitUntilAsync(page, DrawerShown);
        (await nav.IsVisibleAsync()).ShouldBeTrue();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task OnANarrowScreen_TheNavigationIsHidden_OpensOverThePage_AndClosesByItsOverlayEscapeOrALink()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", viewport: new ViewportSize { Width = 800, Height = 700 });
        await page.Locator("[data-testid=case-tiles]").WaitForAsync();
        (await page.Locator(Toggle).CountAsync()).ShouldBe(1);
        var toggle = page.Locator(Toggle);
        (await toggle.GetAttributeAsync("aria-expanded")).ShouldBe("false");
        await BrowserFixture.WaitUntilAsync(page, DrawerHidden);
        (await page.Locator("#aw-nav nav").IsVisibleAsync()).ShouldBeFalse();

        // Opened: over the page (which does not move), with an overlay.
        await toggle.ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, "() => document.querySelector('.aw-nav-toggle-narrow').getAttribute('aria-expanded') === 'true'");
        await BrowserFixture.WaitUntilAsync(page, DrawerShown);
        await page.Locator("[data-testid=nav-overlay]").WaitForAsync();
        (await page.EvaluateAsync<double>("() => document.getElementById('main').getBoundingClientRect().left")).ShouldBeLessThan(1);
        await BrowserFixture.ScreenshotAsync(page, "layout-inbox-narrow-open");

        // A click on the overlay closes it.
        await page.Mouse.ClickAsync(700, 400);
        await BrowserFixture.WaitUntilAsync(page, DrawerHidden);
        (await page.Locator(Toggle).GetAttributeAsync("aria-expanded")).ShouldBe("false");

        // Escape closes it, the focus back on the toggle.
        await page.Locator(Toggle).ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, DrawerShown);
        await page.Locator("#aw-nav a[href='/cards']").FocusAsync();
        await page.Keyboard.PressAsync("Escape");
        await BrowserFixture.WaitUntilAsync(page, DrawerHidden);
        await BrowserFixture.WaitUntilAsync(page, "() => document.activeElement && document.activeElement.classList.contains('aw-nav-toggle-narrow')");

        // A link opens its page and closes the drawer.
        await page.Locator(Toggle).ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, DrawerShown);
        await page.Locator("#aw-nav a[href='/cards']").ClickAsync();
        await page.WaitForURLAsync("**/cards");
        await BrowserFixture.WaitUntilAsync(page, DrawerHidden);
        (await page.Locator(Toggle).GetAttributeAsync("aria-expanded")).ShouldBe("false");
        await page.Context.CloseAsync();
    }
}
