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
/// What the digital inbox shows: the cases an agent sees (assigned to them and in their queues), a
/// case's thread and history, the header counts, the lists the forms offer. Opening a case assigned
/// to the actor marks it read (a command, <see cref="CaseCommands.MarkReadAsync"/>).
/// </summary>
public sealed partial class InboxQueries(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, CaseCommands cases, TimeProvider clock, IChangeFeed? feed = null)
{
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
        if (filter.Search is { } search) return await SearchAsync(db, actor, filter, search, after, pageSize, ct);
        var statuses = filter.Status is { } s ? [s] : OpenStatuses;
        var oldest = filter.Sort == InboxSort.Oldest;
        // The first page starts past every case: the same statement then serves every page.
        var (at, id) = after is not null ? (after.LastMessageAt, after.Id)
            : oldest ? (DateTimeOffset.MinValue, long.MinValue) : (DateTimeOffset.MaxValue, long.MaxValue);
        var take = pageSize + 1;
        var keys = new List<CaseKey>();
        long? coveredQueue = null;

        if (filter.Scope != InboxScope.Mine)
        {
            var queues = await VisibleQueueIdsAsync(db, actor, ct);
            if (filter.QueueId is { } only)
            {
                queues = queues.Contains(only) ? [only] : [];
                if (queues.Count == 1) coveredQueue = only;
            }
            // Null, not false, when there is no such filter: EF Core then leaves the condition out of
            // the SQL, and the key read stays on the covering index without touching the case rows.
            bool? unassigned = filter.Scope == InboxScope.Unassigned ? true : null;
            var byQueue = oldest ? OldestInQueue : NewestInQueue;
            foreach (var queueId in queues)
                foreach (var status in statuses)
                    await foreach (var key in byQueue(db, queueId, status, unassigned, filter.Channel, at, id, take).WithCancellation(ct)) keys.Add(key);
        }
        // With one of the actor's queues chosen, the queue's own read already holds the cases of it assigned to them
        // (issue 20: reading the actor's cases again to test their queue walked every one of them).
        var queueCovers = filter.Scope == InboxScope.All && filter.QueueId is { } chosen && coveredQueue == chosen;
        if (filter.Scope != InboxScope.Unassigned && !queueCovers)
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

    /// <summary>
    /// The panel's cases (same scope, filters, order and keyset as <see cref="ListAsync"/>) that hold every word of
    /// <paramref name="search"/>: in the contact's name (folded, so "zoe" finds "Zoé"; a handle the channel gave too), their
    /// e-mail or mobile number, their channel addresses and handles, the case's title or its last message. A search that looks like a phone number ("06 12 34 56
    /// 78", "+33 6 12…") is one term, its digits without the trunk zeros, found inside the stored E.164 number. One
    /// statement, walked in the panel's order until the page is full.
    /// </summary>
    private static async Task<InboxPage> SearchAsync(AgentWorkspaceDbContext db, Actor actor, InboxFilter filter, string search, InboxCursor? after, int pageSize,
        CancellationToken ct)
    {
        var statuses = filter.Status is { } st ? [st] : OpenStatuses;
        var oldest = filter.Sort == InboxSort.Oldest;
        var terms = SearchTerms(search);
        var take = pageSize + 1;
        var keys = new List<CaseKey>();
        // As the panel itself: each (queue, status) and (assignee, status) read along its index in the panel's order, the
        // words tested on each row as it comes (the contact's fields by key), so a read stops once its page is full.
        if (filter.Scope != InboxScope.Mine)
        {
            var queues = await VisibleQueueIdsAsync(db, actor, ct);
            if (filter.QueueId is { } only) queues = queues.Contains(only) ? [only] : [];
            foreach (var queueId in queues)
                foreach (var status in statuses)
                {
                    var rows = db.Cases.AsNoTracking().Where(c => c.QueueId == queueId && c.Status == status);
                    if (filter.Scope == InboxScope.Unassigned) rows = rows.Where(c => c.AssignedAgentId == null);
                    keys.AddRange(await SearchedAsync(db, rows, filter, terms, after, take, ct));
                }
        }
        if (filter.Scope != InboxScope.Unassigned)
            foreach (var status in statuses)
            {
                var rows = db.Cases.AsNoTracking().Where(c => c.AssignedAgentId == actor.UserId && c.Status == status);
                if (filter.QueueId is { } queueId) rows = rows.Where(c => c.QueueId == queueId);
                keys.AddRange(await SearchedAsync(db, rows, filter, terms, after, take, ct));
            }
        var ordered = keys.DistinctBy(k => k.Id);
        ordered = oldest ? ordered.OrderBy(k => k.At).ThenBy(k => k.Id) : ordered.OrderByDescending(k => k.At).ThenByDescending(k => k.Id);
        var page = ordered.Take(take).ToList();
        var ids = page.Take(pageSize).Select(k => k.Id).ToList();
        var tiles = await TilesAsync(db, ids, ct);
        var next = page.Count > pageSize ? new InboxCursor(page[pageSize - 1].At, page[pageSize - 1].Id) : null;
        return new InboxPage(ids.Where(tiles.ContainsKey).Select(i => tiles[i]).ToList(), next);
    }

