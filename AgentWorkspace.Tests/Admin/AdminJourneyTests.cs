using System.Net;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Admin;

/// <summary>An administrator at work in the browser: each journey makes its own data, with unique names.</summary>
[Collection(BrowserCollection.Name)]
public class AdminJourneyTests(BrowserFixture browser)
{
    private static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..6];

    private AgentWorkspaceDbContext Db() => browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    /// <summary>Picks an item of a MudSelect: opens its list and clicks the item with that text.</summary>
    private static async Task ChooseAsync(IPage page, string selectTestId, string itemText)
    {
        await page.Locator($"[data-testid={selectTestId}]").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = itemText }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    [Fact]
    public async Task AnAdministratorCreatesADropdownFieldAfterFixingBadInputThenRemovesAnOptionInUse()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/custom-fields");
        await page.WaitForSelectorAsync("[data-testid=field-row]");
        await page.ClickAsync("[data-testid=new-field]");
        await page.FillAsync("[data-testid=field-ident] input", "niveau fidélité");
        await ChooseAsync(page, "field-type", "Dropdown");
        await page.ClickAsync("[data-testid=save-field]");
        await page.Locator("[data-testid=field-ident]", new() { HasTextString = "Only letters without accents" }).WaitForAsync();
        (await page.InnerTextAsync("[data-testid=field-label]")).ShouldContain("The label is required.");
        (await page.InnerTextAsync("[data-testid=options-error]")).ShouldContain("at least one option");
        await BrowserFixture.ScreenshotAsync(page, "admin-custom-field-errors");

        var ident = Unique("tier");
        await page.FillAsync("[data-testid=field-ident] input", ident);
        await page.FillAsync("[data-testid=field-label] input", "Loyalty tier");
        await page.FillAsync("[data-testid=field-label-fr] input", "Niveau de fidélité");
        foreach (var option in new[] { "Gold", "Silver", "Bronze" })
        {
            await page.FillAsync("[data-testid=new-option] input", option);
            await page.ClickAsync("[data-testid=add-option]");
        }
        await page.ClickAsync("[data-testid=save-field]");
        var row = page.Locator($"[data-testid=field-row][data-ident={ident}]");
        await row.WaitForAsync();
        (await row.InnerTextAsync()).ShouldContain("Gold · Silver · Bronze");
        await BrowserFixture.ScreenshotAsync(page, "admin-custom-fields");

        // The new field is last; its up arrow moves it one place up, for everyone.
        var idents = await page.Locator("[data-testid=field-row]").EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.ident)");
        idents[^1].ShouldBe(ident);
        await row.Locator("[data-testid=field-up]").ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, $"() => {{ const r = [...document.querySelectorAll('[data-testid=field-row]')].map(x => x.dataset.ident); return r.indexOf('{ident}') === r.length - 2; }}");

        // Two cards hold "Bronze": removing it asks, with the count, and their values move to Silver.
        await using (var db = Db())
        {
            var field = await db.CustomFields.SingleAsync(f => f.Ident == ident);
            var cards = await db.Cards.OrderBy(c => c.Id).Take(2).Select(c => c.Id).ToListAsync();
            foreach (var id in cards) db.CustomFieldValues.Add(new Core.Domain.CustomFields.CustomFieldValue(id, field.Id, "Bronze", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        row = page.Locator($"[data-testid=field-row][data-ident={ident}]");
        (await row.Locator("[data-testid=value-count]").InnerTextAsync()).ShouldBe("2");
        await row.Locator("[data-testid=edit-field]").ClickAsync();
        await page.ClickAsync("[data-testid=remove-option-2]");
        var ask = page.Locator("[data-testid=option-removal]");
        await ask.WaitForAsync();
        (await ask.InnerTextAsync()).ShouldContain("2 card(s) hold the option “Bronze”");
        await page.CheckAsync("[data-testid=removal-move]");
        await page.SelectOptionAsync("[data-testid=removal-move-to]", "Silver");
        await BrowserFixture.ScreenshotAsync(page, "admin-custom-field-option-removal");
        await page.ClickAsync("[data-testid=save-field]");
        await page.Locator("[data-testid=field-editor]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await using (var db = Db())
        {
            var field = await db.CustomFields.SingleAsync(f => f.Ident == ident);
            (await db.CustomFieldValues.Where(v => v.FieldId == field.Id).Select(v => v.Value).ToListAsync()).ShouldBe(["Silver", "Silver"]);
        }

        // A field with values is archived (values kept), then restored.
        await row.Locator("[data-testid=archive-field]").ClickAsync();
        var archived = page.Locator($"[data-testid=archived-row][data-ident={ident}]");
        await archived.WaitForAsync();
        await archived.Locator("[data-testid=restore-field]").ClickAsync();
        await row.WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdministratorCreatesAUserChangesTheRoleAndDisablesItButNeverTheLastAdministrator()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/users");
        await page.WaitForSelectorAsync("[data-testid=user-row]");
        await page.ClickAsync("[data-testid=new-user]");
        var email = Unique("nina") + "@example.org";
        await page.FillAsync("[data-testid=user-email] input", "nina-at-example");
        await page.FillAsync("[data-testid=user-display-name] input", "Nina Petit");
        await page.FillAsync("[data-testid=user-password] input", "short");
        await page.ClickAsync("[data-testid=save-user]");
        await page.Locator("[data-testid=user-email]", new() { HasTextString = "This is not an e-mail address." }).WaitForAsync();
        (await page.InnerTextAsync("[data-testid=user-password]")).ShouldContain("At least 12 characters.");
        await BrowserFixture.ScreenshotAsync(page, "admin-users-errors");

        await page.FillAsync("[data-testid=user-email] input", email);
        await page.FillAsync("[data-testid=user-password] input", "nina-long-passphrase");
        await page.ClickAsync("[data-testid=save-user]");
        var row = page.Locator($"[data-testid=user-row][data-email='{email}']");
        await row.WaitForAsync();
        await page.Locator("[data-testid=user-panel]").WaitForAsync();

        await ChooseAsync(page, "panel-role", "Supervisor");
        await page.ClickAsync("[data-testid=save-role]");
        await row.Locator("td", new() { HasTextString = "Supervisor" }).WaitForAsync();
        await page.ClickAsync("[data-testid=disable-user]");
        await row.Locator("text=Disabled").WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-users");

        // The demo administrator is the only one: disabling them is refused, next to the button.
        await page.Locator("[data-testid=user-row][data-email='admin@demo.local'] [data-testid=manage-user]").ClickAsync();
        await page.ClickAsync("[data-testid=disable-user]");
        (await page.Locator("[data-testid=disable-error]").InnerTextAsync()).ShouldContain("last active administrator");
        await page.Context.CloseAsync();

        // The disabled user cannot sign in.
        var nina = await browser.NewPageAsync();
        await nina.GotoAsync("/account/login");
        await nina.FillAsync("#email", email);
        await nina.FillAsync("#password", "nina-long-passphrase");
        await nina.ClickAsync("[data-testid=sign-in]");
        (await nina.InnerTextAsync("[data-testid=login-error]")).ShouldBe("The e-mail or the password is wrong, or the account is locked for a while after too many failed attempts.");
        nina.Url.ShouldContain("/account/login");
        await nina.Context.CloseAsync();

        await using var db = Db();
        (await db.Users.SingleAsync(u => u.Email == "admin@demo.local")).IsDisabled.ShouldBeFalse();
        var saved = await db.Users.SingleAsync(u => u.Email == email);
        saved.IsDisabled.ShouldBeTrue();
        saved.Role.ShouldBe(Role.Supervisor);
    }

    [Fact]
    public async Task AnAdministratorCreatesAQueueWithSkillsAndSlaTargets()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/queues");
        await page.WaitForSelectorAsync("[data-testid=queue-row]");
        await page.ClickAsync("[data-testid=new-queue]");
        var name = Unique("Billing");
        await page.FillAsync("[data-testid=queue-name] input", name);
        await page.FillAsync("[data-testid=queue-skills] input", "invoices, refunds");
        await page.FillAsync("[data-testid=queue-frt] input", "90");
        await page.FillAsync("[data-testid=queue-st] input", "30");
        await page.ClickAsync("[data-testid=save-queue]");
        await page.Locator("[data-testid=queue-st]", new() { HasTextString = "cannot be shorter" }).WaitForAsync();
        await page.FillAsync("[data-testid=queue-st] input", "480");
        await page.ClickAsync("[data-testid=save-queue]");
        var row = page.Locator($"[data-testid=queue-row][data-name='{name}']");
        await row.WaitForAsync();
        var text = await row.InnerTextAsync();
        text.ShouldContain("invoices");
        text.ShouldContain("90 min");
        text.ShouldContain("8 h");
        await BrowserFixture.ScreenshotAsync(page, "admin-queues");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnApiKeyIsShownOnceWorksForItsRoleAndStopsWorkingWhenRevoked()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/api-keys");
        await page.WaitForSelectorAsync("[data-testid=api-key-form]");
        await page.ClickAsync("[data-testid=create-api-key]");
        await page.Locator("[data-testid=api-key-name]", new() { HasTextString = "An API key needs a name." }).WaitForAsync();
        var name = Unique("crm");
        await page.FillAsync("[data-testid=api-key-name] input", name);
        await page.ClickAsync("[data-testid=create-api-key]");
        var secret = (await page.Locator("[data-testid=api-key-secret]").InnerTextAsync()).Trim();
        secret.ShouldStartWith("aw_");
        await BrowserFixture.ScreenshotAsync(page, "admin-api-keys");

        using var http = browser.App.CreateClient(withApiKey: false);
        http.DefaultRequestHeaders.Add("X-Api-Key", secret);
        (await http.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.DeleteAsync("api/v1/custom-fields/customer_number")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        (await page.Locator("[data-testid=api-key-secret]").CountAsync()).ShouldBe(0);
        await page.Locator($"[data-testid=api-key-row][data-name='{name}'] [data-testid=revoke-api-key]").ClickAsync();
        await page.Locator(".mud-dialog .mud-button-root", new() { HasTextString = "Revoke" }).Last.ClickAsync();
        await page.Locator($"[data-testid=api-key-row][data-name='{name}']", new() { HasTextString = "Revoked" }).WaitForAsync();
        (await http.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task InFrenchAQuickReplyWithoutTextIsRefusedNextToTheFieldThenSaved()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/quick-replies", locale: "fr-FR");
        await page.WaitForSelectorAsync("[data-testid=replies-table]");
        await page.ClickAsync("[data-testid=new-reply]");
        var title = Unique("Délai de livraison");
        await page.FillAsync("[data-testid=reply-title] input", title);
        await page.ClickAsync("[data-testid=save-reply]");
        await page.Locator("[data-testid=reply-body]", new() { HasTextString = "Une réponse rapide a besoin d'un texte." }).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-quick-replies-errors");
        await page.FillAsync("[data-testid=reply-body] textarea", "Votre commande arrive sous 48 h.");
        await page.FillAsync("[data-testid=reply-tags] input", "livraison, délai");
        await page.ClickAsync("[data-testid=save-reply]");
        var row = page.Locator($"[data-testid=reply-row][data-title='{title}']");
        await row.WaitForAsync();
        (await row.InnerTextAsync()).ShouldContain("Français");
        await BrowserFixture.ScreenshotAsync(page, "admin-quick-replies");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SettingsRefuseAnUnknownRegionAndSaveAKnownOne()
    {
        var settings = browser.App.Services.GetRequiredService<SettingsService>();
        var before = await settings.GetAsync();
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/settings");
        try
        {
            await page.WaitForSelectorAsync("[data-testid=settings-form]");
            await page.FillAsync("[data-testid=settings-region] input", "XX");
            await page.ClickAsync("[data-testid=save-settings]");
            await page.Locator("[data-testid=settings-region]", new() { HasTextString = "Not a region code" }).WaitForAsync();
            (await settings.GetAsync()).DefaultPhoneRegion.ShouldBe(before.DefaultPhoneRegion);
            await BrowserFixture.ScreenshotAsync(page, "admin-settings");
            await page.FillAsync("[data-testid=settings-region] input", "be");
            await page.ClickAsync("[data-testid=save-settings]");
            await BrowserFixture.WaitUntilAsync(page, "() => document.querySelector('[data-testid=settings-region] input').value === 'BE'");
            (await settings.GetAsync()).DefaultPhoneRegion.ShouldBe("BE");
        }
        finally
        {
            // Other journeys read phone numbers with the demo's region.
            await settings.UpdateAsync(Actor.System, before.DefaultPhoneRegion, before.AgentsMayMerge);
            await page.Context.CloseAsync();
        }
    }

    [Fact]
    public async Task TheAuditListsAdministrationChangesFilteredByWhoAndWhat()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/quick-replies");
        await page.WaitForSelectorAsync("[data-testid=replies-table]");
        await page.ClickAsync("[data-testid=new-reply]");
        var title = Unique("Audit me");
        await page.FillAsync("[data-testid=reply-title] input", title);
        await page.FillAsync("[data-testid=reply-body] textarea", "Body");
        await page.ClickAsync("[data-testid=save-reply]");
        await page.Locator($"[data-testid=reply-row][data-title='{title}']").WaitForAsync();

        await page.GotoAsync("/admin/audit");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.FillAsync("[data-testid=audit-who] input", "Alex");
        await ChooseAsync(page, "audit-what", "Quick reply");
        await page.ClickAsync("[data-testid=audit-search]");
        var table = page.Locator("[data-testid=audit-table]");
        await table.Locator("td", new() { HasTextString = title }).WaitForAsync();
        // The unfiltered list may still be on screen for a moment (it holds the new reply too): give the
        // filtered answer time to replace it, then require that nothing but quick replies is listed.
        var text = await table.InnerTextAsync();
        for (var i = 0; i < 50 && text.Contains("Custom field #", StringComparison.OrdinalIgnoreCase); i++)
        {
            await Task.Delay(200);
            text = await table.InnerTextAsync();
        }
        text.ShouldNotContain("Custom field #");
        // Entity and action are named in the reader's language, not as stored codes.
        var row = table.Locator("tr", new() { HasTextString = title });
        (await row.InnerTextAsync()).ShouldContain("Quick reply #");
        (await row.Locator("td").Nth(3).InnerTextAsync()).Trim().ShouldBe("Created");
        text.ShouldNotContain("QuickReply #");
        await BrowserFixture.ScreenshotAsync(page, "admin-audit");
        await page.Context.CloseAsync();
    }
}
