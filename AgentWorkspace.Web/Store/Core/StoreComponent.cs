using Microsoft.AspNetCore.Components;

namespace AgentWorkspace.Web.Store.Core;

/// <summary>
/// A component that re-renders when any <see cref="IState{T}"/> it injects changes, and stops
/// listening when it is disposed (Fluxor's FluxorComponent).
/// </summary>
public abstract class StoreComponent : ComponentBase, IDisposable
{
    private readonly List<Action> _unsubscribe = [];

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
