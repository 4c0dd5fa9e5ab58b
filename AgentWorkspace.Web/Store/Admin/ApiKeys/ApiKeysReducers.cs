using System.Collections.Immutable;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.ApiKeys;

public static class ApiKeysReducers
{
    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, LoadApiKeysAction _) => new ApiKeysFeature().GetInitialState() with { Loading = true, Keys = s.Keys };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, ApiKeysLoadedAction a) => s with { Loading = false, Keys = [.. a.Keys] };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, CreateApiKeyAction _) => s with { Busy = true, Created = null, Errors = FormErrors.None };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, ApiKeyCreatedAction a) => s with { Busy = false, Created = a.Created, Keys = Placed(s.Keys, a.Created.Key) };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, RevokeApiKeyAction _) => s with { Busy = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, ApiKeyRevokedAction a) => s with { Busy = false, Keys = Placed(s.Keys, a.Key) };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, ForgetApiKeySecretAction _) => s with { Created = null };

    [ReducerMethod]
    public static ApiKeysState Reduce(ApiKeysState s, ApiKeysFailedAction a) => s with { Loading = false, Busy = false, Errors = FormErrors.Of(a.Errors) };

    /// <summary>The key in its place, in the service's order: active keys first, the newest first.</summary>
    private static ImmutableList<ApiKeyView> Placed(ImmutableList<ApiKeyView> keys, ApiKeyView key) =>
        [.. keys.Where(k => k.Id != key.Id).Append(key).OrderBy(k => k.RevokedAt is not null).ThenByDescending(k => k.CreatedAt)];
}
