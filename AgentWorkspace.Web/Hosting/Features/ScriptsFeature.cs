using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Web.Api;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the agent scripts feature (issue 19): the admin service, the case's script service and their API.</summary>
internal static class ScriptsFeature
{
    public static IServiceCollection AddScripts(this IServiceCollection services)
    {
        services.AddSingleton<ScriptService>();
        services.AddSingleton<CaseScriptService>();
        services.AddScoped<Store.Scripts.ScriptErrors>();
        return services;
    }

    public static RouteGroupBuilder MapScriptsApi(this RouteGroupBuilder api) => api.MapScriptEndpoints();
}
