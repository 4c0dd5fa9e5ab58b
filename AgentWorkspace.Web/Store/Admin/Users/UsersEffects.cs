using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Users;

/// <summary>Reads and changes users through <see cref="UserAdminService"/>; each change comes back from the service and is shown as such, without reading the list again.</summary>
public sealed class UsersEffects(UserAdminService users, QueueService queues, ActorAccessor actors, ILogger<UsersEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadUsersAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async () =>
    {
        var actor = await actors.GetAsync();
        dispatcher.Dispatch(new UsersLoadedAction(await users.ListAsync(actor), await queues.ListAsync(actor)));
    });

    [EffectMethod]
    public Task Handle(CreateUserAction action, IDispatcher dispatcher)
    {
        // The same rules as the service, all at once; nothing is sent while one is broken.
        if (UserAdminService.Check(action.Input) is { Count: > 0 } broken)
        {
            dispatcher.Dispatch(new UsersFailedAction(broken));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, "", async () =>
            dispatcher.Dispatch(new UserCreatedAction(await users.CreateAsync(await actors.GetAsync(), action.Input))));
    }

    [EffectMethod]
    public Task Handle(SetUserRoleAction action, IDispatcher dispatcher) => Run(action, dispatcher, "role", async () =>
        dispatcher.Dispatch(new UserSavedAction(await users.SetRoleAsync(await actors.GetAsync(), action.UserId, action.Role), UserChange.Role)));

    [EffectMethod]
    public Task Handle(SetUserQueuesAction action, IDispatcher dispatcher) => Run(action, dispatcher, "queueIds", async () =>
        dispatcher.Dispatch(new UserSavedAction(await users.SetQueuesAsync(await actors.GetAsync(), action.UserId, action.QueueIds), UserChange.Queues)));

    [EffectMethod]
    public Task Handle(SetUserDisabledAction action, IDispatcher dispatcher) => Run(action, dispatcher, "disabled", async () =>
        dispatcher.Dispatch(new UserSavedAction(await users.SetDisabledAsync(await actors.GetAsync(), action.UserId, action.Disabled),
            action.Disabled ? UserChange.Disabled : UserChange.Enabled)));

    [EffectMethod]
    public Task Handle(ResetUserPasswordAction action, IDispatcher dispatcher)
    {
        if (UserAdminService.CheckPassword(action.Password) is { } weak)
        {
            dispatcher.Dispatch(new UsersFailedAction([weak], "password"));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, "password", async () =>
        {
            await users.ResetPasswordAsync(await actors.GetAsync(), action.UserId, action.Password);
            dispatcher.Dispatch(new UserPasswordResetAction(action.UserId));
        });
    }

    private Task Run(object action, IDispatcher dispatcher, string where, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new UsersFailedAction([ex], where));
}