    /// <summary>The first <paramref name="take"/> cases of <paramref name="rows"/> after the cursor, in the panel's order, that hold every term.</summary>
    private static async Task<List<CaseKey>> SearchedAsync(AgentWorkspaceDbContext db, IQueryable<Case> rows, InboxFilter filter, IReadOnlyList<SearchTerm> terms,
        InboxCursor? after, int take, CancellationToken ct)
    {
        if (filter.Channel is { } channel) rows = rows.Where(c => c.Channel == channel);
        var oldest = filter.Sort == InboxSort.Oldest;
        if (after is { } cursor)
        {
            var (at, id) = (cursor.LastMessageAt, cursor.Id);
            rows = oldest
                ? rows.Where(c => c.LastMessageAt > at || (c.LastMessageAt == at && c.Id > id))
                : rows.Where(c => c.LastMessageAt < at || (c.LastMessageAt == at && c.Id < id));
        }
        foreach (var term in terms)
        {
            if (term.Digits is { } digits)
            {
                // An order number or a date typed alone is found in the messages too.
                var asTyped = "%" + term.Like + "%";
                rows = rows.Where(c => EF.Functions.Like(c.LastMessagePreview, asTyped, LikeEscape) || EF.Functions.Like(c.Title, asTyped, LikeEscape)
                    || db.Cards.Any(card => card.Id == c.CardId && card.MobilePhone != null && card.MobilePhone.Contains(digits))
                    || db.Identities.Any(i => i.CardId == c.CardId && i.NormalizedAddress.Contains(digits)));
                continue;
            }
            var folded = term.Folded;
            var like = "%" + term.Like + "%";
            var digitsToo = term.WordDigits;
            // A word that could be part of an address or a handle ("durand@", "marguerite_92") is also looked for in the
            // contact's channel addresses; a plain word (a name, a word of a message) is not: that look-up per case is
            // the most costly part of a search that finds little (bench/Inbox, search).
            rows = term.AddressLike
                ? rows.Where(c => EF.Functions.Like(c.LastMessagePreview, like, LikeEscape) || EF.Functions.Like(c.Title, like, LikeEscape)
                    || db.Cards.Any(card => card.Id == c.CardId && (card.SearchName.Contains(folded)
                        || (card.PrimaryEmail != null && EF.Functions.Like(card.PrimaryEmail, like, LikeEscape))
                        || (digitsToo != null && card.MobilePhone != null && card.MobilePhone.Contains(digitsToo))))
                    || db.Identities.Any(i => i.CardId == c.CardId && EF.Functions.Like(i.NormalizedAddress, like, LikeEscape)))
                : rows.Where(c => EF.Functions.Like(c.LastMessagePreview, like, LikeEscape) || EF.Functions.Like(c.Title, like, LikeEscape)
                    || db.Cards.Any(card => card.Id == c.CardId && (card.SearchName.Contains(folded)
                        || (card.PrimaryEmail != null && EF.Functions.Like(card.PrimaryEmail, like, LikeEscape)))));
        }
        var ordered = oldest ? rows.OrderBy(c => c.LastMessageAt).ThenBy(c => c.Id) : rows.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id);
        return await ordered.Take(take).Select(c => new CaseKey(c.Id, c.LastMessageAt)).ToListAsync(ct);
    }

    private const string LikeEscape = "\\";

    /// <summary>One word of a search: folded for names, escaped for LIKE, and its digits when it is a number.</summary>
    internal sealed record SearchTerm(string Folded, string Like, string? WordDigits, string? Digits = null)
    {
        /// <summary>Whether the word could be (part of) an address, a number or a handle: not letters alone.</summary>
        public bool AddressLike => Like.Any(ch => !char.IsLetter(ch));
    }

    /// <summary>
    /// The terms of a search: the whole text as one number when it reads as a phone number (digits, spaces, "+", "-", ".",
    /// parentheses, at least four digits), else one term per word.
    /// </summary>
    internal static IReadOnlyList<SearchTerm> SearchTerms(string search)
    {
        var digits = new string(search.Where(char.IsAsciiDigit).ToArray());
        if (digits.Length >= 4 && search.All(ch => char.IsAsciiDigit(ch) || ch is ' ' or '+' or '-' or '.' or '(' or ')'))
            return [new SearchTerm("", EscapeLike(search), null, NumberPart(digits))];
        return search.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.OrdinalIgnoreCase).Take(8)
            .Select(w =>
            {
                var wordDigits = w.All(char.IsAsciiDigit) && w.Length >= 3 ? NumberPart(w) : null;
                return new SearchTerm(Domain.Common.Text.Fold(w), EscapeLike(w), wordDigits);
            }).ToList();
    }

    /// <summary>A number's digits without its trunk zeros ("0612…" is "+33612…" stored; "0044…" is "+44…").</summary>
    private static string NumberPart(string digits) => digits.TrimStart('0') is { Length: > 0 } d ? d : digits;

    private static string EscapeLike(string word) => word.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_").Replace("[", "\\[");

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
        int UnreadCount, string? FirstName, string? LastName, string? ChannelName, string? PrimaryEmail, string? MobilePhone, string QueueName, int FirstResponseTargetMinutes,
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
                c.CreatedAt, c.LastMessageAt, c.FirstResponseAt, c.ResolvedAt, c.UnreadCount, card.FirstName, card.LastName, card.ChannelName, card.PrimaryEmail, card.MobilePhone,
                q.Name, q.FirstResponseTargetMinutes, q.ResolutionTargetMinutes, u == null ? null : u.DisplayName));

    internal static async Task<Dictionary<long, CaseTile>> TilesAsync(AgentWorkspaceDbContext db, IReadOnlyCollection<long> ids, CancellationToken ct)
    {
        var tiles = new Dictionary<long, CaseTile>(ids.Count);
        if (ids.Count == 0) return tiles;
        await foreach (var r in TileRows(db, [.. ids]).WithCancellation(ct))
        {
            var name = CustomerCard.NameOf(r.FirstName, r.LastName, r.ChannelName, r.PrimaryEmail, r.MobilePhone) ?? "#" + r.CardId.ToString(CultureInfo.InvariantCulture);
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

    internal static async Task<CaseTile> TileAsync(AgentWorkspaceDbContext db, long caseId, CancellationToken ct) =>
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
    /// The open cases assigned to the actor that hold messages they have not read: where the notices' count starts
    /// when a page loads (issue 22); the change feed moves it on from there. At most <paramref name="limit"/>, newest first.
    /// </summary>
    public async Task<IReadOnlyList<long>> UnreadCaseIdsAsync(Actor actor, int limit = 200, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Cases.AsNoTracking()
            .Where(c => c.AssignedAgentId == actor.UserId && OpenStatuses.Contains(c.Status) && c.UnreadCount > 0)
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(Math.Clamp(limit, 1, 1000)).Select(c => c.Id).ToListAsync(ct);
    }

    /// <summary>One case's tile, as the assignment panel shows it, if the actor may see the case (a notice names its contact).</summary>
    public async Task<CaseTile> TileAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw NotFound(caseId);
        await EnsureVisibleAsync(db, actor, @case, ct);
        return await TileAsync(db, caseId, ct);
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
            if (@case.UnreadCount > 0 && @case.AssignedAgentId == actor.UserId) await cases.MarkReadAsync(actor, caseId, ct);
            var tile = (await TilesAsync(db, [caseId], ct))[caseId];
            var (thread, earlier) = await ThreadAsync(db, caseId, null, ct);
            var drafts = await db.Drafts.AsNoTracking().Where(d => d.CaseId == caseId).OrderByDescending(d => d.SubmittedAt).ThenByDescending(d => d.Id).Take(50)
                .Select(d => new DraftView(d.Id, d.CaseId, d.AuthorId, d.AuthorName, d.Text, d.Status, d.SubmittedAt, d.ReviewerName, d.ReviewComment, d.ReviewedAt))
                .ToListAsync(ct);
            var shared = await db.CaseEvents.AsNoTracking().Where(e => e.CaseId == caseId && e.Type == CaseEventType.SharedAddress)
                .OrderBy(e => e.Id).Select(e => e.Detail).FirstOrDefaultAsync(ct);
            var routes = await ReplyRoute.AllAsync(db, @case, ct);
            var reply = routes.Count > 1 ? (await ReplyRoute.DefaultAsync(db, @case, routes, ct)).Channel : @case.Channel;
            detail = new CaseDetail(tile, thread, earlier, drafts, @case.ContextJson, SharedSenderOf(shared))
            {
                MergedIntoCaseId = @case.MergedIntoCaseId,
                MergedCases = await CaseMerges.MergedIntoAsync(db, actor, @case, ct),
                ReplyChannels = routes.Select(r => r.Channel).ToList(),
                DefaultReplyChannel = reply,
            };
        }
        return detail;
    }

    /// <summary>The detail of the case's <see cref="CaseEventType.SharedAddress"/> event, read back (an erased one says nothing).</summary>
    internal static SharedSender? SharedSenderOf(string? detail) => detail switch
    {
        null => null,
        _ when detail.StartsWith(Ingest.IngestService.SharedAddressNewCard, StringComparison.Ordinal) => new(detail[Ingest.IngestService.SharedAddressNewCard.Length..], true),
        _ when detail.StartsWith(Ingest.IngestService.SharedAddressFoundByName, StringComparison.Ordinal) => new(detail[Ingest.IngestService.SharedAddressFoundByName.Length..], false),
        _ => null,
    };

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
                m.ParentMessageId, m.Subject, m.Sentiment, attachments.GetValueOrDefault(m.Id) ?? [], Channel: m.Channel))
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
        if (!string.IsNullOrWhiteSpace(search))
        {
            var s = search.Trim();
            q = q.Where(r => r.Title.Contains(s) || r.Body.Contains(s) || r.Tags.Contains(s) || (r.Category != null && r.Category.Contains(s)));
        }
        var rows = await q.OrderBy(r => r.Title).Take(500)
            .Select(r => new QuickReplyView(r.Id, r.Title, r.Body, r.Language, r.Category, r.LinkLabel, r.LinkUrl)).ToListAsync(ct);
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

    /// <summary>The after-call work of a voice case (seed 001): whether the call ended, and the wrap-up once completed.</summary>
    public async Task<AfterCallWorkView> AfterCallWorkAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw NotFound(caseId);
        await EnsureVisibleAsync(db, actor, @case, ct);
        return new AfterCallWorkView(caseId, @case.Channel == Channel.Voice, @case.AfterCallWork, @case.CallEndedAt, @case.Disposition, @case.WrapUpNotes, @case.WrapUpCompletedAt);
    }

    /// <summary>
    /// The inbox is a work list: it lists and opens the cases of the agent's queues and the cases assigned to them (a
    /// supervisor's: all). Any other case is read on its contact's card, where every agent reads every case (ADR 014).
    /// </summary>
    internal static async Task EnsureVisibleAsync(AgentWorkspaceDbContext db, Actor actor, Case c, CancellationToken ct)
    {
        if (actor.IsAtLeast(Role.Supervisor) || c.AssignedAgentId == actor.UserId) return;
        if (await db.QueueMembers.AnyAsync(m => m.QueueId == c.QueueId && m.UserId == actor.UserId, ct)) return;
        throw new ForbiddenException($"Case {c.Id} is neither assigned to you nor in one of your queues.") { Code = "CaseNotVisible" };
    }

    internal static string AgentName(AgentWorkspaceDbContext db, string? userId) =>
        userId is null ? "nobody" : db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.DisplayName).FirstOrDefault() ?? "another agent";

    internal static async Task<string> UserNameAsync(AgentWorkspaceDbContext db, string userId, string field, CancellationToken ct) =>
        await db.Users.AsNoTracking().Where(u => u.Id == userId && (u.Role == Role.Agent || u.Role == Role.Supervisor)).Select(u => u.DisplayName).FirstOrDefaultAsync(ct)
        ?? throw new DomainException("No such agent.", field) { Code = "AgentUnknown" };

    internal static NotFoundException NotFound(long caseId) => new($"Case {caseId} does not exist.");
}
