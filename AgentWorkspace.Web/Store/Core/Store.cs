using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Web.Store.Core;

/// <summary>Read access to one feature's state; raises <see cref="StateChanged"/> after each reduction.</summary>
public interface IState<out TState>
{
    TState Value { get; }
    event EventHandler? StateChanged;
}

public interface IDispatcher
{
    void Dispatch(object action);
}

/// <summary>
/// Lets a component hear an action after it was reduced (Fluxor's IActionSubscriber): what an action means
/// for the page beyond the state, such as a confirmation to show once or a form to clear.
/// </summary>
public interface IActionSubscriber
{
    void SubscribeToAction<TAction>(object subscriber, Action<TAction> callback);
    void UnsubscribeFromAllActions(object subscriber);
}

/// <summary>
/// An action that brings news from elsewhere (the change feed, the header counts board, the clock) rather than answering
/// what the user of this circuit just did. It is reduced at once like any other; only the renders it causes may wait a
/// little and be drawn together with the next ones (<see cref="StoreComponent.LiveRenderInterval"/>, issue 20): a burst
/// of messages costs each open page one render per interval, not one per message.
/// </summary>
public interface ILiveUpdate;

/// <summary>What <see cref="IState{T}.StateChanged"/> carries when an <see cref="ILiveUpdate"/> changed the state.</summary>
public sealed class LiveStateChangedEventArgs : EventArgs
{
    public static readonly LiveStateChangedEventArgs Instance = new();
    private LiveStateChangedEventArgs() { }
}

/// <summary>Marks a static method <c>TState Reduce(TState state, TAction action)</c> (Fluxor's shape).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ReducerMethodAttribute : Attribute;

/// <summary>Marks an instance method <c>Task Handle(TAction action, IDispatcher dispatcher)</c> on an effects class.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class EffectMethodAttribute : Attribute;

/// <summary>A feature: its name and initial state. One subclass per state record.</summary>
public abstract class Feature<TState>
{
    public abstract string Name { get; }
    public abstract TState GetInitialState();
}

/// <summary>
/// The reducers and effect methods found in the assembly, indexed by action type. Built once per
/// process; the per-circuit <see cref="Store"/> only looks them up.
/// </summary>
public sealed class StoreCatalog
{
    internal readonly Dictionary<Type, List<(Type StateType, Func<object, object, object> Reduce)>> Reducers = [];
    internal readonly Dictionary<Type, List<(Type EffectsType, MethodInfo Method, Func<object, object, IDispatcher, Task> Run)>> Effects = [];
    internal readonly List<Type> FeatureTypes = [];
    internal readonly List<Type> EffectTypes = [];

