using System.Net;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Hosting;
using AgentWorkspace.Web.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Two app servers on one database, Redis between them, nginx in front with the repository's sticky configuration,
/// and an agent's browser: what reaches the other server reaches the agent's page live, an admin's switch on the other
/// server reaches the agent's card, and a Redis outage is survived (health degraded) and caught up after.
/// </summary>
[Collection(BrowserCollection.Name)]
public class SeveralServersJourneyTests(BrowserFixture browser)
{
    private static StringContent Json(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    private static async Task<long> PostSmsAsync(AppHost server, string name, string text)
    {
        using var api = server.CreateClient();
        var number = "07 98 " + string.Join(' ', Enumerable.Range(0, 3).Select(_ => Random.Shared.Next(10, 99)));
        var response = await api.PostAsync("api/v1/interactions", Json(new
        {
            channel = "sms", externalId = "servers-" + Guid.NewGuid().ToString("N"), kind = "sms",
            from = new { address = number, displayName = name }, body = text, queue = "Support",
        }));
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        using var created = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return created.RootElement.GetProperty("caseId").GetInt64();
    }

    private static async Task<string> HealthAsync(AppHost server)
    {
        using var http = server.CreateClient(withApiKey: false);
        return await (await http.GetAsync("health")).Content.ReadAsStringAsync();
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {seconds} s: {what}.");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Through_nginx_an_agent_sees_the_other_servers_messages_and_switches_live_and_catches_up_after_a_Redis_outage()
    {
        browser.RequireBrowser();
        await using var redis = await RedisServer.StartAsync();
        var realtime = new Dictionary<string, string?> { ["Realtime:Redis"] = redis.Configuration, ["Realtime:Channel"] = "journey:" + Guid.NewGuid().ToString("N") };
        await using var a = await AppHost.StartAsync(realtime, demoCards: 30);
        await using var b = await AppHost.StartAsync(new Dictionary<string, string?>(realtime)
        {
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={a.DatabaseFile}",
            ["Demo:Seed"] = "false",
        });
        await using var nginx = await NginxProxy.StartAsync(a.BaseUrl, b.BaseUrl);
        var feeds = new[] { a.GetRequiredService<RedisChangeFeed>(), b.GetRequiredService<RedisChangeFeed>() };
        var before = feeds.Select(f => f.SubscriberCount).ToArray();

        // The agent signs in through nginx and opens the inbox.
        var page = await browser.SignInAtAsync(nginx.BaseUrl, Role.Agent, "/inbox");
        await page.WaitForSelectorAsync("[data-testid=case-tile]");

        // Whichever server nginx keeps the agent on, the other one does the talking.
        await UntilAsync(() => Task.FromResult(feeds[0].SubscriberCount > before[0] || feeds[1].SubscriberCount > before[1]), "the agent's page listens on one server");
        var (mine, other) = feeds[0].SubscriberCount > before[0] ? (a, b) : (b, a);
        (feeds[0].SubscriberCount > before[0] && feeds[1].SubscriberCount > before[1]).ShouldBeFalse("sticky: one browser, one server");

        // 1. A message that arrives on the other server appears live.
        var name = "Servers" + Random.Shared.Next(10_000, 99_999);
        var caseId = await PostSmsAsync(other, name, "Arrived on the other server");
        var tile = page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']");
        await tile.WaitForAsync();
        await tile.ClickAsync();
        await page.Locator("[data-testid=condensed-name]").WaitForAsync();

        // 2. An admin on the other server makes a field of the agent's card read-only: the card follows.
        Actor admin;
        string ident;
        await using (var db = a.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext())
        {
            admin = (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
            ident = await db.CustomFields.Where(f => f.VisibleInRightPanel && f.Editable && !f.IsArchived)
                .OrderBy(f => f.DisplayOrder).Select(f => f.Ident).FirstAsync();
        }
        var field = page.Locator($"[data-testid=cf-{ident}]");
        (await field.GetAttributeAsync("data-editable")).ShouldBe("true");
        var fields = other.GetRequiredService<CustomFieldService>();
        var view = await fields.GetAsync(admin, ident);
        var typeName = CustomFieldRules.TypeNames.First(t => t.Value == view.Type).Key;
        await fields.UpdateAsync(admin, ident, new CustomFieldInput(view.Ident, view.Label, view.LabelFr, view.LabelEn, typeName, view.Options,
            view.VisibleInRightPanel, Editable: false, view.VisibleInCard));
        await BrowserFixture.WaitUntilAsync(page, $"() => document.querySelector('[data-testid=cf-{ident}]').getAttribute('data-editable') === 'false'");

        // 3. Redis goes: both servers keep answering, degraded; what arrives meanwhile is shown once it is back.
        await redis.StopAsync();
        await UntilAsync(async () => await HealthAsync(a) == "Degraded: realtime" && await HealthAsync(b) == "Degraded: realtime", "both servers say degraded: realtime");
        var missed = await PostSmsAsync(other, name + "b", "Arrived while Redis was down");
        (await page.Locator("[data-testid=case-tile]").CountAsync()).ShouldBeGreaterThan(0, "the agent's page is still there");
        await redis.StartAgainAsync();
        await UntilAsync(async () => await HealthAsync(a) == "Healthy" && await HealthAsync(b) == "Healthy", "both servers healthy again", 60);
        await page.Locator($"[data-testid=case-tile][data-case-id='{missed}']").WaitForAsync(new() { Timeout = 30_000 });
        await page.Context.CloseAsync();
    }
}
