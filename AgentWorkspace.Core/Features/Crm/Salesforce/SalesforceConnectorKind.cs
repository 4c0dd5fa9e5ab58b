using AgentWorkspace.Core.Features.Crm.Vendors;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Salesforce;

/// <summary>
/// Makes Salesforce connectors. One per application: it keeps the access token of each connection (Salesforce gives
/// no expiry; a token is used until it is refused), so connectors made per operation still sign in once.
/// </summary>
public sealed class SalesforceConnectorKind(IHttpClientFactory httpClients, TimeProvider time, ILogger<SalesforceConnectorKind> logger) : ICrmConnectorKind
{
    public const string KindName = "salesforce";
    public const string HttpClientName = "crm-salesforce";

    private readonly CrmTokenCaches _tokens = new();

    public string Kind => KindName;
    public IReadOnlyList<string> SettingNames =>
        [SalesforceSettingKeys.LoginUrl, SalesforceSettingKeys.InstanceUrl, SalesforceSettingKeys.ClientId, SalesforceSettingKeys.ApiVersion, SalesforceSettingKeys.PushKeyField,
         Vendors.CrmVendorSettingKeys.DefaultRegion, Vendors.CrmVendorSettingKeys.MaxRetries, Vendors.CrmVendorSettingKeys.MaxRetryAfterSeconds];
    public IReadOnlyList<string> SecretNames => [SalesforceSettingKeys.ClientSecret];

    public ICrmConnector Create(CrmConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (!string.Equals(connection.Kind, KindName, StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"A '{connection.Kind}' connection is not a Salesforce one.", nameof(connection));
        return new SalesforceConnector(connection, httpClients.CreateClient(HttpClientName), time, logger, _tokens);
    }
}
