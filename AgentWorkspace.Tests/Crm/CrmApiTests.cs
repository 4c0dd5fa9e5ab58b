using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Crm;

/// <summary>The real app on a free port, seeded as on a first start (the demo's CRM included).</summary>
public sealed class CrmApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 80);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>The CRM API of issue 18 over real HTTP: sections, links, create, the built-in record, the telephony's case actions, problem details.</summary>
public sealed class CrmApiTests(CrmApiFixture fixture) : IClassFixture<CrmApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AgentWorkspaceDbContext Db() => fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A new contact calling (voice) through the ingest API, and a contact of the built-in CRM with the same number.</summary>
    private async Task<(long CardId, long CaseId, long ContactId)> NewCallAsync(HttpClient http, string channel = "voice")
    {
        var number = "+3361" + Random.Shared.Next(1_000_000, 9_999_999);
        var response = await http.PostAsync("api/v1/interactions", Json($$"""
            { "channel": "{{channel}}", "externalId": "{{Guid.NewGuid():N}}", "direction": "inbound",
              "from": { "address": "{{number}}", "displayName": "Inès Caron" }, "body": "Appel entrant" }
            """), Ct);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var cardId = body.GetProperty("cardId").GetInt64();
        var caseId = body.GetProperty("caseId").GetInt64();
        await using var db = Db();
        var contact = new CrmContact("Inès", "Caron", null, number, null, null, "Lyon", null, DateTimeOffset.UtcNow);
        db.CrmContacts.Add(contact);
        await db.SaveChangesAsync(Ct);
        return (cardId, caseId, contact.Id);
    }

    [Fact]
    public async Task ACallLinkedToTheContactIsPushedAfterCallEndedAndWrapUp_AndTheBuiltInRecordShowsTheActivity()
    {
        using var http = fixture.App.CreateClient();
        var (_, caseId, contactId) = await NewCallAsync(http);

        var crm = await http.GetFromJsonAsync<JsonElement>($"api/v1/cases/{caseId}/crm", Ct);
        var match = crm.GetProperty("current").EnumerateArray().Single(r => r.GetProperty("id").GetString() == contactId.ToString());
        (match.GetProperty("type").GetString(), match.GetProperty("linked").GetBoolean(), match.GetProperty("url").GetString())
            .ShouldBe(("contact", false, $"/crm/contact/{contactId}"));
        crm.GetProperty("related").ValueKind.ShouldBe(JsonValueKind.Array);

        var linked = await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json($$"""{ "type": "contact", "id": "{{contactId}}" }"""), Ct);
        linked.StatusCode.ShouldBe(HttpStatusCode.Created);
        var linkId = (await linked.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("linkId").GetInt64();
        (await http.PostAsync($"api/v1/cases/{caseId}/call-ended", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var wrap = await http.PostAsync($"api/v1/cases/{caseId}/wrap-up", Json("""{ "disposition": "Sale", "notes": "Commande passée" }"""), Ct);
        wrap.StatusCode.ShouldBe(HttpStatusCode.OK, await wrap.Content.ReadAsStringAsync(Ct));

        // The background processor sends it (at once, when the CRM answers).
        JsonElement record = default;
        for (var i = 0; i < 200; i++)
        {
            record = await http.GetFromJsonAsync<JsonElement>($"api/v1/crm/contact/{contactId}", Ct);
            if (record.GetProperty("activities").GetArrayLength() > 0) break;
            await Task.Delay(50, Ct);
        }
        var activity = record.GetProperty("activities").EnumerateArray().ShouldHaveSingleItem();
        (activity.GetProperty("isCall").GetBoolean(), activity.GetProperty("disposition").GetString(), activity.GetProperty("notes").GetString())
            .ShouldBe((true, "Sale", "Commande passée"));
        // The activity is in the CRM a moment before the outbox row says so.
        string? state = null;
        for (var i = 0; i < 200 && state != "sent"; i++)
        {
            crm = await http.GetFromJsonAsync<JsonElement>($"api/v1/cases/{caseId}/crm", Ct);
            var now = crm.GetProperty("current").EnumerateArray().Single(r => r.GetProperty("linkId").ValueKind == JsonValueKind.Number && r.GetProperty("linkId").GetInt64() == linkId);
            state = now.GetProperty("push").GetProperty("state").GetString();
            if (state != "sent") await Task.Delay(50, Ct);
        }
        state.ShouldBe("sent");
    }

    [Fact]
    public async Task LinkingTwiceIs409_UnlinkingIs204ThenAGoneLinkIs404()
    {
        using var http = fixture.App.CreateClient();
        var (_, caseId, contactId) = await NewCallAsync(http, "sms");
        var body = $$"""{ "type": "contact", "id": "{{contactId}}" }""";
        var first = await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json(body), Ct);
        first.StatusCode.ShouldBe(HttpStatusCode.Created);
        var linkId = (await first.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("linkId").GetInt64();
        var again = await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json(body), Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        (await http.DeleteAsync($"api/v1/cases/{caseId}/crm/links/{linkId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await http.DeleteAsync($"api/v1/cases/{caseId}/crm/links/{linkId}", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json("""{ "type": "planet", "id": "1" }"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json("""{ "type": "contact", "id": "99999999" }"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json("[1, 2]"), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json("""{ "type": 4, "id": "1" }"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task CreatingARecordWithAnInvalidEmailIs400NamingTheField_AndAValidOneIs201Linked()
    {
        using var http = fixture.App.CreateClient();
        var (cardId, caseId, _) = await NewCallAsync(http, "sms");

        var bad = await http.PostAsync($"api/v1/cards/{cardId}/crm/records",
            Json($$"""{ "type": "contact", "fields": { "lastName": "Caron", "email": "pas une adresse" }, "linkToCaseId": {{caseId}} }"""), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("email", out _).ShouldBeTrue();

        var created = await http.PostAsync($"api/v1/cards/{cardId}/crm/records",
            Json($$"""{ "type": "case", "fields": { "subject": "Rappel demandé", "description": "Rappeler demain" }, "linkToCaseId": {{caseId}} }"""), Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        body.GetProperty("type").GetString().ShouldBe("case");
        body.GetProperty("url").GetString().ShouldBe($"/crm/case/{body.GetProperty("id").GetString()}");
        body.GetProperty("linkId").GetInt64().ShouldBeGreaterThan(0);
        (await http.GetAsync($"api/v1/crm/case/{body.GetProperty("id").GetString()}", Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.GetAsync("api/v1/crm/case/abc", Ct)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await http.GetAsync("api/v1/crm/planet/1", Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ADigitalCaseTransferredByTheApiIsPushedToItsLinkedRecord()
    {
        using var http = fixture.App.CreateClient();
        var (_, caseId, contactId) = await NewCallAsync(http, "sms");
        (await http.PostAsync($"api/v1/cases/{caseId}/crm/links", Json($$"""{ "type": "contact", "id": "{{contactId}}" }"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.Created);

        (await http.PostAsync($"api/v1/cases/{caseId}/transfer", Json("""{ "queue": "no such queue" }"""), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync($"api/v1/cases/{caseId}/transfer", Json("{}"), Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.PostAsync($"api/v1/cases/{caseId}/call-ended", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var moved = await http.PostAsync($"api/v1/cases/{caseId}/transfer", Json("""{ "queue": "Support" }"""), Ct);
        moved.StatusCode.ShouldBe(HttpStatusCode.OK, await moved.Content.ReadAsStringAsync(Ct));
        (await moved.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("queue").GetString().ShouldBe("Support");

        for (var i = 0; i < 200; i++)
        {
            await using var db = Db();
            if (await db.CrmActivities.AnyAsync(a => a.RecordId == contactId, Ct)) break;
            await Task.Delay(50, Ct);
        }
        await using (var db = Db())
            (await db.CrmActivities.SingleAsync(a => a.RecordId == contactId, Ct)).IsCall.ShouldBeFalse();
        (await http.PostAsync($"api/v1/cases/{caseId}/resolve", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostAsync($"api/v1/cases/{caseId}/resolve", null, Ct)).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task TheDemoSeedsTheBuiltInCrmAndDispositions()
    {
        await using var db = Db();
        (await db.CrmContacts.CountAsync(Ct)).ShouldBeGreaterThan(40);
        (await db.CrmAccounts.CountAsync(Ct)).ShouldBeGreaterThan(0);
        (await db.CrmCases.CountAsync(Ct)).ShouldBeGreaterThan(0);
        (await db.CrmHouseholds.CountAsync(Ct)).ShouldBeGreaterThan(0);
        (await db.Dispositions.CountAsync(Ct)).ShouldBeGreaterThan(3);
    }

    [Fact]
    public async Task TheCrmEndpointsNeedAKey()
    {
        using var http = fixture.App.CreateClient(withApiKey: false);
        (await http.GetAsync("api/v1/cases/1/crm", Ct)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
