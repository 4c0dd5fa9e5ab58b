using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// Who may act on a case, wherever the action starts (the inbox, the card, the API): docs/decisions/014.
/// Reading a card and every case of it is every agent's right, and needs no check here. Acting follows the inbox:
/// <list type="bullet">
/// <item>to act at all (note, comment, and every command below), the case is assigned to the agent or sits in one of
/// the agent's queues; a supervisor or an administrator may act on any case;</item>
/// <item>to handle it (reply, draft, resolve, set pending, cancel, transfer, unassign), also it is not another
/// agent's: it is the agent's own, or nobody's (<see cref="Case.EnsureWorkableBy"/>).</item>
/// </list>
/// Each refusal says why, with the queue or the agent who holds the case.
/// </summary>
internal static class CaseAccess
{
    /// <summary>Refuses an agent who acts on a case neither assigned to them nor in one of their queues.</summary>
    public static async Task EnsureMayActAsync(AgentWorkspaceDbContext db, Actor actor, Case c, CancellationToken ct)
    {
        if (actor.IsAtLeast(Role.Supervisor) || c.AssignedAgentId == actor.UserId) return;
        if (await db.QueueMembers.AnyAsync(m => m.QueueId == c.QueueId && m.UserId == actor.UserId, ct)) return;
        var queue = await db.Queues.AsNoTracking().Where(q => q.Id == c.QueueId).Select(q => q.Name).FirstOrDefaultAsync(ct) ?? "?";
        throw new ForbiddenException($"Case {c.Id} is in the queue {queue}, which is not one of yours, and is not assigned to you: you may read it, not act on it.")
        {
            Code = "CaseOutsideYourQueues",
            Args = [queue],
        };
    }

    /// <summary>The same, and refuses an agent who handles a case another agent holds (naming them).</summary>
    public static async Task EnsureMayHandleAsync(AgentWorkspaceDbContext db, Actor actor, Case c, CancellationToken ct)
    {
        await EnsureMayActAsync(db, actor, c, ct);
        c.EnsureWorkableBy(actor.UserId, actor.IsAtLeast(Role.Supervisor), id => InboxQueries.AgentName(db, id));
    }
}
