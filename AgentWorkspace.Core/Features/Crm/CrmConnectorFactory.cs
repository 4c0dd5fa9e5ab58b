using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>
/// One kind of CRM connector ("builtin", "dataverse", "salesforce"): registered in the container, one per kind;
/// <see cref="CrmConnectorFactory"/> knows every registered kind.
/// </summary>
public interface ICrmConnectorKind
{
    string Kind { get; }

    /// <summary>The settings and secret names the administrator fills for this kind (for /admin/crm), in display order.</summary>
    IReadOnlyList<string> SettingNames => [];
    IReadOnlyList<string> SecretNames => [];

    ICrmConnector Create(CrmConnection connection);
}

/// <summary>Makes the connector of a connection from the registered kinds.</summary>
public sealed class CrmConnectorFactory : ICrmConnectorFactory
{
    private readonly Dictionary<string, ICrmConnectorKind> _kinds;

    public CrmConnectorFactory(IEnumerable<ICrmConnectorKind> kinds)
    {
        _kinds = new Dictionary<string, ICrmConnectorKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var kind in kinds) _kinds[kind.Kind] = kind; // a later registration of a kind replaces an earlier one (tests swap a kind so)
        Kinds = _kinds.Keys.Order(StringComparer.Ordinal).ToList();
    }

    public IReadOnlyList<string> Kinds { get; }

    /// <summary>The registered kind named <paramref name="kind"/>, or null.</summary>
    public ICrmConnectorKind? Find(string? kind) => kind is not null && _kinds.TryGetValue(kind, out var k) ? k : null;

    public ICrmConnector Create(CrmConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var kind = Find(connection.Kind)
            ?? throw new DomainException($"'{connection.Kind}' is not a CRM connector here; known: {string.Join(", ", Kinds)}.", "kind") { Code = "CrmKindUnknown", Args = [connection.Kind] };
        return kind.Create(connection);
    }
}
