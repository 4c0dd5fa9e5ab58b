using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Settings;

/// <summary>The settings page: the settings in force, and what was refused.</summary>
public sealed record SettingsState(bool Loading, EffectiveSettings? Settings, bool Saving, ImmutableDictionary<string, Exception> Errors);

public sealed class SettingsFeature : Feature<SettingsState>
{
    public override string Name => "Settings";
    public override SettingsState GetInitialState() => new(false, null, false, FormErrors.None);
}

public sealed record LoadSettingsAction;
public sealed record SettingsLoadedAction(EffectiveSettings Settings);
public sealed record SaveSettingsAction(string? DefaultPhoneRegion, bool AgentsMayMerge);
public sealed record SettingsSavedAction(EffectiveSettings Settings);
public sealed record SettingsFailedAction(IReadOnlyList<Exception> Errors);
