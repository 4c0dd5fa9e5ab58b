using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Web.Api;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Administration feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class AdministrationFeature
{
    public static IServiceCollection AddAdministration(this IServiceCollection services)
    {
        services.AddSingleton<CustomFieldService>();
        services.AddSingleton<QueueService>();
        services.AddSingleton<ApiKeyService>();
        services.AddSingleton<QuickReplyService>();
        services.AddSingleton<QuickReplyPlaceholders>();
        services.AddSingleton<UserAdminService>();
        // Disabling a user, changing a role or resetting a password renews the security stamp; open pages and the
        // sign-in cookie are checked against it (Security:RevalidationInterval, IdentitySetup and UserRevalidation).
        return services;
    }

    public static RouteGroupBuilder MapAdministrationApi(this RouteGroupBuilder api) => api.MapCustomFieldsApi();
}
