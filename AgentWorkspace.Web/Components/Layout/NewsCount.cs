using System.Globalization;

namespace AgentWorkspace.Web.Components.Layout;

/// <summary>How the count of cases with news is written on a badge: the number, or "99+" past it.</summary>
public static class NewsCount
{
    /// <summary>
    /// How often, at most, a count of news redraws while messages keep coming (<see cref="Store.Core.StoreComponent.LiveRenderInterval"/>):
    /// the first change after a quiet spell shows at once; under a flood the count, in the menu and in the app bar, moves
    /// every five seconds, as the notices' toasts do (NoticeCenter.Burst), each a render batch to every open page
    /// (issue 20: at two seconds the two counts were a third of the batches a flood sent each open inbox).
    /// </summary>
    public static readonly TimeSpan LiveRenderInterval = TimeSpan.FromSeconds(5);

    public const int MaxShown = 99;

    public static string Text(int count) => count > MaxShown ? MaxShown.ToString(CultureInfo.CurrentCulture) + "+" : count.ToString(CultureInfo.CurrentCulture);

    /// <summary>The count as a screen reader says it: the number, or "999+" where the count stopped (<see cref="Store.Notices.NoticesState.MaxUnseen"/>).</summary>
    public static string Said(int count) => count >= Store.Notices.NoticesState.MaxUnseen
        ? Store.Notices.NoticesState.MaxUnseen.ToString(CultureInfo.CurrentCulture) + "+"
        : count.ToString(CultureInfo.CurrentCulture);
}
