using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.Dataverse;
using AgentWorkspace.Core.Features.Crm.Vendors;

namespace AgentWorkspace.Tests.Crm.Vendors;

/// <summary>
/// The Dataverse connector against a local server that answers as the Dataverse Web API v9.2 and Microsoft Entra ID
/// documentation say, request by request: token request, URL, OData query, headers and body.
/// </summary>
public sealed class DataverseConnectorTests : IDisposable
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private const string ClientId = "51f81489-12ee-4a9e-aaae-a2591f45987d";
    private const string TokenA = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.first-token-AAAA";
    private const string TokenB = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.second-token-BBBB";
    private const string ContactId = "b6c1a2f0-3d4e-4f5a-8b9c-0d1e2f3a4b5c";
    private const string OtherContactId = "c7d2b3a1-4e5f-4a6b-9c0d-1e2f3a4b5c6d";
    private const string AccountId = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
    private const string IncidentId = "d8e3c4b2-5f6a-4b7c-8d9e-2f3a4b5c6d7e";
    private const string Api = "/api/data/v9.2/";
    private static readonly string TokenPath = $"/{Tenant}/oauth2/v2.0/token";

    private readonly VendorServer _entra = new();
    private readonly VendorServer _dataverse = new();
    private readonly VendorKit _kit = new();

    public void Dispose()
    {
        _entra.Dispose();
        _dataverse.Dispose();
        _kit.Dispose();
    }

    private ICrmConnector Connector(params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            [DataverseSettingKeys.EnvironmentUrl] = _dataverse.Url,
            [DataverseSettingKeys.TenantId] = Tenant,
            [DataverseSettingKeys.ClientId] = ClientId,
            [DataverseSettingKeys.AuthorityHost] = _entra.Url,
        };
        foreach (var (key, value) in extra) settings[key] = value;
        return _kit.Dataverse.Create(VendorKit.Connection("dataverse", settings));
    }

    private static Reply Token(string token) =>
        Reply.Json(200, $$"""{ "token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": "{{token}}" }""");

    private static Reply Collection(string entitySet, string values) =>
        Reply.Json(200, $$"""{ "@odata.context": "https://org.crm.dynamics.com/api/data/v9.2/$metadata#{{entitySet}}", "value": [ {{values}} ] }""");

    private static Reply DataverseError(int status, string code, string message, params (string, string)[] headers) =>
        Reply.Json(status, $$"""{ "error": { "code": "{{code}}", "message": "{{message}}" } }""", headers);

    private static CrmLookup AnnLookup() => new(["+33612345678"], ["Ann.OBrien@Example.com"], "Ann", "O'Brien", "Contoso Ltd");

    private static string ContactJson(string id, string first, string last, string? phone, string? email, bool withAccount) => $$"""
        {
          "@odata.etag": "W/\"4711\"",
          "contactid": "{{id}}",
          "fullname": "{{first}} {{last}}",
          "firstname": "{{first}}",
          "lastname": "{{last}}",
          "emailaddress1": {{(email is null ? "null" : $"\"{email}\"")}},
          "telephone1": {{(phone is null ? "null" : $"\"{phone}\"")}},
          "mobilephone": null,
          "jobtitle": "Buyer",
          "_parentcustomerid_value": {{(withAccount ? $"\"{AccountId}\"" : "null")}},
          "_parentcustomerid_value@OData.Community.Display.V1.FormattedValue": {{(withAccount ? "\"Contoso Ltd\"" : "null")}},
          "_parentcustomerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": {{(withAccount ? "\"account\"" : "null")}}
        }
        """;

    private const string AccountJson = $$"""
        { "accountid": "{{AccountId}}", "name": "Contoso Ltd", "emailaddress1": "hello@contoso.example", "telephone1": "+33 1 23 45 67 89", "accountnumber": "AC-1", "address1_city": "Lyon" }
        """;

    private void AssertDocumentedHeaders(SeenRequest request, string token)
    {
        request.Header("Authorization").ShouldBe($"Bearer {token}");
        request.Header("Accept").ShouldBe("application/json");
        request.Header("OData-MaxVersion").ShouldBe("4.0");
        request.Header("OData-Version").ShouldBe("4.0");
    }

    [Fact]
    public async Task FindSignsInWithClientCredentialsAndQueriesContactsLeadsAndAccountsWithTheDocumentedODataFilters()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + "contacts", Collection("contacts",
            ContactJson(ContactId, "Ann", "O'Brien", "06 12 34 56 78", "ANN.OBRIEN@EXAMPLE.COM", withAccount: true) + "," +
            ContactJson(OtherContactId, "Ann", "O'Brien", "+44 20 7946 0958", null, withAccount: false)));
        _dataverse.Answer("GET", Api + "leads", Collection("leads", ""));
        _dataverse.Answer("GET", Api + "accounts", Collection("accounts", AccountJson));

        var found = await Connector().FindAsync(AnnLookup(), TestContext.Current.CancellationToken);

        var token = _entra.To(TokenPath).ShouldHaveSingleItem();
        token.Method.ShouldBe("POST");
        token.Header("Content-Type").ShouldStartWith("application/x-www-form-urlencoded");
        token.Form().ShouldBe(new Dictionary<string, string>
        {
            ["client_id"] = ClientId,
            ["scope"] = $"{_dataverse.Url}/.default",
            ["client_secret"] = VendorKit.Secret,
            ["grant_type"] = "client_credentials",
        }, ignoreOrder: true);

        const string phones = "mobilephone eq '+33612345678' or telephone1 eq '+33612345678' or mobilephone eq '+33 6 12 34 56 78' or telephone1 eq '+33 6 12 34 56 78' or mobilephone eq '06 12 34 56 78' or telephone1 eq '06 12 34 56 78'";
        const string person = phones + " or emailaddress1 eq 'ann.obrien@example.com' or (firstname eq 'Ann' and lastname eq 'O''Brien')";
        var contacts = _dataverse.To(Api + "contacts").ShouldHaveSingleItem();
        contacts.Method.ShouldBe("GET");
        contacts.Query["$select"].ShouldBe("contactid,fullname,firstname,lastname,emailaddress1,telephone1,mobilephone,jobtitle,_parentcustomerid_value");
        contacts.Query["$filter"].ShouldBe(person);
        contacts.Query["$top"].ShouldBe("10");
        contacts.RawQuery.ShouldContain("%2B33612345678"); // '+' URL-encoded, as the filter documentation requires
        AssertDocumentedHeaders(contacts, TokenA);
        contacts.Header("If-None-Match").ShouldBe("null");
        contacts.Header("Prefer").ShouldContain("Microsoft.Dynamics.CRM.lookuplogicalname");

        var leads = _dataverse.To(Api + "leads").ShouldHaveSingleItem();
        leads.Query["$select"].ShouldBe("leadid,fullname,firstname,lastname,emailaddress1,telephone1,mobilephone,companyname,subject");
        leads.Query["$filter"].ShouldBe(person);
        var accounts = _dataverse.To(Api + "accounts").ShouldHaveSingleItem();
        accounts.Query["$filter"].ShouldBe("telephone1 eq '+33612345678' or telephone1 eq '+33 6 12 34 56 78' or telephone1 eq '06 12 34 56 78' or emailaddress1 eq 'ann.obrien@example.com' or name eq 'Contoso Ltd'");
        AssertDocumentedHeaders(accounts, TokenA);

        // Best match first: phone and e-mail (compared in E.164 and lower case), then the name alone, then the company.
        found.Select(r => (r.Type, r.Id)).ShouldBe([
            (CrmRecordType.Contact, ContactId), (CrmRecordType.Contact, OtherContactId), (CrmRecordType.Account, AccountId)]);
        var ann = found[0];
        ann.Title.ShouldBe("Ann O'Brien");
        ann.Subtitle.ShouldBe("Contoso Ltd");
        ann.Fields[CrmFieldNames.Phone].ShouldBe("+33612345678");
        ann.Fields[CrmFieldNames.Email].ShouldBe("ann.obrien@example.com");
        ann.Fields[CrmFieldNames.AccountId].ShouldBe(AccountId);
        ann.Url.ShouldBe(new Uri($"{_dataverse.Url}/main.aspx?etn=contact&id={ContactId}&pagetype=entityrecord"));
        found[2].Title.ShouldBe("Contoso Ltd");
        found[2].Fields[CrmFieldNames.Phone].ShouldBe("+33123456789");
    }

    [Fact]
    public async Task ARecordTheCrmReturnsThatMatchesNothingOfTheCardIsDropped()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + "contacts", Collection("contacts", ContactJson(ContactId, "Bob", "Martin", "+33 7 00 00 00 00", "bob@example.com", false)));
        _dataverse.Answer("GET", Api + "leads", Collection("leads", ""));
        _dataverse.Answer("GET", Api + "accounts", Collection("accounts", ""));

        var found = await Connector().FindAsync(new CrmLookup(["+33612345678"], [], null, null, null), TestContext.Current.CancellationToken);

        found.ShouldBeEmpty();
        _dataverse.To(Api + "accounts").ShouldHaveSingleItem().Query["$filter"].ShouldNotContain("name eq");
    }

    [Fact]
    public async Task AnEmptyLookupAsksNothing()
    {
        var found = await Connector().FindAsync(new CrmLookup([], ["not an e-mail"], "Ann", null, null), TestContext.Current.CancellationToken);

        found.ShouldBeEmpty();
        _entra.Requests.ShouldBeEmpty();
        _dataverse.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheTokenIsKeptForLaterCallsEvenThroughANewConnector()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)));

        await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);
        await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        _entra.Requests.Count.ShouldBe(1);
        _dataverse.Requests.Count.ShouldBe(2);
        _dataverse.Requests.ShouldAllBe(r => r.Headers["Authorization"] == $"Bearer {TokenA}");
    }

    [Fact]
    public async Task AnExpiredTokenIsRenewedBeforeUseFromTheLifetimeEntraGave()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA), Token(TokenB));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)));
        var connector = Connector();

        await connector.GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);
        _kit.Clock.Advance(TimeSpan.FromMinutes(56)); // 3599 s less the five-minute margin
        await connector.GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        _entra.Requests.Count.ShouldBe(2);
        _dataverse.Requests.Select(r => r.Headers["Authorization"]).ShouldBe([$"Bearer {TokenA}", $"Bearer {TokenB}"]);
    }

    [Fact]
    public async Task A401SignsInAgainOnceAndSendsTheRequestAgainWithTheNewToken()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA), Token(TokenB));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})",
            Reply.Empty(401, ("WWW-Authenticate", "Bearer authorization_uri=https://login.microsoftonline.com/common/oauth2/authorize")),
            Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)));

        var record = await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        record.ShouldNotBeNull().Title.ShouldBe("Ann Lee");
        _entra.Requests.Count.ShouldBe(2);
        _dataverse.Requests.Select(r => r.Headers["Authorization"]).ShouldBe([$"Bearer {TokenA}", $"Bearer {TokenB}"]);
    }

    [Fact]
    public async Task RequestsRefusedTogetherCauseOneSignInNotOneEach()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA), Token(TokenB), Token("third-token-must-not-be-asked"));
        foreach (var set in new[] { "contacts", "leads", "accounts" })
        {
            _dataverse.AnswerToken("GET", Api + set, TokenA, Reply.Empty(401));
            _dataverse.AnswerToken("GET", Api + set, TokenB, Collection(set, ""));
        }

        await Connector().FindAsync(AnnLookup(), TestContext.Current.CancellationToken);

        _entra.Requests.Count.ShouldBe(2);
        _dataverse.Requests.Count(r => r.Headers["Authorization"] == $"Bearer {TokenB}").ShouldBe(3);
    }

    [Fact]
    public async Task A401AfterTheRefreshIsUnauthorizedWithoutASecondRefresh()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA), Token(TokenB));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Empty(401));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        _entra.Requests.Count.ShouldBe(2);
        _dataverse.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task RefusedCredentialsAtSignInAreUnauthorizedWithEntrasWords()
    {
        _entra.Answer("POST", TokenPath, Reply.Json(401,
            """{ "error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215] }"""));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        error.VendorMessage.ShouldBe("AADSTS7000215: Invalid client secret provided.");
        _dataverse.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task A429WaitsTheRetryAfterSecondsThenSucceeds()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})",
            DataverseError(429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.", ("Retry-After", "7")),
            Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)));

        var record = await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        record.ShouldNotBeNull();
        _kit.Clock.Waits.ShouldBe([TimeSpan.FromSeconds(7)]);
        _dataverse.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task StillThrottledAfterTheAllowedRetriesIsUnavailable()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})",
            DataverseError(429, "0x80072321", "Combined execution time of incoming requests exceeded limit.", ("Retry-After", "3")));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector((CrmVendorSettingKeys.MaxRetries, "2")).GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
        error.IsTransient.ShouldBeTrue();
        _kit.Clock.Waits.ShouldBe([TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)]);
        _dataverse.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task ARetryAfterLongerThanTheBoundIsUnavailableAtOnceWithoutWaiting()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})",
            DataverseError(429, "0x80072322", "Number of requests exceeded the limit.", ("Retry-After", "600")));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
        _kit.Clock.Waits.ShouldBeEmpty();
        _dataverse.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task A503WithoutRetryAfterBacksOffOneSecondThenTwo()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Empty(503), Reply.Empty(503), Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)));

        var record = await Connector().GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        record.ShouldNotBeNull();
        _kit.Clock.Waits.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
    }

    [Theory]
    [InlineData(500, """{ "error": { "code": "0x80040216", "message": "An unexpected error occurred." } }""")]
    [InlineData(502, "<html><body>Bad gateway</body></html>")]
    [InlineData(200, "<html><body>Sign in to your account</body></html>")]
    [InlineData(200, """{ "value": "not a list" }""")]
    [InlineData(200, """{ "value": [ { "contactid": "not-a-guid" } ] }""")]
    public async Task A5xxOrAnAnswerThatDoesNotReadAsDocumentedIsUnavailable(int status, string body)
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + "contacts", new Reply(status, body));
        _dataverse.Answer("GET", Api + "leads", Collection("leads", ""));
        _dataverse.Answer("GET", Api + "accounts", Collection("accounts", ""));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().FindAsync(new CrmLookup([], ["ann@example.com"], null, null, null), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
    }

    [Fact]
    public async Task ACrmThatDoesNotAnswerInTimeIsUnavailable()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, false)) with { Delay = TimeSpan.FromSeconds(1) });

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector((CrmVendorSettingKeys.TimeoutSeconds, "0.3")).GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Unavailable);
        error.Message.ShouldContain("did not answer within 0.3 s");
    }

    [Fact]
    public async Task A400IsRejectedWithDataversesMessageAndTheColumnItNames()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("POST", Api + "contacts", DataverseError(400, "0x80044331",
            "A validation error occurred. The length of the 'firstname' attribute of the 'contact' entity exceeded the maximum allowed length of '50'."));

        var error = await Should.ThrowAsync<CrmException>(() => Connector().CreateAsync(
            new CrmNewRecord(CrmRecordType.Contact, new Dictionary<string, string?> { ["firstName"] = new string('A', 60), ["lastName"] = "Lee" }),
            TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Rejected);
        error.IsTransient.ShouldBeFalse();
        error.VendorMessage.ShouldBe("A validation error occurred. The length of the 'firstname' attribute of the 'contact' entity exceeded the maximum allowed length of '50'.");
        error.Field.ShouldBe(CrmFieldNames.FirstName);
    }

    [Fact]
    public async Task GetAnswersNullWhenDataverseSaysNotFoundAndAsksNothingForAnIdThatIsNoGuid()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"incidents({IncidentId})", DataverseError(404, "0x80040217", $"incident With Id = {IncidentId} Does Not Exist"));
        var connector = Connector();

        (await connector.GetAsync(new CrmRecordRef(CrmRecordType.Case, IncidentId), TestContext.Current.CancellationToken)).ShouldBeNull();
        (await connector.GetAsync(new CrmRecordRef(CrmRecordType.Case, "1) or (1 eq 1"), TestContext.Current.CancellationToken)).ShouldBeNull();

        var get = _dataverse.Requests.ShouldHaveSingleItem();
        get.Query["$select"].ShouldBe("incidentid,ticketnumber,title,description,statecode,createdon,_customerid_value");
    }

    [Fact]
    public async Task CreateContactPostsTheDocumentedBodyAndReadsTheRepresentationReturned()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("POST", Api + "contacts", Reply.Json(201,
            ContactJson(ContactId, "Zoë", "O'Brien", "+33612345678", "zoe@example.com", withAccount: true),
            ("Preference-Applied", "return=representation")));

        var record = await Connector().CreateAsync(new CrmNewRecord(CrmRecordType.Contact, new Dictionary<string, string?>
        {
            ["firstName"] = "Zoë", ["lastName"] = "O'Brien", ["email"] = " Zoe@Example.COM ", ["phone"] = "06 12 34 56 78", ["accountId"] = AccountId,
        }), TestContext.Current.CancellationToken);

        var post = _dataverse.Requests.ShouldHaveSingleItem();
        post.Method.ShouldBe("POST");
        post.Query["$select"].ShouldStartWith("contactid,fullname");
        AssertDocumentedHeaders(post, TokenA);
        post.Header("Prefer").ShouldContain("return=representation");
        post.Header("Content-Type").ShouldStartWith("application/json");
        var body = post.Json();
        body.Select(p => p.Key).ShouldBe(["firstname", "lastname", "emailaddress1", "telephone1", "parentcustomerid_account@odata.bind"], ignoreOrder: true);
        body["firstname"]!.GetValue<string>().ShouldBe("Zoë");
        body["lastname"]!.GetValue<string>().ShouldBe("O'Brien");
        body["emailaddress1"]!.GetValue<string>().ShouldBe("zoe@example.com");
        body["telephone1"]!.GetValue<string>().ShouldBe("+33612345678");
        body["parentcustomerid_account@odata.bind"]!.GetValue<string>().ShouldBe($"/accounts({AccountId})");
        record.Id.ShouldBe(ContactId);
        record.Title.ShouldBe("Zoë O'Brien");
    }

    [Fact]
    public async Task CreateCaseBindsTheCustomerAndAskingForACaseWithoutOneIsRefusedBeforeAnythingIsSent()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("POST", Api + "incidents", Reply.Json(201, $$"""
            { "incidentid": "{{IncidentId}}", "ticketnumber": "CAS-01042-Z4M1", "title": "Router down", "statecode": 0,
              "statecode@OData.Community.Display.V1.FormattedValue": "Active", "_customerid_value": "{{ContactId}}",
              "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact", "createdon": "2026-03-02T09:00:00Z" }
            """));
        var connector = Connector();

        var orphan = await Should.ThrowAsync<CrmException>(() => connector.CreateAsync(
            new CrmNewRecord(CrmRecordType.Case, new Dictionary<string, string?> { ["subject"] = "Router down" }), TestContext.Current.CancellationToken));
        orphan.Failure.ShouldBe(CrmFailure.Rejected);
        orphan.Field.ShouldBe("contactId");
        _dataverse.Requests.ShouldBeEmpty();

        var record = await connector.CreateAsync(new CrmNewRecord(CrmRecordType.Case, new Dictionary<string, string?>
        {
            ["subject"] = "Router down", ["description"] = "Since this morning.", ["contactId"] = ContactId,
        }), TestContext.Current.CancellationToken);

        var body = _dataverse.Requests.ShouldHaveSingleItem().Json();
        body["title"]!.GetValue<string>().ShouldBe("Router down");
        body["customerid_contact@odata.bind"]!.GetValue<string>().ShouldBe($"/contacts({ContactId})");
        record.Title.ShouldBe("CAS-01042-Z4M1 Router down");
        record.Subtitle.ShouldBe("Active");
        record.Fields[CrmFieldNames.ContactId].ShouldBe(ContactId);
    }

    [Theory]
    [InlineData("email", "ann(at)example.com", "email")]
    [InlineData("phone", "call me maybe", "phone")]
    [InlineData("lastName", "", "lastName")]
    [InlineData("accountId", "../accounts", "accountId")]
    public async Task AFieldThatCannotBeSentIsRejectedNamingItWithoutAsking(string key, string value, string field)
    {
        var fields = new Dictionary<string, string?> { ["firstName"] = "Ann", ["lastName"] = "Lee", [key] = value };

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().CreateAsync(new CrmNewRecord(CrmRecordType.Contact, fields), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.Rejected);
        error.Field.ShouldBe(field);
        error.VendorMessage.ShouldNotBeNullOrWhiteSpace();
        _entra.Requests.ShouldBeEmpty();
    }

    private static CrmActivity Call(string key) => new(key, IsCall: true, "Call with Ann O'Brien", "Voice", "Ann O'Brien", "Support FR", "Marie Curie",
        new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 3, 2, 9, 7, 30, TimeSpan.Zero), "Resolved",
        "Router restarted.\nAll good.", new Uri("https://agents.example/cases/42"));

    [Fact]
    public async Task PushingACallCreatesAPhoneCallRegardingTheRecordAndPushingItAgainFindsItThere()
    {
        var activityId = CrmActivityText.ActivityId("push-42-1").ToString("D");
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("PATCH", Api + $"phonecalls({activityId})",
            Reply.Empty(204),
            DataverseError(412, "", "A record with matching key values already exists."));
        var connector = Connector();

        var first = await connector.PushAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), Call("push-42-1"), TestContext.Current.CancellationToken);
        var again = await connector.PushAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), Call("push-42-1"), TestContext.Current.CancellationToken);

        first.ShouldBe(activityId);
        again.ShouldBe(activityId);
        var patches = _dataverse.Requests;
        patches.Count.ShouldBe(2);
        patches.ShouldAllBe(p => p.Method == "PATCH" && p.Path == Api + $"phonecalls({activityId})");
        var patch = patches[0];
        AssertDocumentedHeaders(patch, TokenA);
        patch.Header("If-None-Match").ShouldBe("*");
        var body = patch.Json();
        body["subject"]!.GetValue<string>().ShouldBe("Call with Ann O'Brien");
        body["regardingobjectid_contact_phonecall@odata.bind"]!.GetValue<string>().ShouldBe($"/contacts({ContactId})");
        body["actualstart"]!.GetValue<string>().ShouldBe("2026-03-02T09:00:00Z");
        body["actualend"]!.GetValue<string>().ShouldBe("2026-03-02T09:07:30Z");
        body["actualdurationminutes"]!.GetValue<int>().ShouldBe(8);
        body["description"]!.GetValue<string>().ShouldBe(
            "Channel: Voice\nContact: Ann O'Brien\nQueue: Support FR\nAgent: Marie Curie\nStart: 2026-03-02T09:00:00Z\nEnd: 2026-03-02T09:07:30Z\n" +
            "Disposition: Resolved\nNotes:\nRouter restarted.\nAll good.\nCase: https://agents.example/cases/42");
        patches[1].Body.ShouldBe(patch.Body);
    }

    [Fact]
    public async Task ADigitalInteractionIsATaskRegardingTheCaseWithOnlyTheChosenValues()
    {
        var digital = Call("push-7") with { IsCall = false, Channel = "WhatsApp", End = null };
        var activityId = CrmActivityText.ActivityId("push-7").ToString("D");
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("PATCH", Api + $"tasks({activityId})", Reply.Empty(204));

        var id = await Connector((CrmVendorSettingKeys.PushFields, "channel, notes"))
            .PushAsync(new CrmRecordRef(CrmRecordType.Case, IncidentId), digital, TestContext.Current.CancellationToken);

        id.ShouldBe(activityId);
        var body = _dataverse.Requests.ShouldHaveSingleItem().Json();
        body["regardingobjectid_incident_task@odata.bind"]!.GetValue<string>().ShouldBe($"/incidents({IncidentId})");
        body["description"]!.GetValue<string>().ShouldBe("Channel: WhatsApp\nNotes:\nRouter restarted.\nAll good.");
        body.ContainsKey("actualstart").ShouldBeFalse();
        body.ContainsKey("actualdurationminutes").ShouldBeFalse();
    }

    [Fact]
    public void TheActivityIdDependsOnlyOnTheIdempotencyKey()
    {
        CrmActivityText.ActivityId("push-1").ShouldBe(CrmActivityText.ActivityId("push-1"));
        CrmActivityText.ActivityId("push-1").ShouldNotBe(CrmActivityText.ActivityId("push-2"));
        CrmActivityText.ActivityId("push-1").ToString("D")[14].ShouldBe('8'); // RFC 9562 version 8
    }

    [Fact]
    public async Task AContactsAssociatedRecordsAreItsAccountItsHouseholdAndItsCases()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"contacts({ContactId})", Reply.Json(200, ContactJson(ContactId, "Ann", "Lee", null, null, withAccount: true)));
        _dataverse.Answer("GET", Api + $"accounts({AccountId})", Reply.Json(200, AccountJson));
        _dataverse.Answer("GET", Api + "contacts", Collection("contacts", ContactJson(OtherContactId, "Tom", "Lee", null, null, withAccount: true)));
        _dataverse.Answer("GET", Api + "incidents", Collection("incidents", $$"""
            { "incidentid": "{{IncidentId}}", "ticketnumber": "CAS-1", "title": "Router down", "statecode": 0, "_customerid_value": "{{ContactId}}",
              "_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "contact" }
            """));

        var related = await Connector().GetAssociatedAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken);

        related.Select(r => (r.Type, r.Id, r.Relation)).ShouldBe([
            (CrmRecordType.Account, AccountId, CrmRelations.Account),
            (CrmRecordType.Contact, OtherContactId, CrmRelations.Household),
            (CrmRecordType.Case, IncidentId, CrmRelations.Case)]);
        var household = _dataverse.To(Api + "contacts").ShouldHaveSingleItem();
        household.Query["$filter"].ShouldBe($"_parentcustomerid_value eq {AccountId} and contactid ne {ContactId}");
        var cases = _dataverse.To(Api + "incidents").ShouldHaveSingleItem();
        cases.Query["$filter"].ShouldBe($"_customerid_value eq {ContactId}");
        cases.Query["$orderby"].ShouldBe("createdon desc");
    }

    [Fact]
    public async Task AssociatedRecordsOfARecordDataverseNoLongerHasIsNotFound()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + $"accounts({AccountId})", DataverseError(404, "0x80040217", "account With Id = x Does Not Exist"));

        var error = await Should.ThrowAsync<CrmException>(() =>
            Connector().GetAssociatedAsync(new CrmRecordRef(CrmRecordType.Account, AccountId), TestContext.Current.CancellationToken));

        error.Failure.ShouldBe(CrmFailure.NotFound);
    }

    [Fact]
    public async Task TestConnectionSignsInAndReadsWhoAmI()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA));
        _dataverse.Answer("GET", Api + "WhoAmI", Reply.Json(200, """
            { "@odata.context": "https://org.crm.dynamics.com/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
              "BusinessUnitId": "6f202e6c-e471-ec11-8941-000d3a3a9c2d", "UserId": "88057198-a9b1-ec11-9840-00567ab5c181", "OrganizationId": "e34c95a5-f34c-430c-a05e-a23437e5b9fa" }
            """));

        var check = await Connector().TestConnectionAsync(TestContext.Current.CancellationToken);

        check.Ok.ShouldBeTrue(check.Message);
        check.Message.ShouldContain("88057198-a9b1-ec11-9840-00567ab5c181");
        AssertDocumentedHeaders(_dataverse.Requests.ShouldHaveSingleItem(), TokenA);
    }

    [Fact]
    public async Task TestConnectionWithAWrongSecretSaysWhatEntraSaid()
    {
        _entra.Answer("POST", TokenPath, Reply.Json(401, """{ "error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided." }"""));

        var check = await Connector().TestConnectionAsync(TestContext.Current.CancellationToken);

        check.Ok.ShouldBeFalse();
        check.Message.ShouldContain("AADSTS7000215: Invalid client secret provided.");
    }

    [Theory]
    [InlineData(DataverseSettingKeys.EnvironmentUrl, null)]
    [InlineData(DataverseSettingKeys.EnvironmentUrl, "http://contoso.crm.dynamics.com")]
    [InlineData(DataverseSettingKeys.EnvironmentUrl, "https://contoso.crm.dynamics.com/?x=1")]
    [InlineData(DataverseSettingKeys.TenantId, "../../evil")]
    [InlineData(DataverseSettingKeys.ClientId, "")]
    [InlineData(CrmVendorSettingKeys.PushFields, "notes, password")]
    public async Task AMissingOrUnsafeSettingIsUnauthorizedNamingTheSetting(string key, string? value)
    {
        var connector = Connector((key, value!));

        var check = await connector.TestConnectionAsync(TestContext.Current.CancellationToken);
        var error = await Should.ThrowAsync<CrmException>(() =>
            connector.FindAsync(AnnLookup(), TestContext.Current.CancellationToken));

        check.Ok.ShouldBeFalse();
        check.Message.ShouldContain(key);
        error.Failure.ShouldBe(CrmFailure.Unauthorized);
        error.Field.ShouldBe(key);
        _entra.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task NoSecretNorTokenIsEverLoggedNorShownInAnError()
    {
        _entra.Answer("POST", TokenPath, Token(TokenA), Token(TokenB),
            Reply.Json(400, """{ "error": "invalid_request", "error_description": "AADSTS900144: The request body must contain the following parameter: 'client_id'." }"""));
        _dataverse.Answer("GET", Api + "contacts", Reply.Empty(401), Collection("contacts", ContactJson(ContactId, "Ann", "O'Brien", "06 12 34 56 78", null, false)));
        _dataverse.Answer("GET", Api + "leads", Collection("leads", ""));
        _dataverse.Answer("GET", Api + "accounts", DataverseError(400, "0x0", "Bad filter"));
        var connector = Connector();
        var errors = new List<CrmException>();

        try { await connector.FindAsync(AnnLookup(), TestContext.Current.CancellationToken); }
        catch (CrmException ex) { errors.Add(ex); }
        _kit.Clock.Advance(TimeSpan.FromHours(2));
        try { await connector.TestConnectionAsync(TestContext.Current.CancellationToken); }
        catch (CrmException ex) { errors.Add(ex); }
        try { await connector.GetAsync(new CrmRecordRef(CrmRecordType.Contact, ContactId), TestContext.Current.CancellationToken); }
        catch (CrmException ex) { errors.Add(ex); }

        _kit.Logs.Lines.ShouldNotBeEmpty();
        errors.ShouldNotBeEmpty();
        var everything = _kit.AllLogText() + string.Join("\n", errors.Select(e => $"{e} {e.VendorMessage}"));
        foreach (var secret in new[] { VendorKit.Secret, TokenA, TokenB, "first-token", "second-token" })
            everything.ShouldNotContain(secret);
        // Nor the contact's phone or e-mail from the query string.
        everything.ShouldNotContain("33612345678");
        everything.ShouldNotContain("obrien@example.com", Shouldly.Case.Insensitive);
    }
}