    public static StoreCatalog Scan(Assembly assembly)
    {
        var catalog = new StoreCatalog();
        foreach (var type in assembly.GetTypes())
        {
            if (type.IsAbstract && type.IsSealed) // static classes hold reducers
            {
                foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.IsDefined(typeof(ReducerMethodAttribute))))
                {
                    var ps = m.GetParameters();
                    if (ps.Length != 2 || m.ReturnType != ps[0].ParameterType)
                        throw new InvalidOperationException($"{type.Name}.{m.Name} must be TState Reduce(TState, TAction).");
                    catalog.Add(catalog.Reducers, ps[1].ParameterType, (ps[0].ParameterType, Compile<Func<object, object, object>>(nameof(TypedReducer), m, ps[0].ParameterType, ps[1].ParameterType)));
                }
            }
            if (!type.IsAbstract && type.BaseType is { IsGenericType: true } bt && bt.GetGenericTypeDefinition() == typeof(Feature<>))
                catalog.FeatureTypes.Add(type);
            var effectMethods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance).Where(m => m.IsDefined(typeof(EffectMethodAttribute))).ToList();
            if (effectMethods.Count > 0)
            {
                catalog.EffectTypes.Add(type);
                foreach (var m in effectMethods)
                {
                    var ps = m.GetParameters();
                    if (ps.Length != 2 || ps[1].ParameterType != typeof(IDispatcher) || m.ReturnType != typeof(Task))
                        throw new InvalidOperationException($"{type.Name}.{m.Name} must be Task Handle(TAction, IDispatcher).");
                    catalog.Add(catalog.Effects, ps[0].ParameterType, (type, m, Compile<Func<object, object, IDispatcher, Task>>(nameof(TypedEffect), m, type, ps[0].ParameterType)));
                }
            }
        }
        return catalog;
    }

    // Reducers and effects are called through typed delegates made once here, not MethodInfo.Invoke: each open page reduces
    // every live change (issue 20), and reflection's argument array and checks were a cost per circuit per message.
    private static T Compile<T>(string factory, MethodInfo method, Type first, Type second) =>
        (T)typeof(StoreCatalog).GetMethod(factory, BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(first, second).Invoke(null, [method])!;

    private static Func<object, object, object> TypedReducer<TState, TAction>(MethodInfo method)
    {
        var reduce = method.CreateDelegate<Func<TState, TAction, TState>>();
        return (state, action) => reduce((TState)state, (TAction)action)!;
    }

    private static Func<object, object, IDispatcher, Task> TypedEffect<TEffects, TAction>(MethodInfo method)
    {
        var handle = method.CreateDelegate<Func<TEffects, TAction, IDispatcher, Task>>();
        return (effects, action, dispatcher) => handle((TEffects)effects, (TAction)action, dispatcher);
    }

    private void Add<T>(Dictionary<Type, List<T>> map, Type key, T value)
    {
        if (!map.TryGetValue(key, out var list)) map[key] = list = [];
        list.Add(value);
    }
}

/// <summary>
/// One store per circuit. Actions are processed one at a time in order: reducers (pure) first,
/// then subscribers are told, then effects (the only I/O) run and may dispatch more actions.
/// </summary>
public sealed class Store : IDispatcher, IActionSubscriber, IDisposable
{
    private readonly StoreCatalog _catalog;
    private readonly IServiceProvider _services;
    private readonly ILogger _logger;
    private readonly Lock _subscribersGate = new();
    // Replaced whole on every change, so that a dispatch reads a stable list without the lock.
    private System.Collections.Immutable.ImmutableArray<Subscription> _subscribers = [];
    private readonly ConcurrentDictionary<Type, IStateSlot> _slots = new();
    private readonly ConcurrentDictionary<Type, object> _effects = new();
    private readonly ConcurrentQueue<object> _queue = new();
    private int _dispatching;
    private bool _disposed;

    public Store(StoreCatalog catalog, IServiceProvider services)
    {
        _catalog = catalog;
        _services = services;
        _logger = services.GetService<ILoggerFactory>()?.CreateLogger<Store>() ?? NullLogger<Store>.Instance;
        foreach (var featureType in catalog.FeatureTypes)
        {
            var stateType = featureType.BaseType!.GetGenericArguments()[0];
            var feature = Activator.CreateInstance(featureType)!;
            var initial = featureType.GetMethod(nameof(Feature<object>.GetInitialState))!.Invoke(feature, null)!;
            _slots[stateType] = (IStateSlot)Activator.CreateInstance(typeof(StateSlot<>).MakeGenericType(stateType), initial)!;
        }
    }

    public IState<TState> GetState<TState>() =>
        _slots.TryGetValue(typeof(TState), out var slot) ? (IState<TState>)slot
            : throw new InvalidOperationException($"No feature declares the state {typeof(TState).Name}.");

    /// <summary>Raised after every action, with the action (for tests and diagnostics).</summary>
    public event Action<object>? ActionDispatched;

    public void Dispatch(object action)
    {
        ArgumentNullException.ThrowIfNull(action);
        if (_disposed) return;
        _queue.Enqueue(action);
        // One loop at a time processes the queue; a dispatch from inside a reducer, effect or another
        // thread only enqueues. The re-check closes the gap between the loop ending and the flag clearing.
        while (!_queue.IsEmpty)
        {
            if (Interlocked.CompareExchange(ref _dispatching, 1, 0) != 0) return;
            try
            {
                while (_queue.TryDequeue(out var next)) Process(next);
            }
            finally
            {
                Volatile.Write(ref _dispatching, 0);
            }
        }
    }

