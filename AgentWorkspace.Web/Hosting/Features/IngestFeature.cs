namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Ingest feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class IngestFeature
{
    public static IServiceCollection AddIngest(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapIngestApi(this RouteGroupBuilder api) => api;
}
