using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Crm;

namespace AgentWorkspace.Core.Domain.Crm;

/// <summary>
/// A CRM record linked to one of our cases (seed 001, "Lier"): the interaction's information is pushed to it once
/// the agent is done. Unlinking keeps the row (history) and stops every push that has not left yet.
/// </summary>
public sealed class CrmLink
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    /// <summary>The CRM the record lives in ("builtin", "dataverse", "salesforce").</summary>
    public string ConnectorKind { get; private set; } = string.Empty;
    public CrmRecordType RecordType { get; private set; }
    public string RecordId { get; private set; } = string.Empty;
    /// <summary>The record's title when it was linked, so the link reads well even when the CRM is down.</summary>
    public string Title { get; private set; } = string.Empty;
    public string CreatedById { get; private set; } = string.Empty;
    public string CreatedByName { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset? UnlinkedAt { get; private set; }
    public string? UnlinkedById { get; private set; }
    public string? UnlinkedByName { get; private set; }

    public bool IsActive => UnlinkedAt is null;

    private CrmLink() { }

    public CrmLink(long caseId, string connectorKind, CrmRecordType recordType, string recordId, string title, string byId, string byName, DateTimeOffset now)
    {
        if (!Enum.IsDefined(recordType)) throw new DomainException("Unknown CRM record type.", "type") { Code = "CrmTypeUnknown" };
        CaseId = caseId;
        ConnectorKind = connectorKind;
        RecordType = recordType;
        RecordId = Text.Clean(recordId, 100, "id") ?? throw new DomainException("The record's id is required.", "id") { Code = "CrmIdRequired" };
        Title = Text.Preview(title, 200) is { Length: > 0 } t ? t : $"{recordType} {RecordId}";
        CreatedById = byId;
        CreatedByName = byName;
        CreatedAt = now;
    }

    public void Unlink(string byId, string byName, DateTimeOffset now)
    {
        if (!IsActive) throw new NotFoundException($"Link {Id} was already removed.");
        UnlinkedAt = now;
        UnlinkedById = byId;
        UnlinkedByName = byName;
    }
}

public enum CrmPushState
{
    /// <summary>Waiting in the outbox (first try or a retry after a transient failure).</summary>
    Pending = 0,
    Sent = 1,
    /// <summary>The CRM refused it, or it kept failing: an administrator sees it and may retry.</summary>
    Failed = 2,
    /// <summary>The record was unlinked before the push left: nothing goes to it (seed 001).</summary>
    Skipped = 3,
}

/// <summary>What made the interaction ready to push (seed 001): the wrap-up of a call, or a digital case transferred or unassigned.</summary>
public enum CrmPushTrigger
{
    WrapUp = 1,
    Transfer = 2,
    Unassign = 3,
}

/// <summary>
/// One push of an interaction to one linked record: a row of the outbox, written in the same transaction as the
/// wrap-up, transfer or unassignment, so it is never lost; the background processor sends it, retries transient
/// failures with back-off, and the CRM sees <see cref="IdempotencyKey"/> on every try so that it records it once.
/// </summary>
public sealed class CrmPush
{
    /// <summary>Tries before a push that keeps failing transiently is given up (then an administrator may retry).</summary>
    public const int MaxAttempts = 8;
    public static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(10);

