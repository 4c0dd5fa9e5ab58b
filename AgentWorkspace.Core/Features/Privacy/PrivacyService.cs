using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Privacy;

/// <summary>
/// The extra actions of seed 002: export everything stored about a contact, lock a card against
/// edits and merges, and anonymize it (right to erasure).
/// </summary>
public sealed class PrivacyService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, TimeProvider clock, ILogger<PrivacyService>? logger = null)
{
    public const string Erased = "[erased]";
    /// <summary>What an erased merge ledger holds (docs/decisions/010).</summary>
    public const string ErasedLedger = "{\"erased\":true}";
    /// <summary>The audit action naming, after an erasure, a record of an outside CRM to erase there (field "kind:type", after: its id); written as a literal where the row is written, so the audit-names test sees it.</summary>
    public const string EraseInCrm = "EraseInCrm";
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        // Readable accents in the export; < > & stay escaped.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() },
    };

    /// <summary>Everything stored about the contact, as JSON (profile, identities, cases, messages, notes, comments, custom fields, history, audit).</summary>
    public async Task<string> ExportJsonAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == cardId, ct)
            ?? throw new NotFoundException($"Card {cardId} does not exist.");
        var cases = await db.Cases.AsNoTracking().Where(c => c.CardId == cardId).OrderBy(c => c.Id).ToListAsync(ct);
        var caseIds = cases.Select(c => c.Id).ToList();
        var messages = await db.Messages.AsNoTracking().Where(m => m.CardId == cardId).OrderBy(m => m.SentAt).ThenBy(m => m.Id).ToListAsync(ct);
        var messageIds = messages.Select(m => m.Id).ToList();
        var fields = await db.CustomFields.AsNoTracking().ToDictionaryAsync(f => f.Id, f => f.Ident, ct);
        var export = new
        {
            exportedAt = clock.GetUtcNow(),
            exportedBy = actor.DisplayName,
            card = new
            {
                card.Id, card.Status, card.IsLocked, profile = card.Profile, card.CreatedAt, card.UpdatedAt, card.LastContactAt,
                indicators = new { card.PositiveCount, card.NeutralCount, card.NegativeCount, card.Followers, card.Following },
            },
            identities = card.Identities.Select(i => new { i.Channel, i.RawAddress, i.NormalizedAddress, i.DisplayName, i.ProfileUrl, i.Followers, i.Following, i.FirstSeenAt, i.LastSeenAt }),
            customFields = (await db.CustomFieldValues.AsNoTracking().Where(v => v.CardId == cardId).ToListAsync(ct)).ToDictionary(v => fields[v.FieldId], v => v.Value),
            cases = cases.Select(c => new { c.Id, c.Channel, c.Title, c.Status, c.Priority, c.CreatedAt, c.FirstResponseAt, c.ResolvedAt, context = c.ContextJson }),
            messages = messages.Select(m => new { m.Id, m.CaseId, m.Channel, m.Direction, m.Kind, m.AuthorName, m.Subject, m.Text, m.Sentiment, m.SentAt, m.DeliveryStatus }),
            attachments = await db.Attachments.AsNoTracking().Where(a => messageIds.Contains(a.MessageId)).Select(a => new { a.MessageId, a.Name, a.ContentType, a.Size, a.Url }).ToListAsync(ct),
            notes = await db.Notes.AsNoTracking().Where(n => n.CardId == cardId).OrderBy(n => n.CreatedAt).Select(n => new { n.Id, n.CaseId, n.AuthorName, n.Text, n.CreatedAt, n.UpdatedAt }).ToListAsync(ct),
            comments = await db.CaseComments.AsNoTracking().Where(c => caseIds.Contains(c.CaseId)).Select(c => new { c.CaseId, c.MessageId, c.AuthorName, c.Text, c.CreatedAt }).ToListAsync(ct),
            history = await db.CaseEvents.AsNoTracking().Where(e => e.CardId == cardId).OrderBy(e => e.At).Select(e => new { e.CaseId, e.Type, e.ActorName, e.Detail, e.At }).ToListAsync(ct),
            audit = await db.Audit.AsNoTracking().Where(a => a.EntityType == "Card" && a.EntityId == cardId.ToString(CultureInfo.InvariantCulture)).OrderBy(a => a.At)
                .Select(a => new { a.At, a.ActorName, a.Action, a.Field, a.Before, a.After }).ToListAsync(ct),
        };
        await AuditAsync(actor, cardId, "Exported", ct);
        return JsonSerializer.Serialize(export, Json);
    }

    /// <summary>The contact's messages as CSV (RFC 4180), newest last.</summary>
    public async Task<string> ExportMessagesCsvAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.Cards.AnyAsync(c => c.Id == cardId, ct)) throw new NotFoundException($"Card {cardId} does not exist.");
        var sb = new StringBuilder("sentAt,caseId,channel,direction,kind,author,subject,text,sentiment\r\n");
        await foreach (var m in db.Messages.AsNoTracking().Where(m => m.CardId == cardId).OrderBy(m => m.SentAt).ThenBy(m => m.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            sb.Append(Csv(m.SentAt.ToString("O", CultureInfo.InvariantCulture))).Append(',').Append(m.CaseId).Append(',')
              .Append(Csv(m.Channel.ToString())).Append(',').Append(Csv(m.Direction.ToString())).Append(',').Append(Csv(m.Kind.ToString())).Append(',')
              .Append(Csv(m.AuthorName)).Append(',').Append(Csv(m.Subject)).Append(',').Append(Csv(m.Text)).Append(',').Append(Csv(m.Sentiment.ToString())).Append("\r\n");
        }
        await AuditAsync(actor, cardId, "ExportedMessages", ct);
        return sb.ToString();
    }

    public Task LockAsync(Actor actor, long cardId, CancellationToken ct = default) => SetLockAsync(actor, cardId, true, ct);
    public Task UnlockAsync(Actor actor, long cardId, CancellationToken ct = default) => SetLockAsync(actor, cardId, false, ct);

    private async Task SetLockAsync(Actor actor, long cardId, bool locked, CancellationToken ct)
    {
        try
        {
            await run.RunAsync(locked ? "Card.Lock" : "Card.Unlock", actor, Role.Supervisor, async use =>
            {
                var card = await use.Db.Cards.FirstOrDefaultAsync(c => c.Id == cardId, use.Cancellation) ?? throw new NotFoundException($"Card {cardId} does not exist.");
                if (card.IsLocked == locked) return;
                if (locked) card.Lock(); else card.Unlock();
                card.Touch(use.Now);
                use.Audit("Card", Id(cardId), locked ? "Locked" : "Unlocked", "isLocked", (!locked).ToString(), locked.ToString());
                use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Changed();
        }
    }

    /// <summary>
    /// Irreversibly erases everything stored about the contact, on this card and on every card merged into it
    /// (docs/decisions/010): profiles, search columns, identities (which can never match again), message bodies,
    /// subjects and the channels' ids, attachments, case titles, previews and context, notes, comments, drafts and
    /// their reviews, free text in the case history, custom-field values, audit values and merge ledgers, the CRM links'
    /// titles and pushes' contents, and the person's records in the built-in CRM (outside CRMs' records are listed in
    /// the audit as <see cref="EraseInCrm"/>, for the administrator to erase there). Counts,
    /// times, channels, queues, statuses and who did what stay. Refused while a case is open unless
    /// <paramref name="force"/>. On SQLite the write-ahead log is then emptied, so that no erased value stays in
    /// the <c>-wal</c> file.
    /// </summary>
    public async Task AnonymizeAsync(Actor actor, long cardId, bool force, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var isSqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(ct);
        // Every connection of the app's factory has it already; this one may come from elsewhere (docs/decisions/010).
        if (isSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=ON;", ct);
        try
        {
            await run.RunOnAsync(db, "Card.Anonymize", actor, Role.Supervisor, async use =>
            {
                var card = await db.Cards.Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == cardId, ct) ?? throw new NotFoundException($"Card {cardId} does not exist.");
                if (card.Status == CardStatus.Anonymized) throw new DomainException("This card is already anonymized.");
                if (card.Status == CardStatus.Merged) throw new DomainException($"This card was merged into card {card.MergedIntoId}; anonymize that card.");
                var openCases = await db.Cases.CountAsync(c => c.CardId == cardId && (c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending), ct);
                if (openCases > 0 && !force)
                    throw new DomainException($"The contact has {openCases} open case(s); resolve them first or force the anonymization.", "force");

                var now = use.Now;
                card.Anonymize(now);
                var merged = await MergedIntoAsync(db, cardId, ct);
                foreach (var tombstone in merged) tombstone.EraseMerged(now);
                var cardIds = merged.Select(c => c.Id).Append(cardId).ToList();
                var outside = await EraseAsync(db, actor, now, cardIds, ct);
                use.Audit("Card", Id(cardId), force && openCases > 0 ? "AnonymizedForced" : "Anonymized");
                // What this app cannot erase: the records of outside CRMs that held the contact's data, by id only, so
                // that the administrator finds and erases them there (docs/decisions/010, "The CRM").
                foreach (var record in outside) use.Audit("Card", Id(cardId), "EraseInCrm", $"{record.Kind}:{record.Type}", null, record.Id);
                use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
                foreach (var tombstone in merged) use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: tombstone.Id));
                return true;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Changed();
        }
        if (isSqlite) await SqliteLogTruncation.TruncateAsync(db.Database.GetDbConnection(), (ILogger?)logger ?? NullLogger.Instance, ct);
        await db.Database.CloseConnectionAsync();
    }

    /// <summary>The tombstones of every card merged into <paramref name="cardId"/>, and of those merged into them, tracked.</summary>
    private static async Task<List<CustomerCard>> MergedIntoAsync(AgentWorkspaceDbContext db, long cardId, CancellationToken ct)
    {
        var found = new List<CustomerCard>();
        var seen = new HashSet<long> { cardId };
        List<long> frontier = [cardId];
        while (frontier.Count > 0)
        {
            var next = await db.Cards.Where(c => c.Status == CardStatus.Merged && c.MergedIntoId != null && frontier.Contains(c.MergedIntoId.Value)).ToListAsync(ct);
            next.RemoveAll(c => !seen.Add(c.Id));
            found.AddRange(next);
            frontier = next.Select(c => c.Id).ToList();
        }
        return found;
    }

    /// <summary>Case events whose detail the app composes from staff, queue and status names only: theirs is kept.</summary>
    private static readonly CaseEventType[] SystemDetail =
        [CaseEventType.Created, CaseEventType.Assigned, CaseEventType.Unassigned, CaseEventType.Transferred, CaseEventType.StatusChanged];

    /// <summary>
    /// Erases, set-based, every row that belongs to the cards <paramref name="cardIds"/> (the cards themselves excepted),
    /// their CRM data included; answers the outside CRMs' records that held the contact's data.
    /// </summary>
    private static async Task<List<CrmErasure.OutsideRecord>> EraseAsync(AgentWorkspaceDbContext db, Actor actor, DateTimeOffset now, List<long> cardIds, CancellationToken ct)
    {
        var caseIds = await db.Cases.Where(c => cardIds.Contains(c.CardId)).Select(c => c.Id).ToListAsync(ct);
        // The addresses the built-in CRM is searched by, before the identities and profiles are erased.
        var crmKeys = await CrmErasure.ReadKeysAsync(db, cardIds, ct);
        var messageIds = await db.Messages.Where(m => cardIds.Contains(m.CardId) || caseIds.Contains(m.CaseId)).Select(m => m.Id).ToListAsync(ct);
        var noteIds = await db.Notes.Where(n => cardIds.Contains(n.CardId)).Select(n => n.Id).ToListAsync(ct);
        var draftIds = await db.Drafts.Where(d => caseIds.Contains(d.CaseId)).Select(d => d.Id).ToListAsync(ct);

        // Identities: tracked (loaded with the card) or not (left on a tombstone): erased row by row, each to an address of its own.
        foreach (var identity in await db.Identities.Where(i => cardIds.Contains(i.CardId)).ToListAsync(ct)) identity.Erase();
        await db.Messages.Where(m => messageIds.Contains(m.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Text, Erased).SetProperty(m => m.SanitizedHtml, (string?)null)
            .SetProperty(m => m.Subject, m => m.Subject == null ? null : Erased)
            // The channel's own id names the contact's message on the channel: a redelivery after erasure is a new message.
            .SetProperty(m => m.ExternalId, (string?)null)
            .SetProperty(m => m.AuthorName, m => m.Direction == Domain.Channels.Direction.Inbound ? Erased : m.AuthorName), ct);
        await db.Attachments.Where(a => messageIds.Contains(a.MessageId)).ExecuteUpdateAsync(s => s
            .SetProperty(a => a.Name, Erased).SetProperty(a => a.Url, (string?)null).SetProperty(a => a.ContentType, "application/octet-stream"), ct);
        await db.OutboundDeliveries.Where(o => messageIds.Contains(o.MessageId)).ExecuteUpdateAsync(s => s.SetProperty(o => o.To, Erased).SetProperty(o => o.Body, Erased), ct);
        await db.Notes.Where(n => noteIds.Contains(n.Id)).ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, Erased), ct);
        await db.CaseComments.Where(c => caseIds.Contains(c.CaseId)).ExecuteUpdateAsync(s => s.SetProperty(c => c.Text, Erased), ct);
        await db.Drafts.Where(d => draftIds.Contains(d.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(d => d.Text, Erased).SetProperty(d => d.ReviewComment, d => d.ReviewComment == null ? null : Erased), ct);
        // The history keeps what happened, who and when; a detail that quotes a note, a reply or a review goes.
        await db.CaseEvents.Where(e => (caseIds.Contains(e.CaseId) || cardIds.Contains(e.CardId)) && e.Detail != null && !SystemDetail.Contains(e.Type))
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.Detail, (string?)null), ct);
        await db.Cases.Where(c => caseIds.Contains(c.Id)).ExecuteUpdateAsync(s => s
            .SetProperty(c => c.Title, Erased).SetProperty(c => c.LastMessagePreview, Erased).SetProperty(c => c.ContextJson, (string?)null)
            .SetProperty(c => c.Product, (string?)null).SetProperty(c => c.WrapUpNotes, c => c.WrapUpNotes == null ? null : Erased)
            .SetProperty(c => c.Version, c => c.Version + 1), ct);
        await db.CustomFieldValues.Where(v => cardIds.Contains(v.CardId)).ExecuteDeleteAsync(ct);
        // Where each value came from (issue 21) holds the values themselves and the channel addresses they came through.
        await db.ValueProvenance.Where(p => cardIds.Contains(p.CardId)).ExecuteDeleteAsync(ct);
        // Replies the agents had begun on the person's cases (kept per agent and case, issue 22) were never sent: they go.
        await db.ComposerDrafts.Where(d => caseIds.Contains(d.CaseId)).ExecuteDeleteAsync(ct);
        // A macro's kept results are codes, but a refusal's wording may have quoted the contact (issue 19): they go too.
        await db.CaseScriptSteps.Where(s => caseIds.Contains(s.CaseId) && s.ResultsJson != null).ExecuteUpdateAsync(s => s.SetProperty(x => x.ResultsJson, (string?)null), ct);

        // The audit keeps who did what and when, not the values: the profile before and after an edit, the name in
        // "Created", the text of a note or comment, what a case or a draft went through.
        var cardKeys = cardIds.Select(Id).ToList();
        var noteKeys = noteIds.Select(Id).ToList();
        var caseKeys = caseIds.Select(Id).ToList();
        var draftKeys = draftIds.Select(Id).ToList();
        await db.Audit.Where(a => (a.EntityType == "Card" && cardKeys.Contains(a.EntityId)) || (a.EntityType == "Note" && noteKeys.Contains(a.EntityId))
                                  || (a.EntityType == "Case" && caseKeys.Contains(a.EntityId)) || (a.EntityType == "Draft" && draftKeys.Contains(a.EntityId)))
            .Where(a => a.Before != null || a.After != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Before, a => a.Before == null ? null : Erased).SetProperty(a => a.After, a => a.After == null ? null : Erased), ct);
        // A merge ledger holds both cards' profiles and field values for an undo; once erased, the merge can no longer be undone.
        await db.Merges.Where(m => cardIds.Contains(m.SurvivorId) || cardIds.Contains(m.MergedId))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LedgerJson, ErasedLedger), ct);
        // Merge proposals (issue 21): the staff's comments may name the contact; who proposed and decided stays.
        await db.MergeRequests.Where(r => cardIds.Contains(r.SurvivorId) || cardIds.Contains(r.MergedId))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Comment, r => r.Comment == null ? null : Erased)
                .SetProperty(r => r.DecisionComment, r => r.DecisionComment == null ? null : Erased), ct);
        // Auto-merge preview pairs (issue 21, ADR 023) keep the card ids and the run's outcome, not the matched numbers,
        // addresses and names: a run skips a pair whose values were erased.
        await db.MatchPreviewPairs.Where(p => cardIds.Contains(p.SurvivorId) || cardIds.Contains(p.MergedId) || cardIds.Contains(p.LinkedToId))
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.MatchedJson, "[]"), ct);
        return await CrmErasure.EraseAsync(db, actor, now, cardIds, caseIds, crmKeys, ct);
    }

    /// <summary>An export is a use case of its own: who took the contact's data, and when.</summary>
    private Task AuditAsync(Actor actor, long cardId, string action, CancellationToken ct) =>
        run.RunAsync("Card." + action, actor, Role.Supervisor, use =>
        {
            use.Audit("Card", Id(cardId), action);
            return Task.CompletedTask;
        }, ct);

    private static ConflictException Changed() => new("The card changed meanwhile. Reload and try again.");

    private static string Csv(string? value)
    {
        if (string.IsNullOrEmpty(value)) return string.Empty;
        // Cells starting with = + - @ are read as formulas by spreadsheets: prefix them.
        var v = value[0] is '=' or '+' or '-' or '@' ? "'" + value : value;
        return v.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
