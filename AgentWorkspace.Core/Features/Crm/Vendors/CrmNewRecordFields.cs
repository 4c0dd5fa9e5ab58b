using AgentWorkspace.Core.Domain.Channels;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>Our names of record fields, in <see cref="CrmNewRecord.Fields"/> and <see cref="CrmRecord.Fields"/>.</summary>
public static class CrmFieldNames
{
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Email = "email";
    public const string Phone = "phone";
    public const string MobilePhone = "mobilePhone";
    public const string Company = "company";
    public const string JobTitle = "jobTitle";
    public const string Subject = "subject";
    public const string Description = "description";
    /// <summary>On a new contact: its account; on a new case: the account it is for; on a record read: the account it belongs to.</summary>
    public const string AccountId = "accountId";
    public const string AccountName = "accountName";
    /// <summary>On a new case: the contact it is for; on a case read: its contact.</summary>
    public const string ContactId = "contactId";
    public const string Status = "status";
    public const string CaseNumber = "caseNumber";
    public const string CreatedOn = "createdOn";
    public const string City = "city";
}

/// <summary>
/// The fields of a record the agent creates, checked before anything is sent, so that a refusal names the field in
/// our words (the CRMs do not always): e-mail and phone must read as such, a person needs a last name, an account its
/// name, a case its subject. E-mails are sent in lower case, phones in E.164.
/// </summary>
internal sealed class CrmNewRecordFields
{
    private readonly IReadOnlyDictionary<string, string?> _fields;

    public CrmNewRecordFields(CrmNewRecord record, string region, string vendor)
    {
        _fields = record.Fields;
        Type = record.Type;
        Email = Optional(CrmFieldNames.Email) is { } email
            ? EmailAddress.TryParse(email, out var parsed) ? parsed!.Value : throw Refuse(CrmFieldNames.Email, $"'{email}' is not a valid e-mail address.")
            : null;
        Phone = PhoneField(CrmFieldNames.Phone, region);
        MobilePhone = PhoneField(CrmFieldNames.MobilePhone, region);
        var required = record.Type switch
        {
            CrmRecordType.Contact or CrmRecordType.Lead => CrmFieldNames.LastName,
            CrmRecordType.Account => CrmFieldNames.Company,
            _ => CrmFieldNames.Subject,
        };
        if (Optional(required) is null) throw Refuse(required, $"A {record.Type.ToString().ToLowerInvariant()} needs a {Label(required)} in {vendor}.");
    }

    public CrmRecordType Type { get; }
    public string? Email { get; }
    public string? Phone { get; }
    public string? MobilePhone { get; }
    public string? FirstName => Optional(CrmFieldNames.FirstName);
    public string? LastName => Optional(CrmFieldNames.LastName);
    public string? Company => Optional(CrmFieldNames.Company);
    public string? JobTitle => Optional(CrmFieldNames.JobTitle);
    public string? Subject => Optional(CrmFieldNames.Subject);
    public string? Description => Optional(CrmFieldNames.Description);

    public string? Optional(string key) =>
        _fields.TryGetValue(key, out var v) && !string.IsNullOrWhiteSpace(v) ? v.Trim() : null;

    /// <summary>A record id given in a field (an account for a contact, a contact or account for a case), in the CRM's id form.</summary>
    public string? Id(string key, Func<string, bool> isValid) =>
        Optional(key) is { } id ? isValid(id) ? id : throw Refuse(key, $"'{id}' is not a record id.") : null;

    public static CrmException Refuse(string field, string message) => new(CrmFailure.Rejected, message, message, field);

    private string? PhoneField(string key, string region) =>
        Optional(key) is { } raw
            ? PhoneNumber.TryParse(raw, region, out var n, out var error) ? n!.E164 : throw Refuse(key, error!)
            : null;

    private static string Label(string field) => field switch
    {
        CrmFieldNames.LastName => "last name",
        CrmFieldNames.Company => "name",
        _ => field,
    };
}

/// <summary>The same guard around every connector method: only <see cref="CrmException"/> (or the caller's cancellation) leaves it; our own faults are logged and wrapped.</summary>
internal static class CrmVendorGuard
{
    public static async Task<T> RunAsync<T>(ILogger logger, string vendor, string operation, Func<Task<T>> body, CancellationToken ct)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CrmException)
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (CrmAnswerUnreadable ex)
        {
            logger.LogWarning(ex, "{Vendor} {Operation}: the answer does not read as documented", vendor, operation);
            throw new CrmException(CrmFailure.Unavailable, $"{vendor} gave an answer that could not be read ({operation}).", null, null, ex);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Vendor} {Operation} failed on our side", vendor, operation);
            throw new CrmException(CrmFailure.Unavailable, $"{vendor} {operation} failed unexpectedly.", null, null, ex);
        }
    }
}
