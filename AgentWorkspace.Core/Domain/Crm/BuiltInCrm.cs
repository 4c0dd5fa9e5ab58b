using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Crm;

/// <summary>
/// The built-in CRM (issue 18): the embedded default, so the demo works with no outside system. Accounts, contacts,
/// leads and cases of our own database, with households and account–contact relations, looked up the way the card
/// looks for its records: by E.164 phone, lower-case e-mail, folded name and folded company.
/// </summary>
internal static class CrmText
{
    public static string? Email(string? raw, string field) =>
        string.IsNullOrWhiteSpace(raw) ? null : EmailAddress.Parse(raw, field).Value;

    public static string? Phone(string? raw, string region, string field) =>
        string.IsNullOrWhiteSpace(raw) ? null : PhoneNumber.Parse(raw, region, field).E164;

    public static string FullName(string? first, string? last) => $"{first} {last}".Trim();
}

/// <summary>People who share an address or an account (seed 001: "autres personnes du foyer du contact").</summary>
public sealed class CrmHousehold
{
    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public string? Address { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private CrmHousehold() { }

    public CrmHousehold(string name, string? address, DateTimeOffset now, long id = 0)
    {
        Id = id;
        Name = Text.Clean(name, 200, "name") ?? throw new DomainException("A household needs a name.", "name");
        Address = Text.Clean(address, 300, "address");
        CreatedAt = now;
    }
}

/// <summary>A company (or organisation) of the built-in CRM.</summary>
public sealed class CrmAccount
{
    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    /// <summary>The name folded (<see cref="Text.Fold"/>): what the card's company is matched against.</summary>
    public string SearchName { get; private set; } = string.Empty;
    public string? Phone { get; private set; }
    public string? Email { get; private set; }
    public string? City { get; private set; }
    public string? Industry { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private CrmAccount() { }

    public CrmAccount(string name, string? phoneE164, string? email, string? city, string? industry, DateTimeOffset now, long id = 0)
    {
        Id = id;
        Name = Text.Clean(name, 200, "name") ?? throw new DomainException("An account needs a name.", "name") { Code = "CrmNameRequired" };
        SearchName = Text.Fold(Name);
        Phone = phoneE164;
        Email = email;
        City = Text.Clean(city, 120, "city");
        Industry = Text.Clean(industry, 120, "industry");
        CreatedAt = now;
    }
}

/// <summary>A person of the built-in CRM; belongs to a household, and to accounts through <see cref="CrmAccountContact"/>.</summary>
public sealed class CrmContact
{
    public long Id { get; private set; }
    public string? FirstName { get; private set; }
    public string LastName { get; private set; } = string.Empty;
    /// <summary>"first last" folded: what the card's name is matched against.</summary>
    public string SearchName { get; private set; } = string.Empty;
    /// <summary>Lower case (<see cref="EmailAddress"/>).</summary>
    public string? Email { get; private set; }
    /// <summary>E.164 (<see cref="PhoneNumber"/>).</summary>
    public string? Phone { get; private set; }
    public string? Company { get; private set; }
    public string SearchCompany { get; private set; } = string.Empty;
    public string? JobTitle { get; private set; }
    public string? City { get; private set; }
    public long? HouseholdId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public string FullName => CrmText.FullName(FirstName, LastName);

    private CrmContact() { }

    /// <param name="email">Already normalised (lower case) or null.</param>
    /// <param name="phoneE164">Already in E.164 or null.</param>
    public CrmContact(string? firstName, string lastName, string? email, string? phoneE164, string? company, string? jobTitle, string? city,
        long? householdId, DateTimeOffset now, long id = 0)
    {
        Id = id;
        FirstName = Text.Clean(firstName, 100, "firstName");
        LastName = Text.Clean(lastName, 100, "lastName") ?? throw new DomainException("A contact needs a last name.", "lastName") { Code = "CrmLastNameRequired" };
        SearchName = Text.Fold(FullName);
        Email = email;
        Phone = phoneE164;
        Company = Text.Clean(company, 200, "company");
        SearchCompany = Text.Fold(Company);
        JobTitle = Text.Clean(jobTitle, 120, "jobTitle");
        City = Text.Clean(city, 120, "city");
        HouseholdId = householdId;
        CreatedAt = now;
    }
}

/// <summary>A prospect; once converted it points at the contact it became.</summary>
public sealed class CrmLead
{
    public long Id { get; private set; }
    public string? FirstName { get; private set; }
    public string LastName { get; private set; } = string.Empty;
    public string SearchName { get; private set; } = string.Empty;
    public string? Email { get; private set; }
    public string? Phone { get; private set; }
    public string? Company { get; private set; }
    public string SearchCompany { get; private set; } = string.Empty;
    public string? Topic { get; private set; }
    public string Status { get; private set; } = "Open";
    public long? ConvertedContactId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public string FullName => CrmText.FullName(FirstName, LastName);

    private CrmLead() { }

