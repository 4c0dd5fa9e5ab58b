using System.Globalization;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Privacy;

/// <summary>
/// The CRM part of an erasure (docs/decisions/010, "The CRM"): our links and pushes of the contact's cases, the
/// activities they put in the built-in CRM, and the built-in CRM's records of the person. Runs inside the
/// anonymization's use case, set-based, after <see cref="ReadKeysAsync"/> has read the cards' addresses.
/// </summary>
internal static class CrmErasure
{
    private const string Erased = PrivacyService.Erased;
    private const string BuiltIn = BuiltInCrmKind.Name;

    /// <summary>What an erased push's payload holds: nothing of the interaction, and never sent again (its state is no longer pending).</summary>
    public const string ErasedPayload = "{\"erased\":true}";

    /// <summary>The contact's e-mail addresses (lower case) and phone numbers (E.164), from identities and profiles, read before they are erased.</summary>
    public sealed record Keys(List<string> Emails, List<string> Phones);

    /// <summary>A record of an outside CRM that held the contact's data: the administrator erases it there (by its id).</summary>
    public sealed record OutsideRecord(string Kind, string Type, string Id);

    private sealed record Ref(string Kind, CrmRecordType Type, string Id)
    {
        public string Key => $"{Kind}:{Type.WireName()}:{Id}";
    }

