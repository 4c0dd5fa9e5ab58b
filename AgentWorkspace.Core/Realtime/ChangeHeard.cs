using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// When this server first heard a change (a <see cref="Stopwatch.GetTimestamp"/> value): the first subscriber that asks
/// stamps it, every other subscriber of the server gets the same stamp. A feed hands one instance of a change to all its
/// subscribers, and only after the change's commit (or its arrival from another server), so a read that starts after this
/// moment sees the change. A read shared by all who heard a change (<c>InboxQueries.TileAfterChangeAsync</c>) therefore
/// serves every open page of the server (issue 20). Stamping each subscriber's own moment instead made every page that
/// heard the change after the shared read had started, on a busy server most of them, read the case again.
/// </summary>
public static class ChangeHeard
{
    // Keyed by the instance, not by value (a change is a record): held as long as the change itself.
    private static readonly ConditionalWeakTable<ChangeEvent, StrongBox<long>> Stamps = new();

    public static long At(ChangeEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return Stamps.GetValue(change, static _ => new StrongBox<long>(Stopwatch.GetTimestamp())).Value;
    }
}
