using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Store;

/// <summary>What the store does with failures (logs them, never drops them) and how an effect tells its own command's echo.</summary>
public class StoreFailuresAndEchoesTests
{
    private static (Web.Store.Core.Store Store, RecordingLogger Log) NewStore()
    {
        var services = new ServiceCollection();
        var log = new RecordingLogger().AddTo(services);
        return (new Web.Store.Core.Store(StoreCatalog.Scan(typeof(StoreTests).Assembly), services.BuildServiceProvider()), log);
    }

    [Fact]
    public async Task AnEffectThatThrowsIsLoggedAsAnErrorWithItsException_AndBecomesAnActionCarryingIt()
    {
        var (store, log) = NewStore();
        using var _ = store;
        var failed = new TaskCompletionSource<EffectFailedAction>();
        store.ActionDispatched += a => { if (a is EffectFailedAction f) failed.TrySetResult(f); };

        store.Dispatch(new ExplodeAction());

        var action = await failed.Task.WaitAsync(TimeSpan.FromSeconds(5));
        action.Error.ShouldBeOfType<InvalidOperationException>().Message.ShouldBe("kaboom");
        action.Action.ShouldBeOfType<ExplodeAction>();
        var line = log.At(LogLevel.Error).ShouldHaveSingleItem();
        line.Error.ShouldBeSameAs(action.Error);
        line.Message.ShouldContain(nameof(ExplodeAction));
    }

    [Fact]
    public void ASubscriberHearsAnActionOnceItIsReduced_UntilItUnsubscribes()
    {
        var (store, _) = NewStore();
        using var __ = store;
        var state = store.GetState<TestCounterState>();
        var heard = new List<int>();
        var subscriber = new object();
        store.SubscribeToAction<IncrementAction>(subscriber, _ => heard.Add(state.Value.Count));

        store.Dispatch(new IncrementAction(2));
        store.Dispatch(new IncrementAction(3));
        store.UnsubscribeFromAllActions(subscriber);
        store.Dispatch(new IncrementAction(4));

        heard.ShouldBe([2, 5]);
    }

    [Fact]
    public void ASubscriberThatThrowsIsLogged_AndTheOthersStillHear()
    {
        var (store, log) = NewStore();
        using var _ = store;
        var heard = 0;
        store.SubscribeToAction<IncrementAction>(new object(), _ => throw new InvalidOperationException("broken page"));
        store.SubscribeToAction<IncrementAction>(new object(), _ => heard++);

        store.Dispatch(new IncrementAction(1));

        heard.ShouldBe(1);
        log.At(LogLevel.Error).ShouldHaveSingleItem().Error!.Message.ShouldBe("broken page");
    }

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch;
        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void TheEchoOfAnOwnCommandIsRecognisedWhileItRunsAndShortlyAfter_NotAnotherUsersChangeNorAnotherCard()
    {
        var clock = new ManualClock();
        var own = new OwnChanges(clock);
        var mine = new ChangeEvent(ChangeKind.CardChanged, CardId: 7, ActorId: "me");

        own.IsEcho(mine).ShouldBeFalse("nothing was done yet");
        var command = own.Begin("me", c => c.CardId == 7);
        clock.Now += TimeSpan.FromMinutes(1);
        own.IsEcho(mine).ShouldBeTrue("the echo may arrive while the command still runs");
        own.IsEcho(mine with { ActorId = "someone-else" }).ShouldBeFalse();
        own.IsEcho(mine with { CardId = 8 }).ShouldBeFalse();
        own.IsEcho(mine with { ActorId = null }).ShouldBeFalse();

        command.Dispose();
        clock.Now += OwnChanges.Grace - TimeSpan.FromMilliseconds(1);
        own.IsEcho(mine).ShouldBeTrue("an echo still on its way");
        clock.Now += TimeSpan.FromMilliseconds(2);
        own.IsEcho(mine).ShouldBeFalse("the same user's later change (in another tab, say) is news");
    }

    [Fact]
    public async Task AFeedHandlerThatFailsIsLoggedWithTheChange_AndTheFeedGoesOn()
    {
        var feed = new InProcessChangeFeed();
        var log = new RecordingLogger();
        var logger = log.CreateLogger("circuit");
        var delivered = new TaskCompletionSource();
        using var failing = feed.Subscribe(logger, _ => throw new InvalidOperationException("handler broke"));
        using var working = feed.Subscribe(logger, _ => { delivered.TrySetResult(); return Task.CompletedTask; });

        feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: 42));

        await delivered.Task.WaitAsync(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 100 && log.Lines.Count == 0; i++) await Task.Delay(20);
        var line = log.Lines.ShouldHaveSingleItem();
        line.Level.ShouldBe(LogLevel.Error);
        line.Message.ShouldContain("CardChanged");
        line.Message.ShouldContain("42");
        line.Error!.Message.ShouldBe("handler broke");
    }
}
