using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.Salesforce;
using AgentWorkspace.Core.Features.Crm.Vendors;

namespace AgentWorkspace.Tests.Crm.Vendors;

/// <summary>
/// The Salesforce connector against local servers that answer as the Salesforce REST API documentation says: the
/// token on the org's My Domain (client credentials flow), then SOQL queries and sObject calls on the instance_url the
/// token answer names, request by request.
/// </summary>
public sealed class SalesforceConnectorTests : IDisposable
{
    private const string ClientId = "3MVG9VwZxxW3bBQjhE6m21CG2nSS4WC.GNbZCtKeQxFH7218ns6xOLCNnJV";
    private const string TokenA = "00DS7000000oxzo!AR8AQPXAhJNveaXD.first-session-AAAA";
    private const string TokenB = "00DS7000000oxzo!AR8AQBgr7TtqhHxW.second-session-BBBB";
    private const string ContactId = "003Dn00000ABCdeIAH";
    private const string OtherContactId = "003Dn00000FGHijIAH";
    private const string AccountId = "001Dn00000XYZabIAH";
    private const string LeadId = "00QDn00000LmNopQAZ";
    private const string CaseId = "500Dn00000QrStuIAB";
    private const string TaskId = "00TDn00000TaSkOIAX";
    private const string TokenPath = "/services/oauth2/token";
    private const string Data = "/services/data/v60.0/";
    private const string QueryPath = Data + "query";

    private readonly VendorServer _login = new();
    private readonly VendorServer _instance = new();
    private readonly VendorKit _kit = new();

    public void Dispose()
    {
        _login.Dispose();
        _instance.Dispose();
        _kit.Dispose();
    }

    private ICrmConnector Connector(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [SalesforceSettingKeys.LoginUrl] = _login.Url,
            [SalesforceSettingKeys.ClientId] = ClientId,
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return _kit.Salesforce.Create(VendorKit.Connection("salesforce", settings));
    }

    private Reply Token(string token, string? instanceUrl = null) => Reply.Json(200, $$"""
        {
          "access_token": "{{token}}",
          "signature": "nUFHwtfIGLKDTHcLWmDBG8frv0t+HQGl/iCZFIQUarE=",
          "token_format": "opaque",
          "instance_url": "{{instanceUrl ?? _instance.Url}}",
          "id": "https://login.salesforce.com/id/00Dd000000XXXXXXX/005d000000XXXXX",
          "token_type": "Bearer",
          "issued_at": "1709370000000",
          "scope": "api"
        }
        """);

    private static Reply Records(string sobject, params string[] records) => Reply.Json(200, $$"""
        { "totalSize": {{records.Length}}, "done": true, "records": [ {{string.Join(",", records)}} ] }
        """);

    private static Reply SalesforceError(int status, string errorCode, string message, string fields = "", params (string, string)[] headers) =>
        Reply.Json(status, $$"""[ { "message": "{{message}}", "errorCode": "{{errorCode}}", "fields": [ {{fields}} ] } ]""", headers);

    private static string ContactJson(string id, string first, string last, string? phone, string? email, string? accountId = AccountId) => $$"""
        {
          "attributes": { "type": "Contact", "url": "/services/data/v60.0/sobjects/Contact/{{id}}" },
          "Id": "{{id}}", "Name": "{{first}} {{last}}", "FirstName": "{{first}}", "LastName": "{{last}}",
          "Email": {{(email is null ? "null" : $"\"{email}\"")}}, "Phone": {{(phone is null ? "null" : $"\"{phone}\"")}}, "MobilePhone": null,
          "Title": "Buyer", "AccountId": {{(accountId is null ? "null" : $"\"{accountId}\"")}},
          "Account": {{(accountId is null ? "null" : $$"""{ "attributes": { "type": "Account" }, "Name": "Contoso Ltd" }""")}}
        }
        """;

    private const string AccountJson = $$"""
        { "attributes": { "type": "Account", "url": "/services/data/v60.0/sobjects/Account/{{AccountId}}" }, "Id": "{{AccountId}}", "Name": "Contoso Ltd", "Phone": "+33 1 23 45 67 89", "BillingCity": "Lyon" }
        """;

    private const string CaseJson = $$"""
        { "attributes": { "type": "Case" }, "Id": "{{CaseId}}", "CaseNumber": "00001042", "Subject": "Router down", "Status": "New",
          "ContactId": "{{ContactId}}", "AccountId": "{{AccountId}}", "CreatedDate": "2026-03-02T09:00:00.000+0000" }
        """;

