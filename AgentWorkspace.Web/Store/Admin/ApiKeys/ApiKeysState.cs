using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.ApiKeys;

/// <summary>
/// The API keys page. <see cref="Created"/> holds the secret of the key just created: it is shown once and lives only
/// in this circuit's memory until the administrator leaves the page.
/// </summary>
public sealed record ApiKeysState(
    bool Loading,
    ImmutableList<ApiKeyView> Keys,
    CreatedApiKey? Created,
    bool Busy,
    ImmutableDictionary<string, Exception> Errors);

public sealed class ApiKeysFeature : Feature<ApiKeysState>
{
    public override string Name => "ApiKeys";
    public override ApiKeysState GetInitialState() => new(false, [], null, false, FormErrors.None);
}

public sealed record LoadApiKeysAction;
public sealed record ApiKeysLoadedAction(IReadOnlyList<ApiKeyView> Keys);
public sealed record CreateApiKeyAction(string? Name, Role Role);
public sealed record ApiKeyCreatedAction(CreatedApiKey Created);
public sealed record RevokeApiKeyAction(long KeyId);
public sealed record ApiKeyRevokedAction(ApiKeyView Key);
/// <summary>The secret leaves memory (closed, or the page left).</summary>
public sealed record ForgetApiKeySecretAction;
public sealed record ApiKeysFailedAction(IReadOnlyList<Exception> Errors);
