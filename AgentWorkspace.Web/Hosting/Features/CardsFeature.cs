using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Api;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Cards feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class CardsFeature
{
    public static IServiceCollection AddCards(this IServiceCollection services)
    {
        services.AddSingleton<CardReads>();
        services.AddSingleton<CardSearch>();
        services.AddSingleton<CardEdits>();
        return services;
    }

    public static RouteGroupBuilder MapCardsApi(this RouteGroupBuilder api) => api.MapCardEndpoints();
}
