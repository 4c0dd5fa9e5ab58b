using System.Collections.Concurrent;
using System.Diagnostics;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// What every open inbox of this server reads once per change instead of once each (issue 20, ADR 019): a changed case's
/// tile, read once after the change was heard and handed to every circuit that asks, and each agent's queues, kept
/// until a change of settings or people says they may have moved.
/// </summary>
public sealed partial class InboxQueries
{
    private readonly Lock _tilesGate = new();
    private readonly Dictionary<long, SharedTile> _tiles = [];
    private readonly ConcurrentDictionary<string, long[]> _memberQueues = new(StringComparer.Ordinal);
    private int _subscribed;
    private long _membershipVersion;

    /// <summary>One read of a case's tile: when it started (<see cref="Stopwatch"/> ticks), and its outcome.</summary>
    private sealed record SharedTile(long Started, TaskCompletionSource<CaseTile?> Outcome);

    private static readonly long KeepTiles = Stopwatch.Frequency * 60;

    /// <summary>
    /// A case's tile as it is after a change that was heard at <paramref name="heardAt"/> (<see cref="Stopwatch.GetTimestamp"/>,
    /// after the change's commit: <see cref="ChangeHeard.At"/>, the moment this server first heard it, the same for every
    /// circuit of the server): null when the case is gone or the actor may not see
    /// it (neither assigned to them nor in one of their queues; a supervisor sees every case). Every caller that heard the
    /// change before a read started shares that read: a message in a queue that a thousand agents have open costs the
    /// server one read, not a thousand.
    /// </summary>
    public async Task<CaseTile?> TileAfterChangeAsync(Actor actor, long caseId, long heardAt, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var tile = await SharedTileAsync(caseId, heardAt);
        if (tile is null) return null;
        if (actor.IsAtLeast(Role.Supervisor) || tile.AssignedAgentId == actor.UserId) return tile;
        return (await MemberQueuesAsync(actor.UserId, ct)).Contains(tile.QueueId) ? tile : null;
    }

    private async Task<CaseTile?> SharedTileAsync(long caseId, long heardAt)
    {
        SharedTile read;
        var mine = false;
        lock (_tilesGate)
        {
            if (!_tiles.TryGetValue(caseId, out read!) || read.Started < heardAt)
            {
                var now = Stopwatch.GetTimestamp();
                read = new SharedTile(now, new TaskCompletionSource<CaseTile?>(TaskCreationOptions.RunContinuationsAsynchronously));
                _tiles[caseId] = read;
                mine = true;
                if (_tiles.Count > 4_096)
                    foreach (var old in _tiles.Where(t => now - t.Value.Started > KeepTiles && t.Value.Outcome.Task.IsCompleted).Select(t => t.Key).ToList()) _tiles.Remove(old);
            }
        }
        if (mine)
        {
            try
            {
                await using var db = await dbFactory.CreateDbContextAsync();
                read.Outcome.SetResult((await TilesAsync(db, [caseId], CancellationToken.None)).GetValueOrDefault(caseId));
            }
            catch (Exception ex)
            {
                // Whoever waits on this read is told; the next change reads again.
                lock (_tilesGate) if (_tiles.TryGetValue(caseId, out var now) && ReferenceEquals(now, read)) _tiles.Remove(caseId);
                read.Outcome.SetException(ex);
            }
        }
        return await read.Outcome.Task;
    }

    /// <summary>The queues the user is a member of, kept until the feed says people or settings changed.</summary>
    private async Task<long[]> MemberQueuesAsync(string userId, CancellationToken ct)
    {
        if (feed is not null && Interlocked.Exchange(ref _subscribed, 1) == 0)
            // The subscription lives as long as this service: the server's.
            _ = feed.Subscribe(change =>
            {
                if (change.Kind is ChangeKind.SettingsChanged or ChangeKind.Resync)
                {
                    Interlocked.Increment(ref _membershipVersion);
                    _memberQueues.Clear();
                }
                return Task.CompletedTask;
            });
        if (feed is not null && _memberQueues.TryGetValue(userId, out var known)) return known;
        var version = Interlocked.Read(ref _membershipVersion);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var queues = await db.QueueMembers.AsNoTracking().Where(m => m.UserId == userId).Select(m => m.QueueId).ToArrayAsync(ct);
        // Kept only if no change came while it was read.
        if (feed is not null && Interlocked.Read(ref _membershipVersion) == version) _memberQueues[userId] = queues;
        return queues;
    }
}
