using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Inbox;

public sealed class CaseMergeApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 10);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>
/// Merged conversations over real HTTP (issue 21, ADR 021): <c>POST /api/v1/cases/{survivorId}/merge { mergedId }</c> and its
/// undo <c>DELETE /api/v1/cases/{survivorId}/merge/{mergedId}</c>; every refusal a problem details 4xx with the rule's code.
/// </summary>
public sealed class CaseMergeApiTests(CaseMergeApiFixture fixture) : IClassFixture<CaseMergeApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AgentWorkspaceDbContext Db() => fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A contact calls, then texts from the same number: one card, two cases (a call and an SMS).</summary>
    private static async Task<(long CardId, long Call, long Sms)> CallThenSmsAsync(HttpClient http)
    {
        var number = "+3361" + Random.Shared.Next(1_000_000, 9_999_999);
        async Task<JsonElement> Ingest(string channel, string body, DateTimeOffset at)
        {
            var response = await http.PostAsync("api/v1/interactions", Json($$"""
                { "channel": "{{channel}}", "externalId": "{{Guid.NewGuid():N}}", "direction": "inbound", "sentAt": "{{at:O}}",
                  "from": { "address": "{{number}}", "displayName": "Edward Ferrars" }, "body": "{{body}}" }
                """), Ct);
            response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(Ct));
            return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        }
        var sms = await Ingest("sms", "Mon colis n'est pas arrivé.", DateTimeOffset.UtcNow.AddHours(-3));
        var call = await Ingest("voice", "Appel entrant", DateTimeOffset.UtcNow);
        call.GetProperty("cardId").GetInt64().ShouldBe(sms.GetProperty("cardId").GetInt64(), "one number, one contact");
        return (call.GetProperty("cardId").GetInt64(), call.GetProperty("caseId").GetInt64(), sms.GetProperty("caseId").GetInt64());
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        response.StatusCode.ShouldBe(status, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = JsonDocument.Parse(text).RootElement;
        problem.GetProperty("status").GetInt32().ShouldBe((int)status);
        return problem;
    }

    private static string? Code(JsonElement problem) => problem.TryGetProperty("code", out var c) ? c.GetString() : null;

    [Fact]
    public async Task MergeAnswersTheSurvivorWithTheOlderClock_TheUndoPutsTheCaseBack_AndEachIsRefusedTwiceWithItsReason()
    {
        using var http = fixture.App.CreateClient();
        var (_, call, sms) = await CallThenSmsAsync(http);
        DateTimeOffset smsCreated;
        await using (var db = Db()) smsCreated = (await db.Cases.SingleAsync(c => c.Id == sms, Ct)).CreatedAt;

        var merged = await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{sms}} }"""), Ct);
        merged.StatusCode.ShouldBe(HttpStatusCode.OK, await merged.Content.ReadAsStringAsync(Ct));
        var survivor = await merged.Content.ReadFromJsonAsync<JsonElement>(Ct);
        (survivor.GetProperty("id").GetInt64(), survivor.GetProperty("channel").GetString(), survivor.GetProperty("mergedId").GetInt64(), survivor.GetProperty("merged").GetBoolean())
            .ShouldBe((call, "voice", sms, true));
        survivor.GetProperty("createdAt").GetDateTimeOffset().ShouldBe(smsCreated, "the SLA clocks of the older case");
        await using (var db = Db())
        {
            var gone = await db.Cases.SingleAsync(c => c.Id == sms, Ct);
            (gone.Status, gone.MergedIntoCaseId).ShouldBe((CaseStatus.Merged, call));
            (await db.Messages.CountAsync(m => m.CaseId == call, Ct)).ShouldBe(2);
        }

        Code(await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{sms}} }"""), Ct), HttpStatusCode.Conflict))
            .ShouldBe("CaseAlreadyMerged");

        var undone = await http.DeleteAsync($"api/v1/cases/{call}/merge/{sms}", Ct);
        undone.StatusCode.ShouldBe(HttpStatusCode.OK, await undone.Content.ReadAsStringAsync(Ct));
        var after = await undone.Content.ReadFromJsonAsync<JsonElement>(Ct);
        (after.GetProperty("id").GetInt64(), after.GetProperty("merged").GetBoolean()).ShouldBe((call, false));
        after.GetProperty("createdAt").GetDateTimeOffset().ShouldBeGreaterThan(smsCreated, "its own clock again");
        await using (var db = Db())
        {
            var back = await db.Cases.SingleAsync(c => c.Id == sms, Ct);
            back.Status.ShouldNotBe(CaseStatus.Merged);
            back.MergedIntoCaseId.ShouldBeNull();
            (await db.Messages.CountAsync(m => m.CaseId == sms, Ct)).ShouldBe(1);
        }
        Code(await ProblemAsync(await http.DeleteAsync($"api/v1/cases/{call}/merge/{sms}", Ct), HttpStatusCode.Conflict)).ShouldBe("CaseUnmergeAlreadyDone");
        await ProblemAsync(await http.DeleteAsync($"api/v1/cases/{sms}/merge/{call}", Ct), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task RefusalsAreProblemDetailsWithTheRulesCode_AndWriteNothing()
    {
        using var http = fixture.App.CreateClient();
        var (_, call, sms) = await CallThenSmsAsync(http);
        var (_, otherCall, _) = await CallThenSmsAsync(http);
        int merges;
        await using (var db = Db()) merges = await db.CaseMerges.CountAsync(Ct);

        Code(await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{call}} }"""), Ct), HttpStatusCode.BadRequest))
            .ShouldBe("CaseMergeSelf");
        Code(await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{otherCall}} }"""), Ct), HttpStatusCode.BadRequest))
            .ShouldBe("CaseMergeOtherCard");
        await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json("""{ "mergedId": 987654321 }"""), Ct), HttpStatusCode.NotFound);
        await ProblemAsync(await http.PostAsync("api/v1/cases/987654321/merge", Json($$"""{ "mergedId": {{sms}} }"""), Ct), HttpStatusCode.NotFound);
        var missing = await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json("{}"), Ct), HttpStatusCode.BadRequest);
        missing.GetProperty("errors").TryGetProperty("mergedId", out _).ShouldBeTrue();
        await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": "{{sms}}" }"""), Ct), HttpStatusCode.BadRequest);
        await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""[{{sms}}]"""), Ct), HttpStatusCode.BadRequest);
        await ProblemAsync(await http.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{sms}}, "force": true }"""), Ct), HttpStatusCode.BadRequest);
        using (var anonymous = fixture.App.CreateClient(withApiKey: false))
            await ProblemAsync(await anonymous.PostAsync($"api/v1/cases/{call}/merge", Json($$"""{ "mergedId": {{sms}} }"""), Ct), HttpStatusCode.Unauthorized);

        await using (var db = Db())
        {
            (await db.CaseMerges.CountAsync(Ct)).ShouldBe(merges);
            (await db.Cases.Where(c => c.Id == call || c.Id == sms).Select(c => c.Status).ToListAsync(Ct)).ShouldAllBe(s => s != CaseStatus.Merged);
        }
    }
}
