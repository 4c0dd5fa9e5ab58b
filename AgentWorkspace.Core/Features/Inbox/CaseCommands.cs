using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// Every way of working a case from the inbox: take, assign, unassign, transfer, resolve, pending,
/// cancel, reopen, reply, internal note, draft for approval, mark read. Each is one use case (ADR 008)
/// with its case event and audit row; the rules themselves are the case's (<see cref="Case"/>).
/// </summary>
public sealed class CaseCommands(UseCaseRunner run, ReplyDelivery delivery, Crm.CrmPushSignal? crmSignal = null, Crm.CrmOptions? crmOptions = null)
{

    /// <summary>Assign to me. Two agents taking the same case at once: the first wins, the second is told who has it.</summary>
    public Task<CaseTile> TakeAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            c.Take(actor.UserId, id => InboxQueries.AgentName(db, id));
            return Task.FromResult(new Change(CaseEventType.Assigned, actor.DisplayName, "Taken", null, actor.UserId));
        }, ct);

    /// <summary>A supervisor assigns a case to an agent (or takes it over).</summary>
    public Task<CaseTile> AssignAsync(Actor actor, long caseId, string agentId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Supervisor, async (db, c, now) =>
        {
            var name = await InboxQueries.UserNameAsync(db, agentId, "agentId", ct);
            if (c.AssignedAgentId == agentId) throw new DomainException($"The case is already assigned to {name}.", "agentId") { Code = "CaseAlreadyAssignedTo", Args = [name] };
            var before = c.AssignedAgentId;
            c.AssignTo(agentId);
            return new Change(CaseEventType.Assigned, name, "Assigned", before, agentId);
        }, ct);

    /// <summary>Back to the queue: the assignee or a supervisor.</summary>
    public Task<CaseTile> UnassignAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var before = c.AssignedAgentId;
            c.Unassign();
            // A digital case leaves the agent: its linked CRM records get the interaction (seed 001).
            return Task.FromResult(new Change(CaseEventType.Unassigned, InboxQueries.AgentName(db, before), "Unassigned", before, null,
                Then: (use, @case) => Crm.CrmOutbox.EnqueueAsync(use, @case, Domain.Crm.CrmPushTrigger.Unassign, crmSignal, crmOptions)));
        }, ct);

    /// <summary>To another queue, and optionally to an agent. An agent transfers the cases they handle; a supervisor any.</summary>
    public Task<CaseTile> TransferAsync(Actor actor, long caseId, long queueId, string? agentId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) => TransferChange(db, actor, c, queueId, agentId, ct), ct);

    /// <summary>
    /// The same for the telephony and scripts (API): the queue by name or id (the case's own queue when left out),
    /// the agent by e-mail; at least one of the two.
    /// </summary>
    public Task<CaseTile> TransferToAsync(Actor actor, long caseId, string? queue, string? agentEmail, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            if (string.IsNullOrWhiteSpace(queue) && string.IsNullOrWhiteSpace(agentEmail))
                throw new DomainException("Say where to: a queue, an agent's e-mail, or both.", "queue") { Code = "TransferNowhere" };
            var queueId = c.QueueId;
            if (!string.IsNullOrWhiteSpace(queue))
            {
                var name = queue.Trim();
                var queues = await db.Queues.AsNoTracking().Select(q => new { q.Id, q.Name }).ToListAsync(ct);
                queueId = (long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? queues.FirstOrDefault(q => q.Id == id) : null)?.Id
                    ?? queues.FirstOrDefault(q => string.Equals(q.Name, name, StringComparison.OrdinalIgnoreCase))?.Id
                    ?? throw new DomainException($"No queue is named '{name}'.", "queue") { Code = "QueueUnknown" };
            }
            string? agentId = null;
            if (!string.IsNullOrWhiteSpace(agentEmail))
            {
                var normalized = agentEmail.Trim().ToUpperInvariant();
                agentId = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).FirstOrDefaultAsync(ct)
                    ?? throw new DomainException("No such agent.", "agentEmail") { Code = "AgentUnknown" };
            }
            return await TransferChange(db, actor, c, queueId, agentId, ct);
        }, ct);

    private async Task<Change> TransferChange(AgentWorkspaceDbContext db, Actor actor, Case c, long queueId, string? agentId, CancellationToken ct)
    {
        RequireHandler(db, actor, c);
        var queue = await db.Queues.AsNoTracking().FirstOrDefaultAsync(q => q.Id == queueId, ct)
            ?? throw new DomainException($"Queue {queueId} does not exist.", "queueId") { Code = "QueueUnknown" };
        string? agentName = null;
        if (!string.IsNullOrEmpty(agentId)) agentName = await InboxQueries.UserNameAsync(db, agentId, "agentId", ct);
        else agentId = null;
        var before = $"{c.QueueId}/{c.AssignedAgentId}";
        var fromQueue = c.QueueId;
        c.TransferTo(queueId, agentId);
        return new Change(CaseEventType.Transferred, agentName is null ? queue.Name : $"{queue.Name} → {agentName}", "Transferred", before, $"{queueId}/{agentId}", agentId, fromQueue,
            Then: (use, @case) => Crm.CrmOutbox.EnqueueAsync(use, @case, Domain.Crm.CrmPushTrigger.Transfer, crmSignal, crmOptions));
    }

    /// <summary>
    /// The call is over (seed 001): from the agent, or from the telephony system through the API. A voice case then
    /// waits for its wrap-up; nothing is pushed to the CRM yet.
    /// </summary>
    public Task<CaseTile> EndCallAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            c.EndCall(now);
            return Task.FromResult(new Change(CaseEventType.CallEnded, null, "CallEnded", null, nameof(AfterCallWork.WrapUp), c.AssignedAgentId));
        }, ct);

    /// <summary>
    /// Completes the call's after-call work (seed 001) with a disposition of the administrators' list and notes; in the
    /// same transaction, the interaction goes to the outbox for every CRM record linked to the case.
    /// </summary>
    public Task<CaseTile> WrapUpAsync(Actor actor, long caseId, string? disposition, string? notes, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var label = await Crm.DispositionService.ResolveAsync(db, disposition, ct);
            c.CompleteWrapUp(label, notes, now);
            return new Change(CaseEventType.WrapUpCompleted, label, "WrapUpCompleted", nameof(AfterCallWork.WrapUp), label, c.AssignedAgentId,
                Then: (use, @case) => Crm.CrmOutbox.EnqueueAsync(use, @case, Domain.Crm.CrmPushTrigger.WrapUp, crmSignal, crmOptions));
        }, ct);

    public Task<CaseTile> ResolveAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var before = c.Status;
            c.Resolve(now);
            return Task.FromResult(new Change(CaseEventType.StatusChanged, nameof(CaseStatus.Resolved), "Resolved", before.ToString(), nameof(CaseStatus.Resolved), c.AssignedAgentId));
        }, ct);

    public Task<CaseTile> SetPendingAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var before = c.Status;
            c.SetPending();
            return Task.FromResult(new Change(CaseEventType.StatusChanged, nameof(CaseStatus.Pending), "StatusChanged", before.ToString(), nameof(CaseStatus.Pending), c.AssignedAgentId));
        }, ct);

    /// <summary>Sets the case's priority (by hand or from a script's macro): whoever may handle the case.</summary>
    public Task<CaseTile> SetPriorityAsync(Actor actor, long caseId, CasePriority priority, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            if (!Enum.IsDefined(priority)) throw new DomainException("The priority is low, normal, high or urgent.", "priority") { Code = "PriorityUnknown" };
            var before = c.Priority;
            c.SetPriority(priority);
            return Task.FromResult(new Change(CaseEventType.PriorityChanged, priority.ToString(), "PriorityChanged", before.ToString(), priority.ToString(), c.AssignedAgentId));
        }, ct);

    /// <summary>Cancels a case; its comments go with it (seed 002).</summary>
    public Task<CaseTile> CancelAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var before = c.Status;
            c.Cancel(now);
            var removed = await db.CaseComments.Where(x => x.CaseId == c.Id).ToListAsync(ct);
            db.CaseComments.RemoveRange(removed);
            return new Change(CaseEventType.StatusChanged, nameof(CaseStatus.Cancelled), "Cancelled", before.ToString(),
                $"{nameof(CaseStatus.Cancelled)} ({removed.Count} comments removed)", c.AssignedAgentId);
        }, ct);

    public Task<CaseTile> ReopenAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            if (c.AssignedAgentId is not null && c.AssignedAgentId != actor.UserId && !actor.IsAtLeast(Role.Supervisor))
            {
                var holder = InboxQueries.AgentName(db, c.AssignedAgentId);
                throw new ForbiddenException($"This case is {holder}'s; a supervisor can reopen it.") { Code = "CaseReopenBySupervisor", Args = [holder] };
            }
            c.Reopen();
            return Task.FromResult(new Change(CaseEventType.StatusChanged, nameof(CaseStatus.Open), "Reopened", nameof(CaseStatus.Resolved), nameof(CaseStatus.Open), c.AssignedAgentId));
        }, ct);

    /// <summary>
    /// Replies on the case's channel: an outbound message, handed to the outbound connector after
    /// commit; the connector's answer becomes the delivery status. Replying to an unassigned case takes it.
    /// A case that took in merged cases (ADR 021) replies on <paramref name="via"/>, one of its conversations' channels, to
    /// the identity that conversation came from; without it, on the channel the contact last wrote on.
    /// </summary>
    public async Task<CaseTile> ReplyAsync(Actor actor, long caseId, string text, CancellationToken ct = default) => await ReplyAsync(actor, caseId, text, null, ct);

    /// <inheritdoc cref="ReplyAsync(Actor, long, string, CancellationToken)"/>
    public async Task<CaseTile> ReplyAsync(Actor actor, long caseId, string text, Channel? via, CancellationToken ct = default)
    {
        OutboundRequest? request = null;
        var tile = await ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            var route = await ReplyRoute.ResolveAsync(db, c, via, ct);
            c.EnsureReplyable(route.Channel);
            var body = Text.Clean(text, 10_000, "text") ?? throw new DomainException("A reply cannot be empty.", "text") { Code = "ReplyEmpty" };
            RequireHandler(db, actor, c);
            var took = c.AssignedAgentId is null && !actor.IsAtLeast(Role.Supervisor);
            if (took)
            {
                c.AssignTo(actor.UserId);
                db.CaseEvents.Add(new CaseEvent(c.Id, c.CardId, CaseEventType.Assigned, actor.UserId, actor.DisplayName, actor.DisplayName, now));
            }
            var message = await ReplyDelivery.AddOutboundAsync(db, c, route, actor.UserId, actor.DisplayName, body, now, ct);
            await ComposerDrafts.RemoveAsync(db, actor.UserId, c.Id, ct);
            request = await ReplyDelivery.RequestAsync(db, c, route, message, ct);
            return new Change(CaseEventType.Replied, Text.Preview(body, 200), "Replied", null, message.Id.ToString(CultureInfo.InvariantCulture), c.AssignedAgentId);
        }, ct);
        return await delivery.DeliverAsync(actor, tile, request!, ct);
    }

    /// <summary>An internal note on the case (a note of the card about this case); the contact never sees it.</summary>
    public Task<CaseTile> AddNoteAsync(Actor actor, long caseId, string text, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            var note = new Note(c.CardId, c.Id, actor.UserId, actor.DisplayName, text, now);
            db.Notes.Add(note);
            await ComposerDrafts.RemoveAsync(db, actor.UserId, c.Id, ct);
            return new Change(CaseEventType.NoteAdded, Text.Preview(note.Text, 200), "NoteAdded", null, null, c.AssignedAgentId, AllowClosed: true);
        }, ct);

    /// <summary>Submits a drafted reply to a supervisor; nothing goes out until it is approved.</summary>
    public async Task<DraftView> SubmitDraftAsync(Actor actor, long caseId, string text, CancellationToken ct = default)
    {
        ReplyDraft? draft = null;
        await ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            c.EnsureReplyable((await ReplyRoute.ResolveAsync(db, c, null, ct)).Channel);
            RequireHandler(db, actor, c);
            draft = new ReplyDraft(c.Id, actor.UserId, actor.DisplayName, text, now);
            db.Drafts.Add(draft);
            await ComposerDrafts.RemoveAsync(db, actor.UserId, c.Id, ct);
            return new Change(CaseEventType.DraftSubmitted, Text.Preview(draft.Text, 200), "DraftSubmitted", null, null, c.AssignedAgentId);
        }, ct);
        return ReplyDelivery.ToView(draft!);
    }

    /// <summary>
    /// The author edits a rejected draft and sends it for approval again (issue 22): the reviewer's comment was what to
    /// change; the supervisor now sees the new version, pending.
    /// </summary>
    public async Task<DraftView> ResubmitDraftAsync(Actor actor, long caseId, long draftId, string text, CancellationToken ct = default)
    {
        ReplyDraft? draft = null;
        await ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            c.EnsureReplyable((await ReplyRoute.ResolveAsync(db, c, null, ct)).Channel);
            RequireHandler(db, actor, c);
            draft = await db.Drafts.FirstOrDefaultAsync(d => d.Id == draftId && d.CaseId == c.Id, ct)
                ?? throw new NotFoundException($"Draft {draftId} was not found on this case.");
            var before = draft.Text;
            draft.Resubmit(actor.UserId, text, now);
            return new Change(CaseEventType.DraftSubmitted, Text.Preview(draft.Text, 200), "DraftResubmitted", before, draft.Text, c.AssignedAgentId);
        }, ct);
        return ReplyDelivery.ToView(draft!);
    }

    /// <summary>The assignee opened the case: its messages are read. A message landing meanwhile stays unread; the case still opens.</summary>
    internal async Task MarkReadAsync(Actor actor, long caseId, CancellationToken ct)
    {
        try
        {
            await run.RunAsync("Case.MarkRead", actor, Role.Agent, async use =>
            {
                var @case = await use.Db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw InboxQueries.NotFound(caseId);
                if (@case.UnreadCount == 0 || @case.AssignedAgentId != actor.UserId) return;
                @case.MarkRead();
                use.Publish(new ChangeEvent(ChangeKind.CaseChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Read again below: the new message shows, unread.
        }
    }

    /// <summary>Earlier messages of a case, before the cursor (keyset), with the notes and comments of that span.</summary>


    /// <param name="Then">Runs in the same transaction once the change is applied (the CRM outbox of a transfer, an unassignment, a wrap-up).</param>
    private sealed record Change(CaseEventType Type, string? Detail, string AuditAction, string? Before, string? After, string? AgentId = null, long? FromQueueId = null, bool AllowClosed = false,
        Func<UseCase, Case, Task<int>>? Then = null);

    /// <summary>Loads the case, checks role and that the actor may act on it (<see cref="CaseAccess"/>), applies the change, writes event and audit, commits, publishes.</summary>
    private async Task<CaseTile> ChangeAsync(Actor actor, long caseId, Role minimum, Func<AgentWorkspaceDbContext, Case, DateTimeOffset, Task<Change>> apply, CancellationToken ct,
        [System.Runtime.CompilerServices.CallerMemberName] string operation = "")
    {
        try
        {
            // SQLite: BEGIN IMMEDIATE, so two agents acting on one case run one after the other and the
            // second sees the first's outcome; elsewhere the case's version token refuses the stale save.
            return await run.RunAsync("Case." + operation.Replace("Async", "", StringComparison.Ordinal), actor, minimum, async use =>
            {
                var db = use.Db;
                var @case = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw InboxQueries.NotFound(caseId);
                await CaseAccess.EnsureMayActAsync(db, actor, @case, use.Cancellation);
                var assigneeBefore = @case.AssignedAgentId;
                var change = await apply(db, @case, use.Now);
                if (change.Then is { } then) await then(use, @case);
                // Said on the event, so that the agent who now has the case is told (issue 22), whoever gave it to them.
                var assigned = @case.AssignedAgentId is not null && @case.AssignedAgentId != assigneeBefore;
                db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, change.Type, actor.UserId, actor.DisplayName, change.Detail, use.Now));
                use.Audit("Case", caseId.ToString(CultureInfo.InvariantCulture), change.AuditAction,
                    change.Before is null && change.After is null ? null : "case", change.Before, change.After);
                if (db.Entry(@case).State == EntityState.Unchanged) db.Entry(@case).State = EntityState.Modified; // a note or draft still moves the case's version
                await use.SaveAsync();
                var tile = (await InboxQueries.TilesAsync(db, [caseId], use.Cancellation))[caseId];
                if (change.FromQueueId is { } from && from != tile.QueueId)
                    use.Publish(new ChangeEvent(ChangeKind.CaseChanged, tile.CardId, tile.Id, from, AgentId: tile.AssignedAgentId));
                use.Publish(CaseChanged(ChangeKind.CaseChanged, tile) with { Assigned = assigned });
                return tile;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed this case meanwhile. It has been reloaded; try again.") { Code = "CaseChangedMeanwhile" };
        }
    }

    internal static ChangeEvent CaseChanged(ChangeKind kind, CaseTile tile) =>
        new(kind, tile.CardId, tile.Id, tile.QueueId, AgentId: tile.AssignedAgentId);

    /// <summary>
    /// Working a case belongs to its assignee (or, while unassigned, anyone who may act on it); a supervisor may always.
    /// <see cref="ChangeAsync"/> has checked already that the actor may act on the case at all (<see cref="CaseAccess"/>).
    /// </summary>
    private static void RequireHandler(AgentWorkspaceDbContext db, Actor actor, Case c) =>
        c.EnsureWorkableBy(actor.UserId, actor.IsAtLeast(Role.Supervisor), id => InboxQueries.AgentName(db, id));
}