    private static CrmLookup AnnLookup(string lastName = "O'Brien") => new(["+33612345678"], ["Ann.OBrien@Example.com"], "Ann", lastName, "Contoso Ltd");

    [Fact]
    public async Task FindSignsInOnMyDomainThenQueriesTheInstanceWithSoql()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM Contact ", Records("Contact",
            ContactJson(ContactId, "Ann", "O'Brien", "06 12 34 56 78", "ANN.OBRIEN@EXAMPLE.COM"),
            ContactJson(OtherContactId, "Ann", "O'Brien", "+44 20 7946 0958", null, accountId: null)));
        _instance.AnswerQuery(QueryPath, "FROM Lead ", Records("Lead"));
        _instance.AnswerQuery(QueryPath, "FROM Account ", Records("Account", AccountJson));

        var found = await Connector().FindAsync(AnnLookup(), TestContext.Current.CancellationToken);

        var token = _login.Requests.ShouldHaveSingleItem();
        token.Method.ShouldBe("POST");
        token.Path.ShouldBe(TokenPath);
        token.Header("Content-Type").ShouldStartWith("application/x-www-form-urlencoded");
        token.Form().ShouldBe(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials", ["client_id"] = ClientId, ["client_secret"] = VendorKit.Secret,
        }, ignoreOrder: true);

        const string phones = "('+33612345678', '+33 6 12 34 56 78', '06 12 34 56 78')";
        const string person = $"Phone IN {phones} OR MobilePhone IN {phones} OR Email IN ('ann.obrien@example.com') OR (FirstName = 'Ann' AND LastName = 'O\\'Brien')";
        var queries = _instance.Requests.Select(r => r.Query["q"]).ToList();
        queries.ShouldBe([
            $"SELECT Id, Name, FirstName, LastName, Email, Phone, MobilePhone, Title, AccountId, Account.Name FROM Contact WHERE {person} LIMIT 10",
            $"SELECT Id, Name, FirstName, LastName, Email, Phone, MobilePhone, Company, Status FROM Lead WHERE IsConverted = false AND ({person}) LIMIT 10",
            $"SELECT Id, Name, Phone, BillingCity FROM Account WHERE Phone IN {phones} OR Name = 'Contoso Ltd' LIMIT 10",
        ], ignoreOrder: true);
        foreach (var query in _instance.Requests)
        {
            query.Method.ShouldBe("GET");
            query.Path.ShouldBe(QueryPath);
            query.Header("Authorization").ShouldBe($"Bearer {TokenA}");
            query.Header("Accept").ShouldBe("application/json");
            query.RawQuery.ShouldContain("%2B33612345678");
        }

        found.Select(r => (r.Type, r.Id)).ShouldBe([
            (CrmRecordType.Contact, ContactId), (CrmRecordType.Contact, OtherContactId), (CrmRecordType.Account, AccountId)]);
        found[0].Fields[CrmFieldNames.Phone].ShouldBe("+33612345678");
        found[0].Fields[CrmFieldNames.Email].ShouldBe("ann.obrien@example.com");
        found[0].Fields[CrmFieldNames.AccountName].ShouldBe("Contoso Ltd");
        found[0].Subtitle.ShouldBe("Contoso Ltd");
        found[0].Url.ShouldBe(new Uri($"{_login.Url}/lightning/r/Contact/{ContactId}/view"));
    }

    [Theory]
    [InlineData("O'Brien", @"'O\'Brien'")]
    [InlineData(@"back\slash", @"'back\\slash'")]
    [InlineData(@"x' OR Name != '", @"'x\' OR Name != \''")]
    [InlineData(@"\' OR Id != null OR LastName = \", @"'\\\' OR Id != null OR LastName = \\'")]
    [InlineData("say \"quoted\"", "'say \\\"quoted\\\"'")]
    public async Task HostileNamesAreEscapedAsTheSoqlReferenceSays(string lastName, string literal)
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM ", Records("Contact"));

        await Connector().FindAsync(new CrmLookup([], [], "Ann", lastName, null), TestContext.Current.CancellationToken);

        _instance.Requests.Count.ShouldBe(2);
        _instance.Requests.ShouldAllBe(r => r.Query["q"].Contains($"(FirstName = 'Ann' AND LastName = {literal})"));
    }

    [Fact]
    public void SoqlLiteralsEscapeEverySequenceTheReferenceListsAndDropOtherControlCharacters() =>
        Soql.Quote("a'b\\c\"d\ne\rf\tg\bh\fi\u0001j").ShouldBe(@"'a\'b\\c\""d\ne\rf\tg\bh\fij'");

    [Fact]
    public async Task AnExpiredSessionSignsInAgainOnceAndSendsTheRequestAgain()
    {
        _login.Answer("POST", TokenPath, Token(TokenA), Token(TokenB));
        _instance.Answer("GET", Data + $"sobjects/Contact/{ContactId}",
            SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"),
            Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null)));

        var record = await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        record.ShouldNotBeNull().Title.ShouldBe("Ann Lee");
        _login.Requests.Count.ShouldBe(2);
        _instance.Requests.Select(r => r.Header("Authorization")).ShouldBe([$"Bearer {TokenA}", $"Bearer {TokenB}"]);
        _instance.Requests[0].Query["fields"].ShouldBe("Id,Name,FirstName,LastName,Email,Phone,MobilePhone,Title,AccountId");
    }

    [Fact]
    public async Task ASessionRefusedAgainAfterTheRefreshIsUnauthorized()
    {
        _login.Answer("POST", TokenPath, Token(TokenA), Token(TokenB));
        _instance.Answer("GET", Data + $"sobjects/Contact/{ContactId}", SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        error.VendorMessage.ShouldBe("Session expired or invalid");
        _login.Requests.Count.ShouldBe(2);
        _instance.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task RefusedClientCredentialsAreUnauthorizedWithSalesforcesWords()
    {
        _login.Answer("POST", TokenPath, Reply.Json(400, """{ "error": "invalid_client", "error_description": "invalid client credentials" }"""));

        var check = await Connector().TestConnectionAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        check.Ok.ShouldBeFalse();
        check.Message.ShouldContain("invalid client credentials");
        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        _instance.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A503WaitsTheRetryAfterThenSucceeds()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("GET", Data + $"sobjects/Account/{AccountId}",
            SalesforceError(503, "SERVER_UNAVAILABLE", "Server is unavailable", "", ("Retry-After", "2")),
            Reply.Json(200, AccountJson));

        var record = await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Account, AccountId), TestContext.Current.CancellationToken);

        record.ShouldNotBeNull().Title.ShouldBe("Contoso Ltd");
        _kit.Clock.Waits.ShouldBe([TimeSpan.FromSeconds(2)]);
    }

    [Fact]
    public async Task A429AnsweredWithADateToRetryAfterWaitsUntilThen()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        var until = _kit.Clock.GetUtcNow().AddSeconds(5).ToString("R");
        _instance.Answer("GET", Data + $"sobjects/Account/{AccountId}",
            SalesforceError(429, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", "", ("Retry-After", until)),
            Reply.Json(200, AccountJson));

        await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Account, AccountId), TestContext.Current.CancellationToken);

        _kit.Clock.Waits.ShouldBe([TimeSpan.FromSeconds(5)]);
    }

    [Fact]
    public async Task TheDailyRequestLimitIsUnavailableNotRejected()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("GET", Data + $"sobjects/Account/{AccountId}",
            SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Account, AccountId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
        error.VendorMessage.ShouldBe("TotalRequests Limit exceeded.");
    }

    [Theory]
    [InlineData(500, """[ { "message": "An unexpected error occurred.", "errorCode": "UNKNOWN_EXCEPTION" } ]""")]
    [InlineData(200, "<html>Maintenance</html>")]
    [InlineData(200, """{ "totalSize": 1, "done": true }""")]
    [InlineData(200, """{ "records": [ { "Id": "'; DROP" } ] }""")]
    public async Task A5xxOrAnAnswerThatDoesNotReadAsDocumentedIsUnavailable(int status, string body)
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM ", new Reply(status, body));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().FindAsync(new CrmLookup([], ["ann@example.com"], null, null, null), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
    }

    [Fact]
    public async Task AnInstanceUrlThatIsNotHttpsGetsNoToken()
    {
        _login.Answer("POST", TokenPath, Token(TokenA, instanceUrl: "http://evil.example"));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Account, AccountId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
        _instance.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A400IsRejectedWithSalesforcesMessageAndTheFieldItNames()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("POST", Data + "sobjects/Lead/",
            SalesforceError(400, "REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]", "\"Company\""));

        var error = await Should.ThrowAsync<CrmException>(() => Connector().CreateAsync(
            new CrmNewRecord(CrmRecordType.Lead, new Dictionary<string, string?> { ["firstName"] = "Ann", ["lastName"] = "Lee" }),
            TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Rejected);
        error.VendorMessage.ShouldBe("Required fields are missing: [Company]");
        error.Field.ShouldBe(CrmFieldNames.Company);
    }

    [Fact]
    public async Task CreateContactPostsTheSObjectAndAnswersTheRecordWithItsNewId()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("POST", Data + "sobjects/Contact/", Reply.Json(201, $$"""{ "id": "{{ContactId}}", "errors": [], "success": true }"""));

        var record = await Connector().CreateAsync(new CrmNewRecord(CrmRecordType.Contact, new Dictionary<string, string?>
        {
            ["firstName"] = "Zoë", ["lastName"] = "O'Brien", ["email"] = "Zoe@Example.COM", ["phone"] = "06 12 34 56 78", ["accountId"] = AccountId,
        }), TestContext.Current.CancellationToken);

        var post = _instance.Requests.ShouldHaveSingleItem();
        post.Header("Authorization").ShouldBe($"Bearer {TokenA}");
        post.Header("Content-Type").ShouldStartWith("application/json");
        var body = post.Json();
        body.Select(p => p.Key).ShouldBe(["FirstName", "LastName", "Email", "Phone", "AccountId"], ignoreOrder: true);
        body["Email"]!.GetValue<string>().ShouldBe("zoe@example.com");
        body["Phone"]!.GetValue<string>().ShouldBe("+33612345678");
        record.Type.ShouldBe(CrmRecordType.Contact);
        record.Id.ShouldBe(ContactId);
        record.Title.ShouldBe("Zoë O'Brien");
        record.Url.ShouldBe(new Uri($"{_login.Url}/lightning/r/Contact/{ContactId}/view"));
    }

    [Fact]
    public async Task GetAnswersNullForARecordSalesforceDoesNotHaveAndAsksNothingForAnIdThatIsNoId()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("GET", Data + $"sobjects/Case/{CaseId}", SalesforceError(404, "NOT_FOUND", "The requested resource does not exist"));
        var connector = Connector();

        (await connector.GetAsync(new CrmRecordRef(CrmRecordType.Case, CaseId), TestContext.Current.CancellationToken)).ShouldBeNull();
        (await connector.GetAsync(new CrmRecordRef(CrmRecordType.Case, "../../limits"), TestContext.Current.CancellationToken)).ShouldBeNull();

        _instance.Requests.ShouldHaveSingleItem();
    }

    private static CrmActivity Call(string key) => new(key, IsCall: true, "Call with Ann O'Brien", "Voice", "Ann O'Brien", "Support FR", "Marie Curie",
        new DateTimeOffset(2026, 3, 2, 23, 30, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 2, 23, 37, 30, TimeSpan.Zero), "Resolved",
        "Router restarted.", new Uri("https://agents.example/cases/42"));

    [Fact]
    public async Task PushingACallCreatesACompletedCallTaskOnTheContactAndPushingItAgainFindsItByItsKey()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM Task ", Records("Task"), Records("Task", $$"""{ "attributes": { "type": "Task" }, "Id": "{{TaskId}}" }"""));
        _instance.Answer("POST", Data + "sobjects/Task/", Reply.Json(201, $$"""{ "id": "{{TaskId}}", "errors": [], "success": true }"""));
        var connector = Connector();

        var first = await connector.PushAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), Call("push-42-1"), TestContext.Current.CancellationToken);
        var again = await connector.PushAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), Call("push-42-1"), TestContext.Current.CancellationToken);

        first.ShouldBe(TaskId);
        again.ShouldBe(TaskId);
        _instance.Requests.Select(r => (r.Method, r.Path)).ShouldBe([("GET", QueryPath), ("POST", Data + "sobjects/Task/"), ("GET", QueryPath)]);
        _instance.Requests[0].Query["q"].ShouldBe("SELECT Id FROM Task WHERE AgentWorkspace_Push_Key__c = 'push-42-1' LIMIT 1");
        var body = _instance.Requests[1].Json();
        body.Select(p => p.Key).ShouldBe(["Subject", "Description", "ActivityDate", "Status", "WhoId", "TaskSubtype", "AgentWorkspace_Push_Key__c",
            "CallDurationInSeconds", "CallDisposition"], ignoreOrder: true);
        body["Subject"]!.GetValue<string>().ShouldBe("Call with Ann O'Brien");
        body["WhoId"]!.GetValue<string>().ShouldBe(ContactId);
        body["ActivityDate"]!.GetValue<string>().ShouldBe("2026-03-02");
        body["Status"]!.GetValue<string>().ShouldBe("Completed");
        body["TaskSubtype"]!.GetValue<string>().ShouldBe("Call");
        body["CallDurationInSeconds"]!.GetValue<int>().ShouldBe(450);
        body["CallDisposition"]!.GetValue<string>().ShouldBe("Resolved");
        body["AgentWorkspace_Push_Key__c"]!.GetValue<string>().ShouldBe("push-42-1");
        body["Description"]!.GetValue<string>().ShouldContain("Queue: Support FR\nAgent: Marie Curie");
    }

    [Fact]
    public async Task APushThatLosesTheRaceToItsOwnRetryAnswersTheTaskAlreadyThere()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM Task ", Records("Task"), Records("Task", $$"""{ "attributes": { "type": "Task" }, "Id": "{{TaskId}}" }"""));
        _instance.Answer("POST", Data + "sobjects/Task/", SalesforceError(400, "DUPLICATE_VALUE",
            $"duplicate value found: AgentWorkspace_Push_Key__c duplicates value on record with id: {TaskId}", "\"AgentWorkspace_Push_Key__c\""));

        var id = await Connector().PushAsync(new CrmRecordRef(CrmRecordType.Case, CaseId), Call("push-9") with { IsCall = false },
            TestContext.Current.CancellationToken);

        id.ShouldBe(TaskId);
        var body = _instance.Requests[1].Json();
        body["WhatId"]!.GetValue<string>().ShouldBe(CaseId);
        body["TaskSubtype"]!.GetValue<string>().ShouldBe("Task");
        body.ContainsKey("CallDurationInSeconds").ShouldBeFalse();
    }

    [Fact]
    public async Task TheKeyFieldComesFromTheSettingsAndAHostileKeyIsEscaped()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM Task ", Records("Task"));
        _instance.Answer("POST", Data + "sobjects/Task/", Reply.Json(201, $$"""{ "id": "{{TaskId}}", "errors": [], "success": true }"""));

        await Connector((SalesforceSettingKeys.PushKeyField, "Cti_Key__c")).PushAsync(
            new CrmRecordRef(CrmRecordType.Lead, LeadId), Call(@"k' OR Id != '\"), TestContext.Current.CancellationToken);

        _instance.Requests[0].Query["q"].ShouldBe(@"SELECT Id FROM Task WHERE Cti_Key__c = 'k\' OR Id != \'\\' LIMIT 1");
        _instance.Requests[1].Json()["Cti_Key__c"]!.GetValue<string>().ShouldBe(@"k' OR Id != '\");
    }

    [Fact]
    public async Task AContactsAssociatedRecordsAreItsAccountItsHouseholdAndItsCases()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.Answer("GET", Data + $"sobjects/Contact/{ContactId}", Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null)));
        _instance.Answer("GET", Data + $"sobjects/Account/{AccountId}", Reply.Json(200, AccountJson));
        _instance.AnswerQuery(QueryPath, "FROM Contact ", Records("Contact", ContactJson(OtherContactId, "Tom", "Lee", null, null)));
        _instance.AnswerQuery(QueryPath, "FROM Case ", Records("Case", CaseJson));

        var related = await Connector().GetAssociatedAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        related.Select(r => (r.Type, r.Id, r.Relation)).ShouldBe([
            (CrmRecordType.Account, AccountId, CrmRelations.Account),
            (CrmRecordType.Contact, OtherContactId, CrmRelations.Household),
            (CrmRecordType.Case, CaseId, CrmRelations.Case)]);
        related[2].Title.ShouldBe("00001042 Router down");
        var soql = _instance.To(QueryPath).Select(r => r.Query["q"]).ToList();
        soql.ShouldContain($"SELECT Id, Name, FirstName, LastName, Email, Phone, MobilePhone, Title, AccountId, Account.Name FROM Contact WHERE AccountId = '{AccountId}' AND Id != '{ContactId}' ORDER BY Name LIMIT 20");
        soql.ShouldContain($"SELECT Id, CaseNumber, Subject, Status, ContactId, AccountId, CreatedDate FROM Case WHERE ContactId = '{ContactId}' ORDER BY CreatedDate DESC LIMIT 20");
    }

    [Fact]
    public async Task TestConnectionReadsTasksByTheKeyFieldAndSaysWhenTheFieldIsMissing()
    {
        _login.Answer("POST", TokenPath, Token(TokenA));
        _instance.AnswerQuery(QueryPath, "FROM Task ", Records("Task"),
            SalesforceError(400, "INVALID_FIELD", "No such column 'AgentWorkspace_Push_Key__c' on entity 'Task'."));
        var connector = Connector();

        var ok = await connector.TestConnectionAsync(TestContext.Current.CancellationToken);
        var missing = await connector.TestConnectionAsync(TestContext.Current.CancellationToken);

        ok.Ok.ShouldBeTrue(ok.Message);
        ok.Message.ShouldContain("AgentWorkspace_Push_Key__c");
        missing.Ok.ShouldBeFalse();
        missing.Message.ShouldContain("No such column 'AgentWorkspace_Push_Key__c' on entity 'Task'.");
        _instance.Requests[0].Query["q"].ShouldBe("SELECT Id FROM Task WHERE AgentWorkspace_Push_Key__c = 'agentworkspace-connection-test' LIMIT 1");
    }

    [Fact]
    public void RecordUrlIsTheLightningRecordPageOnTheInstanceUrlWhenSet()
    {
        var connector = Connector((SalesforceSettingKeys.InstanceUrl, "https://acme.lightning.force.com/"));

        connector.RecordUrl(new CrmRecordRef(CrmRecordType.Case, CaseId)).ShouldBe(new Uri($"https://acme.lightning.force.com/lightning/r/Case/{CaseId}/view"));
        connector.RecordUrl(new CrmRecordRef(CrmRecordType.Lead, "javascript:alert(1)")).ShouldBeNull();
    }

    [Theory]
    [InlineData(SalesforceSettingKeys.LoginUrl, "http://acme.my.salesforce.com")]
    [InlineData(SalesforceSettingKeys.ApiVersion, "v60.0/../../x")]
    [InlineData(SalesforceSettingKeys.PushKeyField, "Id != null OR Name__c")]
    [InlineData(CrmVendorSettingKeys.TimeoutSeconds, "forever")]
    public async Task AnUnsafeSettingIsUnauthorizedNamingTheSetting(string key, string value)
    {
        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector((key, value)).FindAsync(AnnLookup(), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        error.Field.ShouldBe(key);
        _login.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task NoSecretNorTokenIsEverLoggedNorShownInAnError()
    {
        _login.Answer("POST", TokenPath, Token(TokenA), Token(TokenB), Reply.Json(400, """{ "error": "invalid_grant", "error_description": "request not supported on this domain" }"""));
        _instance.AnswerQuery(QueryPath, "FROM Contact ", SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"), Records("Contact"));
        _instance.AnswerQuery(QueryPath, "FROM Lead ", Records("Lead"));
        _instance.AnswerQuery(QueryPath, "FROM Account ", SalesforceError(400, "MALFORMED_QUERY", "unexpected token: OR"));
        _instance.Answer("GET", Data + $"sobjects/Contact/{ContactId}", SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid"));
        var connector = Connector();
        var errors = new List<CrmException>();

        try { await connector.FindAsync(AnnLookup(), TestContext.Current.CancellationToken); }
        catch (CrmException ex) { errors.Add(ex); }
        try { await connector.GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken); }
        catch (CrmException ex) { errors.Add(ex); }

        errors.Count.ShouldBe(2);
        _kit.Logs.Lines.ShouldNotBeEmpty();
        var everything = _kit.AllLogText() + string.Join("\n", errors.Select(e => $"{e} {e.VendorMessage}"));
        foreach (var secret in new[] { VendorKit.Secret, TokenA, TokenB, "first-session", "second-session", "AR8AQ" })
            everything.ShouldNotContain(secret);
        everything.ShouldNotContain("33612345678");
        everything.ShouldNotContain("obrien@example.com", Shouldly.Case.Insensitive);
    }
}
