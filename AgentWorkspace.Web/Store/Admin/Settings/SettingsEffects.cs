using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Settings;

/// <summary>Reads and saves the run-time settings through <see cref="SettingsService"/>; the saved settings come back from the service.</summary>
public sealed class SettingsEffects(SettingsService settings, ActorAccessor actors, ILogger<SettingsEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadSettingsAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new SettingsLoadedAction(await settings.GetAsync())));

    [EffectMethod]
    public Task Handle(SaveSettingsAction action, IDispatcher dispatcher)
    {
        var region = action.DefaultPhoneRegion?.Trim();
        if (!PhoneNumber.IsKnownRegion(region))
        {
            dispatcher.Dispatch(new SettingsFailedAction([new DomainException($"'{region}' is not a region code.", "defaultPhoneRegion")]));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, async () =>
            dispatcher.Dispatch(new SettingsSavedAction(await settings.UpdateAsync(await actors.GetAsync(), region!, action.AgentsMayMerge))));
    }

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new SettingsFailedAction([ex]));
}
