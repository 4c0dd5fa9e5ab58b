using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Cards;

/// <summary>
/// The customer card's read models (issue 4): the condensed and detailed card, messages, cases,
/// conversation context, notes, timeline. Search is <see cref="CardSearch"/>, changes <see cref="CardEdits"/>.
/// </summary>
public sealed class CardReads
{
    public const int FirstViewMessages = 50;
    public const int MaxPageSize = 200;

    private readonly IDbContextFactory<AgentWorkspaceDbContext> _dbFactory;
    private readonly TimeProvider _clock;
    private volatile IReadOnlyList<CustomFieldDefinition>? _fields;
    /// <summary>Counts the times the definitions were dropped: a read that started before a drop must not be kept after it.</summary>
    private long _fieldsGeneration;
    private readonly Lock _fieldsGate = new();

    public CardReads(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, TimeProvider clock)
    {
        _dbFactory = dbFactory;
        _clock = clock;
        feed.Subscribe(change =>
        {
            if (change.Kind is ChangeKind.CustomFieldsChanged or ChangeKind.Resync) ForgetCustomFields();
            return Task.CompletedTask;
        });
    }

    /// <summary>Drops the cached field definitions (an administrator changed them).</summary>
    public void ForgetCustomFields()
    {
        lock (_fieldsGate)
        {
            _fieldsGeneration++;
            _fields = null;
        }
    }

    // ---------------------------------------------------------------- compiled reads (the hot path)

    internal sealed record CardRow(long Id, long Version, CardStatus Status, long? MergedIntoId, bool IsLocked, string? FirstName, string? LastName, string? ChannelName,
        string? Company, Gender Gender, string? JobTitle, string? City, string? Category, string? RelationshipType, Channel? PreferredChannel,
        string Tags, string? AvatarUrl, string? PrimaryEmail, string? SecondaryEmail, string? MobilePhone, string? HomePhone,
        int Positive, int Neutral, int Negative, int Followers, int Following, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? LastContactAt)
    {
        public CardProfile Profile => new()
        {
            FirstName = FirstName, LastName = LastName, Company = Company, Gender = Gender, JobTitle = JobTitle, City = City, Category = Category,
            RelationshipType = RelationshipType, PreferredChannel = PreferredChannel, Tags = Tags.Length == 0 ? [] : Tags.Split('|'),
            AvatarUrl = AvatarUrl, PrimaryEmail = PrimaryEmail, SecondaryEmail = SecondaryEmail, MobilePhone = MobilePhone, HomePhone = HomePhone,
        };

        public CardIndicators Indicators => new(Positive, Neutral, Negative, Followers, Following);
    }

