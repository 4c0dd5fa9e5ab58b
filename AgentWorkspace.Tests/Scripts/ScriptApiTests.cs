using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Scripts;

/// <summary>The scripts API of issue 19 over real HTTP: create, list, read, publish, the case's script, done, run, problems naming the step.</summary>
public sealed class ScriptApiTests(CrmApiFixture fixture) : IClassFixture<CrmApiFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private AgentWorkspaceDbContext Db() => fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    [Fact]
    public async Task A_script_is_created_published_again_and_runs_on_a_case_of_its_queue_and_channel()
    {
        using var http = fixture.App.CreateClient();
        var refund = await http.PostAsync("api/v1/scripts", Json("""
            { "name": "Refund policy (API)", "language": "en", "queues": [], "channels": [],
              "steps": [ { "kind": "text", "title": "Explain", "text": "Fourteen days." } ] }
            """), Ct);
        refund.StatusCode.ShouldBe(HttpStatusCode.Created, await refund.Content.ReadAsStringAsync(Ct));
        var refundId = (await refund.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetInt64();

        var created = await http.PostAsync("api/v1/scripts", Json($$$"""
            { "name": "Billing dispute (API)", "language": "en", "queues": ["General"], "channels": ["whatsapp"],
              "steps": [
                { "kind": "text", "title": "Greet", "text": "Hello {{customer.firstName}}, order {{context.variables.orderNumber}}" },
                { "kind": "macro", "title": "Create an incident", "actions": [
                    { "type": "createCrmRecord", "recordType": "case", "fields": { "subject": "Dispute {{context.variables.orderNumber}}" } },
                    { "type": "setPriority", "priority": "high" },
                    { "type": "openUrl", "url": "https://shop.example/orders/{{context.variables.orderNumber}}" } ] },
                { "kind": "subScript", "title": "Refund policy", "scriptId": {{{refundId}}} } ] }
            """), Ct);
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync(Ct));
        var saved = await created.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = saved.GetProperty("id").GetInt64();
        saved.GetProperty("version").GetInt32().ShouldBe(1);
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/scripts/{id}");

        var list = await http.GetFromJsonAsync<JsonElement>("api/v1/scripts", Ct);
        var line = list.EnumerateArray().Single(s => s.GetProperty("id").GetInt64() == id);
        line.GetProperty("stepCount").GetInt32().ShouldBe(3);
        line.GetProperty("assignments")[0].GetProperty("channel").GetString().ShouldBe("whatsApp");
        var read = await http.GetFromJsonAsync<JsonElement>($"api/v1/scripts/{id}", Ct);
        read.GetProperty("steps")[1].GetProperty("actions")[0].GetProperty("type").GetString().ShouldBe("createCrmRecord");
        read.GetProperty("steps")[2].GetProperty("kind").GetString().ShouldBe("subScript");

        // A WhatsApp message in General, with markup in a context variable.
        var number = "+3361" + Random.Shared.Next(1_000_000, 9_999_999);
        var ingest = await http.PostAsync("api/v1/interactions", Json($$"""
            { "channel": "whatsapp", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "{{number}}", "displayName": "Inès Caron" },
              "body": "Ma facture est fausse", "context": { "variables": { "orderNumber": "<b>A-42</b>" } } }
            """), Ct);
        ingest.StatusCode.ShouldBe(HttpStatusCode.Created, await ingest.Content.ReadAsStringAsync(Ct));
        var caseId = (await ingest.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("caseId").GetInt64();

        var script = await http.GetFromJsonAsync<JsonElement>($"api/v1/cases/{caseId}/script", Ct);
        script.GetProperty("scriptId").GetInt64().ShouldBe(id);
        script.GetProperty("version").GetInt32().ShouldBe(1);
        var steps = script.GetProperty("steps");
        steps[0].GetProperty("text").GetString().ShouldBe("Hello Inès, order <b>A-42</b>");
        steps[0].GetProperty("state").GetString().ShouldBe("todo");
        var greet = steps[0].GetProperty("id").GetInt64();
        var macro = steps[1].GetProperty("id").GetInt64();

        // The admin publishes a new version: this case has not started, so it opens it; once started, it keeps it.
        var put = await http.PutAsync($"api/v1/scripts/{id}", Json("""
            { "name": "Billing dispute (API)", "language": "en", "queues": ["General"], "channels": ["whatsapp"],
              "steps": [ { "kind": "text", "title": "Greet v2", "text": "Hi" } ] }
            """), Ct);
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync(Ct));
        (await put.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("version").GetInt32().ShouldBe(2);

        // A step of version 1, acted on: the case keeps version 1.
        var done = await http.PostAsync($"api/v1/cases/{caseId}/script/steps/{greet}/done", null, Ct);
        done.StatusCode.ShouldBe(HttpStatusCode.OK, await done.Content.ReadAsStringAsync(Ct));
        var afterDone = await done.Content.ReadFromJsonAsync<JsonElement>(Ct);
        afterDone.GetProperty("version").GetInt32().ShouldBe(1);
        afterDone.GetProperty("steps")[0].GetProperty("state").GetString().ShouldBe("done");

        var run = await http.PostAsync($"api/v1/cases/{caseId}/script/steps/{macro}/run", null, Ct);
        run.StatusCode.ShouldBe(HttpStatusCode.OK, await run.Content.ReadAsStringAsync(Ct));
        var ran = await run.Content.ReadFromJsonAsync<JsonElement>(Ct);
        ran.GetProperty("actions").EnumerateArray().Select(a => (a.GetProperty("type").GetString(), a.GetProperty("ok").GetBoolean()))
            .ShouldBe([("createCrmRecord", true), ("setPriority", true), ("openUrl", true)]);
        ran.GetProperty("actions")[2].GetProperty("output").GetString().ShouldBe("https://shop.example/orders/%3Cb%3EA-42%3C%2Fb%3E");
        ran.GetProperty("state").GetString().ShouldBe("ran");

        var again = await http.PostAsync($"api/v1/cases/{caseId}/script/steps/{macro}/run", null, Ct);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("confirm", out _).ShouldBeTrue();
        var confirmed = await http.PostAsync($"api/v1/cases/{caseId}/script/steps/{macro}/run?confirm=true", null, Ct);
        confirmed.StatusCode.ShouldBe(HttpStatusCode.OK);

        var sub = await http.GetFromJsonAsync<JsonElement>($"api/v1/cases/{caseId}/script?scriptId={refundId}", Ct);
        sub.GetProperty("steps")[0].GetProperty("title").GetString().ShouldBe("Explain");

        await using var db = Db();
        var history = await db.CaseEvents.Where(e => e.CaseId == caseId).Select(e => e.Type).ToListAsync(Ct);
        history.Count(t => t == Core.Domain.Cases.CaseEventType.ScriptMacroRan).ShouldBe(2);
        history.ShouldContain(Core.Domain.Cases.CaseEventType.ScriptStepDone);
        (await db.Cases.SingleAsync(c => c.Id == caseId, Ct)).Priority.ShouldBe(Core.Domain.Cases.CasePriority.High);
    }

    [Fact]
    public async Task A_bad_script_is_refused_with_a_problem_naming_the_step_and_nothing_is_written()
    {
        using var http = fixture.App.CreateClient();
        await using (var db = Db()) (await db.Scripts.CountAsync(s => s.Name == "Bad (API)", Ct)).ShouldBe(0);
        var bad = await http.PostAsync("api/v1/scripts", Json("""
            { "name": "Bad (API)", "language": "en", "queues": ["Nowhere"],
              "steps": [ { "kind": "text", "title": "Greet", "text": "Hello" },
                         { "kind": "text", "title": "Size", "text": "{{customer.shoeSize}}" },
                         { "kind": "macro", "title": "", "actions": [ { "type": "transfer", "queue": "Nowhere" } ] } ] }
            """), Ct);
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var errors = problem.GetProperty("errors");
        errors.GetProperty("steps[1].text")[0].GetString()!.ShouldContain("Step 2");
        errors.GetProperty("steps[1].text")[0].GetString()!.ShouldContain("customer.shoeSize");
        errors.TryGetProperty("steps[2].title", out _).ShouldBeTrue();
        errors.TryGetProperty("steps[2].actions[0].queue", out _).ShouldBeTrue();
        errors.TryGetProperty("queues[0]", out _).ShouldBeTrue();

        var unknown = await http.PostAsync("api/v1/scripts", Json("""{ "name": "x", "language": "en", "steps": [ { "kind": "text", "title": "a", "text": "b", "colour": "red" } ] }"""), Ct);
        unknown.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await unknown.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("steps[0].colour", out _).ShouldBeTrue();

        var kind = await http.PostAsync("api/v1/scripts", Json("""{ "name": "x", "language": "en", "steps": [ { "kind": "video", "title": "a" } ] }"""), Ct);
        kind.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await kind.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("errors").TryGetProperty("steps[0].kind", out _).ShouldBeTrue();

        var missing = await http.GetAsync("api/v1/scripts/987654321", Ct);
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        await using (var db = Db()) (await db.Scripts.CountAsync(s => s.Name == "Bad (API)" || s.Name == "x", Ct)).ShouldBe(0);
    }
}
