using Microsoft.AspNetCore.Components;

namespace AgentWorkspace.Web.Store.Core;

/// <summary>
/// A component that re-renders when any <see cref="IState{T}"/> it injects changes, and stops
/// listening when it is disposed (Fluxor's FluxorComponent).
/// </summary>
public abstract class StoreComponent : ComponentBase, IDisposable
{
    private readonly List<Action> _unsubscribe = [];
    private bool _subscribedToActions;

    [Inject] protected IDispatcher Dispatcher { get; set; } = default!;

    protected override void OnInitialized()
    {
        foreach (var property in GetType().GetProperties(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public))
        {
            if (!property.PropertyType.IsGenericType || property.PropertyType.GetGenericTypeDefinition() != typeof(IState<>)) continue;
            if (property.GetValue(this) is not { } state) continue;
            var evt = property.PropertyType.GetEvent(nameof(IState<object>.StateChanged))!;
            EventHandler handler = OnStateChanged;
            evt.AddEventHandler(state, handler);
            _unsubscribe.Add(() => evt.RemoveEventHandler(state, handler));
        }
        base.OnInitialized();
    }

    private void OnStateChanged(object? sender, EventArgs e)
    {
        var interval = e is LiveStateChangedEventArgs ? LiveRenderInterval : TimeSpan.Zero;
        if (interval == Timeout.InfiniteTimeSpan) return; // news this component does not draw
        if (interval <= TimeSpan.Zero) _ = InvokeAsync(StateHasChanged);
        else OnLiveChange();
    }

    /// <summary>
    /// The longest a live change (<see cref="ILiveUpdate"/>: a message, a case changed elsewhere, the header's figures,
    /// the clock) waits to be drawn. The first live change after a quiet interval renders at once; those that follow
    /// within the interval render together at its end, so that a burst of messages costs this component one render per
    /// interval instead of one per message (issue 20); the first wait of a flood is lengthened by a random part of the
    /// interval, so that the pages a flood reached together do not render together
    /// (<see cref="AgentWorkspace.Core.Realtime.LivePace"/>). Nothing is lost: the render draws the state as it is then,
    /// which holds every change reduced before it. What the user does renders at once, whatever is waiting. Zero: every live
    /// change renders at once; <see cref="Timeout.InfiniteTimeSpan"/>: none does (a component that draws nothing of
    /// what live changes bring).
    /// </summary>
    protected virtual TimeSpan LiveRenderInterval => DefaultLiveRenderInterval;

    /// <summary>
    /// A second: a burst of 20 messages a second costs an open inbox one render a second, not twenty. A single change after a
    /// quiet second still shows at once: only a flood waits (issue 20: half a second left 1,000 open inboxes short of CPU).
    /// </summary>
    public static readonly TimeSpan DefaultLiveRenderInterval = TimeSpan.FromSeconds(1);

    private readonly Lock _liveGate = new();
    private AgentWorkspace.Core.Realtime.LivePace _livePace = new(); // the last live render; a flood's first wait spread
    private bool _liveScheduled;
    private bool _disposed;

    private void OnLiveChange()
    {
        lock (_liveGate)
        {
            // A render already scheduled reads the state when it runs: it draws this change too.
            if (_disposed || _liveScheduled) return;
            _liveScheduled = true;
            var wait = _livePace.Wait(LiveRenderInterval);
            if (wait > 0)
            {
                // The server's one clock, not a timer per component (LiveClock: issue 20).
                AgentWorkspace.Core.Realtime.LiveClock.After(wait, static c => ((StoreComponent)c!).RenderLive(), this);
                return;
            }
        }
        RenderLive();
    }

    // In the server's lane for live work (LiveLane, issue 20): under a flood, a thousand pages' live renders wait for
    // each other there, not in front of the agents' clicks. The render draws the state as it is when its turn comes.
    private void RenderLive() => _ = AgentWorkspace.Core.Realtime.LiveLane.Shared.RunAsync(RenderLiveInLane);

    private Task RenderLiveInLane()
    {
        lock (_liveGate)
        {
            if (_disposed) return Task.CompletedTask;
            // Cleared before the render runs: a change reduced from now on schedules the next render, none is missed.
            _liveScheduled = false;
            _livePace.Started();
        }
        return InvokeAsync(StateHasChanged);
    }

    /// <summary>
    /// Runs <paramref name="callback"/> on this component's renderer each time <typeparamref name="TAction"/> has been
    /// reduced, until the component is disposed (Fluxor's FluxorComponent.SubscribeToAction).
    /// </summary>
    protected void SubscribeToAction<TAction>(Action<TAction> callback) => SubscribeToAction<TAction>(a =>
    {
        callback(a);
        return Task.CompletedTask;
    });

    /// <inheritdoc cref="SubscribeToAction{TAction}(Action{TAction})"/>
    protected void SubscribeToAction<TAction>(Func<TAction, Task> callback) => Hear<TAction>(a => _ = InvokeAsync(async () =>
    {
        try
        {
            await callback(a);
            StateHasChanged();
        }
        catch (Exception ex)
        {
            // As if the component had thrown it while rendering: the renderer logs it and shows the error UI.
            await DispatchExceptionAsync(ex);
        }
    }));

    /// <summary>
    /// Runs <paramref name="callback"/> each time <typeparamref name="TAction"/> has been reduced, on the thread that
    /// dispatched it: no trip through the renderer and no render (issue 20: a notice for each of a flood's messages in
    /// each open page was a renderer call each). For quick, thread-safe bookkeeping; what it needs drawn it asks for with
    /// <see cref="ComponentBase.InvokeAsync(Func{Task})"/>. A store calls its subscribers one action at a time.
    /// </summary>
    protected void HearAction<TAction>(Action<TAction> callback) => Hear<TAction>(a =>
    {
        try { callback(a); }
        catch (Exception ex) { _ = InvokeAsync(() => DispatchExceptionAsync(ex)); }
    });

    /// <summary>The store's subscription of this component to <typeparamref name="TAction"/>, ended with the component.</summary>
    private void Hear<TAction>(Action<TAction> callback)
    {
        var subscriber = Dispatcher as IActionSubscriber ?? throw new InvalidOperationException("The dispatcher does not let components hear actions.");
        subscriber.SubscribeToAction(this, callback);
        if (!_subscribedToActions)
        {
            _subscribedToActions = true;
            _unsubscribe.Add(() => subscriber.UnsubscribeFromAllActions(this));
        }
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        foreach (var u in _unsubscribe) u();
        _unsubscribe.Clear();
        lock (_liveGate) _disposed = true;
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
