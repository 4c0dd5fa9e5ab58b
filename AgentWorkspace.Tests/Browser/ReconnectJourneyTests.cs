using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Hosting;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>The connection to the server drops and comes back: the agent is told in their language, and keeps what they typed.</summary>
[Collection(BrowserCollection.Name)]
public class ReconnectJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task When_the_server_goes_away_the_agent_is_told_in_French_in_the_products_dialog_and_the_reply_being_typed_stays()
    {
        browser.RequireBrowser();
        var app = await AppHost.StartAsync(demoCards: 20);
        var stopped = false;
        try
        {
            var page = await browser.SignInAtAsync(app.BaseUrl, Role.Agent, "/inbox", "fr-FR");
            (await page.Locator("#components-reconnect-modal").IsVisibleAsync()).ShouldBeFalse("nothing to say while connected");

            await page.Locator("[data-testid=case-tile]").First.ClickAsync();
            var composer = page.Locator("[data-testid=active-case] [data-testid=composer-text] textarea, [data-testid=active-case] textarea[data-testid=composer-text]").First;
            await composer.FillAsync("Bonjour, je reviens vers vous dans la journée.");

            await app.DisposeAsync();
            stopped = true;

            var dialog = page.Locator("#components-reconnect-modal");
            await BrowserFixture.WaitUntilAsync(page, "() => document.getElementById('components-reconnect-modal').open", 20_000);
            (await page.EvaluateAsync<bool>("() => document.getElementById('components-reconnect-modal').matches(':modal')")).ShouldBeTrue("the page underneath cannot be used meanwhile");
            var said = await dialog.InnerTextAsync();
            said.ShouldContain("Connexion au serveur perdue");
            said.ShouldNotContain("Rejoining the server", Shouldly.Case.Insensitive, "Blazor's own English dialog is not shown");
            said.ShouldNotContain("?", customMessage: "no unknown count of attempts is shown");
            (await page.Locator("[data-testid=composer-text] textarea, textarea[data-testid=composer-text]").First.InputValueAsync())
                .ShouldBe("Bonjour, je reviens vers vous dans la journée.", "what was typed stays on the page");
            await BrowserFixture.ScreenshotAsync(page, "reconnecting-fr");
            await page.Context.CloseAsync();
        }
        finally
        {
            if (!stopped) await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_long_reply_in_Arabic_goes_through_the_connection_whole()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        using var api = browser.App.CreateClient();
        var response = await api.PostAsync("api/v1/interactions", new StringContent(System.Text.Json.JsonSerializer.Serialize(new
        {
            channel = "sms", externalId = "arabic-" + Guid.NewGuid().ToString("N"), kind = "sms",
            from = new { address = "07 97 " + Random.Shared.Next(10, 99) + " " + Random.Shared.Next(10, 99) + " " + Random.Shared.Next(10, 99), displayName = "Layla Haddad" },
            body = "مرحبا، لدي سؤال عن طلبي", queue = "Support",
        }), System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        using var created = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var caseId = created.RootElement.GetProperty("caseId").GetInt64();
        await page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']").ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        await active.WaitForAsync();
        // 9,000 characters that JSON writes as \uXXXX: about 54 KB in one message, over SignalR's default 32 KB.
        var words = string.Concat(Enumerable.Repeat("مرحبا بكم ", 900));
        var composer = active.Locator("[data-testid=composer-text] textarea, textarea[data-testid=composer-text]").First;
        await composer.FillAsync(words);
        await composer.PressAsync("Tab");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        var sent = active.Locator("[data-testid=thread-entry][data-kind=outbound]", new() { HasTextString = "مرحبا بكم مرحبا بكم" }).Last;
        await sent.WaitForAsync(new() { Timeout = 30_000 });
        (await sent.InnerTextAsync()).Length.ShouldBeGreaterThanOrEqualTo(words.Trim().Length);
        (await page.Locator("#components-reconnect-modal").IsVisibleAsync()).ShouldBeFalse("the connection held");
        await page.Context.CloseAsync();
    }
}
