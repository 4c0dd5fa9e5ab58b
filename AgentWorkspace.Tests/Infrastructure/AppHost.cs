using AgentWorkspace.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// The real web app, in this process, on Kestrel at a free loopback port, over a fresh SQLite file
/// migrated and demo-seeded exactly as on a first start.
/// </summary>
public sealed class AppHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    public string BaseUrl { get; }
    public string DatabaseFile { get; }
    public IServiceProvider Services => _app.Services;
    public const string ApiKey = "test-api-key-0123456789";

    private AppHost(WebApplication app, string baseUrl, string databaseFile)
    {
        _app = app;
        BaseUrl = baseUrl.TrimEnd('/');
        DatabaseFile = databaseFile;
    }

    /// <param name="configure">Called on the builder after the test settings: services a test adds or replaces (startup filters, fakes).</param>
    public static async Task<AppHost> StartAsync(IDictionary<string, string?>? settings = null, int demoCards = 60, Action<WebApplicationBuilder>? configure = null)
    {
        var file = TestDatabase.NewFilePath();
        var values = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={file}",
            ["Demo:Seed"] = "true",
            ["Demo:Cards"] = demoCards.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Api:Keys:0"] = ApiKey,
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>()) values[k] = v;

        var app = AgentWorkspaceApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            configure?.Invoke(builder);
        });
        await AgentWorkspaceApp.InitializeAsync(app, output: null);
        await app.StartAsync();
        return new AppHost(app, app.Urls.First(), file);
    }

    public HttpClient CreateClient(bool withApiKey = true)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + "/") };
        if (withApiKey) client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    public T GetRequiredService<T>() where T : notnull => Services.GetRequiredService<T>();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
