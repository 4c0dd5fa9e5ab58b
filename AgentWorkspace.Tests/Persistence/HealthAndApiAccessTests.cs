using System.Net;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Api;
using Microsoft.Extensions.Configuration;

namespace AgentWorkspace.Tests.Persistence;

public class HealthAndApiAccessTests
{
    [Fact]
    public async Task HealthAnswers200WhenTheDatabaseIsReachable_AndTheOpenApiDocumentIsServed()
    {
        await using var app = await AppHost.StartAsync(demoCards: 5);
        using var http = app.CreateClient(withApiKey: false);
        var health = await http.GetAsync("health");
        health.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync()).ShouldBe("Healthy");
        var openApi = await http.GetAsync("openapi/v1.json");
        openApi.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await openApi.Content.ReadAsStringAsync()).ShouldContain("/api/v1/cards/{survivorId}/merge");
    }

    [Fact]
    public async Task PagesNeedASignedInUserAndTheApiNeedsAKey()
    {
        await using var app = await AppHost.StartAsync(demoCards: 5);
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl + "/") };
        var page = await http.GetAsync("admin/audit");
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/account/login");

        var api = await http.GetAsync("api/v1/cards/1/duplicates");
        api.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        api.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        http.DefaultRequestHeaders.Add("X-Api-Key", "wrong-key");
        (await http.GetAsync("api/v1/cards/1/duplicates")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public void ConfiguredKeysMatchExactly_AndAReloadedConfigurationCountsAtOnce()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Api:Keys:0"] = "first-key",
            ["Api:Keys:1"] = "",
        }).Build();
        using var keys = new ConfiguredApiKeys(config);
        keys.Matches("first-key").ShouldBeTrue();
        keys.Matches("First-key").ShouldBeFalse("keys are compared exactly");
        keys.Matches("first-key ").ShouldBeFalse();
        keys.Matches("").ShouldBeFalse("an empty entry is no key");
        keys.Matches("second-key").ShouldBeFalse();

        config["Api:Keys:1"] = "second-key";
        config["Api:Keys:0"] = null;
        config.Reload();
        keys.Matches("second-key").ShouldBeTrue("a key added to the configuration counts once it reloads");
        keys.Matches("first-key").ShouldBeFalse("a key removed from the configuration stops counting");
    }
}
