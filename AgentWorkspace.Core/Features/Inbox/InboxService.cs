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
/// The digital inbox: the cases an agent sees (assigned to them and in their queues), and every way
/// of working one (take, assign, transfer, reply, note, draft, resolve, cancel, reopen). Each change
/// is one transaction with its case event and audit entry, and a change event after commit.
/// </summary>
public sealed class InboxService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, IOutboundConnector outbound, TimeProvider clock, ILogger<InboxService>? logger = null)
{
    private readonly ILogger _log = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public const int MaxPageSize = 100;
    public const int ThreadPageSize = 100;
    private static readonly CaseStatus[] OpenStatuses = [CaseStatus.New, CaseStatus.Open, CaseStatus.Pending];

    // ------------------------------------------------------------------ reading

    /// <summary>
    /// One page of the assignment panel, keyset-paged on (last activity, id). Each (queue, status) and
    /// (assignee, status) pair is read along its own index in order and the few rows merged, so the
    /// first page costs the same with 100 or 100,000 open cases. Every read is a compiled query on
    /// one context: the panel is a dozen small statements, where building each one's SQL again cost
    /// more than running it.
    /// </summary>
    public async Task<InboxPage> ListAsync(Actor actor, InboxFilter filter, InboxCursor? after = null, int pageSize = 30, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var statuses = filter.Status is { } s ? [s] : OpenStatuses;
        var oldest = filter.Sort == InboxSort.Oldest;
        // The first page starts past every case: the same statement then serves every page.
        var (at, id) = after is not null ? (after.LastMessageAt, after.Id)
            : oldest ? (DateTimeOffset.MinValue, long.MinValue) : (DateTimeOffset.MaxValue, long.MaxValue);
        var take = pageSize + 1;
        var keys = new List<CaseKey>();

        if (filter.Scope != InboxScope.Mine)
        {
            var queues = await VisibleQueueIdsAsync(db, actor, ct);
            if (filter.QueueId is { } only) queues = queues.Contains(only) ? [only] : [];
            // Null, not false, when there is no such filter: EF Core then leaves the condition out of
            // the SQL, and the key read stays on the covering index without touching the case rows.
            bool? unassigned = filter.Scope == InboxScope.Unassigned ? true : null;
            var byQueue = oldest ? OldestInQueue : NewestInQueue;
            foreach (var queueId in queues)
                foreach (var status in statuses)
                    await foreach (var key in byQueue(db, queueId, status, unassigned, filter.Channel, at, id, take).WithCancellation(ct)) keys.Add(key);
        }
        if (filter.Scope != InboxScope.Unassigned)
        {
            var byAssignee = oldest ? OldestOfAssignee : NewestOfAssignee;
            foreach (var status in statuses)
                await foreach (var key in byAssignee(db, actor.UserId, status, filter.QueueId, filter.Channel, at, id, take).WithCancellation(ct)) keys.Add(key);
        }

        var ordered = keys.DistinctBy(k => k.Id);
        ordered = oldest
            ? ordered.OrderBy(k => k.At).ThenBy(k => k.Id)
            : ordered.OrderByDescending(k => k.At).ThenByDescending(k => k.Id);
        var page = ordered.Take(take).ToList();
        var ids = page.Take(pageSize).Select(k => k.Id).ToList();
        var tiles = await TilesAsync(db, ids, ct);
        var next = page.Count > pageSize ? new InboxCursor(page[pageSize - 1].At, page[pageSize - 1].Id) : null;
        return new InboxPage(ids.Select(i => tiles[i]).ToList(), next);
    }

    /// <summary>A case's place in the panel's order.</summary>
    private readonly record struct CaseKey(long Id, DateTimeOffset At);

