using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Features.Crm.Vendors;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Salesforce;

/// <summary>The settings of a Salesforce connection.</summary>
public static class SalesforceSettingKeys
{
    /// <summary>The org's My Domain address, where the token is asked for, e.g. https://acme.my.salesforce.com.</summary>
    public const string LoginUrl = "loginUrl";
    /// <summary>Optional: the address records are opened at ("Open in CRM"); default the My Domain address. The API itself uses the instance_url the token answer gives.</summary>
    public const string InstanceUrl = "instanceUrl";
    /// <summary>The consumer key of the external client app (client credentials flow enabled, run-as user chosen).</summary>
    public const string ClientId = "clientId";
    /// <summary>Secret: the consumer secret.</summary>
    public const string ClientSecret = "clientSecret";
    /// <summary>Optional: the REST API version, default v60.0.</summary>
    public const string ApiVersion = "apiVersion";
    /// <summary>
    /// Optional: the custom Task field (Text, External ID, Unique) that carries each push's idempotency key, default
    /// AgentWorkspace_Push_Key__c. Before creating a Task we look for one carrying the key; the field being unique
    /// makes a second create of the same key fail (DUPLICATE_VALUE), which we also answer with the Task found.
    /// </summary>
    public const string PushKeyField = "pushKeyField";
}

/// <summary>
/// Salesforce through its REST API: SOQL queries and the sObjects Contact, Account, Lead and Case, signed in with the
/// OAuth 2.0 client credentials flow on the org's My Domain. An interaction is pushed as a completed Task whose WhoId
/// (contact, lead) or WhatId (account, case) is the record, a call as TaskSubtype Call with its duration.
/// </summary>
internal sealed partial class SalesforceConnector : ICrmConnector
{
    private const string Vendor = "Salesforce";
    private const int FindLimit = 10;
    private const int RelatedLimit = 20;

    private readonly CrmVendorSettings _settings;
    private readonly ILogger _logger;
    private readonly Lazy<Setup> _setup;

    private sealed record Setup(Uri Login, string ApiVersion, string PushKeyField, CrmHttpSession Session, IReadOnlySet<string> PushFields, string Region);

    /// <summary>An sObject as we read it: its name and the fields we ask for.</summary>
    private sealed record SObject(CrmRecordType Type, string Name, string Fields, string QueryFields);

    private static readonly SObject ContactObject = new(CrmRecordType.Contact, "Contact",
        "Id,Name,FirstName,LastName,Email,Phone,MobilePhone,Title,AccountId",
        "Id, Name, FirstName, LastName, Email, Phone, MobilePhone, Title, AccountId, Account.Name");
    private static readonly SObject AccountObject = new(CrmRecordType.Account, "Account",
        "Id,Name,Phone,BillingCity", "Id, Name, Phone, BillingCity");
    private static readonly SObject LeadObject = new(CrmRecordType.Lead, "Lead",
        "Id,Name,FirstName,LastName,Email,Phone,MobilePhone,Company,Status,IsConverted,ConvertedContactId",
        "Id, Name, FirstName, LastName, Email, Phone, MobilePhone, Company, Status");
    private static readonly SObject CaseObject = new(CrmRecordType.Case, "Case",
        "Id,CaseNumber,Subject,Description,Status,ContactId,AccountId,CreatedDate",
        "Id, CaseNumber, Subject, Status, ContactId, AccountId, CreatedDate");

