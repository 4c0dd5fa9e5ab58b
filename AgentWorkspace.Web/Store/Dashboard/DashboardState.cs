using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Dashboard;

public sealed record DashboardState(bool Loading, DashboardSummary? Summary, string? Error, DateTimeOffset? UpdatedAt);

public sealed class DashboardFeature : Feature<DashboardState>
{
    public override string Name => "Dashboard";
    public override DashboardState GetInitialState() => new(false, null, null, null);
}

public sealed record LoadDashboardAction;
public sealed record RefreshDashboardAction;
public sealed record DashboardLoadedAction(DashboardSummary Summary, DateTimeOffset At);
public sealed record DashboardFailedAction(string Error);

public static class DashboardReducers
{
    [ReducerMethod]
    public static DashboardState Reduce(DashboardState state, LoadDashboardAction _) => state with { Loading = state.Summary is null, Error = null };

    [ReducerMethod]
    public static DashboardState Reduce(DashboardState state, DashboardLoadedAction action) =>
        state with { Loading = false, Summary = action.Summary, Error = null, UpdatedAt = action.At };

    [ReducerMethod]
    public static DashboardState Reduce(DashboardState state, DashboardFailedAction action) => state with { Loading = false, Error = action.Error };
}
