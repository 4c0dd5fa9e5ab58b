using System.Collections.Immutable;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Notices;

/// <summary>What the agent chose to be: available (notices on) or away (quiet: no sound, no toast, no desktop notice).</summary>
public enum AgentAvailability
{
    Available = 0,
    Away = 1,
}

public enum NoticeKind
{
    MessageArrived = 0,
    CaseAssigned = 1,
    DraftApproved = 2,
    DraftRejected = 3,
}

/// <summary>What the browser says about desktop notifications for this site (the Notification API's permission).</summary>
public enum DesktopPermission
{
    /// <summary>Not asked yet (the browser's "default").</summary>
    NotAsked = 0,
    Granted = 1,
    Denied = 2,
    /// <summary>The browser has no Notification API (or not on this page).</summary>
    Unsupported = 3,
}

/// <summary>A notice to ring, show as a toast and, with the tab hidden, on the desktop. Numbered, so that each is shown once.</summary>
public sealed record Notice(long Id, NoticeKind Kind, long CaseId, string? ContactName, string? Detail);

/// <summary>
/// The agent's notices, on every page (issue 22): the cases with news they have not opened yet (<see cref="Unseen"/>, the
/// count on the "Digital inbox" menu item and in the app bar), the last notice raised, and their choices.
/// </summary>
/// <param name="Unseen">
/// Cases with news the agent has not opened: at start those assigned to them holding unread messages (one query), then
/// each new message in their scope and each case given to them; a case leaves when they open it, act on it, or it goes
/// to someone else. At most <see cref="MaxUnseen"/>: beyond, the count says so ("999+") and a new case is counted once
/// one of those is seen.
/// </param>
public sealed record NoticesState(
    bool Started,
    AgentAvailability Availability,
    bool SoundOn,
    bool VisualOn,
    bool DesktopOn,
    DesktopPermission Desktop,
    ImmutableHashSet<long> Unseen,
    Notice? Last)
{
    /// <summary>
    /// Cases counted at most (issue 20): under a steady flow of new cases in an agent's queues every open page's set grew
    /// without end (600 cases a page after 40 s at 20 a second, each add a new path of its tree). Nobody reads a count
    /// past it: the badge says 99+, the screen reader 999+.
    /// </summary>
    public const int MaxUnseen = 999;

    /// <summary>Whether the count stopped at <see cref="MaxUnseen"/> (more cases have news than it counts).</summary>
    public bool UnseenFull => Unseen.Count >= MaxUnseen;

    /// <summary>Desktop notices are shown only when the agent asked for them and the browser allows them.</summary>
    public bool DesktopActive => DesktopOn && Desktop == DesktopPermission.Granted;

    /// <summary>Whether a notice would reach the agent in any way (the count moves regardless).</summary>
    public bool Heard => Availability == AgentAvailability.Available && (SoundOn || VisualOn || DesktopActive);
}

public sealed class NoticesFeature : Feature<NoticesState>
{
    public override string Name => "Notices";

    public override NoticesState GetInitialState() =>
        new(false, AgentAvailability.Available, true, true, false, DesktopPermission.NotAsked, [], null);
}

/// <summary>The layout asks once per circuit: the starting count and the change feed's subscription.</summary>
public sealed record StartNoticesAction;
public sealed record NoticesStartedAction(IReadOnlyList<long> UnreadCaseIds);
/// <summary>Something new on a case for the agent; the contact's name when known (the toast says it). Heard from the feed: a live update.</summary>
public sealed record CaseNewsAction(NoticeKind Kind, long CaseId, string? ContactName = null, string? Detail = null) : ILiveUpdate;
/// <summary>The case's news need no more notice: the agent saw it, acted on it, or it went to someone else.</summary>
public sealed record ClearCaseNewsAction(long CaseId);
public sealed record SetAvailabilityAction(AgentAvailability Availability);
public sealed record ToggleSoundAction(bool On);
public sealed record ToggleVisualNoticeAction(bool On);
public sealed record ToggleDesktopNoticeAction(bool On);
public sealed record DesktopPermissionKnownAction(DesktopPermission Permission);
/// <summary>The choices this browser remembered for the agent (availability, sound, visual, desktop).</summary>
public sealed record NoticePreferencesLoadedAction(AgentAvailability Availability, bool SoundOn, bool VisualOn, bool DesktopOn, DesktopPermission Desktop);
