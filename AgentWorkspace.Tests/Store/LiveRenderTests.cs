using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Store;

/// <summary>
/// Issue 20: news from elsewhere (an <see cref="ILiveUpdate"/>) is reduced at once but renders a component at most once
/// per interval; what the user does renders at once, and no change is lost.
/// </summary>
public class LiveRenderTests : BunitContext
{
    public LiveRenderTests()
    {
        Services.AddSingleton(StoreCatalog.Scan(typeof(LiveRenderTests).Assembly));
        Services.AddScoped<Web.Store.Core.Store>();
        Services.AddScoped<IDispatcher>(sp => sp.GetRequiredService<Web.Store.Core.Store>());
        Services.AddScoped<IState<TestCounterState>>(sp => sp.GetRequiredService<Web.Store.Core.Store>().GetState<TestCounterState>());
    }

    [Fact]
    public void TheStoreSaysWhenALiveUpdateChangedTheState()
    {
        var store = Services.GetRequiredService<Web.Store.Core.Store>();
        var said = new List<EventArgs>();
        store.GetState<TestCounterState>().StateChanged += (_, e) => said.Add(e);
        store.Dispatch(new IncrementLiveAction(1));
        store.Dispatch(new IncrementAction(1));
        said.Count.ShouldBe(2);
        said[0].ShouldBeOfType<LiveStateChangedEventArgs>();
        said[1].ShouldNotBeOfType<LiveStateChangedEventArgs>();
    }

    [Fact]
    public void TheFirstLiveUpdateRendersAtOnce_ThoseThatFollowWithinTheIntervalWait_AndTheUsersActionRendersAtOnceWithAllOfThem()
    {
        var cut = Render<LiveCounter>(p => p.Add(c => c.Interval, TimeSpan.FromHours(1)));
        var store = Services.GetRequiredService<IDispatcher>();
        cut.Find("span").TextContent.ShouldBe("0");

        store.Dispatch(new IncrementLiveAction(1));
        cut.WaitForAssertion(() => cut.Find("span").TextContent.ShouldBe("1"));
        var renders = cut.Instance.Renders;

        // Within the hour: reduced, not drawn.
        store.Dispatch(new IncrementLiveAction(1));
        store.Dispatch(new IncrementLiveAction(1));
        Services.GetRequiredService<IState<TestCounterState>>().Value.Count.ShouldBe(3);
        cut.Instance.Renders.ShouldBe(renders);
        cut.Find("span").TextContent.ShouldBe("1");

        // The user's own action is drawn at once, with every live change before it.
        store.Dispatch(new IncrementAction(10));
        cut.WaitForAssertion(() => cut.Find("span").TextContent.ShouldBe("13"));
    }

    [Fact]
    public void ABurstOfLiveUpdatesEndsDrawnAsItIs_NothingLost()
    {
        var cut = Render<LiveCounter>(p => p.Add(c => c.Interval, TimeSpan.FromMilliseconds(50)));
        var store = Services.GetRequiredService<IDispatcher>();
        for (var i = 0; i < 20; i++) store.Dispatch(new IncrementLiveAction(1));
        cut.WaitForAssertion(() => cut.Find("span").TextContent.ShouldBe("20"), TimeSpan.FromSeconds(5));
        cut.Instance.Renders.ShouldBeLessThan(20, "one render per interval, not one per update");
    }

    [Fact]
    public void AComponentThatDrawsNoNewsIsNotRedrawnByThem()
    {
        var cut = Render<LiveCounter>(p => p.Add(c => c.Interval, Timeout.InfiniteTimeSpan));
        var store = Services.GetRequiredService<IDispatcher>();
        store.Dispatch(new IncrementLiveAction(1));
        cut.Instance.Renders.ShouldBe(1);
        store.Dispatch(new IncrementAction(1));
        cut.WaitForAssertion(() => cut.Find("span").TextContent.ShouldBe("2"));
    }
}

public sealed record IncrementLiveAction(int By) : ILiveUpdate;

public static class TestCounterLiveReducers
{
    [ReducerMethod]
    public static TestCounterState Reduce(TestCounterState state, IncrementLiveAction action) => state with { Count = state.Count + action.By };
}

public sealed class LiveCounter : StoreComponent
{
    [Inject] private IState<TestCounterState> State { get; set; } = default!;
    [Parameter] public TimeSpan Interval { get; set; }
    public int Renders { get; private set; }

    protected override TimeSpan LiveRenderInterval => Interval;

    protected override void BuildRenderTree(RenderTreeBuilder builder)
    {
        Renders++;
        builder.OpenElement(0, "span");
        builder.AddContent(1, State.Value.Count);
        builder.CloseElement();
    }
}
