using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Scripts;

/// <summary>
/// The agent script panel of one case: the script shown (the root, or a sub-script opened from it: <see cref="Path"/>
/// holds the way back), which step is busy, a macro's last results, a macro waiting for the agent's confirmation
/// before it runs again, and the last refusal in the user's language.
/// </summary>
public sealed record CaseScriptPanel(
    long CaseId,
    bool Loading,
    bool Loaded,
    CaseScriptView? View,
    ImmutableList<long> Path,
    long? BusyStepId,
    long? ConfirmStepId,
    ImmutableDictionary<long, IReadOnlyList<MacroActionResult>> Results,
    string? Error,
    long Load)
{
    public static CaseScriptPanel For(long caseId) => new(caseId, false, false, null, [], null, null, ImmutableDictionary<long, IReadOnlyList<MacroActionResult>>.Empty, null, 0);

    /// <summary>The sub-script shown, or null for the root.</summary>
    public long? ScriptId => Path.IsEmpty ? null : Path[^1];
}

public sealed record CaseScriptState(ImmutableDictionary<long, CaseScriptPanel> Panels)
{
    public CaseScriptPanel For(long caseId) => Panels.GetValueOrDefault(caseId) ?? CaseScriptPanel.For(caseId);
}

public sealed class CaseScriptFeature : Feature<CaseScriptState>
{
    public override string Name => "CaseScript";
    public override CaseScriptState GetInitialState() => new(ImmutableDictionary<long, CaseScriptPanel>.Empty);
}

/// <summary>The panel shows a case: its script is read, and read again when the case changes (a colleague's step).</summary>
public sealed record WatchCaseScriptAction(long CaseId);
public sealed record ReleaseCaseScriptAction(long CaseId);
public sealed record LoadCaseScriptAction(long CaseId);
public sealed record CaseScriptLoadedAction(long CaseId, CaseScriptView? View, long Load);
public sealed record MarkScriptStepDoneAction(long CaseId, long StepId);
public sealed record ScriptStepDoneAction(long CaseId, CaseScriptView View);
/// <summary>Runs a macro; <see cref="Confirmed"/> when the agent has said yes to running it again.</summary>
public sealed record RunScriptMacroAction(long CaseId, long StepId, bool Confirmed = false);
public sealed record ScriptMacroRanAction(long CaseId, long StepId, MacroRun Run);
/// <summary>The macro already ran on this case: the panel asks before running it again.</summary>
public sealed record ScriptMacroNeedsConfirmAction(long CaseId, long StepId);
public sealed record CancelScriptMacroAction(long CaseId);
public sealed record ShowSubScriptAction(long CaseId, long ScriptId);
public sealed record BackToParentScriptAction(long CaseId);
public sealed record CaseScriptFailedAction(long CaseId, string Error, long? Load = null);

public static class CaseScriptReducers
{
    private static CaseScriptState With(CaseScriptState s, long caseId, Func<CaseScriptPanel, CaseScriptPanel> change) =>
        new(s.Panels.SetItem(caseId, change(s.For(caseId))));

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, WatchCaseScriptAction a) => With(s, a.CaseId, p => p with { Loading = true, Load = p.Load + 1 });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, LoadCaseScriptAction a) => With(s, a.CaseId, p => p with { Loading = true, Load = p.Load + 1 });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, CaseScriptLoadedAction a) => With(s, a.CaseId, p =>
        a.Load < p.Load ? p : p with { Loading = false, Loaded = true, View = a.View, Error = null });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, MarkScriptStepDoneAction a) => With(s, a.CaseId, p => p with { BusyStepId = a.StepId, Error = null });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, ScriptStepDoneAction a) => With(s, a.CaseId, p => p with { BusyStepId = null, View = a.View, Load = p.Load + 1 });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, RunScriptMacroAction a) => With(s, a.CaseId, p => p with { BusyStepId = a.StepId, ConfirmStepId = null, Error = null });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, ScriptMacroRanAction a) => With(s, a.CaseId, p => p with
    {
        BusyStepId = null, View = a.Run.Script, Results = p.Results.SetItem(a.StepId, a.Run.Actions), Load = p.Load + 1,
    });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, ScriptMacroNeedsConfirmAction a) => With(s, a.CaseId, p => p with { BusyStepId = null, ConfirmStepId = a.StepId });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, CancelScriptMacroAction a) => With(s, a.CaseId, p => p with { ConfirmStepId = null });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, ShowSubScriptAction a) => With(s, a.CaseId, p => p with
    {
        Path = p.Path.Add(a.ScriptId), Loading = true, Load = p.Load + 1, ConfirmStepId = null, Error = null,
    });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, BackToParentScriptAction a) => With(s, a.CaseId, p => p.Path.IsEmpty ? p : p with
    {
        Path = p.Path.RemoveAt(p.Path.Count - 1), Loading = true, Load = p.Load + 1, ConfirmStepId = null, Error = null,
    });

    [ReducerMethod]
    public static CaseScriptState Reduce(CaseScriptState s, CaseScriptFailedAction a) => With(s, a.CaseId, p =>
        a.Load is { } load && load < p.Load ? p : p with { Loading = false, Loaded = true, BusyStepId = null, Error = a.Error });
}
