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
        services.AddSingleton<UserAdminService>();
        // Disabling a user, changing a role or resetting a password renews the security stamp; the sign-in
        // cookie is checked against it every minute (not the default 30), so the change reaches open browsers soon.
        services.Configure<Microsoft.AspNetCore.Identity.SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));
        return services;
    }

    public static RouteGroupBuilder MapAdministrationApi(this RouteGroupBuilder api) => api.MapCustomFieldsApi();
}
