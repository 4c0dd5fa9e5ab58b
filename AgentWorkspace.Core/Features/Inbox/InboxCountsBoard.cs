using System.Collections.Frozen;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// The inbox header's figures for every agent and queue of this server, counted once and kept current from the change
/// feed (issue 20, ADR 019), so that a thousand open inboxes read one board instead of each counting on every message.
/// <para>
/// A change that can move a figure (a message, a case change, a reviewed draft, a merge, a queue's settings, a resync
/// after the feed between servers was interrupted) marks the board stale; one recount then runs at most once per
/// <see cref="Interval"/>, however many changes arrived, and a change that arrives during a recount causes another
/// after it: the last recount always starts after the last change. Changes published on other servers arrive through
/// the same feed. The first-response breaches also move with time alone: the board recounts when the next open case
/// of a queue passes its target.
/// </para>
/// </summary>
public sealed class InboxCountsBoard : IDisposable
{
    private static readonly CaseStatus[] OpenStatuses = [CaseStatus.New, CaseStatus.Open, CaseStatus.Pending];

    private readonly IDbContextFactory<AgentWorkspaceDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private readonly ILogger _log;
    private readonly IDisposable _subscription;
    private readonly Lock _gate = new();
    private readonly List<Action> _listeners = [];
    private Action[] _listenerArray = [];
    private ITimer? _breachTimer;
    private volatile Snapshot? _snapshot;
    private TaskCompletionSource _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _stale = true;
    private bool _running;
    private DateTimeOffset _lastStart = DateTimeOffset.MinValue;
    private TimeSpan _lastDuration;
    private bool _disposed;

    public InboxCountsBoard(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, TimeProvider clock, ILogger<InboxCountsBoard>? logger = null)
        : this(dbFactory, feed, clock, TimeSpan.FromMilliseconds(500), logger) { }

