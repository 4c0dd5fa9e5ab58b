using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Users;

/// <summary>The users page: the users and queues, the new-user form or the user being managed, and what was refused.</summary>
public sealed record UsersState(
    bool Loading,
    ImmutableList<UserView> Users,
    ImmutableList<QueueView> Queues,
    bool Creating,
    string? SelectedId,
    bool Busy,
    ImmutableDictionary<string, Exception> Errors)
{
    public UserView? Selected => SelectedId is null ? null : Users.FirstOrDefault(u => u.Id == SelectedId);
}

public sealed class UsersFeature : Feature<UsersState>
{
    public override string Name => "Users";
    public override UsersState GetInitialState() => new(false, [], [], false, null, false, FormErrors.None);
}

/// <summary>What a saved change to a user was, for the page to confirm it in words.</summary>
public enum UserChange { Role, Queues, Disabled, Enabled }

public sealed record LoadUsersAction;
public sealed record UsersLoadedAction(IReadOnlyList<UserView> Users, IReadOnlyList<QueueView> Queues);
public sealed record StartNewUserAction;
public sealed record CancelNewUserAction;
public sealed record SelectUserAction(string UserId);
public sealed record CreateUserAction(NewUserInput Input);
public sealed record UserCreatedAction(UserView User);
public sealed record SetUserRoleAction(string UserId, Role Role);
public sealed record SetUserQueuesAction(string UserId, IReadOnlyList<long> QueueIds);
public sealed record SetUserDisabledAction(string UserId, bool Disabled);
public sealed record UserSavedAction(UserView User, UserChange Change);
public sealed record ResetUserPasswordAction(string UserId, string? Password);
public sealed record UserPasswordResetAction(string UserId);
/// <summary>Refusals, by their field; one without a field goes to <paramref name="Where"/>, where the administrator acted.</summary>
public sealed record UsersFailedAction(IReadOnlyList<Exception> Errors, string Where = "");
