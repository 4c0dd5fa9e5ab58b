using AgentWorkspace.Core.Features.Matching;
using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Cards;

/// <summary>
/// Every change an agent makes to a card: creation from a script, the profile (with a concurrency
/// check and both values on conflict), custom-field values, notes, comments on case messages, a case
/// cancelled from the card. Each is one use case (ADR 008), audited field by field.
/// </summary>
public sealed class CardEdits(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings, TimeProvider clock)
{
    public const string AuditEntity = "Card";
    private readonly IDbContextFactory<AgentWorkspaceDbContext> _dbFactory = dbFactory;
    private readonly UseCaseRunner _run = run;
    private readonly SettingsService _settings = settings;
    private readonly TimeProvider _clock = clock;

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The card, tracked, ready to change: a merged card redirects, a locked or anonymized one refuses.</summary>
    private static async Task<CustomerCard> EditableCardAsync(AgentWorkspaceDbContext db, long cardId, CancellationToken ct)
    {
        var card = await db.Cards.FirstOrDefaultAsync(c => c.Id == cardId, ct) ?? throw new NotFoundException($"Card {cardId} does not exist.");
        if (card.Status == CardStatus.Merged && card.MergedIntoId is { } survivor) throw new CardMergedException(cardId, survivor);
        if (card.IsLocked && card.Status == CardStatus.Active) throw new ConflictException("This card is locked: a supervisor must unlock it before it can be edited.");
        card.EnsureEditable();
        return card;
    }

