using System.Globalization;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Privacy;

/// <summary>
/// The extra actions of seed 002: export everything stored about a contact, lock a card against
/// edits and merges, and anonymize it (right to erasure).
/// </summary>
public sealed class PrivacyService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, TimeProvider clock)
{
    public const string Erased = "[erased]";
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
    /// Irreversibly replaces the contact's names, addresses, message bodies and attachments; counts
    /// and statistics stay; erased identities can never match again. Refused while a case is open
    /// unless <paramref name="force"/>. The audit records that it happened, not what was erased, and
    /// older audit values about the card are erased too.
    /// </summary>
    public async Task AnonymizeAsync(Actor actor, long cardId, bool force, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var isSqlite = db.Database.IsSqlite();
        await db.Database.OpenConnectionAsync(ct);
        // Deleted and overwritten content is zeroed in the file, not left in free pages.
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
            var cardKey = Id(cardId);
            var caseIds = await db.Cases.Where(c => c.CardId == cardId).Select(c => c.Id).ToListAsync(ct);
            var messageIds = await db.Messages.Where(m => m.CardId == cardId).Select(m => m.Id).ToListAsync(ct);

            foreach (var identity in card.Identities) identity.Erase();
            card.Anonymize(now);
            await db.Messages.Where(m => m.CardId == cardId).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Text, Erased).SetProperty(m => m.SanitizedHtml, (string?)null)
                .SetProperty(m => m.Subject, m => m.Subject == null ? null : Erased)
                .SetProperty(m => m.AuthorName, m => m.Direction == Domain.Channels.Direction.Inbound ? Erased : m.AuthorName), ct);
            await db.Attachments.Where(a => messageIds.Contains(a.MessageId)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Name, Erased).SetProperty(a => a.Url, (string?)null), ct);
            var noteKeys = (await db.Notes.Where(n => n.CardId == cardId).Select(n => n.Id).ToListAsync(ct)).Select(Id).ToList();
            await db.Notes.Where(n => n.CardId == cardId).ExecuteUpdateAsync(s => s.SetProperty(n => n.Text, Erased), ct);
            await db.Audit.Where(a => a.EntityType == "Note" && noteKeys.Contains(a.EntityId))
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Before, a => a.Before == null ? null : Erased).SetProperty(a => a.After, a => a.After == null ? null : Erased), ct);
            await db.CaseComments.Where(c => caseIds.Contains(c.CaseId)).ExecuteUpdateAsync(s => s.SetProperty(c => c.Text, Erased), ct);
            await db.Drafts.Where(d => caseIds.Contains(d.CaseId)).ExecuteUpdateAsync(s => s.SetProperty(d => d.Text, Erased), ct);
            await db.OutboundDeliveries.Where(o => messageIds.Contains(o.MessageId)).ExecuteUpdateAsync(s => s.SetProperty(o => o.To, Erased).SetProperty(o => o.Body, Erased), ct);
            await db.Cases.Where(c => c.CardId == cardId).ExecuteUpdateAsync(s => s
                .SetProperty(c => c.Title, Erased).SetProperty(c => c.LastMessagePreview, Erased).SetProperty(c => c.ContextJson, (string?)null)
                .SetProperty(c => c.Version, c => c.Version + 1), ct);
            await db.CustomFieldValues.Where(v => v.CardId == cardId).ExecuteDeleteAsync(ct);
            await db.Audit.Where(a => a.EntityType == "Card" && a.EntityId == cardKey)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Before, a => a.Before == null ? null : Erased).SetProperty(a => a.After, a => a.After == null ? null : Erased), ct);
            // A merge ledger holds profile values; once erased, that merge can no longer be undone.
            await db.Merges.Where(m => m.SurvivorId == cardId || m.MergedId == cardId).ExecuteUpdateAsync(s => s.SetProperty(m => m.LedgerJson, "{\"erased\":true}"), ct);
            use.Audit("Card", cardKey, force && openCases > 0 ? "AnonymizedForced" : "Anonymized");
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
            return true;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Changed();
        }
        if (isSqlite) await db.Database.ExecuteSqlRawAsync("PRAGMA wal_checkpoint(TRUNCATE);", ct);
        await db.Database.CloseConnectionAsync();
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
