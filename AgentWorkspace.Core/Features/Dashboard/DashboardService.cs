using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Dashboard;

public sealed record QueueCount(long QueueId, string Queue, int Open, int Unassigned, int Breached);
public sealed record ChannelCount(Channel Channel, int Open);
public sealed record StatusCount(CaseStatus Status, int Count);

/// <summary>The landing page's figures: open cases by queue and channel, in the actor's scope.</summary>
public sealed record DashboardSummary(
    int OpenCases,
    int AssignedToMe,
    int UnreadForMe,
    int PendingDrafts,
    IReadOnlyList<QueueCount> ByQueue,
    IReadOnlyList<ChannelCount> ByChannel,
    IReadOnlyList<StatusCount> ByStatus,
    bool AllQueues);

public sealed class DashboardService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, TimeProvider clock)
{
    private static readonly CaseStatus[] OpenStatuses = [CaseStatus.New, CaseStatus.Open, CaseStatus.Pending];

    public async Task<DashboardSummary> GetSummaryAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var allQueues = actor.IsAtLeast(Role.Supervisor);
        var myQueueIds = allQueues
            ? await db.Queues.Select(q => q.Id).ToListAsync(ct)
            : await db.QueueMembers.Where(m => m.UserId == actor.UserId).Select(m => m.QueueId).ToListAsync(ct);

        var open = db.Cases.Where(c => OpenStatuses.Contains(c.Status) && (myQueueIds.Contains(c.QueueId) || c.AssignedAgentId == actor.UserId));
        var now = clock.GetUtcNow();

        var byQueueRaw = await open.GroupBy(c => c.QueueId)
            .Select(g => new { QueueId = g.Key, Open = g.Count(), Unassigned = g.Count(c => c.AssignedAgentId == null) })
            .ToListAsync(ct);
        var queues = await db.Queues.Where(q => myQueueIds.Contains(q.Id) || byQueueRaw.Select(b => b.QueueId).Contains(q.Id))
            .Select(q => new { q.Id, q.Name, q.FirstResponseTargetMinutes }).ToListAsync(ct);

        // A breach: no first response past the queue's target.
        var breached = new Dictionary<long, int>();
        foreach (var q in queues)
        {
            var limit = now.AddMinutes(-q.FirstResponseTargetMinutes);
            breached[q.Id] = await open.CountAsync(c => c.QueueId == q.Id && c.FirstResponseAt == null && c.CreatedAt < limit, ct);
        }

        var byQueue = queues
            .Select(q =>
            {
                var counts = byQueueRaw.FirstOrDefault(b => b.QueueId == q.Id);
                return new QueueCount(q.Id, q.Name, counts?.Open ?? 0, counts?.Unassigned ?? 0, breached.GetValueOrDefault(q.Id));
            })
            .OrderByDescending(q => q.Open).ThenBy(q => q.Queue, StringComparer.CurrentCulture).ToList();

        var byChannel = (await open.GroupBy(c => c.Channel).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .Select(g => new ChannelCount(g.Key, g.Count)).OrderByDescending(c => c.Open).ToList();
        var byStatus = (await open.GroupBy(c => c.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .Select(g => new StatusCount(g.Key, g.Count)).OrderBy(s => s.Status).ToList();

        var mine = db.Cases.Where(c => OpenStatuses.Contains(c.Status) && c.AssignedAgentId == actor.UserId);
        var assignedToMe = await mine.CountAsync(ct);
        var unread = await mine.SumAsync(c => (int?)c.UnreadCount, ct) ?? 0;
        var pendingDrafts = allQueues
            ? await db.Drafts.CountAsync(d => d.Status == DraftStatus.Pending, ct)
            : await db.Drafts.CountAsync(d => d.Status == DraftStatus.Pending && d.AuthorId == actor.UserId, ct);

        return new DashboardSummary(byQueue.Sum(q => q.Open), assignedToMe, unread, pendingDrafts, byQueue, byChannel, byStatus, allQueues);
    }
}
