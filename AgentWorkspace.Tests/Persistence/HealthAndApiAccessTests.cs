using System.Net;
using AgentWorkspace.Tests.Infrastructure;

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
}
