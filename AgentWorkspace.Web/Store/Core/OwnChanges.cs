using AgentWorkspace.Core.Realtime;

namespace AgentWorkspace.Web.Store.Core;

/// <summary>
/// The changes this circuit's commands are making, so that an effect can tell the change feed's echo of its own
/// command (whose result it has already applied) from someone else's change, and not read the same thing again.
/// The same user in another tab is another circuit: its changes are not "own" here and still reload.
/// </summary>
/// <remarks>
/// A command is marked before it runs (its echo may arrive before the call returns) and stays marked a few seconds
/// after, for the echo still on its way. A late echo costs one reload; it is never lost.
/// </remarks>
public sealed class OwnChanges(TimeProvider? clock = null)
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly List<Mark> _marks = [];

    /// <summary>Marks a command by <paramref name="actorId"/> as under way; dispose when it has ended (succeeded or not).</summary>
    /// <param name="concerns">Which changes the command makes (by default any change by this actor).</param>
    public IDisposable Begin(string actorId, Func<ChangeEvent, bool>? concerns = null)
    {
        var mark = new Mark(actorId, concerns ?? (_ => true));
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            _marks.RemoveAll(m => m.Until < now);
            _marks.Add(mark);
        }
        return new End(() => { lock (_gate) mark.Until = _clock.GetUtcNow() + Grace; });
    }

    /// <summary>Whether <paramref name="change"/> is the echo of a command of this circuit.</summary>
    public bool IsEcho(ChangeEvent change)
    {
        if (change.ActorId is null) return false;
        lock (_gate)
        {
            var now = _clock.GetUtcNow();
            return _marks.Any(m => m.Until >= now && m.ActorId == change.ActorId && m.Concerns(change));
        }
    }

    private sealed class Mark(string actorId, Func<ChangeEvent, bool> concerns)
    {
        public string ActorId { get; } = actorId;
        public Func<ChangeEvent, bool> Concerns { get; } = concerns;
        public DateTimeOffset Until { get; set; } = DateTimeOffset.MaxValue;
    }

    private sealed class End(Action end) : IDisposable
    {
        private Action? _end = end;
        public void Dispose() => Interlocked.Exchange(ref _end, null)?.Invoke();
    }
}
