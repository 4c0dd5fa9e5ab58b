using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// A subscriber's changes, handled one batch at a time (issue 20). Posting is cheap and runs on the publisher's thread:
/// it adds the change to the box and, only when nothing is under way, schedules one handling. The first change after a
/// quiet <see cref="Gather"/> is handled at once, alone; those that arrive while a batch is handled, or within
/// <see cref="Gather"/> after it began, are handled together next, in the order they were posted. Under a flood of
/// messages an open page therefore runs its handler about once per <see cref="Gather"/>, not once per event (a message
/// brings three: the message, its case, its card), and never twice at once: its handlers do not compete for its locks
/// or its renderer. The first gathered batch of a flood waits a random part of the interval more (<see cref="LivePace"/>),
/// so that the pages a flood reached together do not run together. Nothing is dropped.
/// </summary>
public sealed class ChangeMailbox : IDisposable
{
    private readonly Func<IReadOnlyList<ChangeEvent>, Task> _handler;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private List<ChangeEvent> _pending = [];
    private bool _busy; // a handling is scheduled or running
    private bool _disposed;
    private LivePace _pace = new(); // when the last handling began; a flood's first wait spread (LivePace)

    public ChangeMailbox(Func<IReadOnlyList<ChangeEvent>, Task> handler, TimeSpan gather, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (gather < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(gather), gather, "The gathering interval cannot be negative.");
        _handler = handler;
        _logger = logger ?? NullLogger.Instance;
        Gather = gather;
    }

    /// <summary>The shortest time between the starts of two handlings.</summary>
    public TimeSpan Gather { get; }

    /// <summary>Batches handled so far (for tests and benchmarks).</summary>
    public long Handled => Interlocked.Read(ref _handled);
    private long _handled;

    public void Post(ChangeEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            if (_disposed) return;
            _pending.Add(change);
            if (_busy) return; // the handling under way, or the one scheduled, takes it
            _busy = true;
            ScheduleLocked();
        }
    }

    private void ScheduleLocked()
    {
        var wait = _pace.Wait(Gather);
        // Not the publisher's context: the handler runs in the subscriber's own (its culture, SubscriberCulture). At once
        // on the thread pool, or on the server's one clock (not a timer per page).
        LiveClock.After(wait, static box => _ = ((ChangeMailbox)box!).HandleAsync(), this, flowContext: false);
    }

    // In the server's lane for live work (LiveLane): a flood's batches of a thousand pages wait for each other there, not
    // in front of the agents' clicks. The batch is taken when its turn comes: what arrived meanwhile is in it.
    private Task HandleAsync() => LiveLane.Shared.RunAsync(HandleInLaneAsync);

    private async Task HandleInLaneAsync()
    {
        List<ChangeEvent> batch;
        lock (_gate)
        {
            if (_disposed) return;
            batch = _pending;
            _pending = [];
            _pace.Started();
        }
        try
        {
            if (batch.Count > 0) await _handler(batch);
        }
        catch (Exception ex)
        {
            // The subscriber's own failure; the box goes on with the next batch.
            _logger.LogError(ex, "A subscriber failed on {Count} changes (the first {Kind}, card {CardId}, case {CaseId}).", batch.Count, batch[0].Kind, batch[0].CardId, batch[0].CaseId);
        }
        finally
        {
            Interlocked.Increment(ref _handled);
            lock (_gate)
            {
                if (_disposed || _pending.Count == 0) _busy = false;
                else ScheduleLocked();
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _pending = [];
        }
    }
}
