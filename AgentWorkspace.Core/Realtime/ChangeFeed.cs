using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Realtime;

public enum ChangeKind
{
    CardChanged,
    CaseChanged,
    MessageArrived,
    CustomFieldsChanged,
    CardMerged,
    DraftReviewed,
    SettingsChanged,
    /// <summary>A case's CRM links or their pushes changed (linked, unlinked, created, pushed, failed): the card's CRM sections reload.</summary>
    CrmChanged,
    /// <summary>
    /// The feed between servers was interrupted and is back (Redis lost, then found): changes may have been missed, so
    /// caches forget and every open page reloads what it shows. Carries no ids.
    /// </summary>
    Resync,
    /// <summary>
    /// A merge proposal was made, approved or declined (issue 21): <see cref="ChangeEvent.CardId"/> is the proposed
    /// survivor, <see cref="ChangeEvent.AgentId"/> the agent who proposed it.
    /// </summary>
    MergeRequestChanged,
    /// <summary>An administrator added, changed or removed a quick reply: every inbox reloads its knowledge base.</summary>
    QuickRepliesChanged,
    /// <summary>Auto-merge levels, a preview or a run changed (issue 21): the matching administration page reloads what it shows.</summary>
    MatchingChanged,
}

/// <summary>What changed, enough for a subscriber to decide whether to reload. Never carries user content.</summary>
public sealed record ChangeEvent(ChangeKind Kind, long? CardId = null, long? CaseId = null, long? QueueId = null, string? ActorId = null, string? AgentId = null)
{
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
    /// <summary>For <see cref="ChangeKind.CardMerged"/>: the card that absorbed <see cref="CardId"/>.</summary>
    public long? SurvivorId { get; init; }
    /// <summary>For <see cref="ChangeKind.CaseChanged"/>: the change gave the case to <see cref="AgentId"/> (taken, assigned, transferred to them).</summary>
    public bool Assigned { get; init; }
}

/// <summary>Publish/subscribe of change events across circuits (and servers, with a distributed implementation).</summary>
public interface IChangeFeed
{
    void Publish(ChangeEvent change);
    IDisposable Subscribe(Func<ChangeEvent, Task> handler);

    /// <summary>
    /// Subscribes a handler told only the changes it <paramref name="wants"/>, judged on the publisher's thread before
    /// anything is scheduled: a page that never draws a kind of change costs the feed nothing when one is published
    /// (issue 20: each open page's several subscribers, for each of a message's events, were each a scheduled task).
    /// <paramref name="wants"/> must be quick and must not throw; it reads only the event (and state that is safe to
    /// read from any thread).
    /// </summary>
    IDisposable Subscribe(Func<ChangeEvent, bool> wants, Func<ChangeEvent, Task> handler) =>
        Subscribe(change => wants(change) ? handler(change) : Task.CompletedTask);

    /// <summary>
    /// Subscribes a handler told the changes it <paramref name="wants"/> in batches (<see cref="ChangeMailbox"/>): the
    /// first change after a quiet <paramref name="gather"/> at once, the others gathered and handled together, one batch
    /// at a time, in the subscriber's culture. For what every open page listens to (issue 20): under a flood of messages
    /// a page runs its handler about once per <paramref name="gather"/>, not three times per message, and never twice at
    /// once. Nothing is scheduled on the publisher's thread while a batch is already due.
    /// </summary>
    IDisposable SubscribeBatched(Func<ChangeEvent, bool> wants, Func<IReadOnlyList<ChangeEvent>, Task> handler, TimeSpan gather, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(wants);
        var mailbox = new ChangeMailbox(SubscriberCulture.Keep(handler), gather, logger);
        // Judged and posted on the publisher's thread; the feed itself is told to schedule nothing.
        var subscription = Subscribe(change =>
        {
            if (wants(change)) mailbox.Post(change);
            return false;
        }, static _ => Task.CompletedTask);
        return new Both(subscription, mailbox);
    }

    private sealed class Both(IDisposable subscription, ChangeMailbox mailbox) : IDisposable
    {
        public void Dispose()
        {
            subscription.Dispose();
            mailbox.Dispose();
        }
    }
}

/// <summary>
/// In-process feed: handlers run off the publisher's thread so a slow circuit never delays a save,
/// and a failing handler never affects the others.
/// </summary>
public sealed class InProcessChangeFeed(ILogger<InProcessChangeFeed>? logger = null) : IChangeFeed
{
    private readonly ILogger _log = (ILogger?)logger ?? NullLogger.Instance;

    private ImmutableArray<Subscriber> _handlers = [];
    private readonly Lock _gate = new();

    public int SubscriberCount => _handlers.Length;

    public void Publish(ChangeEvent change)
    {
        foreach (var subscriber in _handlers)
        {
            if (subscriber.Wants is { } wants && !wants(change)) continue;
            Tell(subscriber.Handler, change);
        }
    }

    // Its own method: a closure made in the loop above would be allocated for every subscriber, told or not (issue 20).
    private void Tell(Func<ChangeEvent, Task> handler, ChangeEvent change) =>
        _ = Task.Run(async () =>
        {
            try { await handler(change); }
            catch (Exception ex)
            {
                // A subscriber's failure is its own; the feed goes on, and the failure is on record.
                _log.LogError(ex, "A subscriber failed on the change {Kind} (card {CardId}, case {CaseId}).", change.Kind, change.CardId, change.CaseId);
            }
        });

    /// <summary>
    /// The handler runs in the subscriber's language, not the publisher's: a French agent's circuit
    /// stays French when an English agent's save reaches it.
    /// </summary>
    public IDisposable Subscribe(Func<ChangeEvent, Task> handler) => Add(new Subscriber(null, SubscriberCulture.Keep(handler)));

    /// <inheritdoc />
    public IDisposable Subscribe(Func<ChangeEvent, bool> wants, Func<ChangeEvent, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(wants);
        return Add(new Subscriber(wants, SubscriberCulture.Keep(handler)));
    }

    private Subscription Add(Subscriber subscriber)
    {
        lock (_gate) _handlers = _handlers.Add(subscriber);
        return new Subscription(() => { lock (_gate) _handlers = _handlers.Remove(subscriber); });
    }

    // A class, not a record: removed by reference, never confused with another subscriber's equal pair.
    private sealed class Subscriber(Func<ChangeEvent, bool>? wants, Func<ChangeEvent, Task> handler)
    {
        public Func<ChangeEvent, bool>? Wants { get; } = wants;
        public Func<ChangeEvent, Task> Handler { get; } = handler;
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;
        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}
