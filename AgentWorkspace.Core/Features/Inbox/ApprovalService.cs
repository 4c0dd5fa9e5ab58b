using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// Supervisors review drafted replies: approving sends the reply on the case's channel (as the
/// agent who wrote it), rejecting sends it back with a comment. The author sees the outcome live
/// (<see cref="ChangeKind.DraftReviewed"/>).
/// </summary>
public sealed class ApprovalService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, InboxService inbox, TimeProvider clock)
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
            select new { Draft = d, c.Channel, c.Title, card.FirstName, card.LastName, card.PrimaryEmail, card.MobilePhone, QueueName = queue.Name })
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
            var name = $"{r.FirstName} {r.LastName}".Trim();
            if (name.Length == 0) name = r.PrimaryEmail ?? r.MobilePhone ?? "#" + r.Draft.CaseId.ToString(CultureInfo.InvariantCulture);
            var d = r.Draft;
            return new PendingDraft(d.Id, d.CaseId, r.Channel, name, r.Title, r.QueueName, d.AuthorName, d.Text, d.SubmittedAt, lastInbound.GetValueOrDefault(d.CaseId));
        }).ToList();
        var next = rows.Count > pageSize ? new DraftCursor(rows[pageSize - 1].Draft.SubmittedAt, rows[pageSize - 1].Draft.Id) : null;
        return new DraftPage(drafts, next);
    }

    /// <summary>Approves a draft: the reply goes out on the case's channel, authored by the agent who drafted it.</summary>
    public async Task<DraftView> ApproveAsync(Actor actor, long draftId, string? comment, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        OutboundRequest request;
        ReplyDraft draft;
        CaseTile tile;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            draft = await LoadAsync(db, actor, draftId, ct);
            var @case = await db.Cases.FirstAsync(c => c.Id == draft.CaseId, ct);
            InboxService.EnsureReplyable(@case);
            var now = clock.GetUtcNow();
            var message = await InboxService.AddOutboundAsync(db, @case, draft.AuthorId, draft.AuthorName, draft.Text, now, ct);
            request = await InboxService.RequestAsync(db, @case, message, ct);
            draft.Approve(actor.UserId, actor.DisplayName, message.Id, comment, now);
            db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, CaseEventType.DraftApproved, actor.UserId, actor.DisplayName, draft.ReviewComment, now));
            db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, CaseEventType.Replied, draft.AuthorId, draft.AuthorName, Text.Preview(draft.Text, 200), now));
            db.Audit.Add(new AuditEntry(now, actor.UserId, actor.DisplayName, "Draft", Id(draftId), "Approved", "status", nameof(DraftStatus.Pending), nameof(DraftStatus.Approved)));
            await SaveAsync(db, tx, ct);
            tile = await TileAsync(actor, @case.Id, ct);
        }
        feed.Publish(new ChangeEvent(ChangeKind.DraftReviewed, tile.CardId, tile.Id, tile.QueueId, actor.UserId, draft.AuthorId));
        await inbox.DeliverAsync(actor, tile, request, ct);
        return InboxService.ToView(draft);
    }

    /// <summary>Rejects a draft with a comment that tells the agent what to change.</summary>
    public async Task<DraftView> RejectAsync(Actor actor, long draftId, string? comment, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        if (string.IsNullOrWhiteSpace(comment)) throw new DomainException("Say why the draft is rejected.", "comment");
        ReplyDraft draft;
        Case @case;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            draft = await LoadAsync(db, actor, draftId, ct);
            @case = await db.Cases.FirstAsync(c => c.Id == draft.CaseId, ct);
            var now = clock.GetUtcNow();
            draft.Reject(actor.UserId, actor.DisplayName, comment, now);
            db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, CaseEventType.DraftRejected, actor.UserId, actor.DisplayName, draft.ReviewComment, now));
            db.Audit.Add(new AuditEntry(now, actor.UserId, actor.DisplayName, "Draft", Id(draftId), "Rejected", "status", nameof(DraftStatus.Pending), nameof(DraftStatus.Rejected)));
            db.Entry(@case).State = EntityState.Modified;
            await SaveAsync(db, tx, ct);
        }
        feed.Publish(new ChangeEvent(ChangeKind.DraftReviewed, @case.CardId, @case.Id, @case.QueueId, actor.UserId, draft.AuthorId));
        return InboxService.ToView(draft);
    }

    private Task<CaseTile> TileAsync(Actor actor, long caseId, CancellationToken ct)
    {
        actor.Require(Role.Supervisor);
        return inbox.TileAsync(caseId, ct);
    }

    private static async Task<ReplyDraft> LoadAsync(AgentWorkspaceDbContext db, Actor actor, long draftId, CancellationToken ct)
    {
        var draft = await db.Drafts.FirstOrDefaultAsync(d => d.Id == draftId, ct) ?? throw new NotFoundException($"Draft {draftId} does not exist.");
        if (draft.AuthorId == actor.UserId) throw new ForbiddenException("A draft is reviewed by someone other than its author.");
        return draft;
    }

    private static async Task SaveAsync(AgentWorkspaceDbContext db, Microsoft.EntityFrameworkCore.Storage.IDbContextTransaction tx, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("The case or the draft changed meanwhile. Reload and try again.");
        }
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
