using AgentWorkspace.Core.Features.Crm.Dataverse;
using AgentWorkspace.Core.Features.Crm.Salesforce;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

public static class CrmVendorServiceCollectionExtensions
{
    /// <summary>
    /// Registers the outside CRM connector kinds (<see cref="DataverseConnectorKind"/>, <see cref="SalesforceConnectorKind"/>)
    /// and their named HttpClients. The clients' own request logs are removed: the connectors log what matters (vendor,
    /// operation, status, the vendor's error code) and never a request's address, whose query holds phones and e-mails.
    /// </summary>
    public static IServiceCollection AddCrmVendorConnectors(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        foreach (var name in new[] { DataverseConnectorKind.HttpClientName, SalesforceConnectorKind.HttpClientName })
        {
            services.AddHttpClient(name, client =>
                {
                    // Each request has its own time-out from the connection's settings; this one only bounds a stuck read.
                    client.Timeout = TimeSpan.FromMinutes(3);
                    client.MaxResponseContentBufferSize = 16 * 1024 * 1024;
                })
                .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
                {
                    AllowAutoRedirect = false,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                })
                .RemoveAllLoggers();
        }
        services.TryAddSingleton<DataverseConnectorKind>();
        services.TryAddSingleton<SalesforceConnectorKind>();
        // The factory collects every kind.
        services.AddSingleton<ICrmConnectorKind>(sp => sp.GetRequiredService<DataverseConnectorKind>());
        services.AddSingleton<ICrmConnectorKind>(sp => sp.GetRequiredService<SalesforceConnectorKind>());
        return services;
    }
}
