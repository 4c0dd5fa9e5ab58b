using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Two app servers on one database (SQLite allows several processes on one host; each server has its own ingest
/// writer): the same new numbers arriving on both at once still make one card each.
/// </summary>
public class TwoServersIngestTests
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task The_same_new_numbers_arriving_on_both_servers_at_once_make_one_card_each()
    {
        await using var a = await AppHost.StartAsync(demoCards: 5);
        await using var b = await AppHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={a.DatabaseFile}",
            ["Demo:Seed"] = "false",
        });
        using var toA = a.CreateClient();
        using var toB = b.CreateClient();
        var ct = TestContext.Current.CancellationToken;
        // New French mobiles (the demo's five cards hold none of them), each written nationally and in E.164.
        var random = new Random();
        var numbers = new List<(string National, string E164)>();
        while (numbers.Count < 8)
        {
            var national = "07 " + string.Join(' ', Enumerable.Range(0, 4).Select(_ => random.Next(10, 99).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (Core.Domain.Channels.PhoneNumber.TryParse(national, "FR", out _, out _)) numbers.Add((national, Core.Domain.Channels.PhoneNumber.Parse(national, "FR").E164));
        }

        var posts = numbers.SelectMany((number, n) => Enumerable.Range(0, 6).Select(i =>
        {
            var address = i % 2 == 0 ? number.E164 : number.National;
            var body = $$"""{ "channel": "{{(i % 3 == 0 ? "voice" : "sms")}}", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "{{address}}" }, "body": "n° {{n}}.{{i}}" }""";
            return ((i + n) % 2 == 0 ? toA : toB).PostAsync("api/v1/interactions", Json(body), ct);
        })).ToList();
        var responses = await Task.WhenAll(posts);
        var answers = await Task.WhenAll(responses.Select(async r => ((int)r.StatusCode, await r.Content.ReadAsStringAsync(ct))));
        answers.ShouldAllBe(x => x.Item1 == (int)HttpStatusCode.Created, string.Join("\n", answers.Select(x => $"{x.Item1} {x.Item2}")));

        await using var db = a.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        foreach (var (_, number) in numbers)
        {
            var cards = await db.Identities.Where(i => i.NormalizedAddress == number).Select(i => i.CardId).Distinct().ToListAsync(ct);
            cards.Count.ShouldBe(1, $"{number} is on {cards.Count} cards");
            (await db.Identities.CountAsync(i => i.NormalizedAddress == number, ct)).ShouldBe(1, "calls and texts share the phone space: one identity");
        }
        var cardIds = answers.Select(x => JsonDocument.Parse(x.Item2).RootElement.GetProperty("cardId").GetInt64()).Distinct().Count();
        cardIds.ShouldBe(numbers.Count, "every answer names its number's one card");
    }
}

/// <summary>The Data Protection keys live in the database: a sign-in made on one server is good on the other.</summary>
public class SharedKeysTests
{
    [Fact]
    public async Task A_sign_in_cookie_from_one_server_opens_pages_on_the_other_and_a_stranger_still_gets_the_sign_in_page()
    {
        await using var a = await AppHost.StartAsync(demoCards: 5);
        await using var b = await AppHost.StartAsync(new Dictionary<string, string?>
        {
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={a.DatabaseFile}",
            ["Demo:Seed"] = "false",
        });
        var cookies = new System.Net.CookieContainer();
        using var onA = new Access.SignInClient(a, cookies: cookies);
        var agent = Web.Hosting.DemoUsers.All.First(u => u.Role == Core.Domain.Identity.Role.Agent);
        (await onA.SignInAsync(agent.Email, agent.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        // Cookies are not bound to a port: B's client sends what A set, as a browser behind one address would.
        using var onB = new Access.SignInClient(b, cookies: cookies);
        (await onB.IsSignedInAsync()).ShouldBeTrue("B reads the cookie A protected");
        using var stranger = new Access.SignInClient(b);
        (await stranger.IsSignedInAsync()).ShouldBeFalse();
    }
}
