using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// Issue 17: a customer's photo address (a tracking pixel, here on a server of this machine) never reaches the agent's
/// browser: the card page and the search ask this server only, and show a picture all the same (the initials, since the
/// app may not fetch from this machine).
/// </summary>
[Collection(BrowserCollection.Name)]
public class AvatarJourneyTests(BrowserFixture browser)
{
    private static string Input(string testId) => $"[data-testid={testId}] input, input[data-testid={testId}]";

    [Fact]
    public async Task TheAgentsBrowserNeverAsksTheCustomersServer_TheCardAndTheSearchShowAPictureFromThisServer()
    {
        browser.RequireBrowser();
        await using var pixels = await ImageServer.StartAsync();
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var lastName = "Pixel" + Guid.NewGuid().ToString("N")[..6];
        var (cardId, _) = await CardTestData.CardWithMessagesAsync(factory, 1, lastName, "+3362" + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using (var db = factory.CreateDbContext())
            await db.Cards.Where(c => c.Id == cardId).ExecuteUpdateAsync(s => s.SetProperty(c => c.AvatarUrl, pixels.Url("/photos/tracker.png")));

        var page = await browser.SignInAsAsync(Role.Agent, "/cards");
        var requests = new List<string>();
        page.Request += (_, r) => { lock (requests) requests.Add(r.Url); };

        await page.FillAsync(Input("card-search"), lastName);
        await page.ClickAsync("[data-testid=card-search-submit]");
        var hit = page.Locator($"[data-testid=card-result][data-card-id='{cardId}'] img");
        await hit.WaitForAsync();
        (await hit.GetAttributeAsync("src"))!.ShouldStartWith($"/media/avatars/{cardId}?v=");

        await page.GotoAsync($"/cards/{cardId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var avatar = page.Locator("[data-testid=card-avatar-image]");
        await avatar.WaitForAsync();
        (await avatar.GetAttributeAsync("src"))!.ShouldStartWith($"/media/avatars/{cardId}?v=");
        // A picture is shown (the server's initials): no broken image, and no script needed to replace it.
        await BrowserFixture.WaitUntilAsync(page, "() => { const i = document.querySelector('[data-testid=card-avatar-image]'); return i && i.complete && i.naturalWidth > 0; }");

        lock (requests)
        {
            requests.ShouldContain(u => u.StartsWith(browser.App.BaseUrl + $"/media/avatars/{cardId}", StringComparison.Ordinal));
            requests.ShouldNotContain(u => u.StartsWith(pixels.BaseUrl, StringComparison.Ordinal));
        }
        pixels.Hits("/photos/tracker.png").ShouldBe(0, "the app may not fetch from this machine either (Avatars:AllowLoopback is off)");
        (await page.ContentAsync()).ShouldNotContain(pixels.BaseUrl);
        await page.Context.CloseAsync();
    }
}