    // One statement per direction and source, each reading its index (QueueId or AssignedAgentId,
    // Status, LastMessageAt, Id) from the cursor on; the optional filters are parameters, null when
    // unused (EF Core builds the SQL per null-ness of the parameters and drops the unused ones).
    private static readonly Func<AgentWorkspaceDbContext, long, CaseStatus, bool?, Channel?, DateTimeOffset, long, int, IAsyncEnumerable<CaseKey>> NewestInQueue =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long queueId, CaseStatus status, bool? unassigned, Channel? channel, DateTimeOffset at, long id, int take) =>
            db.Cases.Where(c => c.QueueId == queueId && c.Status == status && (unassigned == null || c.AssignedAgentId == null) && (channel == null || c.Channel == channel)
                    && (c.LastMessageAt < at || (c.LastMessageAt == at && c.Id < id)))
                .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take).Select(c => new CaseKey(c.Id, c.LastMessageAt)));

    private static readonly Func<AgentWorkspaceDbContext, long, CaseStatus, bool?, Channel?, DateTimeOffset, long, int, IAsyncEnumerable<CaseKey>> OldestInQueue =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long queueId, CaseStatus status, bool? unassigned, Channel? channel, DateTimeOffset at, long id, int take) =>
            db.Cases.Where(c => c.QueueId == queueId && c.Status == status && (unassigned == null || c.AssignedAgentId == null) && (channel == null || c.Channel == channel)
                    && (c.LastMessageAt > at || (c.LastMessageAt == at && c.Id > id)))
                .OrderBy(c => c.LastMessageAt).ThenBy(c => c.Id).Take(take).Select(c => new CaseKey(c.Id, c.LastMessageAt)));

    private static readonly Func<AgentWorkspaceDbContext, string, CaseStatus, long?, Channel?, DateTimeOffset, long, int, IAsyncEnumerable<CaseKey>> NewestOfAssignee =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string agentId, CaseStatus status, long? queueId, Channel? channel, DateTimeOffset at, long id, int take) =>
            db.Cases.Where(c => c.AssignedAgentId == agentId && c.Status == status && (queueId == null || c.QueueId == queueId) && (channel == null || c.Channel == channel)
                    && (c.LastMessageAt < at || (c.LastMessageAt == at && c.Id < id)))
                .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take).Select(c => new CaseKey(c.Id, c.LastMessageAt)));

    private static readonly Func<AgentWorkspaceDbContext, string, CaseStatus, long?, Channel?, DateTimeOffset, long, int, IAsyncEnumerable<CaseKey>> OldestOfAssignee =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string agentId, CaseStatus status, long? queueId, Channel? channel, DateTimeOffset at, long id, int take) =>
            db.Cases.Where(c => c.AssignedAgentId == agentId && c.Status == status && (queueId == null || c.QueueId == queueId) && (channel == null || c.Channel == channel)
                    && (c.LastMessageAt > at || (c.LastMessageAt == at && c.Id > id)))
                .OrderBy(c => c.LastMessageAt).ThenBy(c => c.Id).Take(take).Select(c => new CaseKey(c.Id, c.LastMessageAt)));

    private static readonly Func<AgentWorkspaceDbContext, string, IAsyncEnumerable<long>> QueuesOfMember =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string userId) => db.QueueMembers.Where(m => m.UserId == userId).OrderBy(m => m.QueueId).Select(m => m.QueueId));

    private static readonly Func<AgentWorkspaceDbContext, IAsyncEnumerable<long>> AllQueues =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db) => db.Queues.OrderBy(q => q.Id).Select(q => q.Id));

    /// <summary>Queues whose cases the actor sees: their own; a supervisor sees every queue.</summary>
    private static async Task<List<long>> VisibleQueueIdsAsync(AgentWorkspaceDbContext db, Actor actor, CancellationToken ct) =>
        await (actor.IsAtLeast(Role.Supervisor) ? AllQueues(db) : QueuesOfMember(db, actor.UserId)).ToListAsync(ct);

    /// <summary>What a tile shows, read in one statement: the case, its contact's name, its queue's SLA targets, its agent's name.</summary>
    private sealed record TileRow(long Id, long Version, long CardId, Channel Channel, long QueueId, CaseStatus Status, CasePriority Priority, string? AssignedAgentId,
        string Title, string LastMessagePreview, DateTimeOffset CreatedAt, DateTimeOffset LastMessageAt, DateTimeOffset? FirstResponseAt, DateTimeOffset? ResolvedAt,
        int UnreadCount, string? FirstName, string? LastName, string? PrimaryEmail, string? MobilePhone, string QueueName, int FirstResponseTargetMinutes,
        int ResolutionTargetMinutes, string? AgentName);

    private static readonly Func<AgentWorkspaceDbContext, long[], IAsyncEnumerable<TileRow>> TileRows =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long[] ids) =>
            from c in db.Cases
            where ids.Contains(c.Id)
            join card in db.Cards on c.CardId equals card.Id
            join q in db.Queues on c.QueueId equals q.Id
            join u in db.Users on c.AssignedAgentId equals u.Id into agents
            from u in agents.DefaultIfEmpty()
            select new TileRow(c.Id, c.Version, c.CardId, c.Channel, c.QueueId, c.Status, c.Priority, c.AssignedAgentId, c.Title, c.LastMessagePreview,
                c.CreatedAt, c.LastMessageAt, c.FirstResponseAt, c.ResolvedAt, c.UnreadCount, card.FirstName, card.LastName, card.PrimaryEmail, card.MobilePhone,
                q.Name, q.FirstResponseTargetMinutes, q.ResolutionTargetMinutes, u == null ? null : u.DisplayName));

    private static async Task<Dictionary<long, CaseTile>> TilesAsync(AgentWorkspaceDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var tiles = new Dictionary<long, CaseTile>(ids.Count);
        if (ids.Count == 0) return tiles;
        await foreach (var r in TileRows(db, [.. ids]).WithCancellation(ct))
        {
            var name = $"{r.FirstName} {r.LastName}".Trim();
            if (name.Length == 0) name = r.PrimaryEmail ?? r.MobilePhone ?? "#" + r.CardId.ToString(CultureInfo.InvariantCulture);
            tiles[r.Id] = new CaseTile(r.Id, r.Version, r.CardId, r.Channel, r.QueueId, r.QueueName, r.Status, r.Priority, r.AssignedAgentId,
                r.AssignedAgentId is null ? null : r.AgentName, name, r.Title, r.LastMessagePreview,
                r.CreatedAt, r.LastMessageAt, r.FirstResponseAt, r.ResolvedAt, r.UnreadCount, r.FirstResponseTargetMinutes, r.ResolutionTargetMinutes);
        }
        return tiles;
    }

    internal async Task<CaseTile> TileAsync(long caseId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await TileAsync(db, caseId, ct);
    }

    internal async Task<CaseTile> TileAsync(AgentWorkspaceDbContext db, long caseId, CancellationToken ct) =>
        (await TilesAsync(db, [caseId], ct)).TryGetValue(caseId, out var tile) ? tile : throw NotFound(caseId);

    /// <summary>The figures of the workspace header, in the actor's scope.</summary>
    public async Task<InboxCounts> CountsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = db.Cases.Where(c => c.AssignedAgentId == actor.UserId && OpenStatuses.Contains(c.Status));
        var assigned = await mine.CountAsync(ct);
        var unread = await mine.SumAsync(c => (int?)c.UnreadCount, ct) ?? 0;
        var queues = await VisibleQueueIdsAsync(db, actor, ct);
        var targets = await db.Queues.Where(q => queues.Contains(q.Id)).Select(q => new { q.Id, q.FirstResponseTargetMinutes }).ToListAsync(ct);
        var now = clock.GetUtcNow();
        var unassigned = 0;
        var breached = 0;
        foreach (var q in targets)
        {
            unassigned += await db.Cases.CountAsync(c => c.QueueId == q.Id && OpenStatuses.Contains(c.Status) && c.AssignedAgentId == null, ct);
            var limit = now.AddMinutes(-q.FirstResponseTargetMinutes);
            breached += await db.Cases.CountAsync(c => c.QueueId == q.Id && OpenStatuses.Contains(c.Status) && c.FirstResponseAt == null && c.CreatedAt < limit, ct);
        }
        var drafts = await db.Drafts.CountAsync(d => d.Status == DraftStatus.Pending && (actor.Role >= Role.Supervisor || d.AuthorId == actor.UserId), ct);
        return new InboxCounts(assigned, unread, unassigned, breached, drafts);
    }

    /// <summary>
    /// Opens a case: header, the latest messages with notes and comments in order, drafts. Opening a
    /// case assigned to the actor marks its messages read.
    /// </summary>
    public async Task<CaseDetail> OpenAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        CaseDetail detail;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw NotFound(caseId);
            await EnsureVisibleAsync(db, actor, @case, ct);
            if (@case.UnreadCount > 0 && @case.AssignedAgentId == actor.UserId) await MarkReadAsync(actor, caseId, ct);
            var tile = (await TilesAsync(db, [caseId], ct))[caseId];
            var (thread, earlier) = await ThreadAsync(db, caseId, null, ct);
            var drafts = await db.Drafts.AsNoTracking().Where(d => d.CaseId == caseId).OrderByDescending(d => d.SubmittedAt).ThenByDescending(d => d.Id).Take(50)
                .Select(d => new DraftView(d.Id, d.CaseId, d.AuthorId, d.AuthorName, d.Text, d.Status, d.SubmittedAt, d.ReviewerName, d.ReviewComment, d.ReviewedAt))
                .ToListAsync(ct);
            detail = new CaseDetail(tile, thread, earlier, drafts, @case.ContextJson);
        }
        return detail;
    }

    /// <summary>The assignee opened the case: its messages are read. A message landing meanwhile stays unread; the case still opens.</summary>
    private async Task MarkReadAsync(Actor actor, long caseId, CancellationToken ct)
    {
        try
        {
            await run.RunAsync("Case.MarkRead", actor, Role.Agent, async use =>
            {
                var @case = await use.Db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw NotFound(caseId);
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
    public async Task<(IReadOnlyList<ThreadEntry> Entries, ThreadCursor? Earlier)> EarlierAsync(Actor actor, long caseId, ThreadCursor before, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw NotFound(caseId);
        await EnsureVisibleAsync(db, actor, @case, ct);
        return await ThreadAsync(db, caseId, before, ct);
    }

    private static async Task<(IReadOnlyList<ThreadEntry>, ThreadCursor?)> ThreadAsync(AgentWorkspaceDbContext db, long caseId, ThreadCursor? before, CancellationToken ct)
    {
        var q = db.Messages.AsNoTracking().Where(m => m.CaseId == caseId);
        if (before is not null) q = q.Where(m => m.SentAt < before.SentAt || (m.SentAt == before.SentAt && m.Id < before.Id));
        var messages = await q.OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(ThreadPageSize + 1).ToListAsync(ct);
        ThreadCursor? earlier = null;
        if (messages.Count > ThreadPageSize)
        {
            messages.RemoveAt(ThreadPageSize);
            earlier = new ThreadCursor(messages[^1].SentAt, messages[^1].Id);
        }
        messages.Reverse();
        var from = earlier is null ? (DateTimeOffset?)null : messages[0].SentAt;
        var to = before?.SentAt;
        var ids = messages.Where(m => m.AttachmentCount > 0).Select(m => m.Id).ToList();
        var attachments = ids.Count == 0 ? [] : (await db.Attachments.AsNoTracking().Where(a => ids.Contains(a.MessageId)).OrderBy(a => a.Id).ToListAsync(ct))
            .GroupBy(a => a.MessageId).ToDictionary(g => g.Key, g => (IReadOnlyList<AttachmentView>)g.Select(a => new AttachmentView(a.Name, a.ContentType, a.Size, a.Url)).ToList());

        var notesQ = db.Notes.AsNoTracking().Where(n => n.CaseId == caseId);
        var commentsQ = db.CaseComments.AsNoTracking().Where(c => c.CaseId == caseId);
        if (from is { } f) { notesQ = notesQ.Where(n => n.CreatedAt >= f); commentsQ = commentsQ.Where(c => c.CreatedAt >= f); }
        if (to is { } t) { notesQ = notesQ.Where(n => n.CreatedAt < t); commentsQ = commentsQ.Where(c => c.CreatedAt < t); }
        var notes = await notesQ.OrderBy(n => n.CreatedAt).Take(500).ToListAsync(ct);
        var comments = await commentsQ.OrderBy(c => c.CreatedAt).Take(500).ToListAsync(ct);

        var entries = messages.Select(m => new ThreadEntry(ThreadEntryKind.Message, m.Id, m.SentAt, m.AuthorName, m.Text, m.Direction, m.Kind, m.DeliveryStatus,
                m.ParentMessageId, m.Subject, m.Sentiment, attachments.GetValueOrDefault(m.Id) ?? []))
            .Concat(notes.Select(n => new ThreadEntry(ThreadEntryKind.Note, n.Id, n.CreatedAt, n.AuthorName, n.Text)))
            .Concat(comments.Select(c => new ThreadEntry(ThreadEntryKind.Comment, c.Id, c.CreatedAt, c.AuthorName, c.Text, ParentMessageId: c.MessageId)))
            .ToList();
        return (CaseThread.Arrange(entries), earlier);
    }

    /// <summary>The History tab: every action on the case, newest first, keyset-paged.</summary>
    public async Task<HistoryPage> HistoryAsync(Actor actor, long caseId, HistoryCursor? after = null, int pageSize = 50, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw NotFound(caseId);
        await EnsureVisibleAsync(db, actor, @case, ct);
        var q = db.CaseEvents.AsNoTracking().Where(e => e.CaseId == caseId);
        if (after is not null) q = q.Where(e => e.At < after.At || (e.At == after.At && e.Id < after.Id));
        var rows = await q.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(pageSize + 1)
            .Select(e => new HistoryEntry(e.Id, e.Type, e.ActorName, e.Detail, e.At)).ToListAsync(ct);
        var next = rows.Count > pageSize ? new HistoryCursor(rows[pageSize - 1].At, rows[pageSize - 1].Id) : null;
        return new HistoryPage(rows.Take(pageSize).ToList(), next);
    }

    public async Task<IReadOnlyList<QueueOption>> QueuesAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var mine = await db.QueueMembers.Where(m => m.UserId == actor.UserId).Select(m => m.QueueId).ToListAsync(ct);
        return (await db.Queues.AsNoTracking().OrderBy(q => q.Name).ToListAsync(ct))
            .Select(q => new QueueOption(q.Id, q.Name, q.FirstResponseTargetMinutes, q.ResolutionTargetMinutes, mine.Contains(q.Id))).ToList();
    }

    /// <summary>Agents and supervisors a case can go to.</summary>
    public async Task<IReadOnlyList<AgentOption>> AgentsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => u.Role == Role.Agent || u.Role == Role.Supervisor).OrderBy(u => u.DisplayName)
            .Select(u => new AgentOption(u.Id, u.DisplayName)).Take(500).ToListAsync(ct);
    }

    /// <summary>Quick replies of the knowledge base, the actor's language first.</summary>
    public async Task<IReadOnlyList<QuickReplyView>> QuickRepliesAsync(Actor actor, string? language, string? search = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.QuickReplies.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search)) q = q.Where(r => r.Title.Contains(search.Trim()) || r.Tags.Contains(search.Trim()));
        var rows = await q.OrderBy(r => r.Title).Take(200).Select(r => new QuickReplyView(r.Id, r.Title, r.Body, r.Language)).ToListAsync(ct);
        return rows.OrderBy(r => r.Language == language ? 0 : 1).ThenBy(r => r.Title, StringComparer.CurrentCulture).ToList();
    }

    /// <summary>The condensed card's data for the contact of a case.</summary>
    public async Task<ContactSummary> ContactAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == cardId, ct)
            ?? throw new NotFoundException($"Card {cardId} does not exist.");
        return new ContactSummary(card.Id, card.DisplayName, card.Company, card.PrimaryEmail, card.MobilePhone, card.AvatarUrl,
            card.PositiveCount, card.NeutralCount, card.NegativeCount, card.Followers, card.Following,
            card.Identities.Where(i => !i.IsErased).OrderBy(i => i.Channel).Select(i => (i.Channel, i.RawAddress, i.ProfileUrl)).ToList());
    }

    // ------------------------------------------------------------------ handling

    /// <summary>Assign to me. Two agents taking the same case at once: the first wins, the second is told who has it.</summary>
    public Task<CaseTile> TakeAsync(Actor actor, long caseId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            c.Take(actor.UserId, id => AgentName(db, id));
            return Task.FromResult(new Change(CaseEventType.Assigned, actor.DisplayName, "Taken", null, actor.UserId));
        }, ct);

    /// <summary>A supervisor assigns a case to an agent (or takes it over).</summary>
    public Task<CaseTile> AssignAsync(Actor actor, long caseId, string agentId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Supervisor, async (db, c, now) =>
        {
            var name = await UserNameAsync(db, agentId, "agentId", ct);
            if (c.AssignedAgentId == agentId) throw new DomainException($"The case is already assigned to {name}.", "agentId");
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
            return Task.FromResult(new Change(CaseEventType.Unassigned, AgentName(db, before), "Unassigned", before, null));
        }, ct);

    /// <summary>To another queue, and optionally to an agent. An agent transfers the cases they handle; a supervisor any.</summary>
    public Task<CaseTile> TransferAsync(Actor actor, long caseId, long queueId, string? agentId, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            RequireHandler(db, actor, c);
            var queue = await db.Queues.AsNoTracking().FirstOrDefaultAsync(q => q.Id == queueId, ct)
                ?? throw new DomainException($"Queue {queueId} does not exist.", "queueId");
            string? agentName = null;
            if (!string.IsNullOrEmpty(agentId)) agentName = await UserNameAsync(db, agentId, "agentId", ct);
            else agentId = null;
            var before = $"{c.QueueId}/{c.AssignedAgentId}";
            var fromQueue = c.QueueId;
            c.TransferTo(queueId, agentId);
            return new Change(CaseEventType.Transferred, agentName is null ? queue.Name : $"{queue.Name} → {agentName}", "Transferred", before, $"{queueId}/{agentId}", agentId, fromQueue);
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
                throw new ForbiddenException($"This case is {AgentName(db, c.AssignedAgentId)}'s; a supervisor can reopen it.");
            c.Reopen();
            return Task.FromResult(new Change(CaseEventType.StatusChanged, nameof(CaseStatus.Open), "Reopened", nameof(CaseStatus.Resolved), nameof(CaseStatus.Open), c.AssignedAgentId));
        }, ct);

    /// <summary>
    /// Replies on the case's channel: an outbound message, handed to the outbound connector after
    /// commit; the connector's answer becomes the delivery status. Replying to an unassigned case takes it.
    /// </summary>
    public async Task<CaseTile> ReplyAsync(Actor actor, long caseId, string text, CancellationToken ct = default)
    {
        OutboundRequest? request = null;
        var tile = await ChangeAsync(actor, caseId, Role.Agent, async (db, c, now) =>
        {
            c.EnsureReplyable();
            var body = Text.Clean(text, 10_000, "text") ?? throw new DomainException("A reply cannot be empty.", "text");
            RequireHandler(db, actor, c);
            var took = c.AssignedAgentId is null && !actor.IsAtLeast(Role.Supervisor);
            if (took)
            {
                c.AssignTo(actor.UserId);
                db.CaseEvents.Add(new CaseEvent(c.Id, c.CardId, CaseEventType.Assigned, actor.UserId, actor.DisplayName, actor.DisplayName, now));
            }
            var message = await AddOutboundAsync(db, c, actor.UserId, actor.DisplayName, body, now, ct);
            request = await RequestAsync(db, c, message, ct);
            return new Change(CaseEventType.Replied, Text.Preview(body, 200), "Replied", null, message.Id.ToString(CultureInfo.InvariantCulture), c.AssignedAgentId);
        }, ct);
        return await DeliverAsync(actor, tile, request!, ct);
    }

    /// <summary>An internal note on the case (a note of the card about this case); the contact never sees it.</summary>
    public Task<CaseTile> AddNoteAsync(Actor actor, long caseId, string text, CancellationToken ct = default) =>
        ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            var note = new Note(c.CardId, c.Id, actor.UserId, actor.DisplayName, text, now);
            db.Notes.Add(note);
            return Task.FromResult(new Change(CaseEventType.NoteAdded, Text.Preview(note.Text, 200), "NoteAdded", null, null, c.AssignedAgentId, AllowClosed: true));
        }, ct);

    /// <summary>Submits a drafted reply to a supervisor; nothing goes out until it is approved.</summary>
    public async Task<DraftView> SubmitDraftAsync(Actor actor, long caseId, string text, CancellationToken ct = default)
    {
        ReplyDraft? draft = null;
        await ChangeAsync(actor, caseId, Role.Agent, (db, c, now) =>
        {
            c.EnsureReplyable();
            RequireHandler(db, actor, c);
            draft = new ReplyDraft(c.Id, actor.UserId, actor.DisplayName, text, now);
            db.Drafts.Add(draft);
            return Task.FromResult(new Change(CaseEventType.DraftSubmitted, Text.Preview(draft.Text, 200), "DraftSubmitted", null, null, c.AssignedAgentId));
        }, ct);
        return ToView(draft!);
    }

    // ------------------------------------------------------------------ shared with approvals

    internal static DraftView ToView(ReplyDraft d) =>
        new(d.Id, d.CaseId, d.AuthorId, d.AuthorName, d.Text, d.Status, d.SubmittedAt, d.ReviewerName, d.ReviewComment, d.ReviewedAt);

    internal static async Task<Message> AddOutboundAsync(AgentWorkspaceDbContext db, Case c, string authorId, string authorName, string body, DateTimeOffset now, CancellationToken ct)
    {
        var (kind, parent) = await ReplyKindAsync(db, c, ct);
        var subject = c.Channel == Channel.Email ? Text.Preview("Re: " + c.Title, 500) : null;
        var message = new Message(c.Id, c.CardId, c.Channel, null, Direction.Outbound, kind, authorName, authorId, subject, body, null, Sentiment.Neutral, now, parent);
        db.Messages.Add(message);
        c.MessageArrived(Direction.Outbound, body, now);
        var card = await db.Cards.FirstAsync(x => x.Id == c.CardId, ct);
        card.RecordMessage(Sentiment.Neutral, Direction.Outbound, now);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>A reply on a social post hangs under the post as a comment; elsewhere it is the channel's own kind.</summary>
    private static async Task<(MessageKind, long?)> ReplyKindAsync(AgentWorkspaceDbContext db, Case c, CancellationToken ct)
    {
        switch (c.Channel)
        {
            case Channel.Sms: return (MessageKind.Sms, null);
            case Channel.Email: return (MessageKind.Email, null);
            case Channel.Chat or Channel.ChatMessaging: return (MessageKind.Chat, null);
            case Channel.Facebook or Channel.Twitter or Channel.LinkedIn:
                var last = await db.Messages.AsNoTracking().Where(m => m.CaseId == c.Id && m.Direction == Direction.Inbound)
                    .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Select(m => new { m.Id, m.Kind, m.ParentMessageId }).FirstOrDefaultAsync(ct);
                if (last is { Kind: MessageKind.Post or MessageKind.Comment or MessageKind.Mention })
                    return (MessageKind.Comment, last.Kind == MessageKind.Post ? last.Id : last.ParentMessageId ?? last.Id);
                return (MessageKind.DirectMessage, null);
            default: return (MessageKind.DirectMessage, null);
        }
    }

    internal static async Task<OutboundRequest> RequestAsync(AgentWorkspaceDbContext db, Case c, Message message, CancellationToken ct)
    {
        var space = c.Channel.DefaultSpace();
        var to = await db.Identities.AsNoTracking().Where(i => i.CardId == c.CardId && i.Space == space && !i.IsErased)
            .OrderByDescending(i => i.Channel == c.Channel).ThenByDescending(i => i.LastSeenAt).Select(i => i.NormalizedAddress).FirstOrDefaultAsync(ct);
        if (to is null)
        {
            var card = await db.Cards.AsNoTracking().FirstAsync(x => x.Id == c.CardId, ct);
            to = space switch { IdentitySpace.Email => card.PrimaryEmail, IdentitySpace.Phone => card.MobilePhone, _ => null };
        }
        if (string.IsNullOrWhiteSpace(to))
            throw new DomainException($"The contact has no {c.Channel.WireName()} address to reply to.", "text");
        return new OutboundRequest(message.Id, c.Id, c.Channel, to.Length > 320 ? to[..320] : to, message.Subject, message.Text);
    }

    /// <summary>Hands the committed reply to the connector, then records its answer as the delivery status.</summary>
    internal async Task<CaseTile> DeliverAsync(Actor actor, CaseTile tile, OutboundRequest request, CancellationToken ct)
    {
        DeliveryStatus status;
        try { status = await outbound.SendAsync(request, ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "The reply {MessageId} on case {CaseId} could not be handed to the {Channel} connector.", request.MessageId, request.CaseId, request.Channel);
            status = DeliveryStatus.Failed;
        }
        await run.RunAsync("Reply.RecordDelivery", actor, Role.Agent, async use =>
        {
            await use.Db.Messages.Where(m => m.Id == request.MessageId).ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveryStatus, status), use.Cancellation);
            use.Publish(CaseChanged(ChangeKind.CaseChanged, tile));
        }, ct);
        return tile;
    }

    // ------------------------------------------------------------------ plumbing

    private sealed record Change(CaseEventType Type, string? Detail, string AuditAction, string? Before, string? After, string? AgentId = null, long? FromQueueId = null, bool AllowClosed = false);

    /// <summary>Loads the case, checks role and visibility, applies the change, writes event and audit, commits, publishes.</summary>
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
                var @case = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw NotFound(caseId);
                await EnsureVisibleAsync(db, actor, @case, use.Cancellation);
                var change = await apply(db, @case, use.Now);
                db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, change.Type, actor.UserId, actor.DisplayName, change.Detail, use.Now));
                use.Audit("Case", caseId.ToString(CultureInfo.InvariantCulture), change.AuditAction,
                    change.Before is null && change.After is null ? null : "case", change.Before, change.After);
                if (db.Entry(@case).State == EntityState.Unchanged) db.Entry(@case).State = EntityState.Modified; // a note or draft still moves the case's version
                await use.SaveAsync();
                var tile = (await TilesAsync(db, [caseId], use.Cancellation))[caseId];
                if (change.FromQueueId is { } from && from != tile.QueueId)
                    use.Publish(new ChangeEvent(ChangeKind.CaseChanged, tile.CardId, tile.Id, from, AgentId: tile.AssignedAgentId));
                use.Publish(CaseChanged(ChangeKind.CaseChanged, tile));
                return tile;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("Someone else changed this case meanwhile. It has been reloaded; try again.");
        }
    }

    internal static ChangeEvent CaseChanged(ChangeKind kind, CaseTile tile) =>
        new(kind, tile.CardId, tile.Id, tile.QueueId, AgentId: tile.AssignedAgentId);

    /// <summary>An agent sees the cases of their queues and the cases assigned to them; a supervisor sees all.</summary>
    internal static async Task EnsureVisibleAsync(AgentWorkspaceDbContext db, Actor actor, Case c, CancellationToken ct)
    {
        if (actor.IsAtLeast(Role.Supervisor) || c.AssignedAgentId == actor.UserId) return;
        if (await db.QueueMembers.AnyAsync(m => m.QueueId == c.QueueId && m.UserId == actor.UserId, ct)) return;
        throw new ForbiddenException($"Case {c.Id} is neither assigned to you nor in one of your queues.");
    }

    /// <summary>Working a case belongs to its assignee (or anyone who may see it while unassigned); a supervisor may always.</summary>
    private static void RequireHandler(AgentWorkspaceDbContext db, Actor actor, Case c) =>
        c.EnsureWorkableBy(actor.UserId, actor.IsAtLeast(Role.Supervisor), id => AgentName(db, id));

    private static string AgentName(AgentWorkspaceDbContext db, string? userId) =>
        userId is null ? "nobody" : db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefault() ?? "another agent";

    private static async Task<string> UserNameAsync(AgentWorkspaceDbContext db, string userId, string field, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId && (u.Role == Role.Agent || u.Role == Role.Supervisor)).Select(u => u.DisplayName).FirstOrDefaultAsync(ct)
        ?? throw new DomainException("No such agent.", field);

    private static NotFoundException NotFound(long caseId) => new($"Case {caseId} does not exist.");
}

/// <summary>Orders a case thread: by time, with each social comment right under its post.</summary>
public static class CaseThread
{
    public static IReadOnlyList<ThreadEntry> Arrange(IEnumerable<ThreadEntry> entries)
    {
        var all = entries.OrderBy(e => e.At).ThenBy(e => e.Kind).ThenBy(e => e.Id).ToList();
        var messageIds = all.Where(e => e.Kind == ThreadEntryKind.Message).Select(e => e.Id).ToHashSet();
        bool IsChild(ThreadEntry e) => e.ParentMessageId is { } p && messageIds.Contains(p) && p != e.Id
            && (e.Kind == ThreadEntryKind.Comment || e.MessageKind is MessageKind.Comment);
        var children = all.Where(IsChild).GroupBy(e => e.ParentMessageId!.Value).ToDictionary(g => g.Key, g => g.ToList());
        var result = new List<ThreadEntry>(all.Count);
        foreach (var e in all.Where(e => !IsChild(e)))
        {
            result.Add(e);
            if (e.Kind == ThreadEntryKind.Message && children.TryGetValue(e.Id, out var kids))
                result.AddRange(kids.Select(k => k with { Depth = 1 }));
        }
        return result;
    }
}
