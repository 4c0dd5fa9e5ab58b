using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>
/// The CRM on the customer card (issue 18, seed 001): the "Current interaction" and "Related interactions" sections,
/// link and unlink (with the case's acting rules), "Create new" from the card. Reads of the CRM are bounded by the
/// connection's time-out and fail as one <see cref="CrmException"/> (<see cref="CrmFailure.Unavailable"/> when slow or
/// down), so the card shows one line and a retry while its other parts keep working.
/// </summary>
public sealed class CrmService(
    IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, CrmSettingsService settings, SettingsService appSettings,
    ILogger<CrmService>? logger = null)
{
    /// <summary>Associated records are read for at most this many current records (each is a call to the CRM).</summary>
    public const int ExpandedRecords = 5;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    // ---------------------------------------------------------------- the card's sections

    /// <summary>The two sections for the case being worked: its linked records, the contact's matches, and what is associated with them.</summary>
    public async Task<CrmSections> GetForCaseAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        long cardId;
        List<CrmLink> links;
        Dictionary<long, CrmPushStatus> pushes;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
            await InboxQueries.EnsureVisibleAsync(db, actor, @case, ct);
            cardId = @case.CardId;
            links = await db.CrmLinks.AsNoTracking().Where(l => l.CaseId == caseId && l.UnlinkedAt == null).OrderBy(l => l.Id).ToListAsync(ct);
            pushes = await LatestPushesAsync(db, links.Select(l => l.Id).ToList(), ct);
        }
        return await SectionsAsync(cardId, links, pushes, ct);
    }

    /// <summary>The sections for a card seen without a case (the card page): the contact's matches and what is associated with them.</summary>
    public async Task<CrmSections> GetForCardAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        return await SectionsAsync(cardId, [], [], ct);
    }

    private async Task<CrmSections> SectionsAsync(long cardId, List<CrmLink> links, Dictionary<long, CrmPushStatus> pushes, CancellationToken ct)
    {
        var lookup = await LookupAsync(cardId, ct);
        var active = await settings.ActiveAsync(ct);
        var connector = active.Connector;
        return await CrmCalls.BoundedAsync(active.Timeout, "card sections", _logger, async token =>
        {
            var matches = await connector.FindAsync(lookup, token);
            var byRef = matches.ToDictionary(r => r.Ref);
            var current = new List<CrmCardRecord>();
            var seen = new HashSet<CrmRecordRef>();
            foreach (var link in links)
            {
                var reference = new CrmRecordRef(link.RecordType, link.RecordId);
                if (!seen.Add(reference)) continue;
                CrmRecord record;
                if (!string.Equals(link.ConnectorKind, active.Kind, StringComparison.OrdinalIgnoreCase))
                    record = Snapshot(link, null); // linked in the CRM used before; shown as it was
                else
                    record = byRef.TryGetValue(reference, out var matched) ? matched : await connector.GetAsync(reference, token) ?? Snapshot(link, connector.RecordUrl(reference));
                current.Add(new CrmCardRecord(record, true, link.Id, pushes.GetValueOrDefault(link.Id), []));
            }
            foreach (var match in matches)
                if (seen.Add(match.Ref)) current.Add(new CrmCardRecord(match, false, null, null, []));

            // What the current records bring with them: their children (the arrow), and together the related section.
            var linkOf = links.Where(l => string.Equals(l.ConnectorKind, active.Kind, StringComparison.OrdinalIgnoreCase))
                .GroupBy(l => new CrmRecordRef(l.RecordType, l.RecordId)).ToDictionary(g => g.Key, g => g.First());
            var related = new List<CrmCardRecord>();
            var relatedSeen = new HashSet<CrmRecordRef>(seen);
            for (var i = 0; i < current.Count; i++)
            {
                var item = current[i];
                if (i >= ExpandedRecords + links.Count || !item.Record.Type.IsPersonLevel() || item.Record.Url is null && item.Record.Fields.Count == 0) continue;
                var associated = await connector.GetAssociatedAsync(item.Ref, token);
                var children = associated.Select(a => Card(a, linkOf, pushes)).ToList();
                current[i] = item with { Children = children };
                foreach (var child in children)
                    if (relatedSeen.Add(child.Ref)) related.Add(child);
            }
            related = related.Select((r, index) => (r, index)).OrderBy(x => CrmRelations.Group(x.r.Record)).ThenBy(x => x.index).Select(x => x.r).ToList();
            return new CrmSections(active.Kind, current, related);
        }, ct);
    }

    /// <summary>A record's associated records (the arrow beside a related record), with their link state on <paramref name="caseId"/> when given.</summary>
    public async Task<IReadOnlyList<CrmCardRecord>> GetAssociatedAsync(Actor actor, CrmRecordRef record, long? caseId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(record);
        var links = new Dictionary<CrmRecordRef, CrmLink>();
        var pushes = new Dictionary<long, CrmPushStatus>();
        var active = await settings.ActiveAsync(ct);
        if (caseId is { } id)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw InboxQueries.NotFound(id);
            await InboxQueries.EnsureVisibleAsync(db, actor, @case, ct);
            var list = await db.CrmLinks.AsNoTracking().Where(l => l.CaseId == id && l.UnlinkedAt == null && l.ConnectorKind == active.Kind).ToListAsync(ct);
            links = list.GroupBy(l => new CrmRecordRef(l.RecordType, l.RecordId)).ToDictionary(g => g.Key, g => g.First());
            pushes = await LatestPushesAsync(db, list.Select(l => l.Id).ToList(), ct);
        }
        var associated = await CrmCalls.BoundedAsync(active.Timeout, "associated records", _logger, token => active.Connector.GetAssociatedAsync(record, token), ct);
        return associated.Select(a => Card(a, links, pushes)).ToList();
    }

    private static CrmCardRecord Card(CrmRecord record, IReadOnlyDictionary<CrmRecordRef, CrmLink> links, IReadOnlyDictionary<long, CrmPushStatus> pushes) =>
        links.TryGetValue(record.Ref, out var link)
            ? new CrmCardRecord(record, true, link.Id, pushes.GetValueOrDefault(link.Id), [])
            : new CrmCardRecord(record, false, null, null, []);

    private static CrmRecord Snapshot(CrmLink link, Uri? url) =>
        new(link.RecordType, link.RecordId, link.Title, null, new Dictionary<string, string?>(), url);

    /// <summary>What the card knows to find its CRM records: phones in E.164 and e-mails from the identities and the profile, the name, the company.</summary>
    private async Task<CrmLookup> LookupAsync(long cardId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Where(c => c.Id == cardId)
            .Select(c => new { c.Status, c.MergedIntoId, c.FirstName, c.LastName, c.Company, c.PrimaryEmail, c.SecondaryEmail, c.MobilePhone, c.HomePhone })
            .FirstOrDefaultAsync(ct) ?? throw new NotFoundException($"Card {cardId} does not exist.");
        if (card.Status == CardStatus.Merged && card.MergedIntoId is { } survivor) throw new CardMergedException(cardId, survivor);
        var identities = await db.Identities.AsNoTracking().Where(i => i.CardId == cardId && !i.IsErased && (i.Space == IdentitySpace.Phone || i.Space == IdentitySpace.Email))
            .Select(i => new { i.Space, i.NormalizedAddress }).Take(50).ToListAsync(ct);
        var region = await appSettings.DefaultRegionAsync(ct);
        var phones = identities.Where(i => i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress).ToList();
        foreach (var raw in new[] { card.MobilePhone, card.HomePhone })
            if (PhoneNumber.TryParse(raw, region, out var number, out _)) phones.Add(number!.E164);
        var emails = identities.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress).ToList();
        foreach (var raw in new[] { card.PrimaryEmail, card.SecondaryEmail })
            if (EmailAddress.TryParse(raw, out var email)) emails.Add(email!.Value);
        return new CrmLookup(phones.Distinct(StringComparer.Ordinal).ToList(), emails.Distinct(StringComparer.Ordinal).ToList(), card.FirstName, card.LastName, card.Company);
    }

    // ---------------------------------------------------------------- links

    /// <summary>The case's links (active ones, or all with <paramref name="includeUnlinked"/>), each with the state of its latest push.</summary>
    public async Task<IReadOnlyList<CrmLinkView>> GetLinksAsync(Actor actor, long caseId, bool includeUnlinked = false, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
        await InboxQueries.EnsureVisibleAsync(db, actor, @case, ct);
        var q = db.CrmLinks.AsNoTracking().Where(l => l.CaseId == caseId);
        if (!includeUnlinked) q = q.Where(l => l.UnlinkedAt == null);
        var links = await q.OrderBy(l => l.Id).ToListAsync(ct);
        var pushes = await LatestPushesAsync(db, links.Select(l => l.Id).ToList(), ct);
        var active = await settings.ActiveAsync(ct);
        return links.Select(l => View(l, pushes.GetValueOrDefault(l.Id), active)).ToList();
    }

    private static CrmLinkView View(CrmLink l, CrmPushStatus? push, ActiveCrm active) =>
        new(l.Id, l.CaseId, l.ConnectorKind, l.RecordType, l.RecordId, l.Title,
            string.Equals(l.ConnectorKind, active.Kind, StringComparison.OrdinalIgnoreCase) ? active.Connector.RecordUrl(new CrmRecordRef(l.RecordType, l.RecordId)) : null,
            l.CreatedByName, l.CreatedAt, l.UnlinkedAt, push);

    private static async Task<Dictionary<long, CrmPushStatus>> LatestPushesAsync(AgentWorkspaceDbContext db, List<long> linkIds, CancellationToken ct)
    {
        if (linkIds.Count == 0) return [];
        var rows = await db.CrmPushes.AsNoTracking().Where(p => linkIds.Contains(p.LinkId))
            .Select(p => new { p.LinkId, p.Id, p.State, p.LastError, p.Attempts, p.CreatedAt, p.SentAt }).ToListAsync(ct);
        return rows.GroupBy(r => r.LinkId).ToDictionary(g => g.Key, g =>
        {
            var p = g.MaxBy(r => r.Id)!;
            return new CrmPushStatus(p.Id, p.State, p.LastError, p.Attempts, p.CreatedAt, p.SentAt);
        });
    }

    /// <summary>
    /// Links a record of the connected CRM to the case ("Lier", seed 001): the agent must be allowed to work the case;
    /// the same record twice on one case is a conflict; a record the CRM does not have is not found.
    /// </summary>
    public async Task<CrmLinkView> LinkAsync(Actor actor, long caseId, CrmRecordRef record, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(record);
        if (!Enum.IsDefined(record.Type)) throw new DomainException("Unknown CRM record type.", "type") { Code = "CrmTypeUnknown" };
        if (string.IsNullOrWhiteSpace(record.Id) || record.Id.Length > 100) throw new DomainException("The record's id is required (at most 100 characters).", "id") { Code = "CrmIdRequired" };
        await CheckCaseAsync(actor, caseId, ct);
        var active = await settings.ActiveAsync(ct);
        var found = await CrmCalls.BoundedAsync(active.Timeout, "link", _logger, token => active.Connector.GetAsync(record, token), ct)
            ?? throw new NotFoundException($"The CRM has no {record.Type.WireName()} '{record.Id}'.");
        var view = await AddLinkAsync(actor, caseId, active, found, CaseEventType.CrmLinked, ct);
        return view;
    }

    private async Task<CrmLinkView> AddLinkAsync(Actor actor, long caseId, ActiveCrm active, CrmRecord record, CaseEventType eventType, CancellationToken ct) =>
        await run.RunAsync(eventType == CaseEventType.CrmLinked ? "Crm.Link" : "Crm.CreateRecord", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var @case = await WorkableCaseAsync(db, actor, caseId, use.Cancellation);
            if (await db.CrmLinks.AnyAsync(l => l.CaseId == caseId && l.UnlinkedAt == null && l.ConnectorKind == active.Kind
                                               && l.RecordType == record.Type && l.RecordId == record.Id, use.Cancellation))
                throw new ConflictException($"{record.Title} is already linked to this case.", "id") { Code = "CrmAlreadyLinked", Args = [record.Title] };
            var link = new CrmLink(caseId, active.Kind, record.Type, record.Id, record.Title, actor.UserId, actor.DisplayName, use.Now);
            db.CrmLinks.Add(link);
            await use.SaveAsync();
            db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, eventType, actor.UserId, actor.DisplayName, $"{record.Type} · {link.Title}", use.Now));
            if (eventType == CaseEventType.CrmRecordCreated)
                use.Audit("CrmRecord", $"{active.Kind}:{record.Type.WireName()}:{record.Id}", "Created", null, null, link.Title);
            use.Audit("CrmLink", link.Id.ToString(CultureInfo.InvariantCulture), "Linked", "record", null, $"{active.Kind}:{record.Type.WireName()}:{record.Id}");
            Publish(use, @case);
            return View(link, null, active);
        }, ct);

    /// <summary>Unlinks ("Lié" clicked, seed 001): nothing is pushed to the record any more, including a push still waiting. A link that is gone is not found.</summary>
    public async Task UnlinkAsync(Actor actor, long caseId, long linkId, CancellationToken ct = default)
    {
        await run.RunAsync("Crm.Unlink", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var link = await db.CrmLinks.FirstOrDefaultAsync(l => l.Id == linkId && l.CaseId == caseId, use.Cancellation);
            if (link is null || !link.IsActive) throw new NotFoundException($"Link {linkId} of case {caseId} does not exist (any more).");
            var @case = await WorkableCaseAsync(db, actor, caseId, use.Cancellation);
            link.Unlink(actor.UserId, actor.DisplayName, use.Now);
            foreach (var push in await db.CrmPushes.Where(p => p.LinkId == linkId && p.State == CrmPushState.Pending).ToListAsync(use.Cancellation))
                push.Skip("The record was unlinked before the push.");
            db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.CrmUnlinked, actor.UserId, actor.DisplayName, $"{link.RecordType} · {link.Title}", use.Now));
            use.Audit("CrmLink", linkId.ToString(CultureInfo.InvariantCulture), "Unlinked", "record", $"{link.ConnectorKind}:{link.RecordType.WireName()}:{link.RecordId}", null);
            Publish(use, @case);
        }, ct);
    }

    private static void Publish(UseCase use, Case @case)
    {
        use.Publish(new ChangeEvent(ChangeKind.CrmChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
        // The case's history gained a line.
        use.Publish(new ChangeEvent(ChangeKind.CaseChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
    }

    /// <summary>The case, one the actor may handle (<see cref="CaseAccess"/>, ADR 014), read before calling the CRM.</summary>
    private async Task<Case> CheckCaseAsync(Actor actor, long caseId, CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await WorkableCaseAsync(db, actor, caseId, ct);
    }

    private static async Task<Case> WorkableCaseAsync(AgentWorkspaceDbContext db, Actor actor, long caseId, CancellationToken ct)
    {
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
        await CaseAccess.EnsureMayHandleAsync(db, actor, @case, ct);
        return @case;
    }

    // ---------------------------------------------------------------- create from the card

    /// <summary>The "Create new" dialog's starting values: the card's name, e-mail, phone and company; the case's title and the contact's latest words.</summary>
    public async Task<CrmPrefill> GetPrefillAsync(Actor actor, long cardId, long? caseId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Where(c => c.Id == cardId)
            .Select(c => new { c.FirstName, c.LastName, c.Company, c.PrimaryEmail, c.MobilePhone, c.HomePhone }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException($"Card {cardId} does not exist.");
        var identities = await db.Identities.AsNoTracking().Where(i => i.CardId == cardId && !i.IsErased && (i.Space == IdentitySpace.Phone || i.Space == IdentitySpace.Email))
            .OrderBy(i => i.Id).Select(i => new { i.Space, i.NormalizedAddress }).Take(20).ToListAsync(ct);
        string? subject = null, description = null;
        if (caseId is { } id)
        {
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id && c.CardId == cardId, ct) ?? throw InboxQueries.NotFound(id);
            await InboxQueries.EnsureVisibleAsync(db, actor, @case, ct);
            subject = @case.Title;
            var lines = await db.Messages.AsNoTracking().Where(m => m.CaseId == id).OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Take(5)
                .Select(m => new { m.Direction, m.AuthorName, m.Text }).ToListAsync(ct);
            lines.Reverse();
            description = lines.Count == 0 ? null : string.Join("\n", lines.Select(l => $"{l.AuthorName}: {Text.Preview(l.Text, 600)}"));
            if (description is { Length: > 4000 }) description = description[^4000..];
        }
        return new CrmPrefill(card.FirstName, card.LastName,
            card.PrimaryEmail ?? identities.FirstOrDefault(i => i.Space == IdentitySpace.Email)?.NormalizedAddress,
            card.MobilePhone ?? card.HomePhone ?? identities.FirstOrDefault(i => i.Space == IdentitySpace.Phone)?.NormalizedAddress,
            card.Company, subject, description);
    }

    /// <summary>
    /// Creates a record in the connected CRM from the card ("Créer un nouveau", seed 001), and links it to the case when
    /// <paramref name="linkToCaseId"/> is given. The type must be one the administrators allow; an invalid e-mail or
    /// phone is refused before the CRM is called, naming the field; the CRM's own refusal names its field too.
    /// A new case without a contact is attached to the card's best matching contact.
    /// </summary>
    public async Task<CreatedCrmRecord> CreateRecordAsync(Actor actor, long cardId, CrmNewRecord record, long? linkToCaseId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(record);
        if (!Enum.IsDefined(record.Type)) throw new DomainException("Unknown CRM record type.", "type") { Code = "CrmTypeUnknown" };
        var active = await settings.ActiveAsync(ct);
        if (!active.CreatableTypes.Contains(record.Type))
            throw new DomainException($"Agents may not create a {record.Type.WireName()} in the CRM.", "type") { Code = "CrmTypeNotAllowed", Args = [record.Type.WireName()] };
        var fields = await CleanFieldsAsync(record, ct);

        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            var card = await db.Cards.AsNoTracking().Where(c => c.Id == cardId).Select(c => new { c.Status, c.MergedIntoId }).FirstOrDefaultAsync(ct)
                ?? throw new NotFoundException($"Card {cardId} does not exist.");
            if (card.Status == CardStatus.Merged && card.MergedIntoId is { } survivor) throw new CardMergedException(cardId, survivor);
            if (linkToCaseId is { } caseId)
            {
                var @case = await WorkableCaseAsync(db, actor, caseId, ct);
                if (@case.CardId != cardId)
                    throw new DomainException($"Case {caseId} is not a case of card {cardId}.", "linkToCaseId") { Code = "CrmCaseNotOfCard" };
            }
        }

        if (record.Type == CrmRecordType.Case && !fields.ContainsKey(CrmFields.ContactId))
        {
            var lookup = await LookupAsync(cardId, ct);
            var best = await CrmCalls.BoundedAsync(active.Timeout, "create (contact look-up)", _logger, token => active.Connector.FindAsync(lookup, token), ct);
            if (best.FirstOrDefault(r => r.Type == CrmRecordType.Contact) is { } contact) fields[CrmFields.ContactId] = contact.Id;
        }
        var created = await CrmCalls.BoundedAsync(active.Timeout, "create", _logger,
            token => active.Connector.CreateAsync(new CrmNewRecord(record.Type, fields), token), ct);

        if (linkToCaseId is { } linkCase)
        {
            var link = await AddLinkAsync(actor, linkCase, active, created, CaseEventType.CrmRecordCreated, ct);
            return new CreatedCrmRecord(created, link.Id);
        }
        await run.RunAsync("Crm.CreateRecord", actor, Role.Agent, use =>
        {
            use.Audit("CrmRecord", $"{active.Kind}:{created.Type.WireName()}:{created.Id}", "Created", "card", null, cardId.ToString(CultureInfo.InvariantCulture));
            use.Publish(new ChangeEvent(ChangeKind.CrmChanged, cardId));
            return Task.CompletedTask;
        }, ct);
        return new CreatedCrmRecord(created, null);
    }

    /// <summary>The fields by our names, trimmed; unknown names refused; e-mail lower-cased and phone in E.164, or refused naming the field.</summary>
    private async Task<Dictionary<string, string?>> CleanFieldsAsync(CrmNewRecord record, CancellationToken ct)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (name, value) in record.Fields ?? new Dictionary<string, string?>())
        {
            if (!CrmFields.All.Contains(name, StringComparer.Ordinal))
                throw new DomainException($"'{name}' is not a field of a new record; known: {string.Join(", ", CrmFields.All)}.", name) { Code = "CrmFieldUnknown", Args = [name] };
            var clean = Text.Clean(value, name == CrmFields.Description ? 4000 : 200, name);
            if (clean is not null) fields[name] = clean;
        }
        if (fields.TryGetValue(CrmFields.Email, out var email))
        {
            if (!EmailAddress.TryParse(email, out var parsed))
                throw new DomainException($"'{email}' is not a valid e-mail address.", CrmFields.Email) { Code = "CrmEmailInvalid", Args = [email!] };
            fields[CrmFields.Email] = parsed!.Value;
        }
        if (fields.TryGetValue(CrmFields.Phone, out var phone))
        {
            if (!PhoneNumber.TryParse(phone, await appSettings.DefaultRegionAsync(ct), out var parsed, out _))
                throw new DomainException($"'{phone}' is not a valid phone number.", CrmFields.Phone) { Code = "CrmPhoneInvalid", Args = [phone!] };
            fields[CrmFields.Phone] = parsed!.E164;
        }
        switch (record.Type)
        {
            case CrmRecordType.Contact or CrmRecordType.Lead when !fields.ContainsKey(CrmFields.LastName):
                throw new DomainException("The last name is required.", CrmFields.LastName) { Code = "CrmLastNameRequired" };
            case CrmRecordType.Case when !fields.ContainsKey(CrmFields.Subject):
                throw new DomainException("The subject is required.", CrmFields.Subject) { Code = "CrmSubjectRequired" };
            case CrmRecordType.Account when !fields.ContainsKey(CrmFields.Company):
                throw new DomainException("The account's name is required.", CrmFields.Company) { Code = "CrmNameRequired" };
        }
        return fields;
    }
}
