using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.ApiKeys;

/// <summary>Reads, creates and revokes API keys through <see cref="ApiKeyService"/>; each answer is shown as it comes, without reading the list again.</summary>
public sealed class ApiKeysEffects(ApiKeyService keys, ActorAccessor actors, ILogger<ApiKeysEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadApiKeysAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new ApiKeysLoadedAction(await keys.ListAsync(await actors.GetAsync()))));

    [EffectMethod]
    public Task Handle(CreateApiKeyAction action, IDispatcher dispatcher)
    {
        if (ApiKeyService.Check(action.Name, action.Role) is { Count: > 0 } broken)
        {
            dispatcher.Dispatch(new ApiKeysFailedAction(broken));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, async () =>
            dispatcher.Dispatch(new ApiKeyCreatedAction(await keys.CreateAsync(await actors.GetAsync(), action.Name, action.Role))));
    }

    [EffectMethod]
    public Task Handle(RevokeApiKeyAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new ApiKeyRevokedAction(await keys.RevokeAsync(await actors.GetAsync(), action.KeyId))));

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new ApiKeysFailedAction([ex]));
}
