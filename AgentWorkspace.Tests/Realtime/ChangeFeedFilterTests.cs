using System.Collections.Concurrent;
using System.Globalization;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Issue 20: a subscriber says which changes it wants, judged on the publisher's thread; the others are never scheduled
/// for it. What it wants it is told as before: off the publisher's thread, in its own language, past another's failure.
/// </summary>
public class ChangeFeedFilterTests
{
    [Fact]
    public async Task ASubscriberIsToldOnlyWhatItWants_InItsLanguage_AndTheOthersAsBefore()
    {
        var feed = new InProcessChangeFeed();
        var judged = new ConcurrentBag<(ChangeKind Kind, int Thread)>();
        var told = new ConcurrentQueue<(ChangeKind Kind, string Culture)>();
        var everything = new ConcurrentQueue<ChangeKind>();
        var said = new TaskCompletionSource();
        var before = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr-FR");
            using var settings = feed.Subscribe(change =>
            {
                judged.Add((change.Kind, Environment.CurrentManagedThreadId));
                return change.Kind == ChangeKind.SettingsChanged;
            }, change =>
            {
                told.Enqueue((change.Kind, CultureInfo.CurrentUICulture.Name));
                said.TrySetResult();
                return Task.CompletedTask;
            });
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
            using var failing = feed.Subscribe(_ => true, _ => throw new InvalidOperationException("a subscriber's own failure"));
            using var all = feed.Subscribe(change => { everything.Enqueue(change.Kind); return Task.CompletedTask; });

            var publisher = Environment.CurrentManagedThreadId;
            feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, 1, 2, 3));
            feed.Publish(new ChangeEvent(ChangeKind.CardChanged, 1));
            feed.Publish(new ChangeEvent(ChangeKind.SettingsChanged, AgentId: "user-1"));

            await said.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await Eventually.TrueAsync(() => everything.Count == 3, "the feed told every subscriber");
            judged.Select(j => j.Kind).Order().ShouldBe([ChangeKind.MessageArrived, ChangeKind.CardChanged, ChangeKind.SettingsChanged], ignoreOrder: true);
            judged.ShouldAllBe(j => j.Thread == publisher, "judged where it is published, before anything is scheduled");
            told.ShouldBe([(ChangeKind.SettingsChanged, "fr-FR")]);
            everything.ShouldBe([ChangeKind.MessageArrived, ChangeKind.CardChanged, ChangeKind.SettingsChanged], ignoreOrder: true);
            feed.SubscriberCount.ShouldBe(3);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
        feed.SubscriberCount.ShouldBe(0, "each subscription ends with its own Dispose");
    }
}