    public SalesforceConnector(CrmConnection connection, HttpClient http, TimeProvider time, ILogger logger, CrmTokenCaches tokens)
    {
        _settings = new CrmVendorSettings(Vendor, connection);
        _logger = logger;
        _setup = new Lazy<Setup>(() =>
        {
            var login = _settings.Address(SalesforceSettingKeys.LoginUrl);
            var clientId = _settings.Required(SalesforceSettingKeys.ClientId);
            var secret = _settings.Secret(SalesforceSettingKeys.ClientSecret);
            var version = _settings.Optional(SalesforceSettingKeys.ApiVersion) ?? "v60.0";
            if (!version.StartsWith('v')) version = "v" + version;
            if (!ApiVersionShape().IsMatch(version)) throw _settings.Invalid(SalesforceSettingKeys.ApiVersion, "is not an API version such as v60.0");
            var keyField = _settings.Optional(SalesforceSettingKeys.PushKeyField) ?? "AgentWorkspace_Push_Key__c";
            if (!CustomFieldShape().IsMatch(keyField)) throw _settings.Invalid(SalesforceSettingKeys.PushKeyField, "is not a custom field API name such as AgentWorkspace_Push_Key__c");
            var tokenEndpoint = new Uri($"{login.AbsoluteUri.TrimEnd('/')}/services/oauth2/token");
            var dialect = new CrmVendorDialect(Vendor, ReadError, Classify, OurFieldName);
            var session = new CrmHttpSession(http, time, logger, dialect, _settings.Limits(),
                tokens.For("salesforce", tokenEndpoint.AbsoluteUri, clientId, secret),
                async (s, ct) =>
                {
                    var json = await s.RequestTokenAsync(tokenEndpoint, new Dictionary<string, string>
                    {
                        ["grant_type"] = "client_credentials",
                        ["client_id"] = clientId,
                        ["client_secret"] = secret,
                    }, ct).ConfigureAwait(false);
                    var (value, instance) = s.Read("sign-in", () => (json.RequiredText("access_token"), json.Text("instance_url")));
                    // The API is called on the instance the token is for; it gets the token, so it must be https (or this machine, in tests).
                    var instanceUrl = instance is null ? login
                        : CrmVendorSettings.SafeAddress(instance) ?? s.Read<Uri>("sign-in", () => throw new CrmAnswerUnreadable("'instance_url' is not an https address"));
                    // No expiry is given: the token is used until Salesforce answers 401 INVALID_SESSION_ID.
                    return new CrmAccessToken(value, null, instanceUrl);
                });
            return new Setup(login, version, keyField, session, _settings.PushFields(), _settings.Region());
        });
    }

    public string Kind => SalesforceConnectorKind.KindName;

