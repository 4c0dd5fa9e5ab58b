using System.Collections.Concurrent;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Issue 20: open pages' live work runs in one lane, a few pieces at once, in the order it came; a failing piece is its
/// caller's and the lane goes on; a piece that hangs gives its place up after the lane's longest hold, said in the log.
/// </summary>
public class LiveLaneTests
{
    [Fact]
    public async Task AtMostItsWidthAtOnce_NoneLost()
    {
        var lane = new LiveLane(width: 2, maxHold: TimeSpan.FromSeconds(30));
        var running = 0;
        var most = 0;
        var started = new ConcurrentQueue<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pieces = Enumerable.Range(0, 12).Select(i => lane.RunAsync(async () =>
        {
            started.Enqueue(i);
            var now = Interlocked.Increment(ref running);
            lock (started) most = Math.Max(most, now);
            await release.Task;
            await Task.Delay(5);
            Interlocked.Decrement(ref running);
        })).ToList();

        await Eventually.TrueAsync(() => started.Count == 2, "two pieces started");
        await Task.Delay(100);
        started.Count.ShouldBe(2, "the others wait for a place");
        lane.Waiting.ShouldBe(10);
        release.SetResult();
        await Task.WhenAll(pieces).WaitAsync(TimeSpan.FromSeconds(10));

        most.ShouldBe(2);
        started.Order().ShouldBe(Enumerable.Range(0, 12), "none lost, none twice");
        lane.Waiting.ShouldBe(0);
    }

    [Fact]
    public async Task OnePlace_PiecesRunInTheOrderTheyCame()
    {
        var lane = new LiveLane(width: 1, maxHold: TimeSpan.FromSeconds(30));
        var order = new ConcurrentQueue<int>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = lane.RunAsync(() => release.Task);
        var pieces = Enumerable.Range(1, 10).Select(i => lane.RunAsync(() => { order.Enqueue(i); return Task.CompletedTask; })).ToList();
        release.SetResult();
        await Task.WhenAll(pieces.Append(first)).WaitAsync(TimeSpan.FromSeconds(10));
        order.ShouldBe(Enumerable.Range(1, 10));
    }

    [Fact]
    public async Task AFailingPieceIsItsCallers_AndTheLaneGoesOn()
    {
        var lane = new LiveLane(width: 1, maxHold: TimeSpan.FromSeconds(30));
        var failing = lane.RunAsync(() => throw new InvalidOperationException("the page's own failure"));
        var faulted = lane.RunAsync(() => Task.FromException(new InvalidOperationException("asynchronously")));
        var ran = false;
        var next = lane.RunAsync(() => { ran = true; return Task.CompletedTask; });

        await Should.ThrowAsync<InvalidOperationException>(failing);
        await Should.ThrowAsync<InvalidOperationException>(faulted);
        await next.WaitAsync(TimeSpan.FromSeconds(10));
        ran.ShouldBeTrue();
    }

    [Fact]
    public async Task APieceThatHangs_GivesItsPlaceUpAfterTheLongestHold_AndIsLogged()
    {
        var log = new RecordingLogger();
        var lane = new LiveLane(width: 1, maxHold: TimeSpan.FromMilliseconds(200)) { Logger = log.CreateLogger("lane") };
        var never = new TaskCompletionSource();
        var hung = lane.RunAsync(() => never.Task);
        var ran = new TaskCompletionSource();
        var next = lane.RunAsync(() => { ran.SetResult(); return Task.CompletedTask; });

        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await hung.WaitAsync(TimeSpan.FromSeconds(10)); // the caller is let go too
        log.At(LogLevel.Warning).ShouldContain(l => l.Message.Contains("longer than"));

        // Should the hung piece fail later, that is said too.
        never.SetException(new InvalidOperationException("late"));
        await Eventually.TrueAsync(() => log.At(LogLevel.Error).Any(l => l.Error is not null), "the late failure was logged");
    }
}
