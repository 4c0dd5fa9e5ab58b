using AgentWorkspace.Core.Features.Crm.Vendors;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Dataverse;

/// <summary>
/// Makes Dynamics 365 / Dataverse connectors. One per application: it keeps the access tokens of each connection, so
/// connectors made per operation still sign in once per token lifetime.
/// </summary>
public sealed class DataverseConnectorKind(IHttpClientFactory httpClients, TimeProvider time, ILogger<DataverseConnectorKind> logger) : ICrmConnectorKind
{
    public const string KindName = "dataverse";
    public const string HttpClientName = "crm-dataverse";

    private readonly CrmTokenCaches _tokens = new();

    public string Kind => KindName;
    public IReadOnlyList<string> SettingNames =>
        [DataverseSettingKeys.EnvironmentUrl, DataverseSettingKeys.TenantId, DataverseSettingKeys.ClientId, DataverseSettingKeys.AuthorityHost, Vendors.CrmVendorSettingKeys.DefaultRegion,
         Vendors.CrmVendorSettingKeys.MaxRetries, Vendors.CrmVendorSettingKeys.MaxRetryAfterSeconds];
    public IReadOnlyList<string> SecretNames => [DataverseSettingKeys.ClientSecret];

    public ICrmConnector Create(CrmConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!string.Equals(connection.Kind, KindName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"A '{connection.Kind}' connection is not a Dataverse one.", nameof(connection));
        return new DataverseConnector(connection, httpClients.CreateClient(HttpClientName), time, logger, _tokens);
    }
}
