using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Dashboard;

/// <summary>Loads the landing figures and keeps them live: case and message changes anywhere trigger a refresh.</summary>
public sealed class DashboardEffects(DashboardService dashboard, ActorAccessor actors, IChangeFeed feed, TimeProvider clock,
    IStringLocalizer<SharedResource> localizer, ILogger<DashboardEffects> logger) : IDisposable
{
    private IDisposable? _subscription;
    private int _refreshQueued;
    // One read at a time: the figures shown are always those read last.
    private readonly SemaphoreSlim _reading = new(1, 1);

    [EffectMethod]
    public async Task Handle(LoadDashboardAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            if (change.Kind is ChangeKind.CaseChanged or ChangeKind.MessageArrived or ChangeKind.DraftReviewed or ChangeKind.CardMerged or ChangeKind.Resync)
                dispatcher.Dispatch(new RefreshDashboardAction());
            return Task.CompletedTask;
        });
        await LoadAsync(action, dispatcher);
    }

    [EffectMethod]
    public async Task Handle(RefreshDashboardAction action, IDispatcher dispatcher)
    {
        // Bursts of changes (ingest) collapse into one reload at most every half second.
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(500);
        Volatile.Write(ref _refreshQueued, 0);
        await LoadAsync(action, dispatcher);
    }

    private async Task LoadAsync(object action, IDispatcher dispatcher)
    {
        await _reading.WaitAsync();
        try
        {
            var actor = await actors.GetAsync();
            dispatcher.Dispatch(new DashboardLoadedAction(await dashboard.GetSummaryAsync(actor), clock.GetUtcNow()));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new DashboardFailedAction(EffectFailure.IsRefusal(ex) ? ex.Message : localizer["ErrorUnexpected"]));
        }
        finally
        {
            _reading.Release();
        }
    }

    // The semaphore is not disposed: a read still under way when the circuit ends releases it afterwards.
    public void Dispose() => _subscription?.Dispose();
}
