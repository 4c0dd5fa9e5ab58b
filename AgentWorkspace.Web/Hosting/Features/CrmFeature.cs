using AgentWorkspace.Core.Features.Crm.Vendors;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Web.Api;
using Microsoft.AspNetCore.DataProtection;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>
/// Registers the CRM feature (issue 18): the connector kinds (the built-in one here; the outside connectors register
/// their own <see cref="ICrmConnectorKind"/>), the factory, the card's services, the push outbox and its processor,
/// Data Protection with its keys in our database (the CRM secrets are protected with them, and every server shares
/// them), and the API endpoints.
/// </summary>
internal static class CrmFeature
{
    public static IServiceCollection AddCrm(this IServiceCollection services, IConfiguration config)
    {
        services.AddDataProtection()
            .SetApplicationName("AgentWorkspace")
            .PersistKeysToDbContext<AgentWorkspaceDbContext>();
        services.AddSingleton(new CrmOptions(config["Crm:PublicBaseUrl"]));
        services.AddSingleton<BuiltInCrmConnector>();
        services.AddSingleton<ICrmConnectorKind, BuiltInCrmKind>();
        services.AddCrmVendorConnectors();
        services.AddSingleton<CrmConnectorFactory>();
        services.AddSingleton<ICrmConnectorFactory>(sp => sp.GetRequiredService<CrmConnectorFactory>());
        services.AddSingleton<CrmSettingsService>();
        services.AddSingleton<CrmService>();
        services.AddSingleton<BuiltInCrmService>();
        services.AddSingleton<DispositionService>();
        services.AddSingleton<CrmPushSignal>();
        services.AddSingleton<CrmPushService>();
        services.AddHostedService<CrmPushWorker>();
        return services;
    }

    public static RouteGroupBuilder MapCrmApi(this RouteGroupBuilder api) => api.MapCrmEndpoints();
}

/// <summary>
/// Empties the CRM push outbox in the background: at once when a wrap-up, transfer or unassignment put pushes in it
/// (<see cref="CrmPushSignal"/>), and every few seconds for retries that come due and pushes other servers wrote.
/// A failure of one round is logged and the next round comes; stopping the app leaves pending rows for the next start.
/// </summary>
internal sealed class CrmPushWorker(CrmPushService pushes, CrmPushSignal signal, ILogger<CrmPushWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await pushes.ProcessDueAsync(stoppingToken) > 0) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A round of CRM pushes failed; the next round tries again.");
            }
            try
            {
                await signal.WaitAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