    public Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct) => Guard("find", async setup =>
    {
        var match = new CrmMatching(lookup, setup.Region);
        if (match.IsEmpty) return (IReadOnlyList<CrmRecord>)[];
        var phones = match.Phones.Count > 0 ? "(" + string.Join(", ", match.WrittenForms().Select(Soql.Quote)) + ")" : null;
        var emails = match.Emails.Count > 0 ? "(" + string.Join(", ", match.Emails.Select(Soql.Quote)) + ")" : null;
        var person = Or(
            phones is null ? null : $"Phone IN {phones} OR MobilePhone IN {phones}",
            emails is null ? null : $"Email IN {emails}",
            match.HasFullName ? $"(FirstName = {Soql.Quote(match.FirstName!)} AND LastName = {Soql.Quote(match.LastName!)})" : null);
        var account = Or(
            phones is null ? null : $"Phone IN {phones}",
            match.Company is { } company ? $"Name = {Soql.Quote(company)}" : null);

        var queries = new List<Task<IReadOnlyList<CrmRecord>>>();
        if (person is not null)
        {
            queries.Add(QueryAsync(setup, "find contacts", ContactObject, $"SELECT {ContactObject.QueryFields} FROM Contact WHERE {person} LIMIT {FindLimit}", ct));
            queries.Add(QueryAsync(setup, "find leads", LeadObject, $"SELECT {LeadObject.QueryFields} FROM Lead WHERE IsConverted = false AND ({person}) LIMIT {FindLimit}", ct));
        }
        if (account is not null)
            queries.Add(QueryAsync(setup, "find accounts", AccountObject, $"SELECT {AccountObject.QueryFields} FROM Account WHERE {account} LIMIT {FindLimit}", ct));
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
        var id = Soql.Quote(self.Id);
        var related = new List<CrmRecord>();
        switch (record.Type)
        {
            case CrmRecordType.Contact:
                if (self.Fields.GetValueOrDefault(CrmFieldNames.AccountId) is { } accountId && IsId(accountId))
                {
                    if (await GetOneAsync(setup, new CrmRecordRef(CrmRecordType.Account, accountId), ct).ConfigureAwait(false) is { } account)
                        related.Add(account with { Relation = CrmRelations.Account });
                    related.AddRange(Related(await QueryAsync(setup, "household", ContactObject,
                        $"SELECT {ContactObject.QueryFields} FROM Contact WHERE AccountId = {Soql.Quote(accountId)} AND Id != {id} ORDER BY Name LIMIT {RelatedLimit}", ct).ConfigureAwait(false), CrmRelations.Household));
                }
                related.AddRange(Related(await QueryAsync(setup, "cases of contact", CaseObject,
                    $"SELECT {CaseObject.QueryFields} FROM Case WHERE ContactId = {id} ORDER BY CreatedDate DESC LIMIT {RelatedLimit}", ct).ConfigureAwait(false), CrmRelations.Case));
                break;
            case CrmRecordType.Account:
                related.AddRange(Related(await QueryAsync(setup, "contacts of account", ContactObject,
                    $"SELECT {ContactObject.QueryFields} FROM Contact WHERE AccountId = {id} ORDER BY Name LIMIT {RelatedLimit}", ct).ConfigureAwait(false), CrmRelations.Contact));
                related.AddRange(Related(await QueryAsync(setup, "cases of account", CaseObject,
                    $"SELECT {CaseObject.QueryFields} FROM Case WHERE AccountId = {id} ORDER BY CreatedDate DESC LIMIT {RelatedLimit}", ct).ConfigureAwait(false), CrmRelations.Case));
                break;
            case CrmRecordType.Lead:
                if (self.Fields.GetValueOrDefault("convertedContactId") is { } convertedId
                    && await GetOneAsync(setup, new CrmRecordRef(CrmRecordType.Contact, convertedId), ct).ConfigureAwait(false) is { } converted)
                    related.Add(converted with { Relation = CrmRelations.ConvertedContact });
                break;
            case CrmRecordType.Case:
                if (self.Fields.GetValueOrDefault(CrmFieldNames.ContactId) is { } contactId
                    && await GetOneAsync(setup, new CrmRecordRef(CrmRecordType.Contact, contactId), ct).ConfigureAwait(false) is { } contact)
                    related.Add(contact with { Relation = CrmRelations.Customer });
                if (self.Fields.GetValueOrDefault(CrmFieldNames.AccountId) is { } caseAccountId
                    && await GetOneAsync(setup, new CrmRecordRef(CrmRecordType.Account, caseAccountId), ct).ConfigureAwait(false) is { } caseAccount)
                    related.Add(caseAccount with { Relation = related.Count == 0 ? CrmRelations.Customer : CrmRelations.Account });
                break;
        }
        return (IReadOnlyList<CrmRecord>)related;
    }, ct);

    public Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct) => Guard("create", async setup =>
    {
        var f = new CrmNewRecordFields(record, setup.Region, Vendor);
        var sobject = ObjectOf(record.Type);
        var body = new JsonObject();
        void Put(string field, string? value) { if (value is not null) body[field] = value; }
        switch (record.Type)
        {
            case CrmRecordType.Contact:
                Put("FirstName", f.FirstName); Put("LastName", f.LastName); Put("Email", f.Email); Put("Phone", f.Phone);
                Put("MobilePhone", f.MobilePhone); Put("Title", f.JobTitle); Put("AccountId", f.Id(CrmFieldNames.AccountId, IsId));
                break;
            case CrmRecordType.Lead:
                Put("FirstName", f.FirstName); Put("LastName", f.LastName); Put("Email", f.Email); Put("Phone", f.Phone);
                Put("MobilePhone", f.MobilePhone); Put("Company", f.Company);
                Put("Description", string.Join("\n\n", new[] { f.Subject, f.Description }.OfType<string>()) is { Length: > 0 } d ? d : null);
                break;
            case CrmRecordType.Account:
                Put("Name", f.Company); Put("Phone", f.Phone ?? f.MobilePhone);
                break;
            default:
                Put("Subject", f.Subject); Put("Description", f.Description);
                Put("ContactId", f.Id(CrmFieldNames.ContactId, IsId)); Put("AccountId", f.Id(CrmFieldNames.AccountId, IsId));
                break;
        }

        var answer = await setup.Session.SendAsync($"create {sobject.Name}",
            token => Request(setup, token, HttpMethod.Post, $"sobjects/{sobject.Name}/", body), ct).ConfigureAwait(false);
        var id = setup.Session.Read($"create {sobject.Name}", () =>
        {
            var created = answer.Json.RequiredText("id");
            return IsId(created) ? created : throw new CrmAnswerUnreadable("'id' is not a Salesforce id");
        });

        // The create answers only the id; the record is what we sent (reading it again could fail after the create succeeded).
        var fields = body.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>(), StringComparer.Ordinal);
        return ToRecord(setup, sobject, fields, id, accountName: null);
    }, ct);

    public Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct) => Guard("push", async setup =>
    {
        if (!IsId(target.Id)) throw new CrmException(CrmFailure.NotFound, $"{Vendor} has no record with id '{target.Id}'.");
        var key = activity.IdempotencyKey?.Trim();
        if (string.IsNullOrEmpty(key) || key.Length > 255 || key.Any(char.IsControl))
            throw new ArgumentException("A push needs an idempotency key of at most 255 printable characters.", nameof(activity));

        if (await FindPushedAsync(setup, key, ct).ConfigureAwait(false) is { } existing)
        {
            _logger.LogInformation("Salesforce already has the Task of this push; answering its id");
            return existing;
        }

        var body = new JsonObject
        {
            ["Subject"] = CrmActivityText.Clip(activity.Subject.Trim(), 255),
            ["Description"] = CrmActivityText.Clip(CrmActivityText.Describe(activity, setup.PushFields), 32000),
            ["ActivityDate"] = activity.Start.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Status"] = "Completed",
            [target.Type is CrmRecordType.Contact or CrmRecordType.Lead ? "WhoId" : "WhatId"] = target.Id,
            ["TaskSubtype"] = activity.IsCall ? "Call" : "Task",
            [setup.PushKeyField] = key,
        };
        if (activity.IsCall && CrmActivityText.DurationSeconds(activity) is { } seconds) body["CallDurationInSeconds"] = seconds;
        if (activity.IsCall && setup.PushFields.Contains(CrmActivityText.Disposition) && !string.IsNullOrWhiteSpace(activity.Disposition))
            body["CallDisposition"] = CrmActivityText.Clip(activity.Disposition.Trim(), 255);

        var answer = await setup.Session.SendAsync("push task",
            token => Request(setup, token, HttpMethod.Post, "sobjects/Task/", body), ct, HttpStatusCode.BadRequest).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.BadRequest)
        {
            // Another attempt of the same push created the Task between our look-up and our create: the unique key field refused the second one.
            if (answer.Error?.Code == "DUPLICATE_VALUE" && await FindPushedAsync(setup, key, ct).ConfigureAwait(false) is { } raced)
                return raced;
            throw setup.Session.Failure("push task", answer.Status, answer.Error);
        }
        return setup.Session.Read("push task", () => answer.Json.RequiredText("id"));
    }, ct);

    public Uri? RecordUrl(CrmRecordRef record)
    {
        Uri site;
        try
        {
            site = _settings.Address(SalesforceSettingKeys.InstanceUrl, _settings.Optional(SalesforceSettingKeys.LoginUrl));
        }
        catch (CrmException)
        {
            return null;
        }
        if (!IsId(record.Id)) return null;
        return new Uri($"{site.AbsoluteUri.TrimEnd('/')}/lightning/r/{ObjectOf(record.Type).Name}/{record.Id}/view");
    }

    public async Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct)
    {
        try
        {
            return await Guard("test connection", async setup =>
            {
                // Signs in and reads Tasks by the push key field: proves the credentials, the API access and that the field exists.
                var answer = await setup.Session.SendAsync("test connection", token => Request(setup, token, HttpMethod.Get,
                    "query?q=" + Uri.EscapeDataString($"SELECT Id FROM Task WHERE {setup.PushKeyField} = 'agentworkspace-connection-test' LIMIT 1"), null), ct).ConfigureAwait(false);
                setup.Session.Read("test connection", () => answer.Json.Items("records"));
                var instance = (await setup.Session.TokenAsync(ct).ConfigureAwait(false)).InstanceUrl ?? setup.Login;
                return new CrmConnectionCheck(true, $"Signed in to {instance.Host} and read Tasks by {setup.PushKeyField} (API {setup.ApiVersion}).",
                    "SalesforceSignedIn", [instance.Host, setup.PushKeyField, setup.ApiVersion]);
            }, ct).ConfigureAwait(false);
        }
        catch (CrmException ex)
        {
            return new CrmConnectionCheck(false, ex.VendorMessage is { } said && !ex.Message.Contains(said, StringComparison.Ordinal) ? $"{ex.Message} {said}" : ex.Message);
        }
    }

    private Task<T> Guard<T>(string operation, Func<Setup, Task<T>> body, CancellationToken ct) =>
        CrmVendorGuard.RunAsync(_logger, Vendor, operation, () => body(_setup.Value), ct);

    private async Task<string?> FindPushedAsync(Setup setup, string key, CancellationToken ct)
    {
        var records = await RawQueryAsync(setup, "find pushed task",
            $"SELECT Id FROM Task WHERE {setup.PushKeyField} = {Soql.Quote(key)} LIMIT 1", ct).ConfigureAwait(false);
        return setup.Session.Read("find pushed task", () => records.Select(r => r.RequiredText("Id")).FirstOrDefault());
    }

    private async Task<CrmRecord?> GetOneAsync(Setup setup, CrmRecordRef record, CancellationToken ct)
    {
        if (!IsId(record.Id)) return null;
        var sobject = ObjectOf(record.Type);
        var answer = await setup.Session.SendAsync($"get {sobject.Name}", token => Request(setup, token, HttpMethod.Get,
            $"sobjects/{sobject.Name}/{record.Id}?fields={sobject.Fields}", null), ct, HttpStatusCode.NotFound).ConfigureAwait(false);
        if (answer.Status == HttpStatusCode.NotFound) return null;
        return setup.Session.Read($"get {sobject.Name}", () => ToRecord(setup, sobject, answer.Json));
    }

    private async Task<IReadOnlyList<CrmRecord>> QueryAsync(Setup setup, string operation, SObject sobject, string soql, CancellationToken ct)
    {
        var records = await RawQueryAsync(setup, operation, soql, ct).ConfigureAwait(false);
        return setup.Session.Read(operation, () => records.Select(r => ToRecord(setup, sobject, r)).ToList());
    }

    private static async Task<IReadOnlyList<JsonElement>> RawQueryAsync(Setup setup, string operation, string soql, CancellationToken ct)
    {
        var answer = await setup.Session.SendAsync(operation,
            token => Request(setup, token, HttpMethod.Get, "query?q=" + Uri.EscapeDataString(soql), null), ct).ConfigureAwait(false);
        return setup.Session.Read(operation, () => answer.Json.Items("records").ToList());
    }

    private static IEnumerable<CrmRecord> Related(IEnumerable<CrmRecord> records, string relation) => records.Select(r => r with { Relation = relation });

    private CrmRecord ToRecord(Setup setup, SObject sobject, JsonElement e)
    {
        var id = e.RequiredText("Id");
        if (!IsId(id)) throw new CrmAnswerUnreadable("'Id' is not a Salesforce id");
        var names = sobject.Fields.Split(',');
        var values = names.ToDictionary(n => n, n => e.Text(n), StringComparer.Ordinal);
        return ToRecord(setup, sobject, values, id, e.Object("Account")?.Text("Name"));
    }

    private CrmRecord ToRecord(Setup setup, SObject sobject, IReadOnlyDictionary<string, string?> v, string id, string? accountName)
    {
        var match = new CrmMatching(new CrmLookup([], [], null, null, null), setup.Region);
        string? V(string name) => v.GetValueOrDefault(name);
        var email = CrmMatching.ShownEmail(V("Email"));
        var url = RecordUrl(new CrmRecordRef(sobject.Type, id));
        var person = string.Join(' ', new[] { V("FirstName"), V("LastName") }.Where(t => !string.IsNullOrWhiteSpace(t)));
        switch (sobject.Type)
        {
            case CrmRecordType.Contact:
                return new CrmRecord(CrmRecordType.Contact, id, V("Name") ?? (person.Length > 0 ? person : email ?? id), accountName ?? email,
                    VendorJson.Fields(
                        (CrmFieldNames.FirstName, V("FirstName")), (CrmFieldNames.LastName, V("LastName")), (CrmFieldNames.Email, email),
                        (CrmFieldNames.Phone, match.ShownPhone(V("Phone"))), (CrmFieldNames.MobilePhone, match.ShownPhone(V("MobilePhone"))),
                        (CrmFieldNames.JobTitle, V("Title")), (CrmFieldNames.AccountId, V("AccountId")), (CrmFieldNames.AccountName, accountName)), url);
            case CrmRecordType.Lead:
                return new CrmRecord(CrmRecordType.Lead, id, V("Name") ?? (person.Length > 0 ? person : email ?? id), V("Company") ?? email,
                    VendorJson.Fields(
                        (CrmFieldNames.FirstName, V("FirstName")), (CrmFieldNames.LastName, V("LastName")), (CrmFieldNames.Email, email),
                        (CrmFieldNames.Phone, match.ShownPhone(V("Phone"))), (CrmFieldNames.MobilePhone, match.ShownPhone(V("MobilePhone"))),
                        (CrmFieldNames.Company, V("Company")), (CrmFieldNames.Status, V("Status")),
                        ("convertedContactId", V("IsConverted") == "true" && V("ConvertedContactId") is { } converted && IsId(converted) ? converted : null)), url);
            case CrmRecordType.Account:
                var phone = match.ShownPhone(V("Phone"));
                return new CrmRecord(CrmRecordType.Account, id, V("Name") ?? id, V("BillingCity") ?? phone,
                    VendorJson.Fields((CrmFieldNames.Phone, phone), (CrmFieldNames.City, V("BillingCity"))), url);
            default:
                var title = string.Join(' ', new[] { V("CaseNumber"), V("Subject") }.Where(t => !string.IsNullOrWhiteSpace(t)));
                var created = V("CreatedDate") is { } raw && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                    ? CrmActivityText.Utc(at) : null;
                return new CrmRecord(CrmRecordType.Case, id, title.Length > 0 ? title : id, V("Status"),
                    VendorJson.Fields(
                        (CrmFieldNames.CaseNumber, V("CaseNumber")), (CrmFieldNames.Subject, V("Subject")), (CrmFieldNames.Description, V("Description")),
                        (CrmFieldNames.Status, V("Status")), (CrmFieldNames.CreatedOn, created),
                        (CrmFieldNames.ContactId, V("ContactId") is { } c && IsId(c) ? c : null), (CrmFieldNames.AccountId, V("AccountId") is { } a && IsId(a) ? a : null)), url);
        }
    }

    private static SObject ObjectOf(CrmRecordType type) => type switch
    {
        CrmRecordType.Contact => ContactObject,
        CrmRecordType.Account => AccountObject,
        CrmRecordType.Lead => LeadObject,
        CrmRecordType.Case => CaseObject,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a CRM record type."),
    };

    private static HttpRequestMessage Request(Setup setup, CrmAccessToken token, HttpMethod method, string relative, JsonObject? body)
    {
        var instance = token.InstanceUrl ?? setup.Login;
        var request = new HttpRequestMessage(method, new Uri($"{instance.AbsoluteUri.TrimEnd('/')}/services/data/{setup.ApiVersion}/{relative}", UriKind.Absolute));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (body is not null) request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        return request;
    }

    private static string? Or(params string?[] parts)
    {
        var list = parts.OfType<string>().ToList();
        return list.Count == 0 ? null : string.Join(" OR ", list);
    }

    /// <summary>A Salesforce record id: 15 or 18 letters and digits (so it can go into a URL or a SOQL literal as it is).</summary>
    private static bool IsId(string id) => SalesforceIdShape().IsMatch(id);

    /// <summary>
    /// Salesforce errors: a list <c>[ { "message", "errorCode", "fields": [...] } ]</c> (sometimes one such object);
    /// the first entry speaks for the answer.
    /// </summary>
    private static CrmVendorError? ReadError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var first = doc.RootElement.ValueKind switch
            {
                JsonValueKind.Array => doc.RootElement.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(),
                JsonValueKind.Object => doc.RootElement,
                _ => null,
            };
            if (first is not { ValueKind: JsonValueKind.Object } error) return null;
            var fields = error.TryGetProperty("fields", out var f) && f.ValueKind == JsonValueKind.Array
                ? f.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.String).Select(x => x.GetString()!).ToList()
                : [];
            return new CrmVendorError(error.Text("errorCode"), error.Text("message"), fields);
        }
        catch (Exception ex) when (ex is JsonException or CrmAnswerUnreadable)
        {
            return null;
        }
    }

    /// <summary>REQUEST_LIMIT_EXCEEDED comes as 403 but passes with time: Unavailable, not Rejected.</summary>
    private static CrmFailure? Classify(HttpStatusCode status, CrmVendorError? error) =>
        error?.Code == "REQUEST_LIMIT_EXCEEDED" ? CrmFailure.Unavailable : null;

    private static string? OurFieldName(string field) => field switch
    {
        "FirstName" => CrmFieldNames.FirstName,
        "LastName" => CrmFieldNames.LastName,
        "Email" => CrmFieldNames.Email,
        "Phone" => CrmFieldNames.Phone,
        "MobilePhone" => CrmFieldNames.MobilePhone,
        "Company" or "Name" => CrmFieldNames.Company,
        "Title" => CrmFieldNames.JobTitle,
        "Subject" => CrmFieldNames.Subject,
        "Description" => CrmFieldNames.Description,
        "AccountId" => CrmFieldNames.AccountId,
        "ContactId" => CrmFieldNames.ContactId,
        _ => null,
    };

    [GeneratedRegex("^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex SalesforceIdShape();

    [GeneratedRegex(@"^v\d{2,3}\.\d$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionShape();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,77}__c$", RegexOptions.CultureInvariant)]
    private static partial Regex CustomFieldShape();
}

/// <summary>SOQL string literals, escaped as the SOQL reference's "Quoted String Escape Sequences" lists.</summary>
internal static class Soql
{
    public static string Quote(string value)
    {
        var text = new StringBuilder(value.Length + 2).Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': text.Append(@"\\"); break;
                case '\'': text.Append(@"\'"); break;
                case '"': text.Append("\\\""); break;
                case '\n': text.Append(@"\n"); break;
                case '\r': text.Append(@"\r"); break;
                case '\t': text.Append(@"\t"); break;
                case '\b': text.Append(@"\b"); break;
                case '\f': text.Append(@"\f"); break;
                default:
                    if (!char.IsControl(c)) text.Append(c);
                    break;
            }
        }
        return text.Append('\'').ToString();
    }
}
