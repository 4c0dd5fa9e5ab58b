using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// Supervisors review drafted replies: approving sends the reply on the case's channel (as the
/// agent who wrote it), rejecting sends it back with a comment. The author sees the outcome live
/// (<see cref="ChangeKind.DraftReviewed"/>).
/// </summary>
public sealed class ApprovalService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, ReplyDelivery delivery)
{
    /// <summary>Drafts waiting for review, oldest first (keyset-paged), Supervisor and above.</summary>
    public async Task<DraftPage> PendingAsync(Actor actor, DraftCursor? after = null, int pageSize = 30, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        pageSize = Math.Clamp(pageSize, 1, 100);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Drafts.AsNoTracking().Where(d => d.Status == DraftStatus.Pending);
        if (after is not null) q = q.Where(d => d.SubmittedAt > after.SubmittedAt || (d.SubmittedAt == after.SubmittedAt && d.Id > after.Id));
        var rows = await (
            from d in q.OrderBy(d => d.SubmittedAt).ThenBy(d => d.Id).Take(pageSize + 1)
            join c in db.Cases on d.CaseId equals c.Id
            join card in db.Cards on c.CardId equals card.Id
            join queue in db.Queues on c.QueueId equals queue.Id
            select new { Draft = d, c.Channel, c.Title, card.FirstName, card.LastName, card.ChannelName, card.PrimaryEmail, card.MobilePhone, QueueName = queue.Name })
            .ToListAsync(ct);
        rows = rows.OrderBy(r => r.Draft.SubmittedAt).ThenBy(r => r.Draft.Id).ToList();
        var caseIds = rows.Select(r => r.Draft.CaseId).Distinct().ToList();
        var lastInbound = new Dictionary<long, string>();
        foreach (var caseId in caseIds)
        {
            var text = await db.Messages.AsNoTracking().Where(m => m.CaseId == caseId && m.Direction == Direction.Inbound)
                .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Select(m => m.Text).FirstOrDefaultAsync(ct);
            if (text is not null) lastInbound[caseId] = Text.Preview(text, 300);
        }
        var drafts = rows.Take(pageSize).Select(r =>
        {
            var name = CustomerCard.NameOf(r.FirstName, r.LastName, r.ChannelName, r.PrimaryEmail, r.MobilePhone) ?? "#" + r.Draft.CaseId.ToString(CultureInfo.InvariantCulture);
            var d = r.Draft;
            return new PendingDraft(d.Id, d.CaseId, r.Channel, name, r.Title, r.QueueName, d.AuthorName, d.Text, d.SubmittedAt, lastInbound.GetValueOrDefault(d.CaseId));
        }).ToList();
        var next = rows.Count > pageSize ? new DraftCursor(rows[pageSize - 1].Draft.SubmittedAt, rows[pageSize - 1].Draft.Id) : null;
        return new DraftPage(drafts, next);
    }

    /// <summary>Approves a draft: the reply goes out on the case's channel, authored by the agent who drafted it.</summary>
    public async Task<DraftView> ApproveAsync(Actor actor, long draftId, string? comment, CancellationToken ct = default)
    {
        try
        {
            var (draft, request, tile) = await run.RunAsync("Draft.Approve", actor, Role.Supervisor, async use =>
            {
                var db = use.Db;
                var draft = await LoadAsync(db, actor, draftId, use.Cancellation);
                var @case = await db.Cases.FirstAsync(c => c.Id == draft.CaseId, use.Cancellation);
                var route = await ReplyRoute.ResolveAsync(db, @case, null, use.Cancellation);
                @case.EnsureReplyable(route.Channel);
                var message = await ReplyDelivery.AddOutboundAsync(db, @case, route, draft.AuthorId, draft.AuthorName, draft.Text, use.Now, use.Cancellation);
                var request = await ReplyDelivery.RequestAsync(db, @case, route, message, use.Cancellation);
                draft.Approve(actor.UserId, actor.DisplayName, message.Id, comment, use.Now);
                db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, CaseEventType.DraftApproved, actor.UserId, actor.DisplayName, draft.ReviewComment, use.Now));
                // One entry for the one action (issue 22): the approval says the reply went out; the message itself is on the thread.
                use.Audit("Draft", Id(draftId), "Approved", "status", nameof(DraftStatus.Pending), nameof(DraftStatus.Approved));
                await use.SaveAsync();
                var tile = await InboxQueries.TileAsync(db, @case.Id, use.Cancellation);
                use.Publish(new ChangeEvent(ChangeKind.DraftReviewed, tile.CardId, tile.Id, tile.QueueId, AgentId: draft.AuthorId));
                return (draft, request, tile);
            }, ct);
            await delivery.DeliverAsync(actor, tile, request, ct);
            return ReplyDelivery.ToView(draft);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Changed();
        }
    }

    /// <summary>Rejects a draft with a comment that tells the agent what to change.</summary>
    public async Task<DraftView> RejectAsync(Actor actor, long draftId, string? comment, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        if (string.IsNullOrWhiteSpace(comment)) throw new DomainException("Say why the draft is rejected.", "comment");
        try
        {
            return await run.RunAsync("Draft.Reject", actor, Role.Supervisor, async use =>
            {
                var db = use.Db;
                var draft = await LoadAsync(db, actor, draftId, use.Cancellation);
                var @case = await db.Cases.FirstAsync(c => c.Id == draft.CaseId, use.Cancellation);
                draft.Reject(actor.UserId, actor.DisplayName, comment, use.Now);
                db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, CaseEventType.DraftRejected, actor.UserId, actor.DisplayName, draft.ReviewComment, use.Now));
                use.Audit("Draft", Id(draftId), "Rejected", "status", nameof(DraftStatus.Pending), nameof(DraftStatus.Rejected));
                db.Entry(@case).State = EntityState.Modified;
                use.Publish(new ChangeEvent(ChangeKind.DraftReviewed, @case.CardId, @case.Id, @case.QueueId, AgentId: draft.AuthorId));
                return ReplyDelivery.ToView(draft);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Changed();
        }
    }

    private static ConflictException Changed() => new("The case or the draft changed meanwhile. Reload and try again.");

    private static async Task<ReplyDraft> LoadAsync(AgentWorkspaceDbContext db, Actor actor, long draftId, CancellationToken ct)
    {
        var draft = await db.Drafts.FirstOrDefaultAsync(d => d.Id == draftId, ct) ?? throw new NotFoundException($"Draft {draftId} does not exist.");
        if (draft.AuthorId == actor.UserId) throw new ForbiddenException("A draft is reviewed by someone other than its author.");
        return draft;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
