using AgentWorkspace.Core.Domain.Crm;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>The state of the latest push of an interaction to a linked record: pending, sent, failed with the CRM's reason, or skipped.</summary>
public sealed record CrmPushStatus(long PushId, CrmPushState State, string? Reason, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt);

/// <summary>
/// A record as the card's CRM sections show it: the record, whether it is linked to the case being worked (and the
/// link's id, to unlink), the state of the link's latest push, and its associated records when they were read
/// (the arrow of seed 001); <see cref="Children"/> is empty when they were not.
/// </summary>
public sealed record CrmCardRecord(CrmRecord Record, bool Linked, long? LinkId, CrmPushStatus? Push, IReadOnlyList<CrmCardRecord> Children)
{
    public CrmRecordRef Ref => Record.Ref;
}

/// <summary>
/// The card's two CRM sections (seed 001). <see cref="Current"/>: the records linked to the case, then the records
/// the connector matches for the contact. <see cref="Related"/>: person-level records first (accounts, contacts,
/// leads), then the others (the household's people, the contact's cases).
/// </summary>
public sealed record CrmSections(string Kind, IReadOnlyList<CrmCardRecord> Current, IReadOnlyList<CrmCardRecord> Related);

/// <summary>A link of one of our cases to a CRM record, with its latest push.</summary>
public sealed record CrmLinkView(long Id, long CaseId, string ConnectorKind, CrmRecordType Type, string RecordId, string Title, Uri? Url,
    string CreatedByName, DateTimeOffset CreatedAt, DateTimeOffset? UnlinkedAt, CrmPushStatus? Push);

/// <summary>A record created from the card, and its link to the case when one was asked for.</summary>
public sealed record CreatedCrmRecord(CrmRecord Record, long? LinkId);

/// <summary>What the "Create new" dialog starts from (seed 001): the card's name, e-mail, phone and company, the case's subject and the conversation.</summary>
public sealed record CrmPrefill(string? FirstName, string? LastName, string? Email, string? Phone, string? Company, string? Subject, string? Description)
{
    /// <summary>The fields a record of <paramref name="type"/> takes, prefilled (the names <see cref="CrmNewRecord"/> uses).</summary>
    public IReadOnlyDictionary<string, string?> FieldsFor(CrmRecordType type) => type switch
    {
        CrmRecordType.Case => new Dictionary<string, string?> { [CrmFields.Subject] = Subject, [CrmFields.Description] = Description },
        CrmRecordType.Account => new Dictionary<string, string?> { [CrmFields.Company] = Company, [CrmFields.Phone] = Phone, [CrmFields.Email] = Email },
        CrmRecordType.Lead => new Dictionary<string, string?>
        {
            [CrmFields.FirstName] = FirstName, [CrmFields.LastName] = LastName, [CrmFields.Email] = Email, [CrmFields.Phone] = Phone,
            [CrmFields.Company] = Company, [CrmFields.Subject] = Subject,
        },
        _ => new Dictionary<string, string?>
        {
            [CrmFields.FirstName] = FirstName, [CrmFields.LastName] = LastName, [CrmFields.Email] = Email, [CrmFields.Phone] = Phone, [CrmFields.Company] = Company,
        },
    };
}

/// <summary>The field names of a record created from the card (<see cref="CrmNewRecord.Fields"/>).</summary>
public static class CrmFields
{
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Company = "company";
    public const string JobTitle = "jobTitle";
    public const string City = "city";
    public const string Subject = "subject";
    public const string Description = "description";
    /// <summary>The CRM's id of the contact a new case concerns (filled from the card's best match when not given).</summary>
    public const string ContactId = "contactId";
    /// <summary>The CRM's id of the account a new case concerns.</summary>
    public const string AccountId = "accountId";

    public static readonly IReadOnlyList<string> All = [FirstName, LastName, Email, Phone, Company, JobTitle, City, Subject, Description, ContactId, AccountId];
}

/// <summary>
/// The interaction fields an administrator may choose to push (issue 18: "configurable per connector"). The subject,
/// the channel and the start are always sent: without them an activity says nothing.
/// </summary>
public static class CrmPushedFields
{
    public const string ContactName = "contactName";
    public const string Queue = "queue";
    public const string Agent = "agent";
    public const string End = "end";
    public const string Disposition = "disposition";
    public const string Notes = "notes";
    public const string CaseUrl = "caseUrl";

    public static readonly IReadOnlyList<string> All = [ContactName, Queue, Agent, End, Disposition, Notes, CaseUrl];
}