    /// <summary>
    /// The addresses the built-in CRM is searched by: the same the card's CRM section uses to show a record as the
    /// contact's (<see cref="CrmService"/>'s look-up), on every card being erased.
    /// </summary>
    public static async Task<Keys> ReadKeysAsync(AgentWorkspaceDbContext db, List<long> cardIds, CancellationToken ct)
    {
        var identities = await db.Identities.Where(i => cardIds.Contains(i.CardId) && !i.IsErased && (i.Space == IdentitySpace.Phone || i.Space == IdentitySpace.Email))
            .Select(i => new { i.Space, i.NormalizedAddress }).ToListAsync(ct);
        // A projection reads the stored values, not those of the tracked cards the use case is erasing.
        var profiles = await db.Cards.Where(c => cardIds.Contains(c.Id))
            .Select(c => new { c.PrimaryEmail, c.SecondaryEmail, c.MobilePhone, c.HomePhone }).ToListAsync(ct);
        var emails = identities.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress)
            .Concat(profiles.SelectMany(p => new[] { p.PrimaryEmail, p.SecondaryEmail }).OfType<string>());
        var phones = identities.Where(i => i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress)
            .Concat(profiles.SelectMany(p => new[] { p.MobilePhone, p.HomePhone }).OfType<string>());
        return new Keys(
            emails.Where(e => e.Length > 0).Distinct(StringComparer.Ordinal).ToList(),
            phones.Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList());
    }

    /// <summary>
    /// Erases the CRM data of the cards <paramref name="cardIds"/> and their cases <paramref name="caseIds"/>; answers the
    /// outside CRMs' records and activities that held it, which this app cannot erase.
    /// </summary>
    public static async Task<List<OutsideRecord>> EraseAsync(AgentWorkspaceDbContext db, Domain.Identity.Actor actor, DateTimeOffset now,
        List<long> cardIds, List<long> caseIds, Keys keys, CancellationToken ct)
    {
        var cardKeys = cardIds.Select(Id).ToList();
        var emails = keys.Emails;
        var phones = keys.Phones;

        // ---- whose records: read everything first, then write.
        var links = await db.CrmLinks.Where(l => caseIds.Contains(l.CaseId))
            .Select(l => new { l.Id, l.ConnectorKind, l.RecordType, l.RecordId }).ToListAsync(ct);
        // A record created from a card without being linked to a case is known from the audit only.
        var createdFromCards = await db.Audit
            .Where(a => a.EntityType == "CrmRecord" && a.Action == "Created" && a.Field == "card" && a.After != null && cardKeys.Contains(a.After))
            .Select(a => a.EntityId).ToListAsync(ct);
        var refs = links.Select(l => new Ref(l.ConnectorKind, l.RecordType, l.RecordId))
            .Concat(createdFromCards.Select(Parse).OfType<Ref>())
            .Distinct().ToList();
        List<long> Referenced(CrmRecordType type) => refs
            .Where(r => r.Kind == BuiltIn && r.Type == type && BuiltInCrmConnector.TryId(r.Id, out _))
            .Select(r => long.Parse(r.Id, NumberStyles.None, CultureInfo.InvariantCulture)).Distinct().ToList();
        var referencedContacts = Referenced(CrmRecordType.Contact);
        var referencedLeads = Referenced(CrmRecordType.Lead);
        var referencedCases = Referenced(CrmRecordType.Case);

        // The person in the built-in CRM: contacts and leads referenced by their cases or cards, or holding one of their
        // addresses; leads converted into such a contact; CRM cases referenced, or of such a contact.
        var contactIds = await db.CrmContacts
            .Where(c => referencedContacts.Contains(c.Id) || (c.Email != null && emails.Contains(c.Email)) || (c.Phone != null && phones.Contains(c.Phone)))
            .Select(c => c.Id).ToListAsync(ct);
        var leadIds = await db.CrmLeads
            .Where(l => referencedLeads.Contains(l.Id) || (l.Email != null && emails.Contains(l.Email)) || (l.Phone != null && phones.Contains(l.Phone))
                        || (l.ConvertedContactId != null && contactIds.Contains(l.ConvertedContactId.Value)))
            .Select(l => l.Id).ToListAsync(ct);
        var crmCaseIds = await db.CrmCases
            .Where(k => referencedCases.Contains(k.Id) || (k.ContactId != null && contactIds.Contains(k.ContactId.Value)))
            .Select(k => k.Id).ToListAsync(ct);
        var householdIds = await db.CrmContacts.Where(c => contactIds.Contains(c.Id) && c.HouseholdId != null)
            .Select(c => c.HouseholdId!.Value).Distinct().ToListAsync(ct);
        var pushes = await db.CrmPushes.Where(p => caseIds.Contains(p.CaseId))
            .Select(p => new { p.Id, p.ConnectorKind, p.ExternalId }).ToListAsync(ct);

        var outside = refs.Where(r => r.Kind != BuiltIn).Select(r => new OutsideRecord(r.Kind, r.Type.WireName(), r.Id))
            .Concat(pushes.Where(p => p.ConnectorKind != BuiltIn && p.ExternalId != null).Select(p => new OutsideRecord(p.ConnectorKind, "activity", p.ExternalId!)))
            .Distinct().OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Type, StringComparer.Ordinal).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

        // ---- the built-in CRM
        // Activities of records that go, with them; those the contact's cases pushed to records that stay (an account,
        // a CRM case) keep their row, channel, queue, agent, disposition and times, without the text.
        await db.CrmActivities.Where(a => (a.RecordType == CrmRecordType.Contact && contactIds.Contains(a.RecordId))
                                          || (a.RecordType == CrmRecordType.Lead && leadIds.Contains(a.RecordId)))
            .ExecuteDeleteAsync(ct);
        var pushedKeys = db.CrmPushes.Where(p => caseIds.Contains(p.CaseId)).Select(p => p.IdempotencyKey);
        await db.CrmActivities.Where(a => pushedKeys.Contains(a.IdempotencyKey) || (a.RecordType == CrmRecordType.Case && crmCaseIds.Contains(a.RecordId)))
            .ExecuteUpdateAsync(s => s
                .SetProperty(a => a.Subject, Erased)
                .SetProperty(a => a.ContactName, a => a.ContactName == null ? null : Erased)
                .SetProperty(a => a.Notes, a => a.Notes == null ? null : Erased), ct);
        // CRM cases stay (number, status, priority, account, date): the subject and description quote the conversation.
        await db.CrmCases.Where(k => crmCaseIds.Contains(k.Id))
            .ExecuteUpdateAsync(s => s
                .SetProperty(k => k.Subject, Erased)
                .SetProperty(k => k.Description, (string?)null)
                .SetProperty(k => k.ContactId, k => k.ContactId != null && contactIds.Contains(k.ContactId.Value) ? (long?)null : k.ContactId), ct);
        // Accounts are organisations, shared with other people: they stay, without the person's address or number.
        await db.CrmAccounts.Where(a => a.Email != null && emails.Contains(a.Email)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Email, (string?)null), ct);
        await db.CrmAccounts.Where(a => a.Phone != null && phones.Contains(a.Phone)).ExecuteUpdateAsync(s => s.SetProperty(a => a.Phone, (string?)null), ct);
        // The person's contacts and leads are the person: deleted, with their places at accounts.
        await db.CrmAccountContacts.Where(r => contactIds.Contains(r.ContactId)).ExecuteDeleteAsync(ct);
        await db.CrmLeads.Where(l => leadIds.Contains(l.Id)).ExecuteDeleteAsync(ct);
        await db.CrmContacts.Where(c => contactIds.Contains(c.Id)).ExecuteDeleteAsync(ct);
        // A household nobody else belongs to was the person's alone; one shared with others stays as it is.
        await db.CrmHouseholds.Where(h => householdIds.Contains(h.Id) && !db.CrmContacts.Any(c => c.HouseholdId == h.Id)).ExecuteDeleteAsync(ct);

        // ---- our links and pushes
        // A link keeps that it existed, who made it, the record's id (an id, not a value about the person); the title
        // snapshot goes, and an active link is ended: nothing is pushed to the record any more.
        await db.CrmLinks.Where(l => caseIds.Contains(l.CaseId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(l => l.Title, Erased)
                .SetProperty(l => l.UnlinkedById, l => l.UnlinkedAt == null ? actor.UserId : l.UnlinkedById)
                .SetProperty(l => l.UnlinkedByName, l => l.UnlinkedAt == null ? actor.DisplayName : l.UnlinkedByName)
                .SetProperty(l => l.UnlinkedAt, l => l.UnlinkedAt ?? now), ct);
        // A push keeps its state, tries, times and ids; the interaction it carried goes, and one that had not left (or
        // had failed, and could be retried) never leaves.
        await db.CrmPushes.Where(p => caseIds.Contains(p.CaseId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(p => p.Payload, ErasedPayload)
                .SetProperty(p => p.LastError, p => p.LastError != null || p.State == CrmPushState.Pending || p.State == CrmPushState.Failed ? Erased : null)
                .SetProperty(p => p.State, p => p.State == CrmPushState.Pending || p.State == CrmPushState.Failed ? CrmPushState.Skipped : p.State), ct);

        // ---- the audit of it: a link's record, a push's outcome (the CRM's message), a created record's title.
        var linkKeys = links.Select(l => Id(l.Id)).ToList();
        var pushKeys = pushes.Select(p => Id(p.Id)).ToList();
        var recordKeys = refs.Select(r => r.Key)
            .Concat(contactIds.Select(id => new Ref(BuiltIn, CrmRecordType.Contact, Id(id)).Key))
            .Concat(leadIds.Select(id => new Ref(BuiltIn, CrmRecordType.Lead, Id(id)).Key))
            .Concat(crmCaseIds.Select(id => new Ref(BuiltIn, CrmRecordType.Case, Id(id)).Key))
            .Distinct(StringComparer.Ordinal).ToList();
        await db.Audit.Where(a => (a.EntityType == "CrmLink" && linkKeys.Contains(a.EntityId)) || (a.EntityType == "CrmPush" && pushKeys.Contains(a.EntityId))
                                  || (a.EntityType == "CrmRecord" && recordKeys.Contains(a.EntityId)))
            .Where(a => a.Before != null || a.After != null)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Before, a => a.Before == null ? null : Erased).SetProperty(a => a.After, a => a.After == null ? null : Erased), ct);
        return outside;
    }

    /// <summary>"kind:type:id", as the CRM's audit entries name a record.</summary>
    private static Ref? Parse(string entityId)
    {
        var parts = entityId.Split(':', 3);
        return parts.Length == 3 && parts[0].Length > 0 && parts[2].Length > 0 && CrmRecordTypes.TryParse(parts[1], out var type) ? new Ref(parts[0], type, parts[2]) : null;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
