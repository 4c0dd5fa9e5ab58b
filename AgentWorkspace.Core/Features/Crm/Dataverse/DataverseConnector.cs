using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Features.Crm.Vendors;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Dataverse;

/// <summary>The settings of a Dynamics 365 / Dataverse connection.</summary>
public static class DataverseSettingKeys
{
    /// <summary>The environment's address, e.g. https://contoso.crm.dynamics.com.</summary>
    public const string EnvironmentUrl = "environmentUrl";
    /// <summary>The Microsoft Entra tenant (GUID or domain) the application is registered in.</summary>
    public const string TenantId = "tenantId";
    /// <summary>The application (client) id of the app registration, an application user of the environment.</summary>
    public const string ClientId = "clientId";
    /// <summary>Secret: the app registration's client secret.</summary>
    public const string ClientSecret = "clientSecret";
    /// <summary>Optional: the Entra authority host (default https://login.microsoftonline.com; a local server in tests).</summary>
    public const string AuthorityHost = "authorityHost";
}

/// <summary>
/// Microsoft Dynamics 365 / Dataverse through its Web API v9.2 (OData v4), signed in with the OAuth 2.0 client
/// credentials flow against Microsoft Entra ID. Contacts, accounts, leads and cases (incidents); an interaction is
/// pushed as a phone call (calls) or task activity regarding the record, created with a GUID derived from the
/// push's idempotency key through the documented "prevent update in upsert" request (PATCH with If-None-Match: *),
/// so a retried push finds the activity there (412 Precondition Failed) and answers its id.
/// </summary>
internal sealed partial class DataverseConnector : ICrmConnector
{
    private const string Vendor = "Dataverse";
    private const string ApiPath = "api/data/v9.2/";
    private const int FindTop = 10;
    private const int RelatedTop = 20;
    private const string Annotations = "odata.include-annotations=\"OData.Community.Display.V1.FormattedValue,Microsoft.Dynamics.CRM.lookuplogicalname\"";
    private const string Formatted = "@OData.Community.Display.V1.FormattedValue";
    private const string LookupType = "@Microsoft.Dynamics.CRM.lookuplogicalname";

    private readonly CrmVendorSettings _settings;
    private readonly ILogger _logger;
    private readonly Lazy<Setup> _setup;

    private sealed record Setup(Uri Environment, CrmHttpSession Session, IReadOnlySet<string> PushFields, string Region);

    /// <summary>A Dataverse table as we read it: logical name (in record addresses), entity set (in URLs), key and the columns we select.</summary>
    private sealed record Table(CrmRecordType Type, string LogicalName, string EntitySet, string Key, string Select);

    private static readonly Table Contacts = new(CrmRecordType.Contact, "contact", "contacts", "contactid",
        "contactid,fullname,firstname,lastname,emailaddress1,telephone1,mobilephone,jobtitle,_parentcustomerid_value");
    private static readonly Table Accounts = new(CrmRecordType.Account, "account", "accounts", "accountid",
        "accountid,name,emailaddress1,telephone1,accountnumber,address1_city");
    private static readonly Table Leads = new(CrmRecordType.Lead, "lead", "leads", "leadid",
        "leadid,fullname,firstname,lastname,emailaddress1,telephone1,mobilephone,companyname,subject");
    private static readonly Table Incidents = new(CrmRecordType.Case, "incident", "incidents", "incidentid",
        "incidentid,ticketnumber,title,description,statecode,createdon,_customerid_value");