    private void Process(object action)
    {
        var type = action.GetType();
        var changed = new List<IStateSlot>();
        for (var t = type; t is not null; t = t.BaseType)
        {
            if (!_catalog.Reducers.TryGetValue(t, out var reducers)) continue;
            foreach (var (stateType, reduce) in reducers)
            {
                if (!_slots.TryGetValue(stateType, out var slot)) continue;
                var before = slot.Boxed;
                var after = reduce(before, action);
                if (!ReferenceEquals(before, after) && !Equals(before, after))
                {
                    slot.Boxed = after;
                    changed.Add(slot);
                }
            }
        }
        var args = action is ILiveUpdate ? LiveStateChangedEventArgs.Instance : EventArgs.Empty;
        foreach (var slot in changed) slot.Notify(args);
        ActionDispatched?.Invoke(action);
        foreach (var (subscriber, actionType, callback) in _subscribers)
        {
            if (!actionType.IsInstanceOfType(action)) continue;
            try { callback(action); }
            catch (Exception ex) { _logger.LogError(ex, "A subscriber ({Subscriber}) failed on {Action}.", subscriber.GetType().Name, type.Name); }
        }

        if (_catalog.Effects.TryGetValue(type, out var effects))
        {
            foreach (var (effectsType, method, run) in effects) _ = RunEffect(effectsType, method, run, action);
        }
    }

    private object ActivatorUtilitiesCreate(Type t) => Microsoft.Extensions.DependencyInjection.ActivatorUtilities.CreateInstance(_services, t);

    private async Task RunEffect(Type effectsType, MethodInfo method, Func<object, object, IDispatcher, Task> run, object action)
    {
        try
        {
            // Made inside the guard: an effect whose services cannot be made fails like one that throws, not the circuit.
            var instance = _effects.GetOrAdd(effectsType, t => ActivatorUtilitiesCreate(t));
            await run(instance, action, this);
        }
        catch (Exception ex)
        {
            // Effects turn the failures they expect into their feature's actions; what reaches here is a fault.
            var error = ex is TargetInvocationException { InnerException: { } inner } ? inner : ex;
            _logger.LogError(error, "The effect {Effect}.{Method} failed on {Action}.", effectsType.Name, method.Name, action.GetType().Name);
            Dispatch(new EffectFailedAction(action, error.GetBaseException().Message, error));
        }
    }

    public void SubscribeToAction<TAction>(object subscriber, Action<TAction> callback)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(callback);
        lock (_subscribersGate) _subscribers = _subscribers.Add(new(subscriber, typeof(TAction), a => callback((TAction)a!)));
    }

    public void UnsubscribeFromAllActions(object subscriber)
    {
        lock (_subscribersGate) _subscribers = _subscribers.RemoveAll(s => ReferenceEquals(s.Subscriber, subscriber));
    }

    public void Dispose()
    {
        _disposed = true;
        lock (_subscribersGate) _subscribers = [];
        foreach (var effect in _effects.Values.OfType<IDisposable>()) effect.Dispose();
        _effects.Clear();
    }

    private readonly record struct Subscription(object Subscriber, Type ActionType, Action<object> Callback);

    private interface IStateSlot
    {
        object Boxed { get; set; }
        void Notify(EventArgs args);
    }

    private sealed class StateSlot<TState>(TState initial) : IState<TState>, IStateSlot
    {
        private TState _value = initial;
        public TState Value => _value;
        public event EventHandler? StateChanged;
        public object Boxed { get => _value!; set => _value = (TState)value; }
        public void Notify(EventArgs args) => StateChanged?.Invoke(this, args);
    }
}

/// <summary>An effect threw what it did not expect (logged by the store); the action that caused it, and the error.</summary>
public sealed record EffectFailedAction(object Action, string Message, Exception? Error = null);
