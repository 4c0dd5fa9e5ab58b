using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Cards;

public sealed partial class CardService
{
    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private AuditEntry Audit(Actor actor, DateTimeOffset at, long cardId, string action, string? field = null, string? before = null, string? after = null) =>
        new(at, actor.UserId, actor.DisplayName, AuditEntity, Id(cardId), action, field, before, after);

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
        var card = new CustomerCard(profile, region, now);
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
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var (source, address, field) in addresses)
        {
            var owner = await db.Identities.Where(i => i.Space == address.Space && i.NormalizedAddress == address.Normalized).Select(i => (long?)i.CardId).FirstOrDefaultAsync(ct);
            if (owner is not null) throw new ConflictException($"'{source.Address}' already belongs to card {owner}.", field);
            try
            {
                card.AddIdentity(source.Channel, source.Address, address, now, source.DisplayName, source.ProfileUrl, source.Followers, source.Following);
            }
            catch (DomainException ex) when (ex is not ConflictException)
            {
                throw new DomainException(ex.Message, field.Replace(".address", "." + (ex.Field ?? "address").Replace("from.", ""), StringComparison.Ordinal));
            }
        }
        db.Cards.Add(card);
        try
        {
            await db.SaveChangesAsync(ct);
            db.Audit.Add(Audit(actor, now, card.Id, "Created", "card", null, card.DisplayName));
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the identities was just taken by another card; search for it and merge instead.", "identities");
        }
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: card.Id, ActorId: actor.UserId));
        return card.Id;
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
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var card = await EditableCardAsync(db, cardId, ct);
        if (card.Version != expectedVersion) throw Conflict(card, mine, read);
        var changes = card.UpdateProfile(profile, region, now);
        if (changes.Count == 0) return card.Version;
        foreach (var (field, before, after) in changes) db.Audit.Add(Audit(actor, now, cardId, "ProfileUpdated", field, before, after));
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            await using var fresh = await _dbFactory.CreateDbContextAsync(ct);
            var current = await fresh.Cards.AsNoTracking().FirstAsync(c => c.Id == cardId, ct);
            throw Conflict(current, mine, read);
        }
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId, ActorId: actor.UserId));
        return card.Version;
    }

    private static ProfileConflictException Conflict(CustomerCard current, Dictionary<string, string?> mine, Dictionary<string, string?>? read)
    {
        var theirs = current.Snapshot();
        var changedByMe = read is null ? mine.Keys.ToHashSet() : mine.Keys.Where(k => !string.Equals(mine[k], read[k], StringComparison.Ordinal)).ToHashSet();
        // A field is in question when this agent changed it and the other agent changed it too, to something else.
        var fields = mine.Where(kv => changedByMe.Contains(kv.Key) && !string.Equals(kv.Value, theirs[kv.Key], StringComparison.Ordinal)
                && (read is null || !string.Equals(read[kv.Key], theirs[kv.Key], StringComparison.Ordinal)))
            .Select(kv => new FieldConflict(kv.Key, kv.Value, theirs[kv.Key])).ToList();
        var merged = theirs.ToDictionary(kv => kv.Key, kv => changedByMe.Contains(kv.Key) ? mine[kv.Key] : kv.Value);
        return new ProfileConflictException(current.Id, current.Version, current.Profile, fields) { Mine = FromSnapshot(merged) };
    }

    internal static CardProfile FromSnapshot(IReadOnlyDictionary<string, string?> v) => new()
    {
        FirstName = v["firstName"], LastName = v["lastName"], Company = v["company"],
        Gender = Enum.TryParse<Gender>(v["gender"], out var g) ? g : Gender.Unspecified,
        JobTitle = v["jobTitle"], City = v["city"], Category = v["category"], RelationshipType = v["relationshipType"],
        PreferredChannel = Enum.TryParse<Channel>(v["preferredChannel"], out var pc) ? pc : null,
        Tags = string.IsNullOrEmpty(v["tags"]) ? [] : v["tags"]!.Split('|'),
        AvatarUrl = v["avatarUrl"], PrimaryEmail = v["primaryEmail"], SecondaryEmail = v["secondaryEmail"],
        MobilePhone = v["mobilePhone"], HomePhone = v["homePhone"],
    };

    /// <summary>Sets (or clears, with null or blank) a custom field's value, validated by the field's type; only editable fields.</summary>
    public async Task<string?> SetCustomFieldAsync(Actor actor, long cardId, string ident, string? value, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var region = await _settings.DefaultRegionAsync(ct);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var field = await db.CustomFields.AsNoTracking().FirstOrDefaultAsync(f => f.Ident == ident && !f.IsArchived, ct)
            ?? throw new NotFoundException($"There is no custom field '{ident}'.");
        if (!field.Editable) throw new FieldReadOnlyException(ident, field.Label);
        var normalized = field.NormalizeValue(value, region);
        await EditableCardAsync(db, cardId, ct);
        var row = await db.CustomFieldValues.FirstOrDefaultAsync(v => v.CardId == cardId && v.FieldId == field.Id, ct);
        var before = row?.Value;
        if (string.Equals(before, normalized, StringComparison.Ordinal)) return normalized;
        if (normalized is null) db.CustomFieldValues.Remove(row!);
        else if (row is null) db.CustomFieldValues.Add(new CustomFieldValue(cardId, field.Id, normalized, now));
        else row.Set(normalized, now);
        db.Audit.Add(Audit(actor, now, cardId, "CustomFieldSet", "cf:" + field.Ident, before, normalized));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId, ActorId: actor.UserId));
        return normalized;
    }

    public async Task<NoteView> AddNoteAsync(Actor actor, long cardId, string text, long? caseId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await EditableCardAsync(db, cardId, ct);
        if (caseId is { } cid && !await db.Cases.AnyAsync(c => c.Id == cid && c.CardId == cardId, ct))
            throw new DomainException($"Case {cid} is not a case of this card.", "caseId");
        var note = new Note(cardId, caseId, actor.UserId, actor.DisplayName, text, now);
        db.Notes.Add(note);
        await db.SaveChangesAsync(ct);
        db.Audit.Add(Audit(actor, now, cardId, "NoteAdded", "note:" + Id(note.Id), null, note.Text));
        if (caseId is { } c2) db.CaseEvents.Add(new CaseEvent(c2, cardId, CaseEventType.NoteAdded, actor.UserId, actor.DisplayName, Text.Preview(note.Text, 200), now));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: cardId, ActorId: actor.UserId));
        return new NoteView(note.Id, note.CaseId, note.AuthorId, note.AuthorName, note.Text, note.CreatedAt, note.UpdatedAt);
    }

    /// <summary>The author edits their note (a supervisor any note); the previous text stays in the audit.</summary>
    public async Task<NoteView> EditNoteAsync(Actor actor, long noteId, string text, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var note = await NoteForChangeAsync(db, actor, noteId, ct);
        var previous = note.Edit(text, now);
        if (string.Equals(previous, note.Text, StringComparison.Ordinal)) return View(note);
        db.Audit.Add(Audit(actor, now, note.CardId, "NoteEdited", "note:" + Id(note.Id), previous, note.Text));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: note.CardId, ActorId: actor.UserId));
        return View(note);
    }

    public async Task DeleteNoteAsync(Actor actor, long noteId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var note = await NoteForChangeAsync(db, actor, noteId, ct);
        db.Notes.Remove(note);
        db.Audit.Add(Audit(actor, now, note.CardId, "NoteDeleted", "note:" + Id(note.Id), note.Text, null));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: note.CardId, ActorId: actor.UserId));
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
        actor.Require(Role.Agent);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw new NotFoundException($"Case {caseId} does not exist.");
        if (@case.Status == CaseStatus.Cancelled) throw new DomainException("This case was cancelled; it takes no more comments.", "caseId");
        if (messageId is { } mid && !await db.Messages.AnyAsync(m => m.Id == mid && m.CaseId == caseId, ct))
            throw new DomainException($"Message {mid} is not a message of case {caseId}.", "messageId");
        await EditableCardAsync(db, @case.CardId, ct);
        var comment = new CaseComment(caseId, messageId, actor.UserId, actor.DisplayName, text, now);
        db.CaseComments.Add(comment);
        db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.CommentAdded, actor.UserId, actor.DisplayName, Text.Preview(comment.Text, 200), now));
        await db.SaveChangesAsync(ct);
        db.Audit.Add(Audit(actor, now, @case.CardId, "CommentAdded", "comment:" + Id(comment.Id), null, comment.Text));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        _feed.Publish(new ChangeEvent(ChangeKind.CaseChanged, CardId: @case.CardId, CaseId: caseId, QueueId: @case.QueueId, ActorId: actor.UserId));
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: @case.CardId, CaseId: caseId, ActorId: actor.UserId));
        return new CommentView(comment.Id, caseId, messageId, comment.AuthorName, comment.Text, now);
    }

    /// <summary>
    /// Cancels a case; its comments go with it (seed 002). The inbox's cancel action uses the same rule
    /// through <see cref="RemoveCommentsOfCancelledCaseAsync"/>.
    /// </summary>
    public async Task CancelCaseAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var now = _clock.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var @case = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw new NotFoundException($"Case {caseId} does not exist.");
        var before = @case.Status;
        @case.Cancel(now);
        var removed = await RemoveCommentsOfCancelledCaseAsync(db, caseId, ct);
        db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.StatusChanged, actor.UserId, actor.DisplayName, nameof(CaseStatus.Cancelled), now));
        db.Audit.Add(new AuditEntry(now, actor.UserId, actor.DisplayName, "Case", Id(caseId), "Cancelled", "status", before.ToString(), nameof(CaseStatus.Cancelled)));
        if (removed > 0) db.Audit.Add(Audit(actor, now, @case.CardId, "CommentsRemoved", "case:" + Id(caseId), removed.ToString(CultureInfo.InvariantCulture), "0"));
        try
        {
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("The case changed meanwhile; reload it and try again.");
        }
        _feed.Publish(new ChangeEvent(ChangeKind.CaseChanged, CardId: @case.CardId, CaseId: caseId, QueueId: @case.QueueId, ActorId: actor.UserId));
        _feed.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: @case.CardId, CaseId: caseId, ActorId: actor.UserId));
    }

    /// <summary>Deletes the comments of a case being cancelled, inside the caller's transaction; returns how many went.</summary>
    public static Task<int> RemoveCommentsOfCancelledCaseAsync(AgentWorkspaceDbContext db, long caseId, CancellationToken ct = default) =>
        db.CaseComments.Where(c => c.CaseId == caseId).ExecuteDeleteAsync(ct);
}
