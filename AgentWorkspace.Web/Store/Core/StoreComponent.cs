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

    private void OnStateChanged(object? sender, EventArgs e) => _ = InvokeAsync(StateHasChanged);

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
    protected void SubscribeToAction<TAction>(Func<TAction, Task> callback)
    {
        var subscriber = Dispatcher as IActionSubscriber ?? throw new InvalidOperationException("The dispatcher does not let components hear actions.");
        subscriber.SubscribeToAction<TAction>(this, a => _ = InvokeAsync(async () =>
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
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