    public DataverseConnector(CrmConnection connection, HttpClient http, TimeProvider time, ILogger logger, CrmTokenCaches tokens)
    {
        _settings = new CrmVendorSettings(Vendor, connection);
        _logger = logger;
        _setup = new Lazy<Setup>(() =>
        {
            var environment = _settings.Address(DataverseSettingKeys.EnvironmentUrl);
            var tenant = _settings.Required(DataverseSettingKeys.TenantId);
            if (tenant.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '.')))
                throw _settings.Invalid(DataverseSettingKeys.TenantId, "is not a tenant id or domain");
            var clientId = _settings.Required(DataverseSettingKeys.ClientId);
            var secret = _settings.Secret(DataverseSettingKeys.ClientSecret);
            var authority = _settings.Address(DataverseSettingKeys.AuthorityHost, "https://login.microsoftonline.com");
            var tokenEndpoint = new Uri($"{authority.AbsoluteUri.TrimEnd('/')}/{tenant}/oauth2/v2.0/token");
            var scope = $"{environment.AbsoluteUri.TrimEnd('/')}/.default";
            var dialect = new CrmVendorDialect(Vendor, ReadError, static (_, _) => null, OurFieldName);
            var session = new CrmHttpSession(http, time, logger, dialect, _settings.Limits(),
                tokens.For("dataverse", tokenEndpoint.AbsoluteUri, clientId, scope, secret),
                async (s, ct) =>
                {
                    var json = await s.RequestTokenAsync(tokenEndpoint, new Dictionary<string, string>
                    {
                        ["client_id"] = clientId,
                        ["scope"] = scope,
                        ["client_secret"] = secret,
                        ["grant_type"] = "client_credentials",
                    }, ct).ConfigureAwait(false);
                    return s.Read("sign-in", () =>
                    {
                        var value = json.RequiredText("access_token");
                        // Renew five minutes before Entra's expiry (expires_in, seconds), so no request carries a token about to lapse.
                        var lifetime = int.TryParse(json.Text("expires_in"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) ? seconds : 3599;
                        var margin = Math.Min(300, lifetime / 2);
                        return new CrmAccessToken(value, time.GetUtcNow().AddSeconds(lifetime - margin));
                    });
                });
            return new Setup(environment, session, _settings.PushFields(), _settings.Region());
        });
    }

    public string Kind => DataverseConnectorKind.KindName;

    public Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct) => Guard("find", async setup =>
    {
        var match = new CrmMatching(lookup, setup.Region);
        if (match.IsEmpty) return (IReadOnlyList<CrmRecord>)[];
        var forms = match.WrittenForms();

        var personFilter = Or(
            Or(forms.SelectMany(f => new[] { $"mobilephone eq {Literal(f)}", $"telephone1 eq {Literal(f)}" })),
            Or(match.Emails.Select(e => $"emailaddress1 eq {Literal(e)}")),
            match.HasFullName ? $"(firstname eq {Literal(match.FirstName!)} and lastname eq {Literal(match.LastName!)})" : null);
        var accountFilter = Or(
            Or(forms.Select(f => $"telephone1 eq {Literal(f)}")),
            Or(match.Emails.Select(e => $"emailaddress1 eq {Literal(e)}")),
            match.Company is { } company ? $"name eq {Literal(company)}" : null);

        var queries = new List<Task<IReadOnlyList<CrmRecord>>>();
        if (personFilter is not null)
        {
            queries.Add(ListAsync(setup, "find contacts", Contacts, personFilter, null, FindTop, ct));
            queries.Add(ListAsync(setup, "find leads", Leads, personFilter, null, FindTop, ct));
        }
        if (accountFilter is not null) queries.Add(ListAsync(setup, "find accounts", Accounts, accountFilter, null, FindTop, ct));
        var found = (await Task.WhenAll(queries).ConfigureAwait(false)).SelectMany(r => r);

        return (IReadOnlyList<CrmRecord>)found
            .Select(r => (Record: r, Score: match.Score(
                [r.Fields.GetValueOrDefault(CrmFieldNames.Phone), r.Fields.GetValueOrDefault(CrmFieldNames.MobilePhone)],
                [r.Fields.GetValueOrDefault(CrmFieldNames.Email)],
                r.Fields.GetValueOrDefault(CrmFieldNames.FirstName), r.Fields.GetValueOrDefault(CrmFieldNames.LastName),
                r.Type == CrmRecordType.Account ? r.Title : r.Fields.GetValueOrDefault(CrmFieldNames.Company))))
            .Where(x => x.Score > 0)
            .OrderByDescending(x => x.Score).ThenBy(x => x.Record.Type switch { CrmRecordType.Contact => 0, CrmRecordType.Lead => 1, _ => 2 })
            .ThenBy(x => x.Record.Title, StringComparer.CurrentCultureIgnoreCase)
            .Select(x => x.Record)
            .ToList();
    }, ct);

    public Task<CrmRecord?> GetAsync(CrmRecordRef record, CancellationToken ct) => Guard("get", setup => GetOneAsync(setup, record, ct), ct);

    public Task<IReadOnlyList<CrmRecord>> GetAssociatedAsync(CrmRecordRef record, CancellationToken ct) => Guard("get associated", async setup =>
    {
        var self = await GetOneAsync(setup, record, ct).ConfigureAwait(false)
            ?? throw new CrmException(CrmFailure.NotFound, $"{Vendor} does not have this record (get associated).");
        var id = self.Id;
        var related = new List<CrmRecord>();
        switch (record.Type)
        {
            case CrmRecordType.Contact:
                if (self.Fields.GetValueOrDefault(CrmFieldNames.AccountId) is { } accountId && IsGuid(accountId))
                {
                    if (await GetOneAsync(setup, new CrmRecordRef(CrmRecordType.Account, accountId), ct).ConfigureAwait(false) is { } account)
                        related.Add(account with { Relation = CrmRelations.Account });
                    related.AddRange(Related(await ListAsync(setup, "household", Contacts,
                        $"_parentcustomerid_value eq {accountId} and contactid ne {id}", "fullname", RelatedTop, ct).ConfigureAwait(false), CrmRelations.Household));
                }
                related.AddRange(Related(await CasesOfAsync(setup, id, ct).ConfigureAwait(false), CrmRelations.Case));
                break;
            case CrmRecordType.Account:
                related.AddRange(Related(await ListAsync(setup, "contacts of account", Contacts,
                    $"_parentcustomerid_value eq {id}", "fullname", RelatedTop, ct).ConfigureAwait(false), CrmRelations.Contact));
                related.AddRange(Related(await CasesOfAsync(setup, id, ct).ConfigureAwait(false), CrmRelations.Case));
                break;
            case CrmRecordType.Lead:
                related.AddRange(Related(await ListAsync(setup, "converted contact", Contacts,
                    $"_originatingleadid_value eq {id}", null, RelatedTop, ct).ConfigureAwait(false), CrmRelations.ConvertedContact));
                break;
            case CrmRecordType.Case:
                var customer = self.Fields.GetValueOrDefault(CrmFieldNames.ContactId) is { } contactId
                    ? new CrmRecordRef(CrmRecordType.Contact, contactId)
                    : self.Fields.GetValueOrDefault(CrmFieldNames.AccountId) is { } caseAccountId ? new CrmRecordRef(CrmRecordType.Account, caseAccountId) : null;
                if (customer is not null && await GetOneAsync(setup, customer, ct).ConfigureAwait(false) is { } who)
                    related.Add(who with { Relation = CrmRelations.Customer });
                break;
        }
        return (IReadOnlyList<CrmRecord>)related;
    }, ct);

    public Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct) => Guard("create", async setup =>
    {
        var f = new CrmNewRecordFields(record, setup.Region, Vendor);
        var table = TableOf(record.Type);
        var body = new JsonObject();
        void Put(string column, string? value) { if (value is not null) body[column] = value; }
        switch (record.Type)
        {
            case CrmRecordType.Contact:
                Put("firstname", f.FirstName); Put("lastname", f.LastName); Put("emailaddress1", f.Email);
                Put("telephone1", f.Phone); Put("mobilephone", f.MobilePhone); Put("jobtitle", f.JobTitle);
                if (f.Id(CrmFieldNames.AccountId, IsGuid) is { } accountId) body["parentcustomerid_account@odata.bind"] = $"/accounts({accountId})";
                break;
            case CrmRecordType.Lead:
                Put("firstname", f.FirstName); Put("lastname", f.LastName); Put("emailaddress1", f.Email);
                Put("telephone1", f.Phone); Put("mobilephone", f.MobilePhone); Put("companyname", f.Company);
                Put("subject", f.Subject); Put("description", f.Description);
                break;
            case CrmRecordType.Account:
                Put("name", f.Company); Put("telephone1", f.Phone ?? f.MobilePhone); Put("emailaddress1", f.Email);
                break;
            default:
                Put("title", f.Subject); Put("description", f.Description);
                if (f.Id(CrmFieldNames.ContactId, IsGuid) is { } contactId) body["customerid_contact@odata.bind"] = $"/contacts({contactId})";
                else if (f.Id(CrmFieldNames.AccountId, IsGuid) is { } caseAccountId) body["customerid_account@odata.bind"] = $"/accounts({caseAccountId})";
                else throw CrmNewRecordFields.Refuse(CrmFieldNames.ContactId, "A case in Dynamics 365 needs the contact or account it is for.");
                break;
        }

        var answer = await setup.Session.SendAsync($"create {table.LogicalName}", _ =>
        {
            var request = Request(setup, HttpMethod.Post, $"{table.EntitySet}?$select={table.Select}", body);
            request.Headers.Add("Prefer", ["return=representation", Annotations]);
            return request;
        }, ct).ConfigureAwait(false);
        return setup.Session.Read($"create {table.LogicalName}", () => ToRecord(setup, table, answer.Json));
    }, ct);

    public Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct) => Guard("push", async setup =>
    {
        if (!IsGuid(target.Id)) throw new CrmException(CrmFailure.NotFound, $"{Vendor} has no record with id '{target.Id}'.");
        if (string.IsNullOrWhiteSpace(activity.IdempotencyKey)) throw new ArgumentException("A push needs its idempotency key.", nameof(activity));
        var table = TableOf(target.Type);
        var activityId = CrmActivityText.ActivityId(activity.IdempotencyKey).ToString("D");
        var (entitySet, suffix) = activity.IsCall ? ("phonecalls", "phonecall") : ("tasks", "task");

        var body = new JsonObject
        {
            ["subject"] = CrmActivityText.Clip(activity.Subject.Trim(), 200),
            ["description"] = CrmActivityText.Clip(CrmActivityText.Describe(activity, setup.PushFields), 2000),
            [$"regardingobjectid_{table.LogicalName}_{suffix}@odata.bind"] = $"/{table.EntitySet}({target.Id})",
        };
        if (setup.PushFields.Contains(CrmActivityText.Start)) body["actualstart"] = CrmActivityText.Utc(activity.Start);
        if (setup.PushFields.Contains(CrmActivityText.End) && activity.End is { } end) body["actualend"] = CrmActivityText.Utc(end);
        if (CrmActivityText.DurationSeconds(activity) is { } seconds) body["actualdurationminutes"] = (int)Math.Ceiling(seconds / 60.0);

        var answer = await setup.Session.SendAsync($"push {suffix}", _ =>
        {
            var request = Request(setup, HttpMethod.Patch, $"{entitySet}({activityId})", body);
            // Create only: with If-None-Match: * Dataverse answers 412 when a record with this id exists already.
            request.Headers.TryAddWithoutValidation("If-None-Match", "*");
            return request;
        }, ct, HttpStatusCode.PreconditionFailed).ConfigureAwait(false);

        if (answer.Status == HttpStatusCode.PreconditionFailed)
            _logger.LogInformation("Dataverse already has the {Activity} of this push; answering its id", suffix);
        return activityId;
    }, ct);

    public Uri? RecordUrl(CrmRecordRef record)
    {
        Uri environment;
        try
        {
            environment = _settings.Address(DataverseSettingKeys.EnvironmentUrl);
        }
        catch (CrmException)
        {
            return null;
        }
        if (!IsGuid(record.Id)) return null;
        return new Uri($"{environment.AbsoluteUri.TrimEnd('/')}/main.aspx?etn={TableOf(record.Type).LogicalName}&id={record.Id}&pagetype=entityrecord");
    }

    public async Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct)
    {
        try
        {
            return await Guard("test connection", async setup =>
            {
                var answer = await setup.Session.SendAsync("test connection", _ => Request(setup, HttpMethod.Get, "WhoAmI", null), ct).ConfigureAwait(false);
                var user = setup.Session.Read("test connection", () => answer.Json.RequiredText("UserId"));
                return new CrmConnectionCheck(true, $"Signed in to {setup.Environment.Host} and read WhoAmI: application user {user}.",
                    "DataverseSignedIn", [setup.Environment.Host, user]);
            }, ct).ConfigureAwait(false);
        }
        catch (CrmException ex)
        {
            return new CrmConnectionCheck(false, ex.VendorMessage is { } said && !ex.Message.Contains(said, StringComparison.Ordinal) ? $"{ex.Message} {said}" : ex.Message);
        }
    }

    private Task<T> Guard<T>(string operation, Func<Setup, Task<T>> body, CancellationToken ct) =>
        CrmVendorGuard.RunAsync(_logger, Vendor, operation, () => body(_setup.Value), ct);

    private async Task<CrmRecord?> GetOneAsync(Setup setup, CrmRecordRef record, CancellationToken ct)
    {
        if (!IsGuid(record.Id)) return null;
        var table = TableOf(record.Type);
        var answer = await setup.Session.SendAsync($"get {table.LogicalName}",
            _ => Query(setup, $"{table.EntitySet}({record.Id})", ("$select", table.Select)), ct, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.NotFound) return null;
        return setup.Session.Read($"get {table.LogicalName}", () => ToRecord(setup, table, answer.Json));
    }

    private async Task<IReadOnlyList<CrmRecord>> ListAsync(Setup setup, string operation, Table table, string filter, string? orderBy, int top, CancellationToken ct)
    {
        var options = new List<(string, string)> { ("$select", table.Select), ("$filter", filter) };
        if (orderBy is not null) options.Add(("$orderby", orderBy));
        options.Add(("$top", top.ToString(CultureInfo.InvariantCulture)));
        var answer = await setup.Session.SendAsync(operation, _ => Query(setup, table.EntitySet, [.. options]), ct).ConfigureAwait(false);
        return setup.Session.Read(operation, () => answer.Json.Items("value").Select(e => ToRecord(setup, table, e)).ToList());
    }

    private Task<IReadOnlyList<CrmRecord>> CasesOfAsync(Setup setup, string customerId, CancellationToken ct) =>
        ListAsync(setup, "cases of customer", Incidents, $"_customerid_value eq {customerId}", "createdon desc", RelatedTop, ct);

    private static IEnumerable<CrmRecord> Related(IEnumerable<CrmRecord> records, string relation) => records.Select(r => r with { Relation = relation });

    private CrmRecord ToRecord(Setup setup, Table table, JsonElement e)
    {
        var id = e.RequiredText(table.Key);
        if (!IsGuid(id)) throw new CrmAnswerUnreadable($"'{table.Key}' is not a GUID");
        var match = new CrmMatching(new CrmLookup([], [], null, null, null), setup.Region);
        var email = CrmMatching.ShownEmail(e.Text("emailaddress1"));
        var url = RecordUrl(new CrmRecordRef(table.Type, id));
        switch (table.Type)
        {
            case CrmRecordType.Contact:
            {
                var parentIsAccount = e.Text("_parentcustomerid_value" + LookupType) is "account";
                var accountName = parentIsAccount ? e.Text("_parentcustomerid_value" + Formatted) : null;
                var fields = VendorJson.Fields(
                    (CrmFieldNames.FirstName, e.Text("firstname")), (CrmFieldNames.LastName, e.Text("lastname")), (CrmFieldNames.Email, email),
                    (CrmFieldNames.Phone, match.ShownPhone(e.Text("telephone1"))), (CrmFieldNames.MobilePhone, match.ShownPhone(e.Text("mobilephone"))),
                    (CrmFieldNames.JobTitle, e.Text("jobtitle")),
                    (CrmFieldNames.AccountId, parentIsAccount ? e.Text("_parentcustomerid_value") : null), (CrmFieldNames.AccountName, accountName));
                return new CrmRecord(CrmRecordType.Contact, id, PersonTitle(e, email, id), accountName ?? email, fields, url);
            }
            case CrmRecordType.Lead:
            {
                var company = e.Text("companyname");
                var fields = VendorJson.Fields(
                    (CrmFieldNames.FirstName, e.Text("firstname")), (CrmFieldNames.LastName, e.Text("lastname")), (CrmFieldNames.Email, email),
                    (CrmFieldNames.Phone, match.ShownPhone(e.Text("telephone1"))), (CrmFieldNames.MobilePhone, match.ShownPhone(e.Text("mobilephone"))),
                    (CrmFieldNames.Company, company), (CrmFieldNames.Subject, e.Text("subject")));
                return new CrmRecord(CrmRecordType.Lead, id, PersonTitle(e, email, id), company ?? email, fields, url);
            }
            case CrmRecordType.Account:
            {
                var city = e.Text("address1_city");
                var phone = match.ShownPhone(e.Text("telephone1"));
                var fields = VendorJson.Fields(
                    (CrmFieldNames.Email, email), (CrmFieldNames.Phone, phone), (CrmFieldNames.City, city), ("accountNumber", e.Text("accountnumber")));
                return new CrmRecord(CrmRecordType.Account, id, e.Text("name") ?? id, city ?? phone, fields, url);
            }
            default:
            {
                var number = e.Text("ticketnumber");
                var title = e.Text("title");
                var customerType = e.Text("_customerid_value" + LookupType);
                var status = e.Text("statecode" + Formatted) ?? e.Text("statecode");
                var fields = VendorJson.Fields(
                    (CrmFieldNames.CaseNumber, number), (CrmFieldNames.Subject, title), (CrmFieldNames.Description, e.Text("description")),
                    (CrmFieldNames.Status, status), (CrmFieldNames.CreatedOn, e.Date("createdon")),
                    (CrmFieldNames.ContactId, customerType == "contact" ? e.Text("_customerid_value") : null),
                    (CrmFieldNames.AccountId, customerType == "account" ? e.Text("_customerid_value") : null));
                var caseTitle = string.Join(' ', new[] { number, title }.Where(t => !string.IsNullOrWhiteSpace(t)));
                return new CrmRecord(CrmRecordType.Case, id, caseTitle.Length > 0 ? caseTitle : id, status, fields, url);
            }
        }
    }

    private static string PersonTitle(JsonElement e, string? email, string id) =>
        e.Text("fullname") is { Length: > 0 } full ? full
        : string.Join(' ', new[] { e.Text("firstname"), e.Text("lastname") }.Where(t => !string.IsNullOrWhiteSpace(t))) is { Length: > 0 } joined ? joined
        : email ?? id;

    private static Table TableOf(CrmRecordType type) => type switch
    {
        CrmRecordType.Contact => Contacts,
        CrmRecordType.Account => Accounts,
        CrmRecordType.Lead => Leads,
        CrmRecordType.Case => Incidents,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a CRM record type."),
    };

    /// <summary>A GET with the documented headers, the query options URL-encoded (a '+' in a phone number must reach Dataverse as %2B).</summary>
    private static HttpRequestMessage Query(Setup setup, string resource, params (string Option, string Value)[] options)
    {
        var query = string.Join('&', options.Select(o => o.Option + "=" + Uri.EscapeDataString(o.Value)));
        var request = Request(setup, HttpMethod.Get, query.Length == 0 ? resource : resource + "?" + query, null);
        request.Headers.Add("Prefer", Annotations);
        // Documented for every request: no cached answer for expanded collections.
        request.Headers.TryAddWithoutValidation("If-None-Match", "null");
        return request;
    }

    private static HttpRequestMessage Request(Setup setup, HttpMethod method, string relative, JsonObject? body)
    {
        var request = new HttpRequestMessage(method, new Uri($"{setup.Environment.AbsoluteUri.TrimEnd('/')}/{ApiPath}{relative}", UriKind.Absolute));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Add("OData-MaxVersion", "4.0");
        request.Headers.Add("OData-Version", "4.0");
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    /// <summary>An OData string literal: single quotes doubled, as the Web API's filter documentation says.</summary>
    internal static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static string? Or(IEnumerable<string> terms)
    {
        var list = terms.ToList();
        return list.Count == 0 ? null : string.Join(" or ", list);
    }

    private static string? Or(params string?[] parts)
    {
        var list = parts.OfType<string>().ToList();
        return list.Count == 0 ? null : string.Join(" or ", list);
    }

    private static bool IsGuid(string id) => Guid.TryParseExact(id, "D", out _);

    private static string? OurFieldName(string column) => column switch
    {
        "firstname" => CrmFieldNames.FirstName,
        "lastname" => CrmFieldNames.LastName,
        "emailaddress1" => CrmFieldNames.Email,
        "telephone1" => CrmFieldNames.Phone,
        "mobilephone" => CrmFieldNames.MobilePhone,
        "jobtitle" => CrmFieldNames.JobTitle,
        "companyname" or "name" => CrmFieldNames.Company,
        "subject" or "title" => CrmFieldNames.Subject,
        "description" => CrmFieldNames.Description,
        "parentcustomerid" => CrmFieldNames.AccountId,
        "customerid" => CrmFieldNames.ContactId,
        _ => null,
    };

    [GeneratedRegex("'([a-z][a-z0-9_]*)'", RegexOptions.CultureInvariant)]
    private static partial Regex QuotedName();

    /// <summary>
    /// Dataverse errors: <c>{ "error": { "code": "0x...", "message": "..." } }</c> (the code is often empty). The
    /// message names a column in quotes when one is at fault ("The length of the 'firstname' attribute ..."): those
    /// quoted names are the error's fields.
    /// </summary>
    private static CrmVendorError? ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.Object("error") is not { } error) return null;
            var code = error.Text("code");
            var message = error.Text("message");
            var fields = message is null ? [] : QuotedName().Matches(message).Select(m => m.Groups[1].Value).ToList();
            return new CrmVendorError(string.IsNullOrEmpty(code) ? null : code, message, fields);
        }
        catch (Exception ex) when (ex is JsonException or CrmAnswerUnreadable)
        {
            return null;
        }
    }
}
