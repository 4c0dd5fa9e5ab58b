using AgentWorkspace.Core.Features.Inbox;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Inbox feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class InboxFeature
{
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddSingleton<IOutboundConnector, RecordingOutboundConnector>();
        services.AddSingleton<ReplyDelivery>();
        services.AddSingleton<CaseCommands>();
        services.AddSingleton<ComposerDrafts>();
        services.AddSingleton<InboxQueries>();
        services.AddSingleton<InboxCountsBoard>();
        services.AddSingleton<ApprovalService>();
        return services;
    }

    public static RouteGroupBuilder MapInboxApi(this RouteGroupBuilder api) => api;
}
