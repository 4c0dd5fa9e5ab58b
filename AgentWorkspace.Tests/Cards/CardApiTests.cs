using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Cards;

public sealed class CardApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 40);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

public class CardApiTests(CardApiFixture fixture) : IClassFixture<CardApiFixture>
{
    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    private async Task<JsonElement> CreateAsync(HttpClient http, string lastName, string phone)
    {
        var response = await http.PostAsJsonAsync("api/v1/cards", new
        {
            profile = new { firstName = "Inès", lastName, company = "Bricoles SA", primaryEmail = $"ines.{lastName}@example.com", tags = new[] { "vip" } },
            identities = new object[]
            {
                new { channel = "whatsapp", address = phone },
                new { channel = "twitter", address = "@ines_" + lastName, profileUrl = "https://x.com/ines_" + lastName, followers = 310, following = 12 },
            },
        });
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Phone() => "+3367" + Random.Shared.Next(1000000, 9999999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task PostThenGetReturnsTheCardInTheDocumentedShape()
    {
        using var http = fixture.App.CreateClient();
        var name = "Api" + Unique();
        var phone = Phone();
        var created = await CreateAsync(http, name, phone);
        var id = created.GetProperty("id").GetInt64();

        var card = await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{id}");
        card.GetProperty("id").GetInt64().ShouldBe(id);
        card.GetProperty("version").GetInt64().ShouldBeGreaterThan(0);
        card.GetProperty("profile").GetProperty("lastName").GetString().ShouldBe(name);
        card.GetProperty("profile").GetProperty("tags")[0].GetString().ShouldBe("vip");
        var identities = card.GetProperty("identities").EnumerateArray().ToList();
        identities.Count.ShouldBe(2);
        identities[0].GetProperty("channel").GetString().ShouldBe("whatsApp");
        identities[0].GetProperty("normalized").GetString().ShouldBe(phone);
        identities[1].GetProperty("address").GetString().ShouldBe("@ines_" + name);
        card.GetProperty("customFields").TryGetProperty("loyalty-tier", out _).ShouldBeTrue();
        var indicators = card.GetProperty("indicators");
        indicators.GetProperty("sentiment").GetProperty("positive").GetInt32().ShouldBe(0);
        indicators.GetProperty("sentiment").GetProperty("neutral").GetInt32().ShouldBe(0);
        indicators.GetProperty("sentiment").GetProperty("negative").GetInt32().ShouldBe(0);
        indicators.GetProperty("followers").GetInt32().ShouldBe(310);
        indicators.GetProperty("following").GetInt32().ShouldBe(12);
        card.GetProperty("recentCases").ValueKind.ShouldBe(JsonValueKind.Array);
        // Where each value came from (issue 21): this API key, when; fields without a value are not listed.
        var sources = card.GetProperty("sources");
        sources.GetProperty("lastName").GetProperty("kind").GetString().ShouldBe("apiKey");
        sources.GetProperty("company").GetProperty("label").GetString().ShouldBe("API (configuration key)");
        sources.GetProperty("company").GetProperty("at").GetDateTimeOffset().ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-10));
        sources.TryGetProperty("city", out _).ShouldBeFalse();

        // The same card by name, e-mail, handle and phone in a national form.
        foreach (var q in new[] { "inès " + name, $"INES.{name}@example.com", "@ines_" + name, "0" + phone[3..] })
        {
            var found = await http.GetFromJsonAsync<JsonElement>("api/v1/cards?q=" + Uri.EscapeDataString(q));
            found.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()).ShouldContain(id, q);
        }
    }

    [Fact]
    public async Task AStaleVersionIsA409ShowingBothValues()
    {
        using var http = fixture.App.CreateClient();
        var created = await CreateAsync(http, "Conf" + Unique(), Phone());
        var id = created.GetProperty("id").GetInt64();
        var version = created.GetProperty("version").GetInt64();
        var first = await http.PutAsJsonAsync($"api/v1/cards/{id}/profile", new { version, profile = new { firstName = "Inès", lastName = "Roux", city = "Lyon" } });
        first.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("version").GetInt64().ShouldBeGreaterThan(version);

        var second = await http.PutAsJsonAsync($"api/v1/cards/{id}/profile", new { version, profile = new { firstName = "Inès", lastName = "Roux", city = "Brest" } });
        second.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        second.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await second.Content.ReadFromJsonAsync<JsonElement>();
        var city = problem.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "profile.city");
        city.GetProperty("yours").GetString().ShouldBe("Brest");
        city.GetProperty("theirs").GetString().ShouldBe("Lyon");
        problem.GetProperty("current").GetProperty("city").GetString().ShouldBe("Lyon");
        problem.GetProperty("currentVersion").GetInt64().ShouldBeGreaterThan(version);
    }

    [Theory]
    [InlineData("{\"profile\":{}}", "version")]
    [InlineData("{\"version\":1}", "profile")]
    [InlineData("{\"version\":1,\"profile\":{\"primaryEmail\":\"nope\"}}", "profile.primaryEmail")]
    [InlineData("{\"version\":1,\"profile\":{\"mobilePhone\":\"12\"}}", "profile.mobilePhone")]
    [InlineData("{\"version\":1,\"profile\":{\"gender\":\"robot\"}}", "profile.gender")]
    [InlineData("{\"version\":1,\"profile\":{\"preferredChannel\":\"pigeon\"}}", "profile.preferredChannel")]
    [InlineData("{\"version\":1,\"profile\":{\"tags\":\"a,b\"}}", "profile.tags")]
    [InlineData("{\"version\":1,\"profile\":{\"avatarUrl\":\"javascript:alert(1)\"}}", "profile.avatarUrl")]
    [InlineData("{\"version\":1,\"profile\":{\"shoeSize\":44}}", "profile.shoeSize")]
    [InlineData("{\"version\":1,\"profile\":{\"firstName\":12}}", "profile.firstName")]
    [InlineData("{\"version\":1,\"profile\":{\"gender\":1}}", "profile.gender")]
    [InlineData("{\"version\":1,\"profile\":{\"preferredChannel\":\"3\"}}", "profile.preferredChannel")]
    [InlineData("{\"version\":1,\"Profile\":{}}", "Profile")]
    [InlineData("{\"version\":\"1\",\"profile\":{}}", "version")]
    [InlineData("{\"version\":1,\"profile\":{},\"reason\":null}", "reason")]
    [InlineData("{\"version\":1,\"profile\":{\"firstName\":\"\\ud800\"}}", "profile.firstName")]
    public async Task ABadProfileFieldIsA400NamingItAndNothingChanges(string json, string field)
    {
        using var http = fixture.App.CreateClient();
        var created = await CreateAsync(http, "Bad" + Unique(), Phone());
        var id = created.GetProperty("id").GetInt64();
        json = json.Replace("\"version\":1", $"\"version\":{created.GetProperty("version").GetInt64()}", StringComparison.Ordinal);
        var response = await http.PutAsync($"api/v1/cards/{id}/profile", new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(await response.Content.ReadAsStringAsync());
        var after = await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{id}");
        after.GetProperty("version").GetInt64().ShouldBe(created.GetProperty("version").GetInt64());
    }

    [Theory]
    [InlineData("loyalty-tier", "\"Diamond\"", 400)]
    [InlineData("birth-date", "\"tomorrow\"", 400)]
    [InlineData("newsletter", "\"maybe\"", 400)]
    [InlineData("customer_number", "\"C-1\"", 400)]
    [InlineData("no-such-field", "\"x\"", 404)]
    public async Task ABadCustomFieldValueIsRefusedNamingTheField(string ident, string value, int status)
    {
        using var http = fixture.App.CreateClient();
        var id = (await CreateAsync(http, "Cf" + Unique(), Phone())).GetProperty("id").GetInt64();
        var response = await http.PutAsync($"api/v1/cards/{id}/custom-fields/{ident}", new StringContent($"{{\"value\":{value}}}", Encoding.UTF8, "application/json"));
        ((int)response.StatusCode).ShouldBe(status);
        if (status == 400) (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(ident, out _).ShouldBeTrue();
    }

    [Fact]
    public async Task AGoodCustomFieldValueIsStoredNormalised()
    {
        using var http = fixture.App.CreateClient();
        var id = (await CreateAsync(http, "Cf" + Unique(), Phone())).GetProperty("id").GetInt64();
        var response = await http.PutAsJsonAsync($"api/v1/cards/{id}/custom-fields/newsletter", new { value = true });
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await http.PutAsJsonAsync($"api/v1/cards/{id}/custom-fields/loyalty-tier", new { value = "platinum" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var card = await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{id}");
        card.GetProperty("customFields").GetProperty("newsletter").GetString().ShouldBe("true");
        card.GetProperty("customFields").GetProperty("loyalty-tier").GetString().ShouldBe("Platinum");
    }

    [Fact]
    public async Task AMergedCardAnswers308ToItsSurvivor()
    {
        using var http = fixture.App.CreateClient();
        var a = (await CreateAsync(http, "Mrg" + Unique(), Phone())).GetProperty("id").GetInt64();
        var b = (await CreateAsync(http, "Mrg" + Unique(), Phone())).GetProperty("id").GetInt64();
        (await http.PostAsJsonAsync($"api/v1/cards/{a}/merge", new { mergedId = b })).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(fixture.App.BaseUrl + "/") };
        noFollow.DefaultRequestHeaders.Add("X-Api-Key", AppHost.ApiKey);
        var response = await noFollow.GetAsync($"api/v1/cards/{b}");
        response.StatusCode.ShouldBe(HttpStatusCode.PermanentRedirect);
        response.Headers.Location!.ToString().ShouldBe($"/api/v1/cards/{a}");
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("survivorId").GetInt64().ShouldBe(a);
        (await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{b}")).GetProperty("id").GetInt64().ShouldBe(a);
    }

    [Theory]
    [InlineData("{\"identities\":[{\"channel\":\"pigeon\",\"address\":\"x\"}]}", "identities[0].channel")]
    [InlineData("{\"identities\":[{\"channel\":\"sms\",\"address\":\"12\"}]}", "identities[0].address")]
    [InlineData("{\"identities\":[{\"channel\":\"sms\"}]}", "identities[0].address")]
    [InlineData("{\"identities\":{}}", "identities")]
    [InlineData("{\"profile\":{\"primaryEmail\":\"@@\"}}", "profile.primaryEmail")]
    [InlineData("{}", "profile.lastName")]
    [InlineData("{\"profile\":{\"company\":\"Acme\",\"primaryEmail\":\"a@example.com\"},\"identities\":[]}", "profile.lastName")]
    [InlineData("{\"profile\":{\"firstName\":\"A\"},\"identities\":[{\"channel\":\"sms\",\"address\":\"+33612345678\",\"note\":1}]}", "identities[0].note")]
    [InlineData("{\"identities\":[{\"channel\":1,\"address\":\"x\"}]}", "identities[0].channel")]
    public async Task ABadCreateIsA400NamingTheFieldAndCreatesNothing(string json, string field)
    {
        using var http = fixture.App.CreateClient();
        int before;
        await using (var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext()) before = await db.Cards.CountAsync();
        var response = await http.PostAsync("api/v1/cards", new StringContent(json, Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(await response.Content.ReadAsStringAsync());
        await using (var db = fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext()) (await db.Cards.CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task ACardWithOnlyANameIsCreated_AndItsNameCannotThenBeEmptied()
    {
        using var http = fixture.App.CreateClient();
        var created = await http.PostAsJsonAsync("api/v1/cards", new { profile = new { lastName = "Seul" + Unique() } });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var card = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = card.GetProperty("id").GetInt64();

        var emptied = await http.PutAsJsonAsync($"api/v1/cards/{id}/profile", new { version = card.GetProperty("version").GetInt64(), profile = new { city = "Lyon" } });
        emptied.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await emptied.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("profile.lastName", out _).ShouldBeTrue();
        (await http.GetFromJsonAsync<JsonElement>($"api/v1/cards/{id}")).GetProperty("version").GetInt64().ShouldBe(card.GetProperty("version").GetInt64());
    }

    [Fact]
    public async Task WithoutAKeyTheCardsApiAnswers401()
    {
        using var http = fixture.App.CreateClient(withApiKey: false);
        (await http.GetAsync("api/v1/cards/1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
