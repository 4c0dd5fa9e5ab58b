using System.Collections.Concurrent;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// The change feed between servers over a real redis-server: every server's subscribers get every change once, Redis
/// going away leaves each server serving its own pages (health degraded), and its return makes them reload.
/// </summary>
public class RedisChangeFeedTests
{
    private static async Task<RedisChangeFeed> FeedAsync(RedisServer redis, string channel)
    {
        var feed = new RedisChangeFeed(new RealtimeSettings(redis.Configuration, channel), NullLogger<RedisChangeFeed>.Instance, NullLogger<InProcessChangeFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        return feed;
    }

    private sealed class Received
    {
        public readonly ConcurrentQueue<ChangeEvent> Events = new();
        public int Count(ChangeKind kind, long? caseId = null) => Events.Count(e => e.Kind == kind && (caseId is null || e.CaseId == caseId));
    }

    private static Received Listen(IChangeFeed feed)
    {
        var received = new Received();
        feed.Subscribe(change => { received.Events.Enqueue(change); return Task.CompletedTask; });
        return received;
    }

    private static async Task Until(Func<bool> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {seconds} s: {what}.");
            await Task.Delay(25);
        }
    }

    private static async Task Until(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var until = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException($"Not within {seconds} s: {what}.");
            await Task.Delay(50);
        }
    }

    [Fact]
    public async Task A_change_published_on_one_server_reaches_both_servers_subscribers_once_with_its_ids()
    {
        await using var redis = await RedisServer.StartAsync();
        var channel = "test:" + Guid.NewGuid().ToString("N");
        await using var a = await FeedAsync(redis, channel);
        await using var b = await FeedAsync(redis, channel);
        var onA = Listen(a);
        var onB = Listen(b);

        a.Publish(new ChangeEvent(ChangeKind.MessageArrived, CardId: 7, CaseId: 42, QueueId: 3, ActorId: "agent-1", AgentId: "agent-2") { SurvivorId = 9 });
        // A marker published after it: once B has the marker, a duplicate of the first would have arrived too.
        a.Publish(new ChangeEvent(ChangeKind.CaseChanged, CaseId: 999));
        await Until(() => onB.Count(ChangeKind.CaseChanged, 999) == 1 && onA.Count(ChangeKind.CaseChanged, 999) == 1, "both servers received the marker");

        onA.Count(ChangeKind.MessageArrived, 42).ShouldBe(1, "the publishing server's own pages get it once (not again from Redis)");
        onB.Count(ChangeKind.MessageArrived, 42).ShouldBe(1);
        var crossed = onB.Events.Single(e => e.Kind == ChangeKind.MessageArrived);
        crossed.ShouldBe(new ChangeEvent(ChangeKind.MessageArrived, CardId: 7, CaseId: 42, QueueId: 3, ActorId: "agent-1", AgentId: "agent-2") { SurvivorId = 9, At = crossed.At });
        crossed.At.ShouldBe(onA.Events.Single(e => e.Kind == ChangeKind.MessageArrived).At, "the time of the change crosses as it was");
        a.IsConnected.ShouldBeTrue();
    }

    [Fact]
    public async Task Something_else_on_the_channel_is_ignored_and_the_feed_goes_on()
    {
        await using var redis = await RedisServer.StartAsync();
        var channel = "test:" + Guid.NewGuid().ToString("N");
        await using var a = await FeedAsync(redis, channel);
        var onA = Listen(a);
        await using (var other = await ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var pub = other.GetSubscriber();
            await pub.PublishAsync(RedisChannel.Literal(channel), "not json");
            await pub.PublishAsync(RedisChannel.Literal(channel), "{\"origin\":\"x\",\"change\":{\"kind\":\"NoSuchKind\"}}");
            await pub.PublishAsync(RedisChannel.Literal(channel), "{\"origin\":\"x\",\"change\":{\"kind\":\"CardChanged\",\"cardId\":5}}");
        }
        await Until(() => onA.Count(ChangeKind.CardChanged) == 1, "the valid change after the invalid ones arrived");
        onA.Events.Count.ShouldBe(1);
    }

    [Fact]
    public async Task Without_Redis_each_server_keeps_its_own_pages_live_and_reports_degraded_then_both_reload_when_it_is_back()
    {
        await using var redis = await RedisServer.StartAsync();
        var channel = "test:" + Guid.NewGuid().ToString("N");
        await using var a = await FeedAsync(redis, channel);
        await using var b = await FeedAsync(redis, channel);
        var onA = Listen(a);
        var onB = Listen(b);
        var health = new RealtimeHealthCheck(a);
        (await health.CheckHealthAsync(new HealthCheckContext())).Status.ShouldBe(HealthStatus.Healthy);

        await redis.StopAsync();
        await Until(() => !a.IsConnected && !b.IsConnected, "both servers noticed Redis is gone");
        (await health.CheckHealthAsync(new HealthCheckContext())).Status.ShouldBe(HealthStatus.Degraded);

        a.Publish(new ChangeEvent(ChangeKind.CaseChanged, CaseId: 1));
        await Until(() => onA.Count(ChangeKind.CaseChanged, 1) == 1, "server A's own pages still get A's changes");
        onB.Count(ChangeKind.CaseChanged, 1).ShouldBe(0, "B cannot hear A while Redis is down");

        await redis.StartAgainAsync();
        await Until(() => a.IsConnected && b.IsConnected, "both servers reconnected", 40);
        await Until(() => onA.Count(ChangeKind.Resync) >= 1 && onB.Count(ChangeKind.Resync) >= 1, "both servers told their pages to reload", 40);
        (await health.CheckHealthAsync(new HealthCheckContext())).Status.ShouldBe(HealthStatus.Healthy);

        a.Publish(new ChangeEvent(ChangeKind.CaseChanged, CaseId: 2));
        await Until(() => onB.Count(ChangeKind.CaseChanged, 2) == 1, "changes cross again");
    }

    private static async Task<string> Health(HttpClient http) => await (await http.GetAsync("health")).Content.ReadAsStringAsync();

    [Fact]
    public async Task Two_app_servers_on_one_database_follow_each_others_settings_and_custom_fields_and_health_says_degraded_without_Redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var channel = "test:" + Guid.NewGuid().ToString("N");
        var realtime = new Dictionary<string, string?> { ["Realtime:Redis"] = redis.Configuration, ["Realtime:Channel"] = channel };
        await using var a = await AppHost.StartAsync(realtime, demoCards: 20);
        await using var b = await AppHost.StartAsync(new Dictionary<string, string?>(realtime)
        {
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={a.DatabaseFile}",
            ["Demo:Seed"] = "false",
        });
        Actor admin;
        long cardId;
        await using (var db = a.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext())
        {
            admin = (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
            cardId = await db.Cards.Select(c => c.Id).FirstAsync();
        }

        // Both servers have read (and cached) the settings and the card's custom fields.
        var settingsOnA = a.GetRequiredService<SettingsService>();
        var before = (await settingsOnA.GetAsync()).AgentsMayMerge;
        var cardsOnA = a.GetRequiredService<Core.Features.Cards.CardReads>();
        var fieldsBefore = (await cardsOnA.GetFirstViewAsync(admin, cardId)).CustomFields.Select(f => f.Ident).ToList();
        fieldsBefore.ShouldNotBeEmpty();

        // An administrator on B switches a setting and archives a field: A's pages and caches follow.
        await b.GetRequiredService<SettingsService>().UpdateAsync(admin, "FR", !before);
        await b.GetRequiredService<Core.Features.CustomFields.CustomFieldService>().ArchiveAsync(admin, fieldsBefore[0]);
        await Until(async () => (await settingsOnA.GetAsync()).AgentsMayMerge == !before, "A reads B's setting");
        await Until(async () => !(await cardsOnA.GetFirstViewAsync(admin, cardId)).CustomFields.Any(f => f.Ident == fieldsBefore[0]), "A's card drops the field B archived");

        using var http = a.CreateClient(withApiKey: false);
        (await http.GetStringAsync("health")).ShouldBe("Healthy");
        await redis.StopAsync();
        await Until(async () => await Health(http) == "Degraded: realtime", "A's health says degraded: realtime");
        var answer = await http.GetAsync("health");
        ((int)answer.StatusCode).ShouldBe(200, "a degraded server still serves (the balancer keeps it)");
        await redis.StartAgainAsync();
        await Until(async () => await Health(http) == "Healthy", "A's health is back", 40);
    }
}
