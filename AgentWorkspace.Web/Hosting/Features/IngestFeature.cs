using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Web.Api;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Ingest feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class IngestFeature
{
    public static IServiceCollection AddIngest(this IServiceCollection services, IConfiguration configuration)
    {
        var maxBody = configuration.GetValue("Api:MaxBodyLength", 20_000);
        if (maxBody <= 0) throw new Core.Persistence.StartupException($"Api:MaxBodyLength is {maxBody}; set it to a positive number of characters (e.g. 20000).");
        services.AddSingleton(new IngestOptions(maxBody));
        // The built-in analyzer, unless another ISentimentAnalyzer is registered (before or after: the last one wins).
        services.TryAddSingleton<ISentimentAnalyzer, LexiconSentimentAnalyzer>();
        services.AddSingleton<EmailSanitizer>();
        services.AddSingleton<InteractionValidator>();
        services.AddSingleton<IngestService>();
        return services;
    }

    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api) => api.MapInteractionsApi();
}
