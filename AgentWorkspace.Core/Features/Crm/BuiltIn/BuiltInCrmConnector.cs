using System.Globalization;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Crm.BuiltIn;

/// <summary>The built-in CRM as a connector kind: the default connection, nothing to configure.</summary>
public sealed class BuiltInCrmKind(BuiltInCrmConnector connector) : ICrmConnectorKind
{
    public const string Name = "builtin";
    public string Kind => Name;
    public ICrmConnector Create(CrmConnection connection) => connector;
}

/// <summary>
/// <see cref="ICrmConnector"/> over the built-in CRM's tables (issue 18). Look-ups are index seeks: E.164 phone,
/// lower-case e-mail, folded full name, folded company. Creating a record and recording a push are use cases of
/// the system actor (ADR 008); a push's idempotency key is unique in <c>CrmActivities</c>, so the same push twice
/// is one activity. A record's address is our own page, <c>/crm/{type}/{id}</c>.
/// </summary>
public sealed class BuiltInCrmConnector(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run) : ICrmConnector
{
    /// <summary>At most this many records per look-up and per association.</summary>
    public const int Limit = 20;

    public string Kind => BuiltInCrmKind.Name;

    public async Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var phones = lookup.PhonesE164.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => p.Trim()).Distinct(StringComparer.Ordinal).Take(10).ToList();
        var emails = lookup.Emails.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal).Take(10).ToList();
        var name = Text.Fold(CrmText.FullName(lookup.FirstName, lookup.LastName));
        // A lone first or last name matches too many people to be a match.
        if (string.IsNullOrWhiteSpace(lookup.FirstName) || string.IsNullOrWhiteSpace(lookup.LastName)) name = string.Empty;
        var company = Text.Fold(lookup.Company);

        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var scored = new Dictionary<(CrmRecordType, long), (int Score, CrmRecord Record)>();
        void Add(CrmRecord record, long id, int score)
        {
            var key = (record.Type, id);
            scored[key] = scored.TryGetValue(key, out var seen) ? (seen.Score + score, seen.Record) : (score, record);
        }

        if (phones.Count > 0)
        {
            foreach (var c in await db.CrmContacts.AsNoTracking().Where(c => c.Phone != null && phones.Contains(c.Phone)).Take(Limit).ToListAsync(ct)) Add(ToRecord(c), c.Id, 4);
            foreach (var l in await db.CrmLeads.AsNoTracking().Where(l => l.Phone != null && phones.Contains(l.Phone)).Take(Limit).ToListAsync(ct)) Add(ToRecord(l), l.Id, 4);
            foreach (var a in await db.CrmAccounts.AsNoTracking().Where(a => a.Phone != null && phones.Contains(a.Phone)).Take(Limit).ToListAsync(ct)) Add(ToRecord(a), a.Id, 3);
        }
        if (emails.Count > 0)
        {
            foreach (var c in await db.CrmContacts.AsNoTracking().Where(c => c.Email != null && emails.Contains(c.Email)).Take(Limit).ToListAsync(ct)) Add(ToRecord(c), c.Id, 4);
            foreach (var l in await db.CrmLeads.AsNoTracking().Where(l => l.Email != null && emails.Contains(l.Email)).Take(Limit).ToListAsync(ct)) Add(ToRecord(l), l.Id, 4);
        }
        if (name.Length > 0)
        {
            foreach (var c in await db.CrmContacts.AsNoTracking().Where(c => c.SearchName == name).Take(Limit).ToListAsync(ct)) Add(ToRecord(c), c.Id, 2);
            foreach (var l in await db.CrmLeads.AsNoTracking().Where(l => l.SearchName == name).Take(Limit).ToListAsync(ct)) Add(ToRecord(l), l.Id, 2);
        }
        if (company.Length > 0)
        {
            foreach (var a in await db.CrmAccounts.AsNoTracking().Where(a => a.SearchName == company).Take(Limit).ToListAsync(ct)) Add(ToRecord(a), a.Id, 1);
        }
        return scored.OrderByDescending(s => s.Value.Score).ThenBy(s => s.Key.Item1).ThenBy(s => s.Key.Item2)
            .Take(Limit).Select(s => s.Value.Record).ToList();
    }

    public async Task<CrmRecord?> GetAsync(CrmRecordRef record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!TryId(record.Id, out var id)) return null;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ReadAsync(db, record.Type, id, ct);
    }

    internal static async Task<CrmRecord?> ReadAsync(AgentWorkspaceDbContext db, CrmRecordType type, long id, CancellationToken ct) => type switch
    {
        CrmRecordType.Contact => await db.CrmContacts.AsNoTracking().Where(c => c.Id == id).FirstOrDefaultAsync(ct) is { } c
            ? ToRecord(c, await HouseholdNameAsync(db, c.HouseholdId, ct)) : null,
        CrmRecordType.Lead => await db.CrmLeads.AsNoTracking().Where(l => l.Id == id).FirstOrDefaultAsync(ct) is { } l ? ToRecord(l) : null,
        CrmRecordType.Account => await db.CrmAccounts.AsNoTracking().Where(a => a.Id == id).FirstOrDefaultAsync(ct) is { } a ? ToRecord(a) : null,
        CrmRecordType.Case => await db.CrmCases.AsNoTracking().Where(x => x.Id == id).FirstOrDefaultAsync(ct) is { } k ? ToRecord(k) : null,
        _ => null,
    };

    private static async Task<string?> HouseholdNameAsync(AgentWorkspaceDbContext db, long? householdId, CancellationToken ct) =>
        householdId is { } h ? await db.CrmHouseholds.AsNoTracking().Where(x => x.Id == h).Select(x => x.Name).FirstOrDefaultAsync(ct) : null;

    public async Task<IReadOnlyList<CrmRecord>> GetAssociatedAsync(CrmRecordRef record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!TryId(record.Id, out var id)) return [];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        return await AssociatedAsync(db, record.Type, id, ct);
    }

    internal static async Task<List<CrmRecord>> AssociatedAsync(AgentWorkspaceDbContext db, CrmRecordType type, long id, CancellationToken ct)
    {
        var list = new List<CrmRecord>();
        switch (type)
        {
            case CrmRecordType.Contact:
            {
                var accounts = await db.CrmAccountContacts.AsNoTracking().Where(r => r.ContactId == id)
                    .Join(db.CrmAccounts.AsNoTracking(), r => r.AccountId, a => a.Id, (r, a) => a).OrderBy(a => a.Id).Take(Limit).ToListAsync(ct);
                list.AddRange(accounts.Select(a => ToRecord(a) with { Relation = CrmRelations.Account }));
                var leads = await db.CrmLeads.AsNoTracking().Where(l => l.ConvertedContactId == id).OrderBy(l => l.Id).Take(Limit).ToListAsync(ct);
                list.AddRange(leads.Select(l => ToRecord(l) with { Relation = CrmRelations.Lead }));
                var householdId = await db.CrmContacts.AsNoTracking().Where(c => c.Id == id).Select(c => c.HouseholdId).FirstOrDefaultAsync(ct);
                if (householdId is { } h)
                {
                    var members = await db.CrmContacts.AsNoTracking().Where(c => c.HouseholdId == h && c.Id != id).OrderBy(c => c.Id).Take(Limit).ToListAsync(ct);
                    list.AddRange(members.Select(c => ToRecord(c) with { Relation = CrmRelations.Household }));
                }
                var cases = await db.CrmCases.AsNoTracking().Where(k => k.ContactId == id).OrderByDescending(k => k.CreatedAt).Take(Limit).ToListAsync(ct);
                list.AddRange(cases.Select(k => ToRecord(k) with { Relation = CrmRelations.Case }));
                break;
            }
            case CrmRecordType.Account:
            {
                var contacts = await db.CrmAccountContacts.AsNoTracking().Where(r => r.AccountId == id)
                    .Join(db.CrmContacts.AsNoTracking(), r => r.ContactId, c => c.Id, (r, c) => c).OrderBy(c => c.Id).Take(Limit).ToListAsync(ct);
                list.AddRange(contacts.Select(c => ToRecord(c) with { Relation = CrmRelations.Contact }));
                var cases = await db.CrmCases.AsNoTracking().Where(k => k.AccountId == id).OrderByDescending(k => k.CreatedAt).Take(Limit).ToListAsync(ct);
                list.AddRange(cases.Select(k => ToRecord(k) with { Relation = CrmRelations.Case }));
                break;
            }
            case CrmRecordType.Lead:
            {
                var converted = await db.CrmLeads.AsNoTracking().Where(l => l.Id == id).Select(l => l.ConvertedContactId).FirstOrDefaultAsync(ct);
                if (converted is { } contactId && await db.CrmContacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct) is { } contact)
                    list.Add(ToRecord(contact) with { Relation = CrmRelations.ConvertedContact });
                break;
            }
            case CrmRecordType.Case:
            {
                var k = await db.CrmCases.AsNoTracking().Where(x => x.Id == id).Select(x => new { x.ContactId, x.AccountId }).FirstOrDefaultAsync(ct);
                if (k?.ContactId is { } contactId && await db.CrmContacts.AsNoTracking().FirstOrDefaultAsync(c => c.Id == contactId, ct) is { } contact)
                    list.Add(ToRecord(contact) with { Relation = CrmRelations.Contact });
                if (k?.AccountId is { } accountId && await db.CrmAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Id == accountId, ct) is { } account)
                    list.Add(ToRecord(account) with { Relation = CrmRelations.Account });
                break;
            }
        }
        return list;
    }

    public async Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        string? F(string name) => record.Fields.TryGetValue(name, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;
        try
        {
            var email = Email(F(CrmFields.Email));
            var phone = Phone(F(CrmFields.Phone));
            var contactId = OptionalId(F(CrmFields.ContactId), CrmFields.ContactId);
            var accountId = OptionalId(F(CrmFields.AccountId), CrmFields.AccountId);
            return await run.RunAsync("CrmBuiltIn.CreateRecord", Actor.System, Role.Admin, async use =>
            {
                var db = use.Db;
                switch (record.Type)
                {
                    case CrmRecordType.Contact:
                    {
                        var contact = new CrmContact(F(CrmFields.FirstName), F(CrmFields.LastName)!, email, phone, F(CrmFields.Company), F(CrmFields.JobTitle), F(CrmFields.City), null, use.Now);
                        db.CrmContacts.Add(contact);
                        await use.SaveAsync();
                        // A company the CRM knows as an account: the new contact joins it.
                        if (contact.SearchCompany.Length > 0 && await db.CrmAccounts.Where(a => a.SearchName == contact.SearchCompany).Select(a => (long?)a.Id).FirstOrDefaultAsync(use.Cancellation) is { } account)
                            db.CrmAccountContacts.Add(new CrmAccountContact(account, contact.Id, "Contact"));
                        use.Audit("CrmContact", Id(contact.Id), "Created");
                        return ToRecord(contact);
                    }
                    case CrmRecordType.Lead:
                    {
                        var lead = new CrmLead(F(CrmFields.FirstName), F(CrmFields.LastName)!, email, phone, F(CrmFields.Company), F(CrmFields.Subject), use.Now);
                        db.CrmLeads.Add(lead);
                        await use.SaveAsync();
                        use.Audit("CrmLead", Id(lead.Id), "Created");
                        return ToRecord(lead);
                    }
                    case CrmRecordType.Account:
                    {
                        var account = new CrmAccount(F(CrmFields.Company) ?? F(CrmFields.LastName)!, phone, email, F(CrmFields.City), null, use.Now);
                        db.CrmAccounts.Add(account);
                        await use.SaveAsync();
                        use.Audit("CrmAccount", Id(account.Id), "Created");
                        return ToRecord(account);
                    }
                    case CrmRecordType.Case:
                    {
                        if (contactId is { } c && !await db.CrmContacts.AnyAsync(x => x.Id == c, use.Cancellation))
                            throw new DomainException($"The CRM has no contact {c}.", CrmFields.ContactId);
                        if (accountId is { } a && !await db.CrmAccounts.AnyAsync(x => x.Id == a, use.Cancellation))
                            throw new DomainException($"The CRM has no account {a}.", CrmFields.AccountId);
                        var @case = new CrmCase(F(CrmFields.Subject)!, F(CrmFields.Description), contactId, accountId, use.Now);
                        db.CrmCases.Add(@case);
                        await use.SaveAsync();
                        @case.Numbered();
                        use.Audit("CrmCase", Id(@case.Id), "Created");
                        return ToRecord(@case);
                    }
                    default:
                        throw new DomainException("Unknown CRM record type.", "type");
                }
            }, ct);
        }
        catch (DomainException ex)
        {
            // The CRM's refusal, naming the field, as an outside CRM's 400 would be.
            throw new CrmException(CrmFailure.Rejected, ex.Message, ex.Message, ex.Field, ex);
        }
    }

    public async Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(activity);
        if (!TryId(target.Id, out var id)) throw new CrmException(CrmFailure.NotFound, $"The built-in CRM has no {target.Type.WireName()} '{target.Id}'.");
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            if (await ExistingActivityAsync(db, activity.IdempotencyKey, ct) is { } seen) return Id(seen);
            if (!await ExistsAsync(db, target.Type, id, ct)) throw new CrmException(CrmFailure.NotFound, $"The built-in CRM has no {target.Type.WireName()} {id}.");
        }
        try
        {
            var created = await run.RunAsync("CrmBuiltIn.Push", Actor.System, Role.Admin, async use =>
            {
                if (await ExistingActivityAsync(use.Db, activity.IdempotencyKey, use.Cancellation) is { } again) return again;
                var entry = new CrmActivityEntry(target.Type, id, activity, use.Now);
                use.Db.CrmActivities.Add(entry);
                await use.SaveAsync();
                return entry.Id;
            }, ct);
            return Id(created);
        }
        catch (DbUpdateException)
        {
            // The same key arrived twice at once: the other one's activity is the one.
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (await ExistingActivityAsync(db, activity.IdempotencyKey, ct) is { } other) return Id(other);
            throw;
        }
    }

    private static Task<long?> ExistingActivityAsync(AgentWorkspaceDbContext db, string key, CancellationToken ct) =>
        db.CrmActivities.AsNoTracking().Where(a => a.IdempotencyKey == key).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);

    private static Task<bool> ExistsAsync(AgentWorkspaceDbContext db, CrmRecordType type, long id, CancellationToken ct) => type switch
    {
        CrmRecordType.Contact => db.CrmContacts.AnyAsync(x => x.Id == id, ct),
        CrmRecordType.Lead => db.CrmLeads.AnyAsync(x => x.Id == id, ct),
        CrmRecordType.Account => db.CrmAccounts.AnyAsync(x => x.Id == id, ct),
        CrmRecordType.Case => db.CrmCases.AnyAsync(x => x.Id == id, ct),
        _ => Task.FromResult(false),
    };

    public Uri? RecordUrl(CrmRecordRef record) => UrlOf(record.Type, record.Id);

    public static Uri UrlOf(CrmRecordType type, string id) => new($"/crm/{type.WireName()}/{Uri.EscapeDataString(id)}", UriKind.Relative);

    public async Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var contacts = await db.CrmContacts.CountAsync(ct);
        return new CrmConnectionCheck(true, $"The built-in CRM answers: {contacts} contacts.", "BuiltInAnswers",
            [contacts.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    // ---------------------------------------------------------------- records as the card shows them

    internal static CrmRecord ToRecord(CrmContact c, string? household = null) => new(CrmRecordType.Contact, Id(c.Id), c.FullName,
        Join(c.Company, c.Email ?? c.Phone),
        Fields(("firstName", c.FirstName), ("lastName", c.LastName), ("email", c.Email), ("phone", c.Phone), ("company", c.Company), ("jobTitle", c.JobTitle),
            ("city", c.City), ("household", household)),
        UrlOf(CrmRecordType.Contact, Id(c.Id)));

    internal static CrmRecord ToRecord(CrmLead l) => new(CrmRecordType.Lead, Id(l.Id), l.FullName, Join(l.Company, l.Topic),
        Fields(("firstName", l.FirstName), ("lastName", l.LastName), ("email", l.Email), ("phone", l.Phone), ("company", l.Company), ("topic", l.Topic), ("status", l.Status)),
        UrlOf(CrmRecordType.Lead, Id(l.Id)));

    internal static CrmRecord ToRecord(CrmAccount a) => new(CrmRecordType.Account, Id(a.Id), a.Name, Join(a.Industry, a.City),
        Fields(("name", a.Name), ("phone", a.Phone), ("email", a.Email), ("city", a.City), ("industry", a.Industry)),
        UrlOf(CrmRecordType.Account, Id(a.Id)));

    internal static CrmRecord ToRecord(CrmCase k) => new(CrmRecordType.Case, Id(k.Id), k.Title, Join(k.Status, k.Priority),
        Fields(("number", k.Number), ("subject", k.Subject), ("status", k.Status), ("priority", k.Priority), ("description", k.Description),
            ("createdAt", k.CreatedAt.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))),
        UrlOf(CrmRecordType.Case, Id(k.Id)));

    private static string? Join(string? a, string? b) => (a, b) switch
    {
        (null or "", null or "") => null,
        (null or "", _) => b,
        (_, null or "") => a,
        _ => $"{a} · {b}",
    };

    private static Dictionary<string, string?> Fields(params (string Name, string? Value)[] fields) =>
        fields.Where(f => !string.IsNullOrEmpty(f.Value)).ToDictionary(f => f.Name, f => f.Value);

    internal static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>Our ids are positive whole numbers; anything else names no record here.</summary>
    internal static bool TryId(string? id, out long value) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value > 0;

    private static long? OptionalId(string? text, string field)
    {
        if (text is null) return null;
        return TryId(text, out var id) ? id : throw new CrmException(CrmFailure.Rejected, $"'{text}' is not a record id of the built-in CRM.", null, field);
    }

    private static string? Email(string? raw)
    {
        if (raw is null) return null;
        return EmailAddress.TryParse(raw, out var email) ? email!.Value
            : throw new CrmException(CrmFailure.Rejected, $"'{raw}' is not a valid e-mail address.", null, CrmFields.Email);
    }

    private static string? Phone(string? raw)
    {
        if (raw is null) return null;
        return PhoneNumber.TryParse(raw, "FR", out var number, out var error) ? number!.E164
            : throw new CrmException(CrmFailure.Rejected, error!, null, CrmFields.Phone);
    }
}