    public InboxCountsBoard(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, TimeProvider clock, TimeSpan interval, ILogger<InboxCountsBoard>? logger = null)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        Interval = interval;
        _log = (ILogger?)logger ?? NullLogger.Instance;
        _subscription = feed.Subscribe(change =>
        {
            if (Moves(change.Kind)) MarkStale();
            return Task.CompletedTask;
        });
        MarkStale();
    }

    /// <summary>The shortest time between two recounts: the longest a figure lags behind a change (plus the recount itself).</summary>
    public TimeSpan Interval { get; }

    /// <summary>How many recounts ran (diagnostics and tests).</summary>
    public long Recounts => Interlocked.Read(ref _recounts);
    private long _recounts;

    private static bool Moves(ChangeKind kind) => kind is ChangeKind.MessageArrived or ChangeKind.CaseChanged or ChangeKind.DraftReviewed
        or ChangeKind.CardMerged or ChangeKind.SettingsChanged or ChangeKind.Resync;

    /// <summary>
    /// The header's figures for an actor who sees <paramref name="visibleQueues"/> (the queues of their inbox; a
    /// supervisor's: every queue). Waits for the first count only.
    /// </summary>
    public async Task<InboxCounts> CountsAsync(Actor actor, IReadOnlyCollection<long> visibleQueues, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var snapshot = _snapshot ?? await FirstAsync(ct);
        return snapshot.For(actor, visibleQueues);
    }

    /// <summary>Called after each recount that changed a figure (on a pool thread): the listener reads the board again.</summary>
    public IDisposable Subscribe(Action listener)
    {
        // As the change feed does: the listener runs in its subscriber's culture.
        var inSubscriberCulture = Realtime.SubscriberCulture.Keep(listener);
        lock (_gate) { _listeners.Add(inSubscriberCulture); _listenerArray = [.. _listeners]; }
        return new Unsubscriber(this, inSubscriberCulture);
    }

    public int ListenerCount => _listenerArray.Length;

    /// <summary>Completes when no change is waiting for a recount (every change so far is in the figures).</summary>
    public Task SettledAsync(CancellationToken ct = default)
    {
        lock (_gate)
        {
            if (!_stale && !_running) return Task.CompletedTask;
            return _settled.Task.WaitAsync(ct);
        }
    }

    private async Task<Snapshot> FirstAsync(CancellationToken ct)
    {
        while (true)
        {
            await SettledAsync(ct);
            if (_snapshot is { } s) return s;
            // The first count failed (logged); the next change or this wait retries it.
            MarkStale();
            await Task.Delay(Interval, _clock, ct);
        }
    }

    private void MarkStale()
    {
        lock (_gate)
        {
            if (_disposed) return;
            _stale = true;
            if (_settled.Task.IsCompleted) _settled = new(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_running) return; // the running loop sees the flag and counts again
            _running = true;
        }
        _ = Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        while (true)
        {
            // Bursts collapse: a recount starts at most once per interval, and at most a fifth of the time is spent
            // recounting when a recount takes long (a large database on a busy server).
            var gap = _lastDuration * 4 > Interval ? _lastDuration * 4 : Interval;
            var wait = _lastStart + gap - _clock.GetUtcNow();
            if (wait > TimeSpan.Zero) await Task.Delay(wait, _clock);
            lock (_gate) _stale = false;
            _lastStart = _clock.GetUtcNow();
            var changed = false;
            try
            {
                var started = _clock.GetTimestamp();
                var next = await CountAsync();
                _lastDuration = _clock.GetElapsedTime(started);
                changed = _snapshot is not { } previous || !previous.SameFigures(next);
                _snapshot = next;
                Interlocked.Increment(ref _recounts);
                ScheduleBreachRecount(next.NextBreachAt);
            }
            catch (Exception ex)
            {
                // The figures keep their last value; the next change counts again.
                _log.LogError(ex, "Counting the inbox header figures failed.");
            }
            if (changed)
                foreach (var listener in _listenerArray)
                {
                    try { listener(); }
                    catch (Exception ex) { _log.LogError(ex, "A listener of the inbox header figures failed."); }
                }
            TaskCompletionSource? done = null;
            lock (_gate)
            {
                if (_stale && !_disposed) continue;
                _running = false;
                done = _settled;
            }
            done.TrySetResult();
            return;
        }
    }

    private void ScheduleBreachRecount(DateTimeOffset? at)
    {
        _breachTimer?.Dispose();
        _breachTimer = null;
        if (at is not { } when || _disposed) return;
        var due = when - _clock.GetUtcNow();
        _breachTimer = _clock.CreateTimer(_ => MarkStale(), null, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Every figure of the header, for every agent and queue: open cases and their unread messages per assignee,
    /// unassigned open cases and first responses overdue per queue (on the indexes the per-actor count used), pending
    /// drafts per author.
    /// </summary>
    private async Task<Snapshot> CountAsync()
    {
        await using var db = await _dbFactory.CreateDbContextAsync();
        var now = _clock.GetUtcNow();
        var agents = (await db.Cases.AsNoTracking()
                .Where(c => c.AssignedAgentId != null && OpenStatuses.Contains(c.Status))
                .GroupBy(c => c.AssignedAgentId!)
                .Select(g => new { Agent = g.Key, Count = g.Count(), Unread = g.Sum(c => c.UnreadCount) })
                .ToListAsync())
            .ToFrozenDictionary(a => a.Agent, a => (a.Count, a.Unread), StringComparer.Ordinal);
        var queues = await db.Queues.AsNoTracking().OrderBy(q => q.Id).Select(q => new { q.Id, q.FirstResponseTargetMinutes }).ToListAsync();
        var perQueue = new Dictionary<long, (int Unassigned, int Breached)>(queues.Count);
        DateTimeOffset? nextBreach = null;
        foreach (var q in queues)
        {
            var limit = now.AddMinutes(-q.FirstResponseTargetMinutes);
            var unassigned = await db.Cases.CountAsync(c => c.QueueId == q.Id && OpenStatuses.Contains(c.Status) && c.AssignedAgentId == null);
            var breached = await db.Cases.CountAsync(c => c.QueueId == q.Id && OpenStatuses.Contains(c.Status) && c.FirstResponseAt == null && c.CreatedAt < limit);
            // The next case of this queue to pass its target, if none answers it first.
            var oldestWaiting = await db.Cases.Where(c => c.QueueId == q.Id && OpenStatuses.Contains(c.Status) && c.FirstResponseAt == null && c.CreatedAt >= limit)
                .OrderBy(c => c.CreatedAt).Select(c => (DateTimeOffset?)c.CreatedAt).FirstOrDefaultAsync();
            if (oldestWaiting is { } created)
            {
                var at = created.AddMinutes(q.FirstResponseTargetMinutes);
                if (nextBreach is null || at < nextBreach) nextBreach = at;
            }
            perQueue[q.Id] = (unassigned, breached);
        }
        var drafts = (await db.Drafts.AsNoTracking().Where(d => d.Status == DraftStatus.Pending).GroupBy(d => d.AuthorId)
                .Select(g => new { Author = g.Key, Count = g.Count() }).ToListAsync())
            .ToFrozenDictionary(d => d.Author, d => d.Count, StringComparer.Ordinal);
        return new Snapshot(agents, perQueue.ToFrozenDictionary(), drafts, drafts.Values.Sum(), nextBreach, now);
    }

    private sealed record Snapshot(FrozenDictionary<string, (int Assigned, int Unread)> Agents, FrozenDictionary<long, (int Unassigned, int Breached)> Queues,
        FrozenDictionary<string, int> DraftsByAuthor, int PendingDrafts, DateTimeOffset? NextBreachAt, DateTimeOffset At)
    {
        public InboxCounts For(Actor actor, IReadOnlyCollection<long> visibleQueues)
        {
            var (assigned, unread) = Agents.GetValueOrDefault(actor.UserId);
            int unassigned = 0, breached = 0;
            foreach (var q in visibleQueues)
                if (Queues.TryGetValue(q, out var figures)) { unassigned += figures.Unassigned; breached += figures.Breached; }
            var drafts = actor.IsAtLeast(Role.Supervisor) ? PendingDrafts : DraftsByAuthor.GetValueOrDefault(actor.UserId);
            return new InboxCounts(assigned, unread, unassigned, breached, drafts);
        }

        public bool SameFigures(Snapshot other) =>
            PendingDrafts == other.PendingDrafts && Same(Agents, other.Agents) && Same(Queues, other.Queues) && Same(DraftsByAuthor, other.DraftsByAuthor);

        private static bool Same<TKey, TValue>(FrozenDictionary<TKey, TValue> a, FrozenDictionary<TKey, TValue> b) where TKey : notnull =>
            a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out var v) && EqualityComparer<TValue>.Default.Equals(kv.Value, v));
    }

    private sealed class Unsubscriber(InboxCountsBoard board, Action listener) : IDisposable
    {
        private int _done;
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _done, 1) == 1) return;
            lock (board._gate) { board._listeners.Remove(listener); board._listenerArray = [.. board._listeners]; }
        }
    }

    public void Dispose()
    {
        lock (_gate) _disposed = true;
        _subscription.Dispose();
        _breachTimer?.Dispose();
    }
}
