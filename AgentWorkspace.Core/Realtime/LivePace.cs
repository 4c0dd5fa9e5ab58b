namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// When an open page's next piece of live work may run (issue 20): a live render, a batch of changes, a burst of notices.
/// The first after a quiet interval runs at once; under a flood, the next one an interval after the last one began.
/// <para>
/// A flood reaches every open page at the same moment. Were each to wait exactly the interval from there, a thousand
/// pages would run together, wave after wave, and an agent's click would queue behind a whole wave (p95 of a click's
/// round trip 300–700 ms at 1,000 inboxes with the server's CPU not saturated). So the first wait of a flood adds a
/// random part of the interval (at most <see cref="MaxSpread"/>): from then on each page keeps its own beat and the
/// pages' work is spread over the interval. No wait is shortened: a page still runs at most once per interval.
/// </para>
/// Not thread-safe: its owner calls it under its own lock. A struct, kept in the owner (many per open page).
/// </summary>
public struct LivePace
{
    /// <summary>The most a flood's first wait is lengthened: spreading a thousand pages over a second is enough, and a
    /// notice held for 5 s should not wait 10.</summary>
    public static readonly TimeSpan MaxSpread = TimeSpan.FromSeconds(1);

    private long _startedAt;
    private bool _paced; // the last wait was under a flood: the page keeps its beat

    public LivePace() => _startedAt = long.MinValue / 2;

    /// <summary>
    /// Milliseconds to wait before the next run (zero or less: at once), at most once per <paramref name="interval"/>.
    /// </summary>
    public long Wait(TimeSpan interval)
    {
        var intervalMs = (long)interval.TotalMilliseconds;
        var wait = _startedAt + intervalMs - Environment.TickCount64;
        if (wait <= 0)
        {
            _paced = false;
            return wait;
        }
        if (!_paced)
        {
            _paced = true;
            var spread = Math.Min(intervalMs, (long)MaxSpread.TotalMilliseconds);
            if (spread > 0) wait += Random.Shared.NextInt64(spread);
        }
        return wait;
    }

    /// <summary>The run begins now.</summary>
    public void Started() => _startedAt = Environment.TickCount64;
}
