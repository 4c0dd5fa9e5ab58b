using System.Globalization;
using System.Text.Json;
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
/// Another open case of the contact that the case in view could take in (ADR 021). <see cref="RefusalCode"/> (with its
/// arguments) says why the actor could not merge it now; null: offered.
/// </summary>
public sealed record CaseMergeCandidate(long Id, Channel Channel, string Title, string Preview, CaseStatus Status, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt,
    string QueueName, string? AssignedAgentName, string? RefusalCode = null, IReadOnlyList<object>? RefusalArgs = null)
{
    public bool Offered => RefusalCode is null;
}

/// <summary>A case merged into the one in view: what it was, who merged it and when, and whether the reader may undo it.</summary>
public sealed record MergedCaseView(long MergeId, long CaseId, Channel Channel, string Title, DateTimeOffset CreatedAt, string MergedByName, DateTimeOffset MergedAt,
    bool MayUnmerge);

/// <summary>
/// Merging a contact's cases and undoing it (issue 21, "Merged conversations"; ADR 021). The case the agent is in is the
/// survivor: the other case's messages, notes, comments and history move into it (interleaved by time, each message on
/// its own channel), its clocks become the older case's, and the merged case leaves the inbox with status
/// <see cref="CaseStatus.Merged"/>, pointing to the survivor. The ledger (<see cref="CaseMerge"/>) lets an unmerge put back
/// every moved row and both cases' states; what arrived since stays in the survivor.
/// </summary>
public sealed class CaseMerges(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>What moved and what both cases were, to put them back. Ids, times, statuses: never the contact's words.</summary>
    internal sealed class Ledger
    {
        public List<long> Messages { get; set; } = [];
        public List<long> Notes { get; set; } = [];
        public List<long> Comments { get; set; } = [];
        public List<long> Events { get; set; } = [];
        public CaseStatus MergedStatus { get; set; }
        public int MergedUnread { get; set; }
        public DateTimeOffset SurvivorCreatedAt { get; set; }
        public DateTimeOffset? SurvivorFirstResponseAt { get; set; }
        public DateTimeOffset SurvivorLastMessageAt { get; set; }
        public CasePriority SurvivorPriority { get; set; }
        public int SurvivorUnread { get; set; }
        /// <summary>The survivor right after the merge: what is still so at the unmerge was the merge's doing.</summary>
        public DateTimeOffset AfterLastMessageAt { get; set; }
        public CasePriority AfterPriority { get; set; }
        public DateTimeOffset AfterCreatedAt { get; set; }
        public DateTimeOffset? AfterFirstResponseAt { get; set; }
    }

    /// <summary>
    /// The contact's other open cases the case in view could take in, newest first, each with the reason it could not
    /// be merged by the actor now (none: offered). Read by whoever may open the case in the inbox.
    /// </summary>
    public async Task<IReadOnlyList<CaseMergeCandidate>> CandidatesAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var survivor = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
        await InboxQueries.EnsureVisibleAsync(db, actor, survivor, ct);
        var open = new[] { CaseStatus.New, CaseStatus.Open, CaseStatus.Pending };
        var others = await db.Cases.AsNoTracking().Where(c => c.CardId == survivor.CardId && c.Id != caseId && open.Contains(c.Status))
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(50).ToListAsync(ct);
        var ids = others.Select(c => c.Id).ToList();
        var holding = await db.CaseMerges.AsNoTracking().Where(m => ids.Contains(m.SurvivorCaseId) && m.UndoneAt == null).Select(m => m.SurvivorCaseId).Distinct().ToListAsync(ct);
        var drafts = await db.Drafts.AsNoTracking().Where(d => ids.Contains(d.CaseId) && d.Status == DraftStatus.Pending).Select(d => d.CaseId).Distinct().ToListAsync(ct);
        var queueIds = others.Select(c => c.QueueId).Append(survivor.QueueId).Distinct().ToList();
        var queues = await db.Queues.AsNoTracking().Where(q => queueIds.Contains(q.Id)).ToDictionaryAsync(q => q.Id, q => q.Name, ct);
        var agentIds = others.Select(c => c.AssignedAgentId).OfType<string>().Distinct().ToList();
        var agents = await db.Users.AsNoTracking().Where(u => agentIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var member = actor.IsAtLeast(Role.Supervisor) ? queueIds : await db.QueueMembers.AsNoTracking().Where(m => m.UserId == actor.UserId).Select(m => m.QueueId).ToListAsync(ct);
        var supervisor = actor.IsAtLeast(Role.Supervisor);

        // The survivor's own refusal applies to every candidate.
        var survivorRefusal = Refusal(survivor, member, supervisor, actor, agents);
        return others.Select(c =>
        {
            var (code, args) = survivorRefusal;
            if (code is null && holding.Contains(c.Id)) (code, args) = ("CaseMergeHoldsMerged", [c.Id]);
            if (code is null && drafts.Contains(c.Id)) (code, args) = ("CaseMergeDraftPending", [c.Id]);
            if (code is null) (code, args) = Refusal(c, member, supervisor, actor, agents);
            return new CaseMergeCandidate(c.Id, c.Channel, c.Title, c.LastMessagePreview, c.Status, c.CreatedAt, c.LastMessageAt, queues.GetValueOrDefault(c.QueueId) ?? "?",
                c.AssignedAgentId is { } a ? agents.GetValueOrDefault(a) ?? "?" : null, code, args);
        }).ToList();

        (string?, IReadOnlyList<object>) Refusal(Case c, IReadOnlyCollection<long> memberOf, bool isSupervisor, Actor who, IReadOnlyDictionary<string, string> names)
        {
            if (isSupervisor) return (null, []);
            if (c.AssignedAgentId != who.UserId && !memberOf.Contains(c.QueueId))
                return ("CaseOutsideYourQueues", [queues.GetValueOrDefault(c.QueueId) ?? "?"]);
            if (!c.MayBeWorkedBy(who.UserId, false)) return ("CaseAssignedToOther", [c.AssignedAgentId is { } h ? names.GetValueOrDefault(h) ?? "?" : "?"]);
            return (null, []);
        }
    }

    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="survivorId"/>: both cases of one contact, both open, the
    /// actor allowed to handle both (<see cref="CaseAccess"/>). Two agents merging at once: the second is told the case
    /// was merged meanwhile, and the database holds the first merge only.
    /// </summary>
    public async Task<CaseTile> MergeAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct = default)
    {
        try
        {
            return await run.RunAsync("Case.Merge", actor, Role.Agent, async use =>
            {
                var (db, now, cancel) = (use.Db, use.Now, use.Cancellation);
                if (survivorId == mergedId) throw new DomainException("A case cannot be merged into itself.", "mergedId") { Code = "CaseMergeSelf" };
                var survivor = await db.Cases.FirstOrDefaultAsync(c => c.Id == survivorId, cancel) ?? throw InboxQueries.NotFound(survivorId);
                var merged = await db.Cases.FirstOrDefaultAsync(c => c.Id == mergedId, cancel) ?? throw InboxQueries.NotFound(mergedId);
                await CaseAccess.EnsureMayHandleAsync(db, actor, survivor, cancel);
                await CaseAccess.EnsureMayHandleAsync(db, actor, merged, cancel);
                var holds = await db.CaseMerges.AnyAsync(m => m.SurvivorCaseId == mergedId && m.UndoneAt == null, cancel);

                var ledger = new Ledger
                {
                    MergedStatus = merged.Status,
                    MergedUnread = merged.UnreadCount,
                    SurvivorCreatedAt = survivor.CreatedAt,
                    SurvivorFirstResponseAt = survivor.FirstResponseAt,
                    SurvivorLastMessageAt = survivor.LastMessageAt,
                    SurvivorPriority = survivor.Priority,
                    SurvivorUnread = survivor.UnreadCount,
                };
                var unread = merged.UnreadCount;
                merged.MergeInto(survivor, holds);
                // A draft waiting for review would be approved onto a case that no longer takes replies.
                if (await db.Drafts.AnyAsync(d => d.CaseId == mergedId && d.Status == DraftStatus.Pending, cancel))
                    throw new DomainException($"A reply drafted on case {mergedId} waits for a supervisor; have it reviewed first.", "mergedId") { Code = "CaseMergeDraftPending", Args = [mergedId] };
                survivor.Absorb(merged, unread);
                ledger.AfterLastMessageAt = survivor.LastMessageAt;
                ledger.AfterPriority = survivor.Priority;
                ledger.AfterCreatedAt = survivor.CreatedAt;
                ledger.AfterFirstResponseAt = survivor.FirstResponseAt;

                ledger.Messages = await db.Messages.Where(m => m.CaseId == mergedId).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync(cancel);
                ledger.Notes = await db.Notes.Where(n => n.CaseId == mergedId).OrderBy(n => n.Id).Select(n => n.Id).ToListAsync(cancel);
                ledger.Comments = await db.CaseComments.Where(c => c.CaseId == mergedId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(cancel);
                ledger.Events = await db.CaseEvents.Where(e => e.CaseId == mergedId).OrderBy(e => e.Id).Select(e => e.Id).ToListAsync(cancel);
                await db.Messages.Where(m => m.CaseId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(m => m.CaseId, survivorId), cancel);
                await db.Notes.Where(n => n.CaseId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(n => n.CaseId, (long?)survivorId), cancel);
                await db.CaseComments.Where(c => c.CaseId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CaseId, survivorId), cancel);
                await db.CaseEvents.Where(e => e.CaseId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(e => e.CaseId, survivorId), cancel);

                db.CaseMerges.Add(new CaseMerge(survivorId, mergedId, actor.UserId, actor.DisplayName, now, JsonSerializer.Serialize(ledger, Json)));
                db.CaseEvents.Add(new CaseEvent(survivorId, survivor.CardId, CaseEventType.CaseMergedIn, actor.UserId, actor.DisplayName, "#" + Id(mergedId), now));
                db.CaseEvents.Add(new CaseEvent(mergedId, merged.CardId, CaseEventType.CaseMergedInto, actor.UserId, actor.DisplayName, "#" + Id(survivorId), now));
                use.Audit("Case", Id(survivorId), "CaseMerged", "case", null, Id(mergedId));
                use.Audit("Case", Id(mergedId), "CaseMergedInto", "status", ledger.MergedStatus.ToString(), nameof(CaseStatus.Merged));
                await use.SaveAsync();
                return await PublishAsync(use, survivorId, mergedId);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cases changed while merging (someone else merged or worked it). It has been reloaded; try again.") { Code = "CaseMergeChangedMeanwhile" };
        }
    }

    /// <summary>
    /// Undoes the merge of <paramref name="mergedId"/> into <paramref name="survivorId"/>: every row that moved goes back to
    /// the merged case, which takes back its status and unread count; the survivor takes back its clocks, priority and last
    /// message unless something newer happened since. What reached the survivor since the merge (messages on either channel,
    /// notes, comments, history) stays with it. Whoever may handle both cases may undo it.
    /// </summary>
    public async Task<CaseTile> UnmergeAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct = default)
    {
        try
        {
            return await run.RunAsync("Case.Unmerge", actor, Role.Agent, async use =>
            {
                var (db, now, cancel) = (use.Db, use.Now, use.Cancellation);
                var record = await db.CaseMerges.Where(m => m.SurvivorCaseId == survivorId && m.MergedCaseId == mergedId).OrderByDescending(m => m.Id).FirstOrDefaultAsync(cancel)
                    ?? throw new NotFoundException($"Case {mergedId} was never merged into case {survivorId}.");
                var survivor = await db.Cases.FirstAsync(c => c.Id == survivorId, cancel);
                var merged = await db.Cases.FirstAsync(c => c.Id == mergedId, cancel);
                record.Undo(actor.UserId, actor.DisplayName, now);
                if (survivor.Status == CaseStatus.Merged)
                    throw new ConflictException($"Case {survivorId} was itself merged into case {survivor.MergedIntoCaseId}; undo that merge first.") { Code = "CaseUnmergeSurvivorMerged", Args = [survivorId, survivor.MergedIntoCaseId ?? 0] };
                // The survivor is checked like any case handled (it changes); the merged case is nobody's work while merged.
                await CaseAccess.EnsureMayHandleAsync(db, actor, survivor, cancel);
                await CaseAccess.EnsureMayActAsync(db, actor, merged, cancel);
                var ledger = JsonSerializer.Deserialize<Ledger>(record.LedgerJson, Json) ?? new Ledger();

                await db.Messages.Where(m => ledger.Messages.Contains(m.Id) && m.CaseId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(m => m.CaseId, mergedId), cancel);
                await db.Notes.Where(n => ledger.Notes.Contains(n.Id) && n.CaseId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(n => n.CaseId, (long?)mergedId), cancel);
                await db.CaseComments.Where(c => ledger.Comments.Contains(c.Id) && c.CaseId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(c => c.CaseId, mergedId), cancel);
                await db.CaseEvents.Where(e => ledger.Events.Contains(e.Id) && e.CaseId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(e => e.CaseId, mergedId), cancel);

                // Unread messages the survivor still holds go back with their case, up to what it had.
                var back = Math.Min(ledger.MergedUnread, survivor.UnreadCount);
                merged.RestoreFromMerge(ledger.MergedStatus, back);

                // A clock or field the merge set and nothing changed since goes back; a change since stays.
                var createdAt = survivor.CreatedAt == ledger.AfterCreatedAt ? ledger.SurvivorCreatedAt : survivor.CreatedAt;
                var firstResponse = survivor.FirstResponseAt == ledger.AfterFirstResponseAt ? ledger.SurvivorFirstResponseAt : survivor.FirstResponseAt;
                // A reply the merged case brought leaves with it; one written in the survivor since is its first.
                firstResponse ??= await db.Messages.Where(m => m.CaseId == survivorId && m.Direction == Direction.Outbound)
                    .OrderBy(m => m.SentAt).Select(m => (DateTimeOffset?)m.SentAt).FirstOrDefaultAsync(cancel);
                var priority = survivor.Priority == ledger.AfterPriority ? ledger.SurvivorPriority : survivor.Priority;
                var (lastAt, preview) = (survivor.LastMessageAt, survivor.LastMessagePreview);
                if (survivor.LastMessageAt == ledger.AfterLastMessageAt && ledger.AfterLastMessageAt != ledger.SurvivorLastMessageAt)
                {
                    // The last message was the merged case's: the survivor's own last one again (as it arrived, ingest's preview).
                    var last = await db.Messages.AsNoTracking().Where(m => m.CaseId == survivorId).OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id)
                        .Select(m => new { m.Text, m.Subject }).FirstOrDefaultAsync(cancel);
                    lastAt = ledger.SurvivorLastMessageAt;
                    preview = last is null ? string.Empty : Text.Preview(last.Text.Length > 0 ? last.Text : last.Subject ?? string.Empty);
                }
                survivor.RestoreAfterUnmerge(createdAt, firstResponse, lastAt, preview, priority, survivor.UnreadCount - back);

                db.CaseEvents.Add(new CaseEvent(survivorId, survivor.CardId, CaseEventType.CaseUnmerged, actor.UserId, actor.DisplayName, "#" + Id(mergedId), now));
                db.CaseEvents.Add(new CaseEvent(mergedId, merged.CardId, CaseEventType.CaseUnmerged, actor.UserId, actor.DisplayName, "#" + Id(survivorId), now));
                use.Audit("Case", Id(survivorId), "CaseUnmerged", "case", Id(mergedId), null);
                use.Audit("Case", Id(mergedId), "CaseUnmerged", "status", nameof(CaseStatus.Merged), ledger.MergedStatus.ToString());
                await use.SaveAsync();
                return await PublishAsync(use, survivorId, mergedId);
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cases changed while undoing the merge. It has been reloaded; try again.") { Code = "CaseMergeChangedMeanwhile" };
        }
    }

    /// <summary>Both cases' tiles to every inbox and card that shows them; the survivor's is the answer.</summary>
    private static async Task<CaseTile> PublishAsync(UseCase use, long survivorId, long mergedId)
    {
        var tiles = await InboxQueries.TilesAsync(use.Db, [survivorId, mergedId], use.Cancellation);
        use.Publish(CaseCommands.CaseChanged(ChangeKind.CaseChanged, tiles[mergedId]));
        use.Publish(CaseCommands.CaseChanged(ChangeKind.CaseChanged, tiles[survivorId]));
        return tiles[survivorId];
    }

    /// <summary>The cases merged into <paramref name="survivorId"/> and not unmerged, oldest merge first, for its case view.</summary>
    internal static async Task<IReadOnlyList<MergedCaseView>> MergedIntoAsync(AgentWorkspaceDbContext db, Actor actor, Case survivor, CancellationToken ct)
    {
        var rows = await (from m in db.CaseMerges.AsNoTracking()
                          where m.SurvivorCaseId == survivor.Id && m.UndoneAt == null
                          join c in db.Cases.AsNoTracking() on m.MergedCaseId equals c.Id
                          orderby m.At, m.Id
                          select new { m.Id, CaseId = c.Id, c.Channel, c.Title, c.CreatedAt, m.ActorName, m.At, c.QueueId, c.AssignedAgentId }).Take(50).ToListAsync(ct);
        if (rows.Count == 0) return [];
        var supervisor = actor.IsAtLeast(Role.Supervisor);
        var member = supervisor ? [] : await db.QueueMembers.AsNoTracking().Where(q => q.UserId == actor.UserId).Select(q => q.QueueId).ToListAsync(ct);
        bool MayAct(long queueId, string? assignee) => supervisor || assignee == actor.UserId || member.Contains(queueId);
        var handlesSurvivor = MayAct(survivor.QueueId, survivor.AssignedAgentId) && survivor.MayBeWorkedBy(actor.UserId, supervisor) && survivor.Status != CaseStatus.Merged;
        return rows.Select(r => new MergedCaseView(r.Id, r.CaseId, r.Channel, r.Title, r.CreatedAt, r.ActorName, r.At, handlesSurvivor && MayAct(r.QueueId, r.AssignedAgentId))).ToList();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
