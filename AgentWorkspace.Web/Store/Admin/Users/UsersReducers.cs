using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Users;

public static class UsersReducers
{
    [ReducerMethod]
    public static UsersState Reduce(UsersState s, LoadUsersAction _) => new UsersFeature().GetInitialState() with { Loading = true, Users = s.Users, Queues = s.Queues };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, UsersLoadedAction a) => s with { Loading = false, Users = [.. a.Users], Queues = [.. a.Queues] };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, StartNewUserAction _) => s with { Creating = true, SelectedId = null, Errors = FormErrors.None };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, CancelNewUserAction _) => s with { Creating = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, SelectUserAction a) => s with { Creating = false, SelectedId = a.UserId, Errors = FormErrors.None };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, CreateUserAction _) => Busy(s);

    /// <summary>The new user joins the list and is the one managed next.</summary>
    [ReducerMethod]
    public static UsersState Reduce(UsersState s, UserCreatedAction a) => s with { Busy = false, Creating = false, SelectedId = a.User.Id, Users = Placed(s.Users, a.User) };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, SetUserRoleAction _) => Busy(s);

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, SetUserQueuesAction _) => Busy(s);

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, SetUserDisabledAction _) => Busy(s);

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, ResetUserPasswordAction _) => Busy(s);

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, UserSavedAction a) => s with { Busy = false, Users = Placed(s.Users, a.User) };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, UserPasswordResetAction _) => s with { Busy = false };

    [ReducerMethod]
    public static UsersState Reduce(UsersState s, UsersFailedAction a) => s with { Loading = false, Busy = false, Errors = FormErrors.Of(a.Errors, a.Where) };

    private static UsersState Busy(UsersState s) => s with { Busy = true, Errors = FormErrors.None };

    /// <summary>The user in its place, in the service's order (by name).</summary>
    private static ImmutableList<UserView> Placed(ImmutableList<UserView> users, UserView user) =>
        [.. users.Where(u => u.Id != user.Id).Append(user).OrderBy(u => u.DisplayName, StringComparer.CurrentCultureIgnoreCase)];
}
