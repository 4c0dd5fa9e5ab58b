using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Admin;

public sealed class AdminApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 20);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

public class CustomFieldApiTests(AdminApiFixture fixture) : IClassFixture<AdminApiFixture>
{
    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static string Unique(string prefix) => prefix + "_" + Guid.NewGuid().ToString("N")[..8];

    [Fact]
    public async Task CreateReadUpdateAndDeleteAFieldOverHttpWithTheIssuesJson()
    {
        using var http = fixture.App.CreateClient();
        var ident = Unique("tier");
        var created = await http.PostAsync("api/v1/custom-fields", Json($$"""
            { "ident": "{{ident}}", "label": "Loyalty tier", "labels": { "fr": "Niveau de fidélité", "en": "Loyalty tier" },
              "type": "dropdown", "options": ["Gold", "Silver"], "visibleInRightPanel": true, "editable": true, "visibleInCard": false }
            """));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        created.Headers.Location!.ToString().ShouldBe($"/api/v1/custom-fields/{ident}");
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("type").GetString().ShouldBe("dropdown");
        body.GetProperty("labels").GetProperty("fr").GetString().ShouldBe("Niveau de fidélité");
        body.GetProperty("visibleInCard").GetBoolean().ShouldBeFalse();

        var list = await http.GetFromJsonAsync<JsonElement>("api/v1/custom-fields");
        list.EnumerateArray().ShouldContain(f => f.GetProperty("ident").GetString() == ident);

        var updated = await http.PutAsync($"api/v1/custom-fields/{ident}", Json("""{ "editable": false, "options": ["Gold", "Silver", "Bronze"] }"""));
        updated.StatusCode.ShouldBe(HttpStatusCode.OK);
        var after = await updated.Content.ReadFromJsonAsync<JsonElement>();
        after.GetProperty("editable").GetBoolean().ShouldBeFalse();
        after.GetProperty("label").GetString().ShouldBe("Loyalty tier");
        after.GetProperty("options").GetArrayLength().ShouldBe(3);

        (await http.DeleteAsync($"api/v1/custom-fields/{ident}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await http.GetAsync($"api/v1/custom-fields/{ident}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ADuplicateIdentIsA409ProblemNamingTheIdent()
    {
        using var http = fixture.App.CreateClient();
        var ident = Unique("dup");
        (await http.PostAsync("api/v1/custom-fields", Json($$"""{ "ident": "{{ident}}", "label": "A", "type": "text" }"""))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var again = await http.PostAsync("api/v1/custom-fields", Json($$"""{ "ident": "{{ident.ToUpperInvariant()}}", "label": "B", "type": "text" }"""));
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        again.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("ident", out _).ShouldBeTrue();
    }

    [Theory]
    [InlineData("""{ "ident": "with space", "label": "A", "type": "text" }""", "ident")]
    [InlineData("""{ "ident": "fidélité", "label": "A", "type": "text" }""", "ident")]
    [InlineData("""{ "ident": "ok_1", "label": "  ", "type": "text" }""", "label")]
    [InlineData("""{ "ident": "ok_2", "label": "A", "type": "dropdown", "options": [] }""", "options")]
    [InlineData("""{ "ident": "ok_3", "label": "A", "type": "dropdown", "options": ["Gold", "gold"] }""", "options")]
    [InlineData("""{ "ident": "ok_4", "label": "A", "type": "combo" }""", "type")]
    [InlineData("""{ "ident": "ok_5", "label": "A", "type": 3 }""", "type")]
    [InlineData("""{ "ident": "ok_6", "label": "A", "type": "text", "editable": "yes" }""", "editable")]
    [InlineData("""{ "ident": "ok_7", "label": "A", "type": "text", "labels": { "fr": 1 } }""", "labels.fr")]
    [InlineData("""{ "ident": "ok_8", "label": "A", "type": "text", "colour": "red" }""", "colour")]
    [InlineData("""{ "ident": "ok_9", "label": "A", "type": "1" }""", "type")]
    [InlineData("""{ "ident": "ok_10", "label": "A", "type": "text", "labels": { "de": "x" } }""", "labels.de")]
    [InlineData("""{ "ident": "ok_11", "label": "A", "type": "text", "Editable": true }""", "Editable")]
    public async Task BadInputIsA400NamingTheFieldAndNothingIsSaved(string json, string field)
    {
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync("api/v1/custom-fields", Json(json));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        var list = await http.GetFromJsonAsync<JsonElement>("api/v1/custom-fields");
        list.EnumerateArray().ShouldNotContain(f => f.GetProperty("ident").GetString()!.StartsWith("ok_"));
    }

    [Fact]
    public async Task TheIdentIsFixedAndAFieldWithValuesIsArchivedRatherThanDeleted()
    {
        using var http = fixture.App.CreateClient();
        var ident = Unique("fixed");
        await http.PostAsync("api/v1/custom-fields", Json($$"""{ "ident": "{{ident}}", "label": "A", "type": "dropdown", "options": ["x", "y"] }"""));
        var renamed = await http.PutAsync($"api/v1/custom-fields/{ident}", Json("""{ "ident": "other" }"""));
        renamed.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await renamed.Content.ReadAsStringAsync()).ShouldContain("fixed");

        var cards = await AdminApiHelpers.GiveValueAsync(fixture.App, ident, "y", 2);
        var delete = await http.DeleteAsync($"api/v1/custom-fields/{ident}");
        delete.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        var removeUsed = await http.PutAsync($"api/v1/custom-fields/{ident}", Json("""{ "options": ["x"] }"""));
        removeUsed.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await removeUsed.Content.ReadAsStringAsync()).ShouldContain($"{cards} card(s)");
        var moved = await http.PutAsync($"api/v1/custom-fields/{ident}", Json("""{ "options": ["x"], "removedOptions": { "y": "x" } }"""));
        moved.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await moved.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("valueCount").GetInt32().ShouldBe(2);
        var archived = await http.PutAsync($"api/v1/custom-fields/{ident}", Json("""{ "archived": true }"""));
        (await archived.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("archived").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task AnAgentKeyReadsFieldsButCannotChangeThemAndARevokedKeyIsRefused()
    {
        var keys = fixture.App.GetRequiredService<ApiKeyService>();
        var agentKey = await keys.CreateAsync(Actor.System, "agent integration", Role.Agent);
        using var http = fixture.App.CreateClient(withApiKey: false);
        http.DefaultRequestHeaders.Add("X-Api-Key", agentKey.Secret);
        (await http.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PostAsync("api/v1/custom-fields", Json("""{ "ident": "nope", "label": "A", "type": "text" }"""))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        await keys.RevokeAsync(Actor.System, agentKey.Key.Id);
        (await http.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

internal static class AdminApiHelpers
{
    /// <summary>Gives the first <paramref name="count"/> active cards of the demo the value <paramref name="value"/>.</summary>
    public static async Task<int> GiveValueAsync(AppHost app, string ident, string value, int count)
    {
        var factory = app.GetRequiredService<Core.Persistence.AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        var field = Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(db.CustomFields, f => f.Ident == ident);
        var fieldId = (await field).Id;
        var cards = db.Cards.OrderBy(c => c.Id).Take(count).Select(c => c.Id).ToList();
        foreach (var id in cards) db.CustomFieldValues.Add(new Core.Domain.CustomFields.CustomFieldValue(id, fieldId, value, DateTimeOffset.UtcNow));
        await db.SaveChangesAsync();
        return cards.Count;
    }
}
