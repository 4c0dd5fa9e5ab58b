namespace AgentWorkspace.Core.Features.Crm;

/// <summary>The kinds of CRM record an agent sees on the card (seed 001): person-level records and cases.</summary>
public enum CrmRecordType
{
    Account = 1,
    Contact = 2,
    Lead = 3,
    Case = 4,
}

/// <summary>A record of the connected CRM, named by its type and the CRM's own id (a GUID in Dataverse, an 18-character id in Salesforce).</summary>
public sealed record CrmRecordRef(CrmRecordType Type, string Id);

/// <summary>
/// A record as the card shows it: a title (a person's or account's name, a case's number and subject), a short
/// subtitle, the fields worth showing, and its address in the CRM. <see cref="Relation"/> says why it is there when it
/// comes from an association ("account", "household", "case of the contact", ...).
/// </summary>
public sealed record CrmRecord(
    CrmRecordType Type,
    string Id,
    string Title,
    string? Subtitle,
    IReadOnlyDictionary<string, string?> Fields,
    Uri? Url,
    string? Relation = null)
{
    public CrmRecordRef Ref => new(Type, Id);
}

/// <summary>What the card knows of the contact, to find its records: the phone in E.164, e-mail addresses, the name and company.</summary>
public sealed record CrmLookup(
    IReadOnlyList<string> PhonesE164,
    IReadOnlyList<string> Emails,
    string? FirstName,
    string? LastName,
    string? Company);

/// <summary>A record the agent creates from the card: its type and its fields by our names (firstName, lastName, email, phone, company, subject, description).</summary>
public sealed record CrmNewRecord(CrmRecordType Type, IReadOnlyDictionary<string, string?> Fields);

/// <summary>
/// An interaction pushed to a linked record once the agent is done with it (seed 001): a phone call activity for calls,
/// a task otherwise. <see cref="IdempotencyKey"/> is the same on every retry of the same push, so the CRM gets it once.
/// Which of the optional values are sent is the connector's configuration.
/// </summary>
public sealed record CrmActivity(
    string IdempotencyKey,
    bool IsCall,
    string Subject,
    string Channel,
    string? ContactName,
    string? Queue,
    string? Agent,
    DateTimeOffset Start,
    DateTimeOffset? End,
    string? Disposition,
    string? Notes,
    Uri? CaseUrl);

/// <summary>The answer of "Test connection" on /admin/crm: whether it worked, and one line saying what was checked or what failed.</summary>
/// <summary>
/// A connection test's answer. <paramref name="Code"/> and <paramref name="Args"/> name a sentence of ours that the page says in
/// the reader's language (the admin page's "CrmTest_{Code}"); <paramref name="Message"/> is the same in English, for the log,
/// or the outside CRM's own words when it refused (no code then).
/// </summary>
public sealed record CrmConnectionCheck(bool Ok, string Message, string? Code = null, IReadOnlyList<string>? Args = null);

/// <summary>
/// One CRM: the built-in one (our database) or an outside one (Dynamics 365 / Dataverse, Salesforce). Every method
/// either answers or throws <see cref="CrmException"/>; nothing else escapes (a fault of ours is logged and wrapped).
/// </summary>
public interface ICrmConnector
{
    /// <summary>"builtin", "dataverse" or "salesforce".</summary>
    string Kind { get; }

    /// <summary>The person-level records (contacts, leads, accounts) that match the contact, best matches first.</summary>
    Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct);

    /// <summary>One record, or null when the CRM no longer has it.</summary>
    Task<CrmRecord?> GetAsync(CrmRecordRef record, CancellationToken ct);

    /// <summary>
    /// The records associated with one: a contact's account and cases and the people of its household; an account's
    /// contacts and cases; a lead's converted contact, if any. Each with its <see cref="CrmRecord.Relation"/>.
    /// </summary>
    Task<IReadOnlyList<CrmRecord>> GetAssociatedAsync(CrmRecordRef record, CancellationToken ct);

    /// <summary>Creates a record; a field the CRM refuses is a <see cref="CrmException"/> naming it.</summary>
    Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct);

    /// <summary>Pushes an interaction to a record; answers the CRM's id of the activity. Pushing the same key twice creates one activity.</summary>
    Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct);

    /// <summary>The record's address in the CRM ("Open in CRM").</summary>
    Uri? RecordUrl(CrmRecordRef record);

    /// <summary>Signs in and reads one thing, to tell the administrator whether the settings work.</summary>
    Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct);
}

/// <summary>Why a CRM call failed, which decides what happens next: retry later, refresh credentials, or tell the agent.</summary>
public enum CrmFailure
{
    /// <summary>Time-out, 5xx, 429/503 after back-off, connection refused, an answer we cannot read: try again later.</summary>
    Unavailable = 1,
    /// <summary>The credentials are refused even after one refresh: the administrator must fix the settings.</summary>
    Unauthorized = 2,
    /// <summary>The CRM refused the request (400 and the like): its message is shown to the agent; retrying will not help.</summary>
    Rejected = 3,
    /// <summary>The record does not exist (any more).</summary>
    NotFound = 4,
}

/// <summary>A CRM call that failed; <see cref="VendorMessage"/> is the CRM's own words, when it gave some, and <see cref="Field"/> the field it refused.</summary>
public sealed class CrmException(CrmFailure failure, string message, string? vendorMessage = null, string? field = null, Exception? inner = null)
    : Exception(message, inner)
{
    public CrmFailure Failure { get; } = failure;
    public string? VendorMessage { get; } = vendorMessage;
    public string? Field { get; } = field;
    /// <summary>Whether a later retry may succeed (the outbox retries these with back-off).</summary>
    public bool IsTransient => Failure == CrmFailure.Unavailable;
}

/// <summary>
/// The configured connection: its kind, plain settings (addresses, tenant, client id, which fields are pushed) and
/// secrets (client secret), the latter kept protected at rest with ASP.NET Core Data Protection and never shown again.
/// </summary>
public sealed record CrmConnection(
    string Kind,
    IReadOnlyDictionary<string, string?> Settings,
    IReadOnlyDictionary<string, string?> Secrets);

/// <summary>Makes the connector for a connection; registered once, knows every kind.</summary>
public interface ICrmConnectorFactory
{
    IReadOnlyList<string> Kinds { get; }
    ICrmConnector Create(CrmConnection connection);
}
