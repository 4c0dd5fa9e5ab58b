using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Api;

public sealed class HostileApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public BodyReadTracker Reads { get; } = new();
    public ApiProbe Probe { get; private set; } = default!;
    public JsonElement Document { get; private set; }
    public IReadOnlyList<ApiOperation> Operations { get; private set; } = [];

    public async ValueTask InitializeAsync()
    {
        // The walk makes thousands of calls in well under a minute (4,094 with the scripts of issue 19): the rate limit would
        // answer 429 before the operations are reached, so it is off here (its own tests are elsewhere).
        App = await AppHost.StartAsync(new Dictionary<string, string?> { ["Api:RateLimit:PermitLimit"] = "0" }, demoCards: 12, configure: builder =>
        {
            builder.Services.AddSingleton<IStartupFilter>(Reads);
            builder.Services.AddSingleton<ISentimentAnalyzer, FaultOnMarkerAnalyzer>();
        });
        Probe = new ApiProbe(App, Reads);
        using var http = App.CreateClient();
        Document = JsonDocument.Parse(await http.GetStringAsync("openapi/v1.json")).RootElement.Clone();
        Operations = OpenApiOperations.Read(Document, "/api/v1");
    }

    public async ValueTask DisposeAsync()
    {
        Probe.Client.Dispose();
        await App.DisposeAsync();
    }

    public AgentWorkspaceDbContext Db() => App.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
}

/// <summary>
/// Issue 17, hostile input: every operation of the OpenAPI document (so an operation added later is walked by itself),
/// with existing, missing and malformed ids, is sent bodies that are not JSON of its shape and query values nothing
/// should fail on, with an administrator's key. No answer may be a 5xx; every 4xx is a problem; a hostile body is
/// refused naming the field at fault; and the refused calls change no row of any table of the EF model. The harness's
/// own tests (a planted fault, a valid body, a changed value, an answer that is not a problem) prove it would see each.
/// </summary>
public class HostileInputTests(HostileApiFixture fixture) : IClassFixture<HostileApiFixture>
{
    private static readonly string[] MalformedIds = ["abc", "-1", "0", "99999999999999999999", "1.5", "%20", "1e3", "0x10", "%FF%FE"];
    private static readonly string[] MalformedTexts = ["..%2F..%2Fetc", "%3Cscript%3E", "%FF%FE", "%ED%A0%80", "a%20b", "%E2%80%AE"];

    [Fact]
    public async Task EveryOperationOfTheOpenApiDocument_RefusesHostileInputWithAProblem_AndChangesNothing()
    {
        var operations = fixture.Operations;
        operations.Count.ShouldBeGreaterThanOrEqualTo(27, "the document lists the API's operations");
        operations.Count(o => o.Body is not null).ShouldBeGreaterThanOrEqualTo(12, "the operations that read a body declare it");

        var existing = await ExistingValuesAsync();
        var violations = new List<string>();
        var sent = 0;

        // Reads first, then operations with a body, then bodiless writes on missing ids; bodiless writes on existing ids
        // (lock, unlock, undo, delete: legitimate calls that change rows) come last, so they do not disturb the others.
        foreach (var operation in operations.OrderBy(o => o.IsRead ? 0 : o.Body is not null ? 1 : 2))
        {
            var probes = ProbesOf(operation, existing);
            sent += probes.Count;
            foreach (var group in probes.Where(p => p.MustRefuse).GroupBy(p => p.Url.Split('?')[0]))
                violations.AddRange(await fixture.Probe.RefusedGroupAsync($"{operation.Method} {group.Key}", group.ToList()));
            foreach (var probe in probes.Where(p => !p.MustRefuse && operation.IsRead))
                violations.AddRange(await fixture.Probe.SingleAsync(probe));
        }
        foreach (var operation in operations.Where(o => !o.IsRead && o.Body is null))
            foreach (var probe in ProbesOf(operation, existing).Where(p => !p.MustRefuse))
                violations.AddRange(await fixture.Probe.SingleAsync(probe));

        sent.ShouldBeGreaterThan(1000);
        violations.ShouldBeEmpty($"{violations.Count} problems in {sent} calls:\n" + string.Join("\n", violations.Take(60)));
    }