    /// <summary>Creates a card from a script: its profile and its channel identities (each must be new).</summary>
    public async Task<long> CreateAsync(Actor actor, CardProfile profile, IReadOnlyList<NewIdentity> identities, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(profile);
        var region = await _settings.DefaultRegionAsync(ct);
        var now = _clock.GetUtcNow();
        // Validates the profile before anything is read.
        _ = new CustomerCard(profile, region, now);
        CardRules.EnsureNamedOrIdentified(profile, hasIdentity: identities.Count > 0);
        var addresses = new List<(NewIdentity Source, IdentityAddress Address, string Field)>();
        for (var i = 0; i < identities.Count; i++)
        {
            var field = $"identities[{i}].address";
            var n = identities[i];
            if (!Enum.IsDefined(n.Channel)) throw new DomainException("Unknown channel.", $"identities[{i}].channel");
            IdentityAddress address;
            try { address = IdentityAddress.Normalize(n.Channel, n.Address, region); }
            catch (DomainException ex) { throw new DomainException(ex.Message, field); }
            if (addresses.Any(a => a.Address == address)) throw new DomainException($"'{n.Address}' appears twice.", field);
            addresses.Add((n, address, field));
        }
        var shared = await _settings.SharedAddressesAsync(ct);
        try
        {
            return await _run.RunAsync("Card.Create", actor, Role.Agent, async use =>
            {
                var db = use.Db;
                // Built inside the attempt: a retried attempt starts from a card that was never saved.
                var card = new CustomerCard(profile, region, use.Now);
                foreach (var (source, address, field) in addresses)
                {
                    var owner = await db.Identities.Where(i => i.Space == address.Space && i.NormalizedAddress == address.Normalized).Select(i => (long?)i.CardId).FirstOrDefaultAsync(use.Cancellation);
                    if (owner is not null) throw new ConflictException($"'{source.Address}' already belongs to card {owner}.", field);
                    try
                    {
                        card.AddIdentity(source.Channel, source.Address, address, use.Now, source.DisplayName, source.ProfileUrl, source.Followers, source.Following);
                    }
                    catch (DomainException ex) when (ex is not ConflictException)
                    {
                        throw new DomainException(ex.Message, field.Replace(".address", "." + (ex.Field ?? "address").Replace("from.", ""), StringComparison.Ordinal));
                    }
                }
                db.Cards.Add(card);
                await use.SaveAsync();
                // Every value the new card holds came from whoever created it (an agent's script, an API key): issue 21.
                db.ValueProvenance.AddRange(ValueProvenance.ForNewCard(card.Id, card.Snapshot(), ValueSource.Of(use.Actor), use.Now));
                await SharedIdentifierService.DetectAsync(use, _settings, shared, ContactAddresses(card));
                use.Audit(AuditEntity, Id(card.Id), "Created", "card", null, card.DisplayName);
                use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: card.Id));
                return card.Id;
            }, ct);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the identities was just taken by another card; search for it and merge instead.", "identities");
        }
    }

    /// <summary>
    /// Saves the whole profile if nobody saved it since <paramref name="expectedVersion"/> was read;
    /// otherwise refuses with both values of each differing field. Returns the new version.
    /// </summary>
    /// <remarks>
    /// With <paramref name="basis"/> (the profile as the agent read it), a conflict lists only the fields
    /// this agent changed that the other agent set differently, and offers as "mine" the stored profile
    /// with this agent's changes on top, so that keeping mine never undoes the other agent's other fields.
    /// </remarks>
    public async Task<long> UpdateProfileAsync(Actor actor, long cardId, long expectedVersion, CardProfile profile, CardProfile? basis = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(profile);
        var region = await _settings.DefaultRegionAsync(ct);
        var now = _clock.GetUtcNow();
        // Validate first: an invalid value is the agent's to fix whatever the version.
        var mine = new CustomerCard(profile, region, now).Snapshot();
        Dictionary<string, string?>? read = null;
        if (basis is not null)
        {
            try { read = new CustomerCard(basis, region, now).Snapshot(); }
            catch (DomainException) { read = null; }
        }
        var shared = await _settings.SharedAddressesAsync(ct);
        try
        {
            return await _run.RunAsync("Card.UpdateProfile", actor, Role.Agent, async use =>
            {
                var db = use.Db;
                var card = await EditableCardAsync(db, cardId, use.Cancellation);
                if (card.Version != expectedVersion) throw Conflict(card, mine, read);
                if (!CardRules.HasName(profile))
                    CardRules.EnsureNamedOrIdentified(profile, await use.Db.Identities.AnyAsync(i => i.CardId == cardId, use.Cancellation));
                var changes = card.UpdateProfile(profile, region, use.Now);
                if (changes.Count == 0) return card.Version;
                var source = ValueSource.Of(use.Actor);
                foreach (var (field, before, after) in changes)
                {
                    use.Audit(AuditEntity, Id(cardId), "ProfileUpdated", field, before, after);
                    db.ValueProvenance.Add(new ValueProvenance(cardId, field, after, source, use.Now));
                }
                await use.SaveAsync();
                // A number or address that is now on as many cards as the threshold is shared from now on (ADR 020).
                var written = changes.Select(c => c.After).OfType<string>().ToHashSet(StringComparer.Ordinal);
                await SharedIdentifierService.DetectAsync(use, _settings, shared, ContactAddresses(card).Where(a => written.Contains(a.Normalized)));
                use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
                return card.Version;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = await _dbFactory.CreateDbContextAsync(ct);
            var current = await fresh.Cards.AsNoTracking().FirstAsync(c => c.Id == cardId, ct);
            throw Conflict(current, mine, read);
        }
    }

    /// <summary>The phone numbers and e-mail addresses of a card's profile.</summary>
    private static IEnumerable<IdentityAddress> ContactAddresses(CustomerCard card) =>
        new[] { card.MobilePhone, card.HomePhone }.OfType<string>().Select(p => new IdentityAddress(IdentitySpace.Phone, p))
            .Concat(new[] { card.PrimaryEmail, card.SecondaryEmail }.OfType<string>().Select(e => new IdentityAddress(IdentitySpace.Email, e)));

    private static ProfileConflictException Conflict(CustomerCard current, Dictionary<string, string?> mine, Dictionary<string, string?>? read)
    {
        var theirs = current.Snapshot();
        var changedByMe = read is null ? mine.Keys.ToHashSet() : mine.Keys.Where(k => !string.Equals(mine[k], read[k], StringComparison.Ordinal)).ToHashSet();
        // A field is in question when this agent changed it and the other agent changed it too, to something else.
        var fields = mine.Where(kv => changedByMe.Contains(kv.Key) && !string.Equals(kv.Value, theirs[kv.Key], StringComparison.Ordinal)
                && (read is null || !string.Equals(read[kv.Key], theirs[kv.Key], StringComparison.Ordinal)))
            .Select(kv => new FieldConflict(kv.Key, kv.Value, theirs[kv.Key])).ToList();
        var merged = theirs.ToDictionary(kv => kv.Key, kv => changedByMe.Contains(kv.Key) ? mine[kv.Key] : kv.Value);
        return new ProfileConflictException(current.Id, current.Version, current.Profile, fields) { Mine = CustomerCard.ProfileFromSnapshot(merged) };
    }

    /// <summary>Sets (or clears, with null or blank) a custom field's value, validated by the field's type; only editable fields.</summary>
    public async Task<string?> SetCustomFieldAsync(Actor actor, long cardId, string ident, string? value, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var region = await _settings.DefaultRegionAsync(ct);
        return await _run.RunAsync("Card.SetCustomField", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var field = await db.CustomFields.AsNoTracking().FirstOrDefaultAsync(f => f.Ident == ident && !f.IsArchived, use.Cancellation)
                ?? throw new NotFoundException($"There is no custom field '{ident}'.");
            if (!field.Editable) throw new FieldReadOnlyException(ident, field.Label);
            var normalized = field.NormalizeValue(value, region);
            await EditableCardAsync(db, cardId, use.Cancellation);
            var row = await db.CustomFieldValues.FirstOrDefaultAsync(v => v.CardId == cardId && v.FieldId == field.Id, use.Cancellation);
            var before = row?.Value;
            if (string.Equals(before, normalized, StringComparison.Ordinal)) return normalized;
            if (normalized is null) db.CustomFieldValues.Remove(row!);
            else if (row is null) db.CustomFieldValues.Add(new CustomFieldValue(cardId, field.Id, normalized, use.Now));
            else row.Set(normalized, use.Now);
            use.Audit(AuditEntity, Id(cardId), "CustomFieldSet", "cf:" + field.Ident, before, normalized);
            db.ValueProvenance.Add(new ValueProvenance(cardId, "cf:" + field.Ident, normalized, ValueSource.Of(use.Actor), use.Now));
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
            return normalized;
        }, ct);
    }

    public async Task<NoteView> AddNoteAsync(Actor actor, long cardId, string text, long? caseId = null, CancellationToken ct = default)
    {
        return await _run.RunAsync("Card.AddNote", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            await EditableCardAsync(db, cardId, use.Cancellation);
            if (caseId is { } cid)
            {
                // A note about a case goes into the case's history: acting on the case, under the inbox's rule (ADR 014).
                var noted = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == cid && c.CardId == cardId, use.Cancellation)
                    ?? throw new DomainException($"Case {cid} is not a case of this card.", "caseId");
                await CaseAccess.EnsureMayActAsync(db, actor, noted, use.Cancellation);
            }
            var note = new Note(cardId, caseId, actor.UserId, actor.DisplayName, text, use.Now);
            db.Notes.Add(note);
            await use.SaveAsync();
            use.Audit(AuditEntity, Id(cardId), "NoteAdded", "note:" + Id(note.Id), null, note.Text);
            if (caseId is { } c2) db.CaseEvents.Add(new CaseEvent(c2, cardId, CaseEventType.NoteAdded, actor.UserId, actor.DisplayName, Text.Preview(note.Text, 200), use.Now));
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId));
            return View(note);
        }, ct);
    }

    /// <summary>The author edits their note (a supervisor any note); the previous text stays in the audit.</summary>
    public async Task<NoteView> EditNoteAsync(Actor actor, long noteId, string text, CancellationToken ct = default)
    {
        return await _run.RunAsync("Card.EditNote", actor, Role.Agent, async use =>
        {
            var note = await NoteForChangeAsync(use.Db, actor, noteId, use.Cancellation);
            var previous = note.Edit(text, use.Now);
            if (string.Equals(previous, note.Text, StringComparison.Ordinal)) return View(note);
            use.Audit(AuditEntity, Id(note.CardId), "NoteEdited", "note:" + Id(note.Id), previous, note.Text);
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: note.CardId));
            return View(note);
        }, ct);
    }

    public async Task DeleteNoteAsync(Actor actor, long noteId, CancellationToken ct = default)
    {
        await _run.RunAsync("Card.DeleteNote", actor, Role.Agent, async use =>
        {
            var note = await NoteForChangeAsync(use.Db, actor, noteId, use.Cancellation);
            use.Db.Notes.Remove(note);
            use.Audit(AuditEntity, Id(note.CardId), "NoteDeleted", "note:" + Id(note.Id), note.Text, null);
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: note.CardId));
        }, ct);
    }

    private static NoteView View(Note n) => new(n.Id, n.CaseId, n.AuthorId, n.AuthorName, n.Text, n.CreatedAt, n.UpdatedAt);

    private static async Task<Note> NoteForChangeAsync(AgentWorkspaceDbContext db, Actor actor, long noteId, CancellationToken ct)
    {
        var note = await db.Notes.FirstOrDefaultAsync(n => n.Id == noteId, ct) ?? throw new NotFoundException($"Note {noteId} does not exist.");
        if (note.AuthorId != actor.UserId && !actor.IsAtLeast(Role.Supervisor))
            throw new ForbiddenException($"Only {note.AuthorName} or a supervisor may change this note.");
        await EditableCardAsync(db, note.CardId, ct);
        return note;
    }

    /// <summary>Comments on a case message. A comment cannot be edited or deleted; a cancelled case takes none.</summary>
    public async Task<CommentView> AddCommentAsync(Actor actor, long caseId, long? messageId, string text, CancellationToken ct = default)
    {
        return await _run.RunAsync("Case.AddComment", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw new NotFoundException($"Case {caseId} does not exist.");
            @case.EnsureTakesComments();
            // Every agent reads the case on the card; commenting on it is acting, under the inbox's rule (ADR 014).
            await CaseAccess.EnsureMayActAsync(db, actor, @case, use.Cancellation);
            if (messageId is { } mid && !await db.Messages.AnyAsync(m => m.Id == mid && m.CaseId == caseId, use.Cancellation))
                throw new DomainException($"Message {mid} is not a message of case {caseId}.", "messageId");
            await EditableCardAsync(db, @case.CardId, use.Cancellation);
            var comment = new CaseComment(caseId, messageId, actor.UserId, actor.DisplayName, text, use.Now);
            db.CaseComments.Add(comment);
            db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.CommentAdded, actor.UserId, actor.DisplayName, Text.Preview(comment.Text, 200), use.Now));
            await use.SaveAsync();
            use.Audit(AuditEntity, Id(@case.CardId), "CommentAdded", "comment:" + Id(comment.Id), null, comment.Text);
            use.Publish(new ChangeEvent(ChangeKind.CaseChanged, CardId: @case.CardId, CaseId: caseId, QueueId: @case.QueueId));
            use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: @case.CardId, CaseId: caseId));
            return new CommentView(comment.Id, caseId, messageId, comment.AuthorName, comment.Text, use.Now);
        }, ct);
    }

    /// <summary>
    /// Cancels a case; its comments go with it (seed 002). The inbox's cancel action uses the same rule
    /// through <see cref="RemoveCommentsOfCancelledCaseAsync"/>.
    /// </summary>
    public async Task CancelCaseAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        try
        {
            await _run.RunAsync("Case.Cancel", actor, Role.Agent, async use =>
            {
                var db = use.Db;
                var @case = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw new NotFoundException($"Case {caseId} does not exist.");
                // The inbox's rule: the case is in the agent's queues or theirs, and not another agent's (ADR 014).
                await CaseAccess.EnsureMayHandleAsync(db, actor, @case, use.Cancellation);
                var before = @case.Status;
                @case.Cancel(use.Now);
                var removed = await RemoveCommentsOfCancelledCaseAsync(db, caseId, use.Cancellation);
                db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.StatusChanged, actor.UserId, actor.DisplayName, nameof(CaseStatus.Cancelled), use.Now));
                use.Audit("Case", Id(caseId), "Cancelled", "status", before.ToString(), nameof(CaseStatus.Cancelled));
                if (removed > 0) use.Audit(AuditEntity, Id(@case.CardId), "CommentsRemoved", "case:" + Id(caseId), removed.ToString(CultureInfo.InvariantCulture), "0");
                use.Publish(new ChangeEvent(ChangeKind.CaseChanged, CardId: @case.CardId, CaseId: caseId, QueueId: @case.QueueId));
                use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: @case.CardId, CaseId: caseId));
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("The case changed meanwhile; reload it and try again.");
        }
    }

    /// <summary>Deletes the comments of a case being cancelled, inside the caller's transaction; returns how many went.</summary>
    public static Task<int> RemoveCommentsOfCancelledCaseAsync(AgentWorkspaceDbContext db, long caseId, CancellationToken ct = default) =>
        db.CaseComments.Where(c => c.CaseId == caseId).ExecuteDeleteAsync(ct);
}