    internal static readonly Func<AgentWorkspaceDbContext, long, CancellationToken, Task<CardRow?>> CardById =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, CancellationToken ct) => db.Cards.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new CardRow(c.Id, c.Version, c.Status, c.MergedIntoId, c.IsLocked, c.FirstName, c.LastName, c.ChannelName, c.Company, c.Gender, c.JobTitle,
                c.City, c.Category, c.RelationshipType, c.PreferredChannel, c.Tags, c.AvatarUrl, c.PrimaryEmail, c.SecondaryEmail, c.MobilePhone, c.HomePhone,
                c.PositiveCount, c.NeutralCount, c.NegativeCount, c.Followers, c.Following, c.CreatedAt, c.UpdatedAt, c.LastContactAt))
            .FirstOrDefault());

    internal static readonly Func<AgentWorkspaceDbContext, long, IAsyncEnumerable<IdentityView>> IdentitiesOf =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id) => db.Identities.AsNoTracking().Where(i => i.CardId == id && !i.IsErased)
            .OrderBy(i => i.Id)
            .Select(i => new IdentityView(i.Id, i.Channel, i.RawAddress, i.NormalizedAddress, i.DisplayName, i.ProfileUrl, i.Followers, i.Following, i.FirstSeenAt, i.LastSeenAt)));

    private static readonly Func<AgentWorkspaceDbContext, long, IAsyncEnumerable<(long FieldId, string Value)>> ValuesOf =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id) => db.CustomFieldValues.AsNoTracking().Where(v => v.CardId == id)
            .Select(v => ValueTuple.Create(v.FieldId, v.Value)));

    /// <summary>How many of a card's value rows the card page and API read (newest first): the history of a busy card is cut there.</summary>
    public const int ProvenanceRows = 100;

    private static readonly Func<AgentWorkspaceDbContext, long, int, IAsyncEnumerable<ValueSourceView>> ProvenanceOf =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, int take) => db.ValueProvenance.AsNoTracking().Where(p => p.CardId == id)
            .OrderByDescending(p => p.Id).Take(take)
            .Select(p => new ValueSourceView(p.Field, p.Value, p.SourceKind, p.SourceRef, p.SourceLabel, p.At, p.MergeId, p.OriginKind, p.OriginLabel, p.OriginAt)));

    private static readonly Func<AgentWorkspaceDbContext, long, int, IAsyncEnumerable<MessageView>> NewestMessages =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, int take) => db.Messages.AsNoTracking().Where(m => m.CardId == id)
            .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(take)
            .Select(m => new MessageView(m.Id, m.CaseId, m.Channel, m.Direction, m.Kind, m.AuthorName, m.Subject, m.Text, m.Sentiment, m.SentAt, m.AttachmentCount)));

    private static readonly Func<AgentWorkspaceDbContext, long, DateTimeOffset, long, int, IAsyncEnumerable<MessageView>> OlderMessages =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, DateTimeOffset at, long before, int take) => db.Messages.AsNoTracking()
            .Where(m => m.CardId == id && (m.SentAt < at || (m.SentAt == at && m.Id < before)))
            .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(take)
            .Select(m => new MessageView(m.Id, m.CaseId, m.Channel, m.Direction, m.Kind, m.AuthorName, m.Subject, m.Text, m.Sentiment, m.SentAt, m.AttachmentCount)));

    internal static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source, CancellationToken ct)
    {
        var list = new List<T>();
        await foreach (var item in source.WithCancellation(ct)) list.Add(item);
        return list;
    }

    private async Task<IReadOnlyList<CustomFieldDefinition>> FieldsAsync(AgentWorkspaceDbContext db, CancellationToken ct)
    {
        if (_fields is { } hit) return hit;
        long generation;
        lock (_fieldsGate) generation = _fieldsGeneration;
        var list = await db.CustomFields.AsNoTracking().Where(f => !f.IsArchived).OrderBy(f => f.DisplayOrder).ThenBy(f => f.Id).ToListAsync(ct);
        // A field created while this read ran was announced (and the cache dropped) before the read finished: the list
        // read may miss it, so it serves this read only. Kept, it would hide the new field from every card until the next change.
        lock (_fieldsGate)
            if (_fieldsGeneration == generation) _fields = list;
        return list;
    }

    private static List<CardFieldValue> Join(IReadOnlyList<CustomFieldDefinition> fields, List<(long FieldId, string Value)> values) =>
        fields.Select(f => new CardFieldValue(f.Id, f.Ident, f.Label, f.LabelFr, f.LabelEn, f.Type, f.Options, f.Editable, f.VisibleInRightPanel, f.VisibleInCard,
            values.FirstOrDefault(v => v.FieldId == f.Id) is { Value: not null } v ? v.Value : null)).ToList();

    private static async Task<CardRow> RequireCardAsync(AgentWorkspaceDbContext db, long id, CancellationToken ct)
    {
        var card = await CardById(db, id, ct) ?? throw new NotFoundException($"Card {id} does not exist.");
        if (card.Status == CardStatus.Merged && card.MergedIntoId is { } survivor) throw new CardMergedException(id, survivor);
        return card;
    }

    /// <summary>Where a merged card lives now (following a chain of merges), or the id itself.</summary>
    public async Task<long> ResolveAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        for (var hops = 0; hops < 32; hops++)
        {
            var row = await db.Cards.AsNoTracking().Where(c => c.Id == id).Select(c => new { c.Status, c.MergedIntoId }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException($"Card {id} does not exist.");
            if (row.Status != CardStatus.Merged || row.MergedIntoId is not { } next) return id;
            id = next;
        }
        return id;
    }

    // ---------------------------------------------------------------- reads

    public async Task<CondensedCardView> GetCondensedAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        // One connection for the four reads instead of an open and close around each.
        await db.Database.OpenConnectionAsync(ct);
        var card = await RequireCardAsync(db, cardId, ct);
        var identities = await ToListAsync(IdentitiesOf(db, cardId), ct);
        var fields = await FieldsAsync(db, ct);
        var values = await ToListAsync(ValuesOf(db, cardId), ct);
        var panel = Join(fields, values).Where(f => f.VisibleInRightPanel).ToList();
        return new CondensedCardView(card.Id, card.Version, card.Status, card.IsLocked, DisplayName(card, identities), card.Company, card.AvatarUrl,
            card.PrimaryEmail, card.MobilePhone, card.Indicators, identities, panel);
    }

    /// <summary>
    /// Where the card's photo is (its avatar address, none for a merged or anonymized card) and the name its initials
    /// come from, for the server to fetch it on the agent's behalf. Null when there is no such card.
    /// </summary>
    public async Task<CardAvatarSource?> GetAvatarSourceAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var row = await db.Cards.AsNoTracking().Where(c => c.Id == cardId)
            .Select(c => new { c.Status, c.AvatarUrl, c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone }).FirstOrDefaultAsync(ct);
        if (row is null) return null;
        var name = CustomerCard.NameOf(row.FirstName, row.LastName, row.ChannelName, row.PrimaryEmail, row.MobilePhone) ?? string.Empty;
        return new CardAvatarSource(cardId, name, row.Status == CardStatus.Active ? row.AvatarUrl : null);
    }

    /// <summary>Profile, identities, indicators, every custom field and the 50 newest messages, in one context.</summary>
    public async Task<CardFirstView> GetFirstViewAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        // One connection for the four reads instead of an open and close around each.
        await db.Database.OpenConnectionAsync(ct);
        var card = await RequireCardAsync(db, cardId, ct);
        var identities = await ToListAsync(IdentitiesOf(db, cardId), ct);
        var fields = await FieldsAsync(db, ct);
        var values = await ToListAsync(ValuesOf(db, cardId), ct);
        var messages = await ToListAsync(NewestMessages(db, cardId, FirstViewMessages + 1), ct);
        // Where each value came from, in one query (issue 21).
        var provenance = await ToListAsync(ProvenanceOf(db, cardId, ProvenanceRows), ct);
        return new CardFirstView(card.Id, card.Version, card.Status, card.IsLocked, DisplayName(card, identities), card.Profile, identities, card.Indicators,
            Join(fields, values), Page(messages, FirstViewMessages), card.CreatedAt, card.UpdatedAt, card.LastContactAt) { Provenance = new CardProvenance(provenance) };
    }

    /// <summary>The values the card's fields took, newest first (the first view's <see cref="CardFirstView.Provenance"/> alone, after a save): issue 21.</summary>
    public async Task<CardProvenance> GetProvenanceAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        return new CardProvenance(await ToListAsync(ProvenanceOf(db, cardId, ProvenanceRows), ct));
    }

    /// <summary>The whole cross-channel history, newest first, keyset-paged by (time, id).</summary>
    public async Task<MessagePage> GetMessagesAsync(Actor actor, long cardId, MessageCursor? after, int pageSize = FirstViewMessages, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var rows = after is null
            ? await ToListAsync(NewestMessages(db, cardId, pageSize + 1), ct)
            : await ToListAsync(OlderMessages(db, cardId, after.SentAt, after.Id, pageSize + 1), ct);
        return Page(rows, pageSize);
    }

    private static MessagePage Page(List<MessageView> rows, int pageSize)
    {
        if (rows.Count <= pageSize) return new MessagePage(rows, null);
        var last = rows[pageSize - 1];
        rows.RemoveAt(pageSize);
        return new MessagePage(rows, new MessageCursor(last.SentAt, last.Id));
    }

    /// <summary>The card's newest cases (at most <paramref name="take"/>), newest activity first.</summary>
    public async Task<IReadOnlyList<CaseSummary>> GetCasesAsync(Actor actor, long cardId, int take = 10, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        take = Math.Clamp(take, 1, MaxPageSize);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        return await CasesAsync(db, db.Cases.Where(c => c.CardId == cardId), take, ct);
    }

    private static async Task<List<CaseSummary>> CasesAsync(AgentWorkspaceDbContext db, IQueryable<Case> cases, int take, CancellationToken ct)
    {
        var rows = await cases.AsNoTracking().OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take)
            .Select(c => new
            {
                Case = c,
                Queue = db.Queues.Where(q => q.Id == c.QueueId).Select(q => q.Name).FirstOrDefault(),
                Owner = db.Users.Where(u => u.Id == c.AssignedAgentId).Select(u => u.DisplayName).FirstOrDefault(),
            }).ToListAsync(ct);
        return rows.Select(r => new CaseSummary(r.Case.Id, r.Case.Channel, r.Case.Title, r.Case.Status, r.Case.Priority, r.Case.Product, r.Owner,
            r.Queue ?? string.Empty, r.Case.SkillList, r.Case.CreatedAt, r.Case.LastMessageAt, r.Case.FirstResponseAt, r.Case.ResolvedAt, r.Case.LastMessagePreview)).ToList();
    }

    /// <summary>The conversation summary of the current case: the newest open case, else the newest case; null when the card has none.</summary>
    public async Task<ConversationSummary?> GetConversationSummaryAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var open = new[] { CaseStatus.New, CaseStatus.Open, CaseStatus.Pending };
        var current = (await CasesAsync(db, db.Cases.Where(c => c.CardId == cardId && open.Contains(c.Status)), 1, ct)).FirstOrDefault()
            ?? (await CasesAsync(db, db.Cases.Where(c => c.CardId == cardId), 1, ct)).FirstOrDefault();
        if (current is null) return null;
        var json = await db.Cases.AsNoTracking().Where(c => c.Id == current.Id).Select(c => c.ContextJson).FirstOrDefaultAsync(ct);
        var waiting = (current.FirstResponseAt ?? (current.ResolvedAt ?? _clock.GetUtcNow())) - current.CreatedAt;
        if (waiting < TimeSpan.Zero) waiting = TimeSpan.Zero;
        var (survey, selfService, visitor, variables) = ParseContext(json);
        return new ConversationSummary(current, waiting, survey, selfService, visitor, variables);
    }

    /// <summary>Reads Case.ContextJson (as the ingest API stores it); unknown or malformed parts are left out, never fatal.</summary>
    public static (List<KeyValuePair<string, string>> Survey, List<SelfServiceActivity> SelfService, List<KeyValuePair<string, string>> Visitor, List<KeyValuePair<string, string>> Variables)
        ParseContext(string? json)
    {
        var survey = new List<KeyValuePair<string, string>>();
        var selfService = new List<SelfServiceActivity>();
        var visitor = new List<KeyValuePair<string, string>>();
        var variables = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrWhiteSpace(json)) return (survey, selfService, visitor, variables);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (survey, selfService, visitor, variables);
            if (Prop(root, "preChatSurvey") is { ValueKind: JsonValueKind.Object } s) survey.AddRange(Pairs(s));
            if (Prop(root, "visitor") is { ValueKind: JsonValueKind.Object } v) visitor.AddRange(Pairs(v));
            if (Prop(root, "variables") is { ValueKind: JsonValueKind.Object } vars) variables.AddRange(Pairs(vars));
            if (Prop(root, "selfService") is { ValueKind: JsonValueKind.Array } list)
            {
                foreach (var item in list.EnumerateArray().Where(i => i.ValueKind == JsonValueKind.Object))
                {
                    var type = Prop(item, "type") is { ValueKind: JsonValueKind.String } t ? t.GetString()! : "customAction";
                    var title = Prop(item, "title") is { } ti ? Scalar(ti) : string.Empty;
                    DateTimeOffset? at = Prop(item, "at") is { ValueKind: JsonValueKind.String } a && DateTimeOffset.TryParse(a.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : null;
                    selfService.Add(new SelfServiceActivity(type, title, at));
                }
                selfService = selfService.OrderByDescending(x => x.At ?? DateTimeOffset.MinValue).ToList();
            }
        }
        catch (JsonException) { }
        return (survey, selfService, visitor, variables);

        static JsonElement? Prop(JsonElement e, string name) =>
            e.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();
        static IEnumerable<KeyValuePair<string, string>> Pairs(JsonElement o) => o.EnumerateObject().Select(p => new KeyValuePair<string, string>(p.Name, Scalar(p.Value)));
        static string Scalar(JsonElement e) => e.ValueKind switch
        {
            JsonValueKind.String => e.GetString() ?? string.Empty,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            JsonValueKind.Null => string.Empty,
            _ => e.GetRawText(),
        };
    }

    /// <summary>The card's cases with their messages (oldest first) and the comments on them; comments of cancelled cases are gone.</summary>
    public async Task<IReadOnlyList<CaseThread>> GetCaseThreadsAsync(Actor actor, long cardId, int cases = 20, int messagesPerCase = 100, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var list = await CasesAsync(db, db.Cases.Where(c => c.CardId == cardId), Math.Clamp(cases, 1, MaxPageSize), ct);
        var ids = list.Select(c => c.Id).ToList();
        var messages = new List<MessageView>();
        foreach (var id in ids)
        {
            var newest = await db.Messages.AsNoTracking().Where(m => m.CaseId == id).OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(messagesPerCase)
                .Select(m => new MessageView(m.Id, m.CaseId, m.Channel, m.Direction, m.Kind, m.AuthorName, m.Subject, m.Text, m.Sentiment, m.SentAt, m.AttachmentCount))
                .ToListAsync(ct);
            newest.Reverse();
            messages.AddRange(newest);
        }
        var comments = await db.CaseComments.AsNoTracking().Where(c => ids.Contains(c.CaseId)).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)
            .Select(c => new CommentView(c.Id, c.CaseId, c.MessageId, c.AuthorName, c.Text, c.CreatedAt)).ToListAsync(ct);
        return list.Select(c => new CaseThread(c, messages.Where(m => m.CaseId == c.Id).ToList(),
            c.Status == CaseStatus.Cancelled ? [] : comments.Where(x => x.CaseId == c.Id).ToList())).ToList();
    }

    public async Task<IReadOnlyList<NoteView>> GetNotesAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        return await db.Notes.AsNoTracking().Where(n => n.CardId == cardId).OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(500)
            .Select(n => new NoteView(n.Id, n.CaseId, n.AuthorId, n.AuthorName, n.Text, n.CreatedAt, n.UpdatedAt)).ToListAsync(ct);
    }

    /// <summary>Messages, notes, merges and case events of the card in one list, newest first, keyset-paged by (time, kind, id).</summary>
    public async Task<TimelinePage> GetTimelineAsync(Actor actor, long cardId, TimelineFilter filter, TimelineCursor? after = null, int pageSize = 30, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        if (filter == TimelineFilter.None) return new TimelinePage([], null);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        var take = pageSize + 1;
        var items = new List<TimelineItem>();
        var at = after?.At ?? DateTimeOffset.MaxValue;
        if (filter.HasFlag(TimelineFilter.Conversation))
        {
            var q = db.Messages.AsNoTracking().Where(m => m.CardId == cardId);
            q = Keyset(q, after, TimelineKind.Message, m => m.SentAt, m => m.Id);
            items.AddRange((await q.OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(take)
                .Select(m => new { m.Id, m.SentAt, m.CaseId, m.AuthorName, m.Text, m.Channel, m.Direction }).ToListAsync(ct))
                .Select(m => new TimelineItem(TimelineKind.Message, m.Id, m.SentAt, m.CaseId, m.AuthorName, Text.Preview(m.Text, 300), m.Channel, m.Direction)));
        }
        if (filter.HasFlag(TimelineFilter.Customer))
        {
            var q = db.Notes.AsNoTracking().Where(n => n.CardId == cardId);
            q = Keyset(q, after, TimelineKind.Note, n => n.CreatedAt, n => n.Id);
            items.AddRange((await q.OrderByDescending(n => n.CreatedAt).ThenByDescending(n => n.Id).Take(take).ToListAsync(ct))
                .Select(n => new TimelineItem(TimelineKind.Note, n.Id, n.CreatedAt, n.CaseId, n.AuthorName, n.Text)));
        }
        if (filter.HasFlag(TimelineFilter.Customer))
        {
            var q = db.Merges.AsNoTracking().Where(m => m.SurvivorId == cardId || m.MergedId == cardId);
            q = Keyset(q, after, TimelineKind.Merge, m => m.At, m => m.Id);
            var merges = await q.OrderByDescending(m => m.At).ThenByDescending(m => m.Id).Take(take)
                .Select(m => new { m.Id, m.At, m.ActorName, m.SurvivorId, m.MergedId, m.UndoneAt, m.UndoneBy }).ToListAsync(ct);
            if (merges.Count > 0)
            {
                var others = merges.Select(m => m.SurvivorId == cardId ? m.MergedId : m.SurvivorId).Append(cardId).Distinct().ToList();
                var names = (await db.Cards.AsNoTracking().Where(c => others.Contains(c.Id))
                        .Select(c => new { c.Id, c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone }).ToListAsync(ct))
                    .ToDictionary(c => c.Id, c => CustomerCard.NameOf(c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone));
                items.AddRange(merges.Select(m => new TimelineItem(TimelineKind.Merge, m.Id, m.At, null, m.ActorName, string.Empty,
                    Merge: new TimelineMerge(m.Id, m.SurvivorId, names.GetValueOrDefault(m.SurvivorId), m.MergedId, names.GetValueOrDefault(m.MergedId), m.UndoneAt, m.UndoneBy))));
            }
        }
        if (filter.HasFlag(TimelineFilter.Customer))
        {
            var q = db.MergeRequests.AsNoTracking().Where(r => r.SurvivorId == cardId || r.MergedId == cardId);
            q = Keyset(q, after, TimelineKind.MergeRequest, r => r.CreatedAt, r => r.Id);
            items.AddRange((await q.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(take).ToListAsync(ct))
                .Select(r => new TimelineItem(TimelineKind.MergeRequest, r.Id, r.CreatedAt, null, r.ProposedByName, r.Comment ?? string.Empty,
                    MergeRequest: new TimelineMergeRequest(r.Id, r.SurvivorId, r.MergedId, r.Status, r.DecidedByName, r.DecisionComment, r.DecidedAt))));
        }
        if (filter.HasFlag(TimelineFilter.Case))
        {
            var q = db.CaseEvents.AsNoTracking().Where(e => e.CardId == cardId);
            // One entry per action (issue 22): a reply (an approved draft's too) is its message, a note is the note;
            // their case events only stand in for them when the messages or the notes are filtered out.
            if (filter.HasFlag(TimelineFilter.Conversation)) q = q.Where(e => e.Type != CaseEventType.Replied && e.Type != CaseEventType.DraftApproved);
            if (filter.HasFlag(TimelineFilter.Customer)) q = q.Where(e => e.Type != CaseEventType.NoteAdded);
            // A comment is its own entry (below), with its whole text; its case event would say it twice.
            q = q.Where(e => e.Type != CaseEventType.CommentAdded);
            q = Keyset(q, after, TimelineKind.CaseEvent, e => e.At, e => e.Id);
            items.AddRange((await q.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Take(take).ToListAsync(ct))
                .Select(e => new TimelineItem(TimelineKind.CaseEvent, e.Id, e.At, e.CaseId, e.ActorName, e.Detail ?? string.Empty, EventType: e.Type)));
            var comments = db.CaseComments.AsNoTracking().Where(c => db.Cases.Any(k => k.Id == c.CaseId && k.CardId == cardId));
            comments = Keyset(comments, after, TimelineKind.Comment, c => c.CreatedAt, c => c.Id);
            items.AddRange((await comments.OrderByDescending(c => c.CreatedAt).ThenByDescending(c => c.Id).Take(take).ToListAsync(ct))
                .Select(c => new TimelineItem(TimelineKind.Comment, c.Id, c.CreatedAt, c.CaseId, c.AuthorName, c.Text)));
        }
        var ordered = items.OrderByDescending(i => i.At).ThenByDescending(i => i.Kind).ThenByDescending(i => i.Id).Take(take).ToList();
        if (ordered.Count <= pageSize) return new TimelinePage(ordered, null);
        var last = ordered[pageSize - 1];
        return new TimelinePage(ordered.Take(pageSize).ToList(), new TimelineCursor(last.At, last.Kind, last.Id));
    }

    /// <summary>
    /// Rows strictly after the cursor in (time desc, kind desc, id desc) order. Within one source the kind is fixed,
    /// so the condition folds into a plain (time, id) keyset.
    /// </summary>
    private static IQueryable<T> Keyset<T>(IQueryable<T> q, TimelineCursor? after, TimelineKind kind,
        System.Linq.Expressions.Expression<Func<T, DateTimeOffset>> at, System.Linq.Expressions.Expression<Func<T, long>> id)
    {
        if (after is null) return q;
        var p = at.Parameters[0];
        var atBody = at.Body;
        var idBody = new ParameterSwap(id.Parameters[0], p).Visit(id.Body);
        var cAt = System.Linq.Expressions.Expression.Constant(after.At);
        var cId = System.Linq.Expressions.Expression.Constant(after.Id);
        System.Linq.Expressions.Expression body = kind < after.Kind
            ? System.Linq.Expressions.Expression.LessThanOrEqual(atBody, cAt)
            : kind > after.Kind
                ? System.Linq.Expressions.Expression.LessThan(atBody, cAt)
                : System.Linq.Expressions.Expression.OrElse(System.Linq.Expressions.Expression.LessThan(atBody, cAt),
                    System.Linq.Expressions.Expression.AndAlso(System.Linq.Expressions.Expression.Equal(atBody, cAt), System.Linq.Expressions.Expression.LessThan(idBody, cId)));
        return q.Where(System.Linq.Expressions.Expression.Lambda<Func<T, bool>>(body, p));
    }

    private sealed class ParameterSwap(System.Linq.Expressions.ParameterExpression from, System.Linq.Expressions.ParameterExpression to) : System.Linq.Expressions.ExpressionVisitor
    {
        protected override System.Linq.Expressions.Expression VisitParameter(System.Linq.Expressions.ParameterExpression node) => node == from ? to : node;
    }

    internal static string DisplayName(CardRow card, IReadOnlyList<IdentityView> identities)
    {
        return CustomerCard.NameOf(card.FirstName, card.LastName, card.ChannelName, card.PrimaryEmail, card.MobilePhone)
            ?? identities.Select(i => i.DisplayName ?? i.Address).FirstOrDefault() ?? $"#{card.Id}";
    }
}