    /// <summary>
    /// Existing values for path parameters, by what the path segment before the parameter names ("cards/{id}": a card,
    /// "cases/{id}": a case), or by the parameter's name; a parameter added later that neither says gets "1".
    /// </summary>
    private async Task<Dictionary<string, string>> ExistingValuesAsync()
    {
        await using var db = fixture.Db();
        var cards = await db.Cards.Where(c => c.Status == CardStatus.Active && !c.IsLocked).OrderBy(c => c.Id).Select(c => c.Id).Take(3).ToListAsync();
        var ident = await db.CustomFields.OrderBy(f => f.Id).Select(f => f.Ident).FirstAsync();
        var mergeId = await db.Merges.OrderBy(m => m.Id).Select(m => (long?)m.Id).FirstOrDefaultAsync();
        if (mergeId is null)
        {
            // A merge to undo (cards other than the one walked).
            var merged = await fixture.Probe.Client.PostAsJsonAsync($"api/v1/cards/{cards[1]}/merge", new { mergedId = cards[2] });
            merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync());
            mergeId = (await merged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("mergeId").GetInt64();
        }
        var caseId = await db.Cases.Where(c => c.CardId == cards[0]).OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync()
            ?? await db.Cases.OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        var link = await db.CrmLinks.OrderBy(l => l.Id).Select(l => new { l.Id, l.CaseId }).FirstOrDefaultAsync();
        var contact = await db.CrmContacts.OrderBy(c => c.Id).Select(c => (long?)c.Id).FirstOrDefaultAsync();
        string Text(long id) => id.ToString(CultureInfo.InvariantCulture);
        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cards"] = Text(cards[0]),
            ["cases"] = Text(link?.CaseId ?? caseId),
            ["merges"] = Text(mergeId.Value),
            ["custom-fields"] = ident,
            ["links"] = link is null ? "1" : Text(link.Id),
            ["crm"] = "contact",
            ["{type}"] = contact is null ? "1" : Text(contact.Value),
            ["cardId"] = Text(cards[0]),
            ["survivorId"] = Text(cards[0]),
            ["caseId"] = Text(link?.CaseId ?? caseId),
            ["mergeId"] = Text(mergeId.Value),
            ["ident"] = ident,
        };
    }

    private static string ExistingValue(IReadOnlyDictionary<string, string> existing, ApiOperation operation, ApiParameter parameter)
    {
        var segments = operation.Path.Split('/');
        var at = Array.IndexOf(segments, "{" + parameter.Name + "}");
        if (at > 0 && existing.TryGetValue(segments[at - 1], out var byCollection)) return byCollection;
        return existing.TryGetValue(parameter.Name, out var byName) ? byName : "1";
    }

    private List<Probe> ProbesOf(ApiOperation operation, IReadOnlyDictionary<string, string> existing)
    {
        var op = operation.ToString();
        var parameters = operation.PathParameters.ToList();
        string Url(Func<ApiParameter, string> value, string query = "") =>
            parameters.Aggregate(operation.Path.TrimStart('/'), (path, p) => path.Replace("{" + p.Name + "}", value(p), StringComparison.Ordinal)) + query;
        string Existing(ApiParameter p) => ExistingValue(existing, operation, p);
        string Missing(ApiParameter p) => OpenApiOperations.Types(p.Schema).Contains("integer") ? "999999999" : "no-such-" + p.Name;

        // Where the operation is called: its existing ids, then ids that do not exist or are malformed (each must be refused).
        var places = new List<(string What, string Url, bool Exists)> { ("existing ids", Url(Existing), true) };
        if (parameters.Count > 0)
        {
            places.Add(("missing ids", Url(Missing), false));
            foreach (var target in parameters)
            {
                var malformed = OpenApiOperations.Types(target.Schema).Contains("integer") ? MalformedIds : MalformedTexts.Append(new string('x', 1000));
                foreach (var bad in malformed)
                    places.Add(($"{target.Name}={bad[..Math.Min(bad.Length, 12)]}", Url(p => p == target ? bad : Existing(p)), false));
            }
        }

        var probes = new List<Probe>();
        if (operation.Body is { } schema)
        {
            var corpus = HostileCorpus.Bodies(fixture.Document, schema);
            foreach (var (what, url, exists) in places)
            {
                // Every hostile body where the operation is found; where it is not, the generic ones are enough.
                var bodies = exists ? corpus : what == "missing ids" ? corpus.Take(48) : corpus.Take(3);
                probes.AddRange(bodies.Select(b => new Probe(op, operation.Method, url, $"{what}; {b.What}", b, MustRefuse: true, MustName: exists ? b.Names : null)));
            }
            return probes;
        }

        // No body: hostile query values for each query parameter (an undeclared one when there is none), and at the existing
        // ids once a JSON body, which the operation must not read since the document says it takes none. A bodiless write at
        // existing ids is a real call (lock, undo, delete: it may change rows) and is made only that once.
        var queries = operation.QueryParameters.Select(q => q.Name).DefaultIfEmpty("zz").ToList();
        foreach (var (what, url, exists) in places)
        {
            if (exists)
                probes.Add(new Probe(op, operation.Method, url, $"{what}; an undeclared body", HostileBody.Text("an undeclared body", "{\"zzProbe\":1}"), MustRefuse: false, DeclaresBody: false));
            if (!operation.IsRead)
            {
                if (!exists) probes.Add(new Probe(op, operation.Method, url, what, MustRefuse: true));
                continue;
            }
            var values = exists || what == "missing ids" ? HostileCorpus.QueryValues : HostileCorpus.QueryValues.Take(3);
            foreach (var name in queries)
                foreach (var (value, raw) in values)
                    probes.Add(new Probe(op, operation.Method, $"{url}?{name}={raw}", $"{what}; {name}: {value}", MustRefuse: !exists));
            probes.Add(new Probe(op, operation.Method, $"{url}?{queries[0]}=1&{queries[0]}=2", $"{what}; {queries[0]} twice", MustRefuse: !exists));
        }
        return probes;
    }

    // ---- The harness proves it would see each kind of failure -------------------------------------------------------

    [Fact]
    public async Task TheHarnessReportsA5xx_FromAFaultPlantedInsideAnOperation()
    {
        var body = HostileBody.Text("a planted fault", $$"""{ "channel": "sms", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "+33612345678" }, "body": "{{FaultOnMarkerAnalyzer.Marker}}" }""");
        var violations = await fixture.Probe.RefusedGroupAsync("planted fault", [new Probe("POST /api/v1/interactions", "POST", "api/v1/interactions", "a planted fault", body)]);
        violations.ShouldContain(v => v.Contains("→ 500 (a 5xx)"), string.Join("\n", violations));
    }

    [Fact]
    public async Task TheHarnessReportsASuccessAndTheRowsItChanged_WhenAValidBodyIsSentAsHostile()
    {
        var body = HostileBody.Text("a valid interaction", $$"""{ "channel": "sms", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "+33612345679" }, "body": "Bonjour" }""");
        var violations = await fixture.Probe.RefusedGroupAsync("valid body", [new Probe("POST /api/v1/interactions", "POST", "api/v1/interactions", "a valid body", body)]);
        violations.ShouldContain(v => v.Contains("→ 201: a hostile input must be refused"), string.Join("\n", violations));
        var changed = violations.Where(v => v.Contains("refused calls changed rows")).ShouldHaveSingleItem();
        changed.ShouldContain("Messages: ");
        changed.ShouldContain("Cases: ");
    }

    [Fact]
    public async Task TheSnapshotSeesAChangedValue_NotOnlyAChangedCount()
    {
        var before = await fixture.Probe.SnapshotAsync();
        before.Tables.Keys.ShouldContain("Cards");
        before.Tables.Keys.ShouldContain("AspNetUsers", "the Identity tables are in the EF model too");
        await using (var db = fixture.Db())
        {
            var card = await db.Cards.OrderByDescending(c => c.Id).FirstAsync();
            await db.Cards.Where(c => c.Id == card.Id).ExecuteUpdateAsync(s => s.SetProperty(c => c.City, c => (c.City ?? "") + "·"));
        }
        (await fixture.Probe.SnapshotAsync()).ChangesSince(before).ShouldContain($"Cards: content changed ({before.Tables["Cards"].Rows} rows)");
    }

    [Fact]
    public async Task TheHarnessReportsA4xxThatIsNotAProblem_AndARefusalThatDoesNotNameTheField()
    {
        // Kestrel itself refuses a NUL in the path, before the app: a bare 400 (why the walk's malformed ids have none).
        var bare = await fixture.Probe.RefusedGroupAsync("bare 400", [new Probe("GET /api/v1/cards/{id}", "GET", "api/v1/cards/a%00b", "a NUL in the path")]);
        bare.ShouldContain(v => v.Contains("not application/problem+json"), string.Join("\n", bare));

        var unnamed = await fixture.Probe.RefusedGroupAsync("unnamed", [new Probe("POST /api/v1/cards", "POST", "api/v1/cards", "an unknown property",
            HostileBody.Text("an unknown property", "{\"zzUnknown\":1}"), MustName: "profile")]);
        unnamed.ShouldContain(v => v.Contains("does not name 'profile'"), string.Join("\n", unnamed));
    }

    [Fact]
    public async Task TheTrackerSeesWhichOperationsReadTheBody()
    {
        var json = HostileBody.Text("a body", "{\"zzUnknown\":1}");
        var declared = new Probe("POST /api/v1/cards", "POST", "api/v1/cards", "declared", json, DeclaresBody: true);
        var refused = await fixture.Probe.SendAsync(declared);
        fixture.Reads.BytesRead(declared.Id).ShouldBeGreaterThan(0);

        var card = await FirstCardAsync();
        var undeclared = new Probe("GET /api/v1/cards/{id}", "GET", $"api/v1/cards/{card}", "undeclared", json, MustRefuse: false, DeclaresBody: false);
        var answer = await fixture.Probe.SendAsync(undeclared);
        answer.Status.ShouldBe(200);
        fixture.Reads.BytesRead(undeclared.Id).ShouldBe(0);
        fixture.Probe.Check(undeclared, answer).ShouldBeEmpty();
        // Had an operation that declares no body read one, the walk would say so.
        fixture.Probe.Check(declared with { DeclaresBody = false }, refused).ShouldContain(v => v.Contains("does not declare"));
    }

    // ---- The document is truthful: every endpoint is an operation, every body it reads is declared -----------------

    [Fact]
    public void EveryApiEndpointIsAnOperationOfTheDocument_AndEveryBodyItReadsIsDeclared()
    {
        var endpoints = ApiEndpoints();
        endpoints.Count.ShouldBeGreaterThanOrEqualTo(27);
        Undocumented(endpoints, fixture.Operations).ShouldBeEmpty();
    }

    [Fact]
    public void TheComparisonReportsAnEndpointMissingFromTheDocument_AndABodyItDoesNotDeclare()
    {
        var endpoints = ApiEndpoints();
        var withoutMerge = fixture.Operations.Where(o => o.Path != "/api/v1/cards/{survivorId}/merge").ToList();
        Undocumented(endpoints, withoutMerge).ShouldBe(["POST /api/v1/cards/{survivorId}/merge is not in the OpenAPI document"]);
        var withoutBody = fixture.Operations.Select(o => o.Path == "/api/v1/cards" && o.Method == "POST" ? o with { Body = null } : o).ToList();
        Undocumented(endpoints, withoutBody).ShouldBe(["POST /api/v1/cards reads a JSON body that the OpenAPI document does not declare"]);
    }

    private List<RouteEndpoint> ApiEndpoints() =>
        fixture.App.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/v1", StringComparison.Ordinal) == true && e.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .ToList();

    private static List<string> Undocumented(IEnumerable<RouteEndpoint> endpoints, IReadOnlyList<ApiOperation> operations)
    {
        var problems = new List<string>();
        foreach (var endpoint in endpoints)
        {
            var path = "/" + string.Join('/', endpoint.RoutePattern.PathSegments.Select(s => string.Concat(s.Parts.Select(p => p switch
            {
                RoutePatternLiteralPart l => l.Content,
                RoutePatternParameterPart q => "{" + q.Name + "}",
                RoutePatternSeparatorPart s => s.Content,
                _ => "?",
            }))));
            var readsBody = endpoint.Metadata.GetMetadata<JsonBodyContract>() is not null || endpoint.Metadata.GetMetadata<IAcceptsMetadata>() is not null;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var operation = operations.FirstOrDefault(o => o.Method == method && o.Path == path);
                if (operation is null) problems.Add($"{method} {path} is not in the OpenAPI document");
                else if (readsBody && operation.Body is null) problems.Add($"{method} {path} reads a JSON body that the OpenAPI document does not declare");
            }
        }
        return problems;
    }

    // ---- Addresses: 404 and 405 with a key, 401 without; pages keep their own "not found" ----------------------------

    [Theory]
    [InlineData("GET", "api/v1/no-such-thing", 404)]
    [InlineData("POST", "api/v1/cards/1/no-such-action", 404)]
    [InlineData("GET", "api/v1/cards/not-a-number", 404)]
    [InlineData("GET", "api/v2/cards", 404)]
    [InlineData("GET", "api", 404)]
    [InlineData("DELETE", "api/v1/cards/1", 405)]
    [InlineData("PATCH", "api/v1/custom-fields/x", 405)]
    [InlineData("GET", "api/v1/interactions", 405)]
    [InlineData("PUT", "api/v1/cards", 405)]
    public async Task WithAKey_AnUnknownAddressIs404AndAWrongMethod405_AsProblems(string method, string url, int status)
    {
        var answer = await fixture.Probe.SendAsync(new Probe("routing", method, url, "routing", MustRefuse: true));
        answer.Status.ShouldBe(status, answer.Text);
        answer.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(answer.Text);
        problem.RootElement.GetProperty("status").GetInt32().ShouldBe(status);
        if (status == 405) problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("it takes ");
    }

    [Fact]
    public async Task AWrongMethodSaysWhichMethodsTheAddressTakes()
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"api/v1/cards/{await FirstCardAsync()}");
        using var response = await fixture.Probe.Client.SendAsync(request, TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed);
        response.Content.Headers.Allow.ShouldContain("GET");
    }

    [Theory]
    [InlineData("GET", "api/v1/no-such-thing")]
    [InlineData("DELETE", "api/v1/cards/1")]
    [InlineData("GET", "api/v1/cards/1")]
    public async Task WithoutAKey_EveryAddressUnderTheApiIs401_ExistingOrNot(string method, string url)
    {
        using var anonymous = fixture.App.CreateClient(withApiKey: false);
        foreach (var key in new string?[] { null, "not-the-key" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (key is not null) request.Headers.Add("X-Api-Key", key);
            using var response = await anonymous.SendAsync(request, TestContext.Current.CancellationToken);
            response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
    }

    [Fact]
    public async Task AnUnknownPageStillGetsTheProductsNotFoundPage()
    {
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = new Uri(fixture.App.BaseUrl + "/") };
        var login = await browser.GetStringAsync("account/login", TestContext.Current.CancellationToken);
        var token = System.Text.RegularExpressions.Regex.Match(login, "<input[^>]*name=\"__RequestVerificationToken\"[^>]*>").Value is var input
            ? System.Text.RegularExpressions.Regex.Match(input, "value=\"([^\"]+)\"").Groups[1].Value : "";
        token.ShouldNotBeEmpty();
        var demo = Web.Hosting.DemoUsers.All.First();
        var signIn = await browser.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login", ["__RequestVerificationToken"] = token, ["Input.Email"] = demo.Email, ["Input.Password"] = demo.Password,
        }), TestContext.Current.CancellationToken);
        signIn.StatusCode.ShouldBe(HttpStatusCode.OK);

        var page = await browser.GetAsync("no-such-page", TestContext.Current.CancellationToken);
        page.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        page.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        (await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).ShouldContain("Page not found");
    }

    private async Task<long> FirstCardAsync()
    {
        await using var db = fixture.Db();
        return await db.Cards.Where(c => c.Status == CardStatus.Active).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
    }
}
