using System.Collections.Concurrent;
using System.Diagnostics;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Issue 20: a page's live work runs at once after a quiet interval and at most once per interval under a flood; the
/// first wait of a flood is lengthened by a random part of the interval, so that the pages a flood reached together
/// keep beats of their own instead of running together, wave after wave.
/// </summary>
public class LivePaceTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>Environment.TickCount64's granularity, at most.</summary>
    private const long Tick = 16;

    /// <summary>A run begins, then the next wait is asked; with the milliseconds that passed between the two.</summary>
    private static (long Wait, long Took) StartedThenWait(ref LivePace pace, TimeSpan interval)
    {
        var before = Environment.TickCount64;
        pace.Started();
        var wait = pace.Wait(interval);
        return (wait, Environment.TickCount64 - before);
    }

    [Fact]
    public void AtOnceAfterQuiet_AFloodsFirstWaitSpread_ThenTheInterval_AndAtOnceAgainAfterQuiet()
    {
        var pace = new LivePace();
        pace.Wait(Interval).ShouldBeLessThanOrEqualTo(0, "nothing ran yet: at once");

        // What a run "at the interval" leaves depends on how long the machine took between the two calls (a loaded CI
        // machine may take the thread away): the bounds allow for it, and for the tick's granularity.
        var (first, took) = StartedThenWait(ref pace, Interval);
        first.ShouldBeGreaterThanOrEqualTo(Interval.Milliseconds - took - Tick, "never sooner than the interval after the last run");
        first.ShouldBeLessThan(Interval.Milliseconds + Interval.Milliseconds, "lengthened by a part of the interval at most");

        // The flood goes on: the page keeps its beat, the interval and no more.
        var (next, tookNext) = StartedThenWait(ref pace, Interval);
        next.ShouldBeInRange(Interval.Milliseconds - tookNext - Tick, Interval.Milliseconds);

        // Quiet for longer than the interval: at once, and the next flood is spread again.
        var quiet = new LivePace();
        quiet.Started();
        Thread.Sleep(Interval + TimeSpan.FromMilliseconds(30));
        quiet.Wait(Interval).ShouldBeLessThanOrEqualTo(0);
    }

    [Fact]
    public void TheSpreadIsAtMostASecond_EvenForALongInterval()
    {
        var waits = Enumerable.Range(0, 200).Select(_ =>
        {
            var pace = new LivePace();
            return StartedThenWait(ref pace, TimeSpan.FromSeconds(5));
        }).ToList();
        waits.ShouldAllBe(w => w.Wait >= 5_000 - w.Took - Tick && w.Wait < 5_000 + (long)LivePace.MaxSpread.TotalMilliseconds);
        var spread = waits.Select(w => w.Wait + w.Took).ToList();
        (spread.Max() - spread.Min()).ShouldBeGreaterThan(500, "spread over the second, not one value");
    }

    [Fact]
    public async Task MailboxesReachedByOneFlood_RunTheirNextBatchesSpreadOverTheInterval_NotTogether()
    {
        var gather = TimeSpan.FromMilliseconds(400);
        var clock = Stopwatch.StartNew();
        var first = new ConcurrentBag<long>();
        var second = new ConcurrentBag<long>();
        var boxes = Enumerable.Range(0, 40).Select(_ =>
        {
            var batches = 0;
            return new ChangeMailbox(_ =>
            {
                var n = Interlocked.Increment(ref batches);
                (n == 1 ? first : n == 2 ? second : null)?.Add(clock.ElapsedMilliseconds);
                return Task.CompletedTask;
            }, gather);
        }).ToList();
        try
        {
            // One flood reaches every box at the same moment: each handles the first change at once, the rest gathered.
            foreach (var box in boxes) box.Post(new ChangeEvent(ChangeKind.MessageArrived, CaseId: 0, QueueId: 1));
            await Eventually.TrueAsync(() => first.Count == boxes.Count, "every box handled the first change");
            for (var i = 1; i < 5; i++)
                foreach (var box in boxes) box.Post(new ChangeEvent(ChangeKind.MessageArrived, CaseId: i, QueueId: 1));
            await Eventually.TrueAsync(() => second.Count == boxes.Count, "every box handled its gathered batch");

            second.Min().ShouldBeGreaterThanOrEqualTo(first.Min() + (long)gather.TotalMilliseconds - 30, "none sooner than the interval");
            (second.Max() - second.Min()).ShouldBeGreaterThan((long)gather.TotalMilliseconds / 2, "spread over the interval, not one wave");
        }
        finally
        {
            foreach (var box in boxes) box.Dispose();
        }
    }
}
