using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Inbox;

namespace AgentWorkspace.Web.Store.Notices;

public static class NoticesReducers
{
    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, NoticesStartedAction a) =>
        s with { Started = true, Unseen = s.Unseen.Union(a.UnreadCaseIds.Where(id => !s.Unseen.Contains(id)).Take(Math.Max(0, NoticesState.MaxUnseen - s.Unseen.Count))) };

    /// <summary>
    /// A new message or a case given to the agent counts until opened (up to <see cref="NoticesState.MaxUnseen"/> cases);
    /// a reviewed draft is told but not counted. An away agent, or one who switched every notice off, is told nothing (the
    /// count still moves).
    /// </summary>
    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, CaseNewsAction a)
    {
        var counted = a.Kind is NoticeKind.MessageArrived or NoticeKind.CaseAssigned && !s.UnseenFull;
        var unseen = counted ? s.Unseen.Add(a.CaseId) : s.Unseen;
        var last = s.Heard ? new Notice((s.Last?.Id ?? 0) + 1, a.Kind, a.CaseId, a.ContactName, a.Detail) : s.Last;
        return s with { Unseen = unseen, Last = last };
    }

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, ClearCaseNewsAction a) => s with { Unseen = s.Unseen.Remove(a.CaseId) };

    /// <summary>Opening a case, or showing its tab, is seeing its news.</summary>
    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, OpenCaseAction a) => s with { Unseen = s.Unseen.Remove(a.CaseId) };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, SelectCaseAction a) => s with { Unseen = s.Unseen.Remove(a.CaseId) };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, SetAvailabilityAction a) => s with { Availability = a.Availability };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, ToggleSoundAction a) => s with { SoundOn = a.On };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, ToggleVisualNoticeAction a) => s with { VisualOn = a.On };

    /// <summary>Switching desktop notices on where the browser refused them stays off: the page says why.</summary>
    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, ToggleDesktopNoticeAction a) =>
        s with { DesktopOn = a.On && s.Desktop is not (DesktopPermission.Denied or DesktopPermission.Unsupported) };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, DesktopPermissionKnownAction a) =>
        s with { Desktop = a.Permission, DesktopOn = s.DesktopOn && a.Permission is not (DesktopPermission.Denied or DesktopPermission.Unsupported) };

    [ReducerMethod]
    public static NoticesState Reduce(NoticesState s, NoticePreferencesLoadedAction a) => s with
    {
        Availability = a.Availability,
        SoundOn = a.SoundOn,
        VisualOn = a.VisualOn,
        Desktop = a.Desktop,
        DesktopOn = a.DesktopOn && a.Desktop is not (DesktopPermission.Denied or DesktopPermission.Unsupported),
    };
}
