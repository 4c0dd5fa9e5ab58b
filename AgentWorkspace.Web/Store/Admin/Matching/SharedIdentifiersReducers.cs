using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Matching;

public static class SharedIdentifiersReducers
{
    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, LoadSharedIdentifiersAction _) => s with { Loading = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, SharedIdentifiersLoadedAction a) => s with { Loading = false, View = a.View };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, AddSharedIdentifierAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, RemoveSharedIdentifierAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, RestoreSharedIdentifierAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, SaveSharedThresholdAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, CountSharedAgainAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, SharedIdentifiersSavedAction a) => s with { Saving = false, Loading = false, View = a.View };

    [ReducerMethod]
    public static SharedIdentifiersState Reduce(SharedIdentifiersState s, SharedIdentifiersFailedAction a) =>
        s with { Loading = false, Saving = false, Errors = FormErrors.Of(a.Errors, a.Where) };
}
