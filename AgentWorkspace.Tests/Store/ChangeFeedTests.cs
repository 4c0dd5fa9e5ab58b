using AgentWorkspace.Core.Realtime;

namespace AgentWorkspace.Tests.Store;

public class ChangeFeedTests
{
    [Fact]
    public async Task APublishedChangeReachesEverySubscriber()
    {
        var feed = new InProcessChangeFeed();
        var a = new TaskCompletionSource<ChangeEvent>();
        var b = new TaskCompletionSource<ChangeEvent>();
        using var sa = feed.Subscribe(e => { a.TrySetResult(e); return Task.CompletedTask; });
        using var sb = feed.Subscribe(e => { b.TrySetResult(e); return Task.CompletedTask; });

        feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: 7));

        (await a.Task.WaitAsync(TimeSpan.FromSeconds(5))).CardId.ShouldBe(7);
        (await b.Task.WaitAsync(TimeSpan.FromSeconds(5))).CardId.ShouldBe(7);
    }

    [Fact]
    public async Task AHandlerRunsInItsSubscribersLanguageNotThePublishers()
    {
        var feed = new InProcessChangeFeed();
        var seen = new TaskCompletionSource<string>();
        var before = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("fr");
            using var french = feed.Subscribe(_ => { seen.TrySetResult(System.Globalization.CultureInfo.CurrentUICulture.Name); return Task.CompletedTask; });
            System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("en");
            feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: 1));
            (await seen.Task.WaitAsync(TimeSpan.FromSeconds(5))).ShouldBe("fr");
        }
        finally { System.Globalization.CultureInfo.CurrentUICulture = before; }
    }

    [Fact]
    public async Task AFailingSubscriberDoesNotStopTheOthers()
    {
        var feed = new InProcessChangeFeed();
        var ok = new TaskCompletionSource();
        using var bad = feed.Subscribe(_ => throw new InvalidOperationException());
        using var good = feed.Subscribe(_ => { ok.TrySetResult(); return Task.CompletedTask; });
        feed.Publish(new ChangeEvent(ChangeKind.CaseChanged, CaseId: 1));
        await ok.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public void ADisposedSubscriptionReceivesNothingMore()
    {
        var feed = new InProcessChangeFeed();
        var subscription = feed.Subscribe(_ => Task.CompletedTask);
        feed.SubscriberCount.ShouldBe(1);
        subscription.Dispose();
        subscription.Dispose();
        feed.SubscriberCount.ShouldBe(0);
    }
}
