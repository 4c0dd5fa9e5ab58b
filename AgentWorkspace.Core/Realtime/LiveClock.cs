namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// One clock for the many short waits of open pages (issue 20): a live render held for the rest of its second, a batch of
/// changes gathered, a burst of notices held. With a <see cref="Timer"/> each, a thousand open inboxes kept thousands of
/// timers that every page rescheduled under a flood of messages, and .NET's timer queue, one lock per core walking all
/// of them, became the server's busiest lock. Here a wait is a line in one of 512 slots of <see cref="Resolution"/>
/// each, read by one timer; what is due runs on the thread pool, never on the clock's thread.
/// A wait ends up to <see cref="Resolution"/> late, never early.
/// </summary>
public static class LiveClock
{
    /// <summary>How late a wait may end: a tenth of the shortest wait it serves.</summary>
    public static readonly TimeSpan Resolution = TimeSpan.FromMilliseconds(25);

    private const int Slots = 512; // 12.8 s around the wheel; a longer wait goes round again
    private static readonly long Tick = (long)Resolution.TotalMilliseconds;
    private static readonly List<Due>[] Wheel = [.. Enumerable.Range(0, Slots).Select(_ => new List<Due>())];
    private static readonly Lock Gate = new(); // held only to add a line or take a slot's lines: never while running one
    private static long _read = Environment.TickCount64 / Tick; // the next slot the clock reads
    private static Timer? _timer;
    private static int _waiting; // lines in the wheel, under Gate
    private static int _reading;

    private sealed record Due(long At, Action<object?> Run, object? State, ExecutionContext? Context)
    {
        public void Start()
        {
            if (Context is null) ThreadPool.UnsafeQueueUserWorkItem(Run, State, preferLocal: false);
            else ThreadPool.UnsafeQueueUserWorkItem(static due => ExecutionContext.Run(due.Context!, static d => ((Due)d!).Run(((Due)d!).State), due), this, preferLocal: false);
        }
    }

    /// <summary>
    /// Runs <paramref name="run"/>(<paramref name="state"/>) on the thread pool once <paramref name="delayMs"/>
    /// milliseconds have passed (at once when zero or less), in the caller's execution context (a circuit's culture, as a
    /// <see cref="Timer"/> would), or in none when <paramref name="flowContext"/> is false (a subscriber that sets its
    /// own, and must not carry the publisher's). It is not cancelled: the callback checks whether it is still wanted (a
    /// disposed page). It must not throw.
    /// </summary>
    public static void After(long delayMs, Action<object?> run, object? state, bool flowContext = true)
    {
        ArgumentNullException.ThrowIfNull(run);
        var due = new Due(Environment.TickCount64 + Math.Max(0, delayMs), run, state, flowContext ? ExecutionContext.Capture() : null);
        if (delayMs <= 0)
        {
            due.Start();
            return;
        }
        lock (Gate)
        {
            if (_timer is null)
            {
                // The wheel is empty while the clock is stopped: it starts reading from now.
                _read = Math.Max(_read, Environment.TickCount64 / Tick);
                _timer = Start();
            }
            Add(due);
        }
    }

    // Under Gate. The slot after the one the due moment falls in (a wait never ends early), and never one already read.
    private static void Add(Due due)
    {
        Wheel[(int)(Math.Max(due.At / Tick + 1, _read) % Slots)].Add(due);
        _waiting++;
    }

    private static Timer Start()
    {
        using (ExecutionContext.SuppressFlow())
            return new Timer(static _ => Read(), null, Resolution, Resolution);
    }

    private static void Read()
    {
        // A slow tick (a busy machine) is caught up by the next one, never read twice at once.
        if (Interlocked.Exchange(ref _reading, 1) == 1) return;
        try
        {
            var now = Environment.TickCount64;
            List<Due>? taken = null;
            lock (Gate)
            {
                var upTo = Math.Min(now / Tick, _read + Slots - 1);
                for (; _read <= upTo; _read++)
                {
                    var slot = Wheel[(int)(_read % Slots)];
                    if (slot.Count == 0) continue;
                    taken ??= [];
                    taken.AddRange(slot);
                    _waiting -= slot.Count;
                    slot.Clear();
                }
                // A wait longer than the wheel goes round again.
                taken?.RemoveAll(d => d.At > now && Keep(d));
                if (_waiting == 0)
                {
                    // Nothing waits: the clock stops until the next wait.
                    _timer?.Dispose();
                    _timer = null;
                }
            }
            if (taken is null) return;
            foreach (var due in taken) due.Start();
        }
        finally
        {
            Volatile.Write(ref _reading, 0);
        }

        static bool Keep(Due due)
        {
            Add(due);
            return true;
        }
    }
}