    public CrmLead(string? firstName, string lastName, string? email, string? phoneE164, string? company, string? topic, DateTimeOffset now, long id = 0)
    {
        Id = id;
        FirstName = Text.Clean(firstName, 100, "firstName");
        LastName = Text.Clean(lastName, 100, "lastName") ?? throw new DomainException("A lead needs a last name.", "lastName") { Code = "CrmLastNameRequired" };
        SearchName = Text.Fold(FullName);
        Email = email;
        Phone = phoneE164;
        Company = Text.Clean(company, 200, "company");
        SearchCompany = Text.Fold(Company);
        Topic = Text.Clean(topic, 200, "topic");
        CreatedAt = now;
    }

    public void ConvertedTo(long contactId)
    {
        ConvertedContactId = contactId;
        Status = "Qualified";
    }

    /// <summary>For demo data.</summary>
    public void SeedStatus(string status) => Status = status;
}

/// <summary>A CRM case (a support ticket of the CRM), not to be confused with our inbox's <see cref="Cases.Case"/>.</summary>
public sealed class CrmCase
{
    public long Id { get; private set; }
    /// <summary>"CAS-001234": what agents read and say on the phone.</summary>
    public string Number { get; private set; } = string.Empty;
    public string Subject { get; private set; } = string.Empty;
    public string? Description { get; private set; }
    public string Status { get; private set; } = "Active";
    public string Priority { get; private set; } = "Normal";
    public long? ContactId { get; private set; }
    public long? AccountId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    public string Title => $"{Number} · {Subject}";

    private CrmCase() { }

    public CrmCase(string subject, string? description, long? contactId, long? accountId, DateTimeOffset now, long id = 0)
    {
        Id = id;
        Subject = Text.Clean(subject, 200, "subject") ?? throw new DomainException("A case needs a subject.", "subject") { Code = "CrmSubjectRequired" };
        Description = Text.Clean(description, 4000, "description");
        ContactId = contactId;
        AccountId = accountId;
        CreatedAt = now;
        if (id > 0) Number = NumberFor(id);
    }

    public static string NumberFor(long id) => "CAS-" + id.ToString("D6", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The number comes from the id, known once the row is saved.</summary>
    public void Numbered() => Number = NumberFor(Id);

    /// <summary>For demo data.</summary>
    public void SeedState(string status, string priority)
    {
        Status = status;
        Priority = priority;
    }
}

/// <summary>A contact's place at an account ("Primary contact", "Billing", "Employee").</summary>
public sealed class CrmAccountContact
{
    public long Id { get; private set; }
    public long AccountId { get; private set; }
    public long ContactId { get; private set; }
    public string Role { get; private set; } = string.Empty;

    private CrmAccountContact() { }

    public CrmAccountContact(long accountId, long contactId, string role, long id = 0)
    {
        Id = id;
        AccountId = accountId;
        ContactId = contactId;
        Role = Text.Clean(role, 60, "role") ?? "Contact";
    }
}

/// <summary>
/// An interaction pushed to a record of the built-in CRM. <see cref="IdempotencyKey"/> is unique: the same push
/// arriving twice (a retry after a lost answer) finds the first and creates nothing.
/// </summary>
public sealed class CrmActivityEntry
{
    public long Id { get; private set; }
    public Features.Crm.CrmRecordType RecordType { get; private set; }
    public long RecordId { get; private set; }
    public string IdempotencyKey { get; private set; } = string.Empty;
    public bool IsCall { get; private set; }
    public string Subject { get; private set; } = string.Empty;
    public string Channel { get; private set; } = string.Empty;
    public string? ContactName { get; private set; }
    public string? Queue { get; private set; }
    public string? Agent { get; private set; }
    public DateTimeOffset Start { get; private set; }
    public DateTimeOffset? End { get; private set; }
    public string? Disposition { get; private set; }
    public string? Notes { get; private set; }
    public string? CaseUrl { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private CrmActivityEntry() { }

    public CrmActivityEntry(Features.Crm.CrmRecordType recordType, long recordId, Features.Crm.CrmActivity activity, DateTimeOffset now)
    {
        RecordType = recordType;
        RecordId = recordId;
        IdempotencyKey = Text.Clean(activity.IdempotencyKey, 100, "idempotencyKey") ?? throw new DomainException("An activity needs its idempotency key.", "idempotencyKey");
        IsCall = activity.IsCall;
        Subject = Cut(activity.Subject, 200) ?? string.Empty;
        Channel = Cut(activity.Channel, 40) ?? string.Empty;
        ContactName = Cut(activity.ContactName, 200);
        Queue = Cut(activity.Queue, 100);
        Agent = Cut(activity.Agent, 200);
        Start = activity.Start;
        End = activity.End;
        Disposition = Cut(activity.Disposition, 100);
        Notes = Cut(activity.Notes, 4000);
        CaseUrl = Cut(activity.CaseUrl?.ToString(), 500);
        CreatedAt = now;
    }

    private static string? Cut(string? value, int max) => value is null ? null : value.Length > max ? value[..max] : value;
}
