using System.Text.Json;
using System.Text.Json.Serialization;
using AgentWorkspace.Core.Realtime;
using StackExchange.Redis;

namespace AgentWorkspace.Web.Realtime;

/// <summary>What <c>Realtime:*</c> says: the Redis server of the change feed between servers (none: in-process feed).</summary>
public sealed record RealtimeSettings(string? Redis, string Channel)
{
    public bool UsesRedis => !string.IsNullOrWhiteSpace(Redis);

    public static RealtimeSettings From(IConfiguration config) =>
        new(config["Realtime:Redis"], string.IsNullOrWhiteSpace(config["Realtime:Channel"]) ? "agentworkspace:changes" : config["Realtime:Channel"]!);
}

/// <summary>
/// The change feed of several servers (issue 20): every event is delivered to this server's subscribers at once (as the
/// in-process feed does) and published on a Redis pub/sub channel, from which the other servers deliver it to theirs.
/// An event carries ids only, never user content, so what crosses Redis is no more than what the feed already says.
/// <para>
/// Redis down: this server goes on serving its own circuits (local delivery never waits on Redis); what it publishes
/// meanwhile does not reach the others, and what they publish does not reach it. So when the connection comes back, this
/// server delivers <see cref="ChangeKind.Resync"/> to its own subscribers (caches forget, open pages reload) and asks the
/// others to do the same. The health check reports "degraded: realtime" while the connection is down.
/// </para>
/// </summary>
public sealed class RedisChangeFeed : IChangeFeed, IHostedService, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly InProcessChangeFeed _local;
    private readonly RealtimeSettings _settings;
    private readonly ILogger<RedisChangeFeed> _log;
    private readonly RedisChannel _channel;
    private ConnectionMultiplexer? _redis;
    private int _interrupted;
    private long _failedPublishes;
    private int _subscribed;
    private readonly SemaphoreSlim _subscribing = new(1, 1);

    /// <summary>This process, as named in what it publishes (its own events come back from Redis and are skipped).</summary>
    public string ServerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}";

    public RedisChangeFeed(RealtimeSettings settings, ILogger<RedisChangeFeed> log, ILogger<InProcessChangeFeed> localLog)
    {
        _settings = settings;
        _log = log;
        _local = new InProcessChangeFeed(localLog);
        _channel = RedisChannel.Literal(settings.Channel);
    }

    /// <summary>Whether events cross to the other servers now (connected and subscribed).</summary>
    public bool IsConnected => _redis is { IsConnected: true } && Volatile.Read(ref _interrupted) == 0;

    /// <summary>Publishes that could not reach Redis since start (they reached this server's pages).</summary>
    public long FailedPublishes => Interlocked.Read(ref _failedPublishes);

    public IDisposable Subscribe(Func<ChangeEvent, Task> handler) => _local.Subscribe(handler);

    public IDisposable Subscribe(Func<ChangeEvent, bool> wants, Func<ChangeEvent, Task> handler) => _local.Subscribe(wants, handler);

    /// <summary>How many handlers listen on this server (caches, and each open page's stores).</summary>
    public int SubscriberCount => _local.SubscriberCount;

    public void Publish(ChangeEvent change)
    {
        _local.Publish(change);
        Broadcast(change);
    }

    private void Broadcast(ChangeEvent change)
    {
        var redis = _redis;
        if (redis is null || !redis.IsConnected)
        {
            Interlocked.Increment(ref _failedPublishes);
            Volatile.Write(ref _interrupted, 1);
            return;
        }
        var payload = JsonSerializer.Serialize(new Envelope(ServerId, change), Json);
        redis.GetSubscriber().PublishAsync(_channel, payload).ContinueWith(t =>
        {
            Interlocked.Increment(ref _failedPublishes);
            Volatile.Write(ref _interrupted, 1);
            _log.LogWarning(t.Exception?.GetBaseException(), "The change {Kind} did not reach Redis; the other servers will reload when it is back.", change.Kind);
            // The connection may still be up (a time-out): then nothing will say "restored", so tell the others now.
            if (redis.IsConnected) _ = ResumeAsync();
        }, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(_settings.Redis!);
        // Start without Redis rather than not start: the server serves its own circuits and reconnects in the background.
        options.AbortOnConnectFail = false;
        options.ClientName ??= "agentworkspace";
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, e) =>
        {
            if (Interlocked.Exchange(ref _interrupted, 1) == 0)
                _log.LogWarning(e.Exception, "Redis connection lost ({Failure}): this server's pages stay live, changes of other servers will not reach them until it is back.", e.FailureType);
        };
        _redis.ConnectionRestored += (_, _) => _ = ResumeAsync();
        try
        {
            // Subscribed once: the client subscribes again by itself after every reconnection.
            await SubscribeOnceAsync(_redis);
        }
        catch (RedisException ex)
        {
            _log.LogWarning(ex, "Subscribing to the change channel failed; the client retries when Redis answers.");
        }
        if (!_redis.IsConnected)
        {
            Volatile.Write(ref _interrupted, 1);
            _log.LogWarning("Redis ({Redis}) does not answer: this server starts alone and will join the others when it does.", options.ToString(includePassword: false));
        }
    }

    /// <summary>The connection is back (the client restores the subscription itself): say that changes may have been missed.</summary>
    private async Task ResumeAsync()
    {
        // Both of the client's connections may report; one resync per interruption.
        if (Interlocked.Exchange(ref _interrupted, 0) == 0) return;
        try
        {
            var redis = _redis!;
            await SubscribeOnceAsync(redis);
            _log.LogInformation("Redis connection restored: open pages reload what they show.");
            _local.Publish(new ChangeEvent(ChangeKind.Resync));
            await redis.GetSubscriber().PublishAsync(_channel, JsonSerializer.Serialize(new Envelope(ServerId, new ChangeEvent(ChangeKind.Resync)), Json));
        }
        catch (Exception ex)
        {
            Volatile.Write(ref _interrupted, 1);
            _log.LogWarning(ex, "Redis came back but telling the other servers failed; trying again at the next reconnection.");
        }
    }

    private async Task SubscribeOnceAsync(ConnectionMultiplexer redis)
    {
        await _subscribing.WaitAsync();
        try
        {
            if (_subscribed == 1) return;
            await redis.GetSubscriber().SubscribeAsync(_channel, (_, message) => Receive(message));
            _subscribed = 1;
        }
        finally { _subscribing.Release(); }
    }

    private void Receive(RedisValue message)
    {
        Envelope? envelope;
        try
        {
            envelope = JsonSerializer.Deserialize<Envelope>(message.ToString(), Json);
        }
        catch (JsonException ex)
        {
            _log.LogWarning(ex, "A message on the change channel {Channel} is not a change event; ignored.", _settings.Channel);
            return;
        }
        if (envelope?.Change is null || envelope.Origin == ServerId) return;
        _local.Publish(envelope.Change);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_redis is { } redis) await redis.GetSubscriber().UnsubscribeAllAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is { } redis) await redis.DisposeAsync();
    }

    private sealed record Envelope(string Origin, ChangeEvent Change);
}
