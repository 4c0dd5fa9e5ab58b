using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Settings;

public static class SettingsReducers
{
    [ReducerMethod]
    public static SettingsState Reduce(SettingsState s, LoadSettingsAction _) => s with { Loading = true, Saving = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static SettingsState Reduce(SettingsState s, SettingsLoadedAction a) => s with { Loading = false, Settings = a.Settings };

    [ReducerMethod]
    public static SettingsState Reduce(SettingsState s, SaveSettingsAction _) => s with { Saving = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static SettingsState Reduce(SettingsState s, SettingsSavedAction a) => s with { Saving = false, Settings = a.Settings };

    [ReducerMethod]
    public static SettingsState Reduce(SettingsState s, SettingsFailedAction a) => s with { Loading = false, Saving = false, Errors = FormErrors.Of(a.Errors) };
}
