using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Admin;

/// <summary>
/// The cross-feature journey, two browsers at once: an administrator defines a field, an
/// agent with a case open in the inbox sees it appear on the condensed card without reloading, sets
/// its value, and sees the editor turn read-only when the administrator makes the field not editable.
/// </summary>
[Collection(BrowserCollection.Name)]
public class LiveCustomFieldJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task AFieldTheAdministratorCreatesAppearsOnTheAgentsOpenCaseIsSetAndTurnsReadOnlyWithoutReload()
    {
        // The agent opens a case of the inbox; its customer card shows beside it.
        var agent = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await agent.Locator("[data-testid=case-tile]").First.ClickAsync();
        var card = agent.Locator("[data-testid=condensed-card]");
        await card.Locator("[data-testid=condensed-name]").WaitForAsync();
        var cardId = long.Parse((await card.GetAttributeAsync("data-card-id"))!);

        // Meanwhile an administrator creates a dropdown, visible in the right panel and editable.
        var ident = "contract_" + Guid.NewGuid().ToString("N")[..6];
        var admin = await browser.SignInAsAsync(Role.Admin, "/admin/custom-fields");
        await admin.WaitForSelectorAsync("[data-testid=field-row]");
        await admin.ClickAsync("[data-testid=new-field]");
        await admin.FillAsync("[data-testid=field-ident] input", ident);
        await admin.FillAsync("[data-testid=field-label] input", "Contract " + ident[^6..]);
        await admin.Locator("[data-testid=field-type]").ClickAsync();
        await admin.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "Dropdown" }).First.ClickAsync();
        foreach (var option in new[] { "Gold", "Silver" })
        {
            await admin.FillAsync("[data-testid=new-option] input", option);
            await admin.ClickAsync("[data-testid=add-option]");
        }
        await admin.ClickAsync("[data-testid=save-field]");
        var row = admin.Locator($"[data-testid=field-row][data-ident={ident}]");
        await row.WaitForAsync();

        // The agent's card shows the new field at once, as an editor, and the agent sets it.
        var field = card.Locator($"[data-testid=cf-{ident}]");
        await field.WaitForAsync();
        (await field.GetAttributeAsync("data-editable")).ShouldBe("true");
        await BrowserFixture.ScreenshotAsync(agent, "admin-live-field-agent");
        await field.Locator(".mud-select").First.ClickAsync();
        await agent.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "Gold" }).First.ClickAsync();
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await Eventually.TrueAsync(async () =>
        {
            await using var db = factory.CreateDbContext();
            var definition = await db.CustomFields.SingleAsync(f => f.Ident == ident);
            return await db.CustomFieldValues.AnyAsync(v => v.CardId == cardId && v.FieldId == definition.Id && v.Value == "Gold");
        }, "the value reached the database", TimeSpan.FromSeconds(15));

        // The administrator makes the field not editable: the agent's editor turns read-only, value kept.
        await row.Locator("[data-testid=edit-field]").ClickAsync();
        await admin.Locator("[data-testid=toggle-editable]").First.ClickAsync();
        await admin.ClickAsync("[data-testid=save-field]");
        await admin.Locator("[data-testid=field-editor]").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        var readOnly = card.Locator($"[data-testid=cf-{ident}][data-editable=false]");
        await readOnly.WaitForAsync();
        (await readOnly.Locator("[data-testid=cf-value]").InnerTextAsync()).ShouldBe("Gold");
        (await field.Locator("input").CountAsync()).ShouldBe(0);
        await BrowserFixture.ScreenshotAsync(agent, "admin-live-field-read-only");

        await admin.Context.CloseAsync();
        await agent.Context.CloseAsync();
    }
}
