using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Dashboard;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Store;

public class StoreTests
{
    private static readonly DashboardSummary Summary = new(3, 1, 2, 0, [], [], [], false);

    [Fact]
    public void DashboardReducersArePureAndProduceNewState()
    {
        var initial = new DashboardFeature().GetInitialState();
        var loading = DashboardReducers.Reduce(initial, new LoadDashboardAction());
        loading.Loading.ShouldBeTrue();
        initial.Loading.ShouldBeFalse();

        var loaded = DashboardReducers.Reduce(loading, new DashboardLoadedAction(Summary, DateTimeOffset.UnixEpoch));
        loaded.ShouldBe(new DashboardState(false, Summary, null, DateTimeOffset.UnixEpoch));

        var failed = DashboardReducers.Reduce(loaded, new DashboardFailedAction("boom"));
        failed.Summary.ShouldBe(Summary);
        failed.Error.ShouldBe("boom");
    }

    [Fact]
    public void ARefreshKeepsTheFiguresOnScreenInsteadOfShowingASpinner()
    {
        var loaded = new DashboardState(false, Summary, null, null);
        DashboardReducers.Reduce(loaded, new LoadDashboardAction()).Loading.ShouldBeFalse();
    }

    [Fact]
    public void DispatchRunsReducersThenNotifiesSubscribers()
    {
        using var store = NewStore();
        var state = store.GetState<TestCounterState>();
        var notified = 0;
        state.StateChanged += (_, _) => notified++;

        store.Dispatch(new IncrementAction(2));
        store.Dispatch(new IncrementAction(3));

        state.Value.Count.ShouldBe(5);
        notified.ShouldBe(2);
    }

    [Fact]
    public void AnActionThatChangesNothingDoesNotNotify()
    {
        using var store = NewStore();
        var state = store.GetState<TestCounterState>();
        var notified = 0;
        state.StateChanged += (_, _) => notified++;
        store.Dispatch(new IncrementAction(0));
        notified.ShouldBe(0);
    }

    [Fact]
    public async Task EffectsRunAfterReducersAndMayDispatchMore()
    {
        using var store = NewStore();
        var state = store.GetState<TestCounterState>();
        var done = new TaskCompletionSource();
        state.StateChanged += (_, _) => { if (state.Value.Count == 110) done.TrySetResult(); };

        store.Dispatch(new IncrementLaterAction(100));
        store.Dispatch(new IncrementAction(10));

        await done.Task.WaitAsync(TimeSpan.FromSeconds(5));
        state.Value.Count.ShouldBe(110);
    }

    [Fact]
    public async Task AFailingEffectBecomesAnActionInsteadOfACrash()
    {
        using var store = NewStore();
        var failed = new TaskCompletionSource<EffectFailedAction>();
        store.ActionDispatched += a => { if (a is EffectFailedAction f) failed.TrySetResult(f); };
        store.Dispatch(new ExplodeAction());
        (await failed.Task.WaitAsync(TimeSpan.FromSeconds(5))).Message.ShouldBe("kaboom");
    }

    [Fact]
    public async Task DispatchesFromManyThreadsAreAllApplied()
    {
        using var store = NewStore();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 500; i++) store.Dispatch(new IncrementAction(1));
        })));
        store.GetState<TestCounterState>().Value.Count.ShouldBe(4000);
    }

    [Fact]
    public void EachCircuitHasItsOwnStore()
    {
        var services = new ServiceCollection();
        services.AddSingleton(StoreCatalog.Scan(typeof(StoreTests).Assembly));
        services.AddScoped<Web.Store.Core.Store>();
        using var provider = services.BuildServiceProvider();
        using var a = provider.CreateScope();
        using var b = provider.CreateScope();
        var storeA = a.ServiceProvider.GetRequiredService<Web.Store.Core.Store>();
        var storeB = b.ServiceProvider.GetRequiredService<Web.Store.Core.Store>();
        storeA.Dispatch(new IncrementAction(1));
        storeB.GetState<TestCounterState>().Value.Count.ShouldBe(0);
    }

    private static Web.Store.Core.Store NewStore() =>
        new(StoreCatalog.Scan(typeof(StoreTests).Assembly), new ServiceCollection().BuildServiceProvider());
}

public sealed record TestCounterState(int Count);
public sealed class TestCounterFeature : Feature<TestCounterState>
{
    public override string Name => "TestCounter";
    public override TestCounterState GetInitialState() => new(0);
}
public sealed record IncrementAction(int By);
public sealed record IncrementLaterAction(int By);
public sealed record ExplodeAction;

public static class TestCounterReducers
{
    [ReducerMethod]
    public static TestCounterState Reduce(TestCounterState state, IncrementAction action) => state with { Count = state.Count + action.By };
}

public sealed class TestCounterEffects
{
    [EffectMethod]
    public async Task Handle(IncrementLaterAction action, IDispatcher dispatcher)
    {
        await Task.Delay(20);
        dispatcher.Dispatch(new IncrementAction(action.By));
    }

    [EffectMethod]
    public Task Handle(ExplodeAction action, IDispatcher dispatcher) => throw new InvalidOperationException("kaboom");
}
