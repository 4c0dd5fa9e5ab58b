using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Matching;

/// <summary>The auto-merge over real HTTP (issue 21): a level, a preview (202, then its pairs), a run, its undo, and refusals as problem details.</summary>
public class AutoMergeApiTests
{
    [Fact]
    public async Task ALevelAPreviewARunAndItsUndoOverHttp_AndRefusalsAreProblemDetails()
    {
        await using var app = await AppHost.StartAsync(demoCards: 40);
        using var http = app.CreateClient();
        var bad = await http.PostAsync("api/v1/matching/rules", new StringContent("{\"name\":\"\",\"attributes\":[\"phone\"],\"minScore\":0.5}", Encoding.UTF8, "application/json"));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await bad.Content.ReadAsStringAsync()).ShouldContain("MatchingRuleNameRequired");
        var unknown = await http.PostAsync("api/v1/matching/rules", new StringContent("{\"name\":\"x\",\"attributes\":[\"phone\"],\"minScore\":0.5,\"extra\":1}", Encoding.UTF8, "application/json"));
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var rule = await http.PostAsJsonAsync("api/v1/matching/rules", new { name = "Name and company", attributes = new[] { "nameCompany" }, minScore = 0.5 });
        rule.StatusCode.ShouldBe(HttpStatusCode.Created);

        var started = await http.PostAsync("api/v1/matching/preview", null);
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        JsonElement preview = default;
        for (var i = 0; i < 600; i++)
        {
            preview = await http.GetFromJsonAsync<JsonElement>($"api/v1/matching/preview/{id}?limit=5");
            if (preview.GetProperty("state").GetString() != "computing") break;
            await Task.Delay(100);
        }
        preview.GetProperty("state").GetString().ShouldBe("ready");
        preview.GetProperty("counts").GetProperty("pairs").GetInt32().ShouldBeGreaterThanOrEqualTo(0);
        (await http.GetAsync($"api/v1/matching/preview/{id}?limit=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await http.GetAsync("api/v1/matching/preview/999999")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var csv = await http.GetAsync($"api/v1/matching/preview/{id}/csv");
        csv.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await csv.Content.ReadAsStringAsync()).ShouldStartWith("pair,survivor,merged");

        (await http.PostAsJsonAsync("api/v1/matching/runs", new { })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var run = await http.PostAsJsonAsync("api/v1/matching/runs", new { previewId = id });
        run.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var runId = (await run.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var again = await http.PostAsJsonAsync("api/v1/matching/runs", new { previewId = id });
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("MatchPreviewAlreadyRun");
        JsonElement state = default;
        for (var i = 0; i < 600; i++)
        {
            state = await http.GetFromJsonAsync<JsonElement>($"api/v1/matching/runs/{runId}");
            if (state.GetProperty("state").GetString() is "done" or "failed") break;
            await Task.Delay(100);
        }
        state.GetProperty("state").GetString().ShouldBe("done");
        (await http.PostAsync($"api/v1/matching/runs/{runId}/undo", null)).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        for (var i = 0; i < 600; i++)
        {
            state = await http.GetFromJsonAsync<JsonElement>($"api/v1/matching/runs/{runId}");
            if (state.GetProperty("state").GetString() == "undone") break;
            await Task.Delay(100);
        }
        state.GetProperty("state").GetString().ShouldBe("undone");
        state.GetProperty("undoFailed").GetInt32().ShouldBe(0);
        (await app.CreateClient(withApiKey: false).PostAsync("api/v1/matching/preview", null)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