    public long Id { get; private set; }
    public long LinkId { get; private set; }
    public long CaseId { get; private set; }
    public string ConnectorKind { get; private set; } = string.Empty;
    public CrmRecordType RecordType { get; private set; }
    public string RecordId { get; private set; } = string.Empty;
    public string IdempotencyKey { get; private set; } = string.Empty;
    public CrmPushTrigger Trigger { get; private set; }
    /// <summary>The activity as it was when the agent finished (JSON), so a retry an hour later sends the same.</summary>
    public string Payload { get; private set; } = string.Empty;
    public CrmPushState State { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>When the processor may take it next; while one processor holds it, the end of its lease.</summary>
    public DateTimeOffset NextAttemptAt { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    /// <summary>The CRM's id of the activity it created.</summary>
    public string? ExternalId { get; private set; }
    /// <summary>The CRM's reason for the last failure.</summary>
    public string? LastError { get; private set; }

    private CrmPush() { }

    public CrmPush(CrmLink link, CrmPushTrigger trigger, string payload, string idempotencyKey, DateTimeOffset now)
    {
        LinkId = link.Id;
        CaseId = link.CaseId;
        ConnectorKind = link.ConnectorKind;
        RecordType = link.RecordType;
        RecordId = link.RecordId;
        Trigger = trigger;
        Payload = payload;
        IdempotencyKey = idempotencyKey;
        State = CrmPushState.Pending;
        CreatedAt = now;
        NextAttemptAt = now;
    }

    /// <summary>A processor takes it for <paramref name="lease"/>: a processor that dies meanwhile leaves it due again afterwards.</summary>
    public void Claim(DateTimeOffset now, TimeSpan lease)
    {
        Attempts++;
        NextAttemptAt = now + lease;
    }

    public void Sent(string? externalId, DateTimeOffset now)
    {
        State = CrmPushState.Sent;
        ExternalId = Cut(externalId, 200);
        SentAt = now;
        LastError = null;
    }

    /// <summary>A transient failure: tried again after a delay that doubles each time, or failed once the tries are spent.</summary>
    public void FailedTransiently(string reason, DateTimeOffset now)
    {
        LastError = Cut(reason, 1000);
        if (Attempts >= MaxAttempts)
        {
            State = CrmPushState.Failed;
            LastError = Cut($"Gave up after {Attempts} tries: {reason}", 1000);
            return;
        }
        NextAttemptAt = now + DelayAfter(Attempts);
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failed try: 2 s, 4 s, 8 s... at most 10 minutes.</summary>
    public static TimeSpan DelayAfter(int attempts)
    {
        var seconds = FirstDelay.TotalSeconds * Math.Pow(2, Math.Max(0, attempts - 1));
        return seconds >= LongestDelay.TotalSeconds ? LongestDelay : TimeSpan.FromSeconds(seconds);
    }

    public void Failed(string reason)
    {
        State = CrmPushState.Failed;
        LastError = Cut(reason, 1000);
    }

    public void Skip(string reason)
    {
        State = CrmPushState.Skipped;
        LastError = Cut(reason, 1000);
    }

    /// <summary>An administrator sends a failed push again: new tries, the same idempotency key.</summary>
    public void Retry(DateTimeOffset now)
    {
        if (State != CrmPushState.Failed) throw new DomainException("Only a failed push can be retried.", "pushId") { Code = "CrmPushNotFailed" };
        State = CrmPushState.Pending;
        Attempts = 0;
        NextAttemptAt = now;
    }

    private static string? Cut(string? value, int max) => value is null ? null : value.Length > max ? value[..max] : value;
}

/// <summary>
/// The one CRM connection (row 1): which connector, its plain settings, its secrets protected with ASP.NET Core Data
/// Protection (never read back out), which record types agents may create, which interaction fields are pushed.
/// </summary>
public sealed class CrmConnectionSettings
{
    public const int SingletonId = 1;

    public int Id { get; private set; } = SingletonId;
    public string Kind { get; private set; } = "builtin";
    public string SettingsJson { get; private set; } = "{}";
    /// <summary>The secrets' JSON, protected: only the connector ever sees it unprotected.</summary>
    public string? ProtectedSecrets { get; private set; }
    /// <summary>The names of the secrets that are set (what the admin page may say about them).</summary>
    public string SecretNames { get; private set; } = string.Empty;
    public string CreatableTypes { get; private set; } = string.Empty;
    public string PushedFields { get; private set; } = string.Empty;
    public int TimeoutSeconds { get; private set; } = 5;
    public DateTimeOffset UpdatedAt { get; private set; }
    public string UpdatedBy { get; private set; } = string.Empty;
    public DateTimeOffset? LastTestAt { get; private set; }
    public bool? LastTestOk { get; private set; }
    public string? LastTestMessage { get; private set; }
    /// <summary>The answer as a sentence of ours (see <c>CrmConnectionCheck</c>), so that the page says it in the reader's language.</summary>
    public string? LastTestCode { get; private set; }
    /// <summary>The sentence's arguments, separated by U+001F.</summary>
    public string? LastTestArgs { get; private set; }

    private CrmConnectionSettings() { }

    public CrmConnectionSettings(DateTimeOffset now, string by)
    {
        UpdatedAt = now;
        UpdatedBy = by;
    }

    public void Update(string kind, string settingsJson, string? protectedSecrets, IEnumerable<string> secretNames, IEnumerable<string> creatableTypes,
        IEnumerable<string> pushedFields, int timeoutSeconds, DateTimeOffset now, string by)
    {
        if (timeoutSeconds is < 1 or > 60) throw new DomainException("The time-out is between 1 and 60 seconds.", "timeoutSeconds") { Code = "CrmTimeoutRange" };
        Kind = kind;
        SettingsJson = settingsJson;
        ProtectedSecrets = protectedSecrets;
        SecretNames = string.Join('|', secretNames);
        CreatableTypes = string.Join('|', creatableTypes);
        PushedFields = string.Join('|', pushedFields);
        TimeoutSeconds = timeoutSeconds;
        UpdatedAt = now;
        UpdatedBy = by;
        LastTestAt = null;
        LastTestOk = null;
        LastTestMessage = null;
        LastTestCode = null;
        LastTestArgs = null;
    }

    public void Tested(bool ok, string message, string? code, IReadOnlyList<string>? args, DateTimeOffset now)
    {
        LastTestAt = now;
        LastTestOk = ok;
        LastTestMessage = message.Length > 1000 ? message[..1000] : message;
        LastTestCode = code;
        var joined = args is { Count: > 0 } ? string.Join('\u001f', args) : null;
        LastTestArgs = joined is { Length: > 1000 } ? joined[..1000] : joined;
    }
}

/// <summary>A wrap-up code of after-call work (seed 001), from a list the administrators keep.</summary>
public sealed class Disposition
{
    public long Id { get; private set; }
    public string Label { get; private set; } = string.Empty;
    /// <summary>The label folded, unique: "Rappel" and "rappel " are one disposition.</summary>
    public string Key { get; private set; } = string.Empty;
    public int DisplayOrder { get; private set; }
    public bool IsActive { get; private set; } = true;
    public DateTimeOffset CreatedAt { get; private set; }

    private Disposition() { }

    public Disposition(string label, int displayOrder, DateTimeOffset now)
    {
        Rename(label);
        DisplayOrder = displayOrder;
        CreatedAt = now;
    }

    public static string KeyOf(string? label) => Text.Fold(label);

    public void Rename(string label)
    {
        Label = Text.Clean(label, 100, "label") ?? throw new DomainException("A disposition needs a label.", "label") { Code = "DispositionLabelRequired" };
        Key = KeyOf(Label);
    }

    public void SetActive(bool active) => IsActive = active;
}
