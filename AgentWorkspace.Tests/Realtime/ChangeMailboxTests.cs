using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Issue 20: what every open page listens to is handled in batches. The first change after a quiet interval at once and
/// alone; the rest of a flood gathered, in order, one batch at a time; nothing dropped, nothing handled twice at once.
/// </summary>
public class ChangeMailboxTests
{
    private static ChangeEvent Message(long caseId) => new(ChangeKind.MessageArrived, CaseId: caseId, QueueId: 1);

    [Fact]
    public async Task TheFirstChangeIsHandledAtOnce_TheFloodAfterItTogether_InOrder_OneBatchAtATime()
    {
        var gather = TimeSpan.FromMilliseconds(300);
        var batches = new ConcurrentQueue<(long[] Cases, long StartedMs)>();
        var clock = Stopwatch.StartNew();
        var running = 0;
        var overlapped = false;
        var firstStarted = new TaskCompletionSource();
        var releaseFirst = new TaskCompletionSource();
        var secondDone = new TaskCompletionSource();
        using var box = new ChangeMailbox(async changes =>
        {
            if (Interlocked.Increment(ref running) > 1) overlapped = true;
            batches.Enqueue(([.. changes.Select(c => c.CaseId!.Value)], clock.ElapsedMilliseconds));
            if (batches.Count == 1)
            {
                firstStarted.SetResult();
                await releaseFirst.Task;
            }
            Interlocked.Decrement(ref running);
            if (batches.Count == 2) secondDone.TrySetResult();
        }, gather);

        var posted = clock.ElapsedMilliseconds;
        box.Post(Message(1));
        await firstStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        // While the first is handled, a flood: gathered for the next batch.
        for (var id = 2; id <= 6; id++) box.Post(Message(id));
        await Task.Delay(50);
        releaseFirst.SetResult();
        await secondDone.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(gather * 2);

        var all = batches.ToArray();
        all.Length.ShouldBe(2, "the flood is one batch, not five");
        all[0].Cases.ShouldBe([1]);
        all[0].StartedMs.ShouldBeLessThan(posted + 250, "a change after a quiet interval waits for nothing");
        all[1].Cases.ShouldBe([2, 3, 4, 5, 6], "in the order they were posted, none dropped");
        (all[1].StartedMs - all[0].StartedMs).ShouldBeGreaterThanOrEqualTo((long)gather.TotalMilliseconds - 20, "a batch begins no sooner than the interval after the last");
        overlapped.ShouldBeFalse("one batch at a time");
        box.Handled.ShouldBe(2);

        // Quiet again: the next change is handled at once.
        var quietFrom = clock.ElapsedMilliseconds;
        var handledBefore = batches.Count;
        box.Post(Message(7));
        await Eventually.TrueAsync(() => batches.Count == handledBefore + 1, "the mailbox handled the change");
        batches.Last().Cases.ShouldBe([7]);
        batches.Last().StartedMs.ShouldBeLessThan(quietFrom + 250);
    }

    [Fact]
    public async Task ABatchedSubscriber_IsToldWhatItWants_InItsLanguage_PastItsOwnFailure_AndNothingAfterItsEnd()
    {
        var feed = new InProcessChangeFeed();
        IChangeFeed asFeed = feed;
        var told = new ConcurrentQueue<(long[] Cases, string Culture)>();
        var failed = 0;
        var before = CultureInfo.CurrentUICulture;
        IDisposable subscription;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr-FR");
            subscription = asFeed.SubscribeBatched(change => change.QueueId == 1, changes =>
            {
                if (changes.Any(c => c.CaseId == 13) && Interlocked.Exchange(ref failed, 1) == 0) throw new InvalidOperationException("the subscriber's own failure");
                told.Enqueue(([.. changes.Select(c => c.CaseId!.Value)], CultureInfo.CurrentUICulture.Name));
                return Task.CompletedTask;
            }, TimeSpan.FromMilliseconds(100));
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }

        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, CaseId: 13, QueueId: 1)); // fails
        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, CaseId: 99, QueueId: 2)); // not wanted
        await Eventually.TrueAsync(() => Volatile.Read(ref failed) == 1, "the mailbox handled the change");
        await Task.Delay(150);
        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, CaseId: 14, QueueId: 1));
        await Eventually.TrueAsync(() => told.Count == 1, "the mailbox handled the change");
        told.Single().Cases.ShouldBe([14]);
        told.Single().Culture.ShouldBe("fr-FR");

        subscription.Dispose();
        feed.SubscriberCount.ShouldBe(0);
        feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, CaseId: 15, QueueId: 1));
        await Task.Delay(300);
        told.Count.ShouldBe(1, "nothing is handled after the subscription ended");
    }
}