/// <summary>
/// The CRM connection as /admin/crm shows it. Secrets are never returned: <see cref="SecretsSet"/> names the ones
/// that hold a value ("secret set"), nothing more.
/// </summary>
public sealed record CrmSettingsView(
    string Kind,
    IReadOnlyList<string> Kinds,
    IReadOnlyDictionary<string, string?> Settings,
    IReadOnlyList<string> SecretsSet,
    IReadOnlyList<CrmRecordType> CreatableTypes,
    IReadOnlyList<string> PushedFields,
    int TimeoutSeconds,
    DateTimeOffset? UpdatedAt,
    string? UpdatedBy,
    DateTimeOffset? LastTestAt,
    bool? LastTestOk,
    string? LastTestMessage,
    string? LastTestCode = null,
    IReadOnlyList<string>? LastTestArgs = null);

/// <summary>
/// New CRM settings from the administrator. <see cref="Secrets"/>: a name absent or null keeps the stored secret,
/// an empty string clears it, any other value replaces it.
/// </summary>
public sealed record CrmSettingsInput(
    string Kind,
    IReadOnlyDictionary<string, string?> Settings,
    IReadOnlyDictionary<string, string?> Secrets,
    IReadOnlyList<CrmRecordType> CreatableTypes,
    IReadOnlyList<string> PushedFields,
    int TimeoutSeconds);

/// <summary>What an agent's card needs to know of the connection: which CRM, which record types "Create new" offers.</summary>
public sealed record CrmAgentOptions(string Kind, IReadOnlyList<CrmRecordType> CreatableTypes, int TimeoutSeconds);

/// <summary>A push that failed for good, in the administrators' list of failures (with "Retry").</summary>
public sealed record CrmPushFailure(long PushId, long LinkId, long CaseId, string ConnectorKind, CrmRecordType Type, string RecordId, string Title,
    CrmPushTrigger Trigger, int Attempts, string? Reason, DateTimeOffset CreatedAt);

/// <summary>Keyset position in the list of failures (newest first).</summary>
public sealed record CrmPushCursor(long Id);

public sealed record CrmPushFailurePage(IReadOnlyList<CrmPushFailure> Items, CrmPushCursor? Next);

/// <summary>A wrap-up disposition of the administrators' list.</summary>
public sealed record DispositionView(long Id, string Label, int DisplayOrder, bool IsActive);

/// <summary>An interaction pushed to a record of the built-in CRM.</summary>
public sealed record CrmActivityView(long Id, bool IsCall, string Subject, string Channel, string? ContactName, string? Queue, string? Agent,
    DateTimeOffset Start, DateTimeOffset? End, string? Disposition, string? Notes, string? CaseUrl, DateTimeOffset CreatedAt);

/// <summary>A record of the built-in CRM as /crm/{type}/{id} shows it: its fields, its associated records, the activities pushed to it (newest first).</summary>
public sealed record BuiltInRecordPage(CrmRecord Record, IReadOnlyList<CrmRecord> Associated, IReadOnlyList<CrmActivityView> Activities);

/// <summary>How record types read in URLs and the API: "account", "contact", "lead", "case".</summary>
public static class CrmRecordTypes
{
    public static string WireName(this CrmRecordType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string? text, out CrmRecordType type)
    {
        type = default;
        if (string.IsNullOrWhiteSpace(text) || int.TryParse(text, out _)) return false;
        return Enum.TryParse(text.Trim(), ignoreCase: true, out type) && Enum.IsDefined(type);
    }

    /// <summary>Person-level records (seed 001): shown first among the related records.</summary>
    public static bool IsPersonLevel(this CrmRecordType type) => type is CrmRecordType.Account or CrmRecordType.Contact or CrmRecordType.Lead;
}

/// <summary>The words of <see cref="CrmRecord.Relation"/> the connectors use, so the card can group and translate them.</summary>
public static class CrmRelations
{
    public const string Account = "account";
    public const string Contact = "contact";
    public const string Lead = "lead";
    public const string ConvertedContact = "converted";
    public const string Household = "household";
    public const string Case = "case";
    /// <summary>The contact or account a CRM case is for (outside connectors).</summary>
    public const string Customer = "customer";

    /// <summary>0: person-level (account, contact, lead); 1: the household's people; 2: cases and the rest (seed 001's order).</summary>
    public static int Group(CrmRecord record) => record.Relation switch
    {
        Household => 1,
        _ when record.Type == CrmRecordType.Case => 2,
        _ when record.Type.IsPersonLevel() => 0,
        _ => 2,
    };
}

/// <summary>The options of the CRM feature from configuration: the app's public address, for the links to cases that pushes carry.</summary>
public sealed record CrmOptions(string? PublicBaseUrl = null)
{
    public Uri CaseUrl(long caseId, long cardId)
    {
        var path = $"/cards/{cardId}?case={caseId}";
        return string.IsNullOrWhiteSpace(PublicBaseUrl) ? new Uri(path, UriKind.Relative) : new Uri(PublicBaseUrl.TrimEnd('/') + path, UriKind.Absolute);
    }
}
