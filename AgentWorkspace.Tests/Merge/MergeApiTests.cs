using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Merge;

public sealed class MergeApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 120);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

public class MergeApiTests(MergeApiFixture fixture) : IClassFixture<MergeApiFixture>
{
    private async Task<List<long>> ActiveCardsAsync(int take, int skip)
    {
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        return await db.Cards.Where(c => c.Status == CardStatus.Active && !c.IsLocked).OrderBy(c => c.Id).Skip(skip).Take(take).Select(c => c.Id).ToListAsync();
    }

    [Fact]
    public async Task MergeThenUndoOverHttp()
    {
        var ids = await ActiveCardsAsync(2, 0);
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsJsonAsync($"api/v1/cards/{ids[0]}/merge", new { mergedId = ids[1], choices = new { city = "merged" } });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var mergeId = body.GetProperty("mergeId").GetInt64();
        body.GetProperty("survivorId").GetInt64().ShouldBe(ids[0]);

        (await http.PostAsync($"api/v1/merges/{mergeId}/undo", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var again = await http.PostAsync($"api/v1/merges/{mergeId}/undo", null);
        again.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await again.Content.ReadAsStringAsync()).ShouldContain("already undone");
    }

    [Theory]
    [InlineData("{}", "mergedId")]
    [InlineData("{\"mergedId\":\"x\"}", "mergedId")]
    [InlineData("{\"mergedId\":1,\"choices\":{\"city\":\"both\"}}", "choices.city")]
    [InlineData("{\"mergedId\":1,\"choices\":[1]}", "choices")]
    [InlineData("[]", "$")]
    [InlineData("{\"mergedId\":1,\"choices\":{\"city\":\"1\"}}", "choices.city")]
    [InlineData("{\"mergedId\":1,\"choices\":{\"city\":1}}", "choices.city")]
    [InlineData("{\"mergedId\":\"1\"}", "mergedId")]
    [InlineData("{\"mergedId\":1,\"because\":\"duplicate\"}", "because")]
    [InlineData("", "$")]
    [InlineData("null", "$")]
    public async Task BadMergeRequestsAreProblemDetailsNamingTheField(string json, string? field)
    {
        var ids = await ActiveCardsAsync(1, 10);
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync($"api/v1/cards/{ids[0]}/merge", new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        if (field is not null) (await response.Content.ReadAsStringAsync()).ShouldContain($"\"{field}\"");
    }

    [Fact]
    public async Task MalformedJsonIsA400AndMergingACardWithItselfIsRefused()
    {
        var ids = await ActiveCardsAsync(1, 12);
        using var http = fixture.App.CreateClient();
        (await http.PostAsync($"api/v1/cards/{ids[0]}/merge", new StringContent("{not json", Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var self = await http.PostAsJsonAsync($"api/v1/cards/{ids[0]}/merge", new { mergedId = ids[0] });
        self.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await self.Content.ReadAsStringAsync()).ShouldContain("itself");
        (await http.PostAsJsonAsync("api/v1/cards/999999/merge", new { mergedId = ids[0] })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AMergeWithAChoiceForAFieldCardsDoNotHaveIsRefusedNamingIt_AndNothingIsMerged()
    {
        var ids = await ActiveCardsAsync(2, 40);
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsJsonAsync($"api/v1/cards/{ids[0]}/merge", new { mergedId = ids[1], choices = new Dictionary<string, string> { ["city"] = "merged", ["shoeSize"] = "merged" } });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty("choices.shoeSize", out _).ShouldBeTrue(problem.ToString());
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Cards.CountAsync(c => ids.Contains(c.Id) && c.Status == CardStatus.Active)).ShouldBe(2);
    }

    [Theory]
    [InlineData(null, "$")]
    [InlineData("", "$")]
    [InlineData("{\"force\":\"yes\"}", "force")]
    [InlineData("{\"force\":1}", "force")]
    [InlineData("{\"force\":true,\"reason\":\"asked\"}", "reason")]
    public async Task AnErasureNeedsItsBody_AndABadOneErasesNothing(string? json, string field)
    {
        var id = (await ActiveCardsAsync(1, 50))[0];
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync($"api/v1/cards/{id}/anonymize", json is null ? null : new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue();
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Cards.SingleAsync(c => c.Id == id)).Status.ShouldBe(CardStatus.Active);
    }

    [Fact]
    public async Task WithoutAKeyNothingHappens()
    {
        var ids = await ActiveCardsAsync(2, 14);
        using var http = fixture.App.CreateClient(withApiKey: false);
        var response = await http.PostAsJsonAsync($"api/v1/cards/{ids[0]}/merge", new { mergedId = ids[1] });
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Cards.SingleAsync(c => c.Id == ids[1])).Status.ShouldBe(CardStatus.Active);
    }

    [Fact]
    public async Task LockExportAndAnonymizeOverHttp()
    {
        var ids = await ActiveCardsAsync(1, 20);
        var id = ids[0];
        using var http = fixture.App.CreateClient();
        (await http.PostAsync($"api/v1/cards/{id}/lock", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var mergeLocked = await http.PostAsJsonAsync($"api/v1/cards/{(await ActiveCardsAsync(1, 30))[0]}/merge", new { mergedId = id });
        mergeLocked.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await mergeLocked.Content.ReadAsStringAsync()).ShouldContain("locked");
        (await http.PostAsync($"api/v1/cards/{id}/unlock", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var export = await http.GetAsync($"api/v1/cards/{id}/export");
        export.Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
        using (var doc = JsonDocument.Parse(await export.Content.ReadAsStringAsync()))
            doc.RootElement.GetProperty("card").GetProperty("id").GetInt64().ShouldBe(id);
        var csv = await http.GetAsync($"api/v1/cards/{id}/export?format=csv");
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");

        var anonymize = await http.PostAsJsonAsync($"api/v1/cards/{id}/anonymize", new { force = true });
        anonymize.StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Cards.SingleAsync(c => c.Id == id)).Status.ShouldBe(CardStatus.Anonymized);
    }

    [Fact]
    public async Task DuplicatesOfAPlantedCardComeWithReasons()
    {
        long cardId;
        await using (var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext())
        {
            var name = await db.Cards.Where(c => c.Status == CardStatus.Active).GroupBy(c => c.SearchName).Where(g => g.Count() > 1).Select(g => g.Key).FirstAsync();
            cardId = await db.Cards.Where(c => c.SearchName == name).Select(c => c.Id).FirstAsync();
        }
        using var http = fixture.App.CreateClient();
        var list = await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{cardId}/duplicates");
        list.GetArrayLength().ShouldBeGreaterThan(0);
        list[0].GetProperty("reasons").GetArrayLength().ShouldBeGreaterThan(0);
    }
}
