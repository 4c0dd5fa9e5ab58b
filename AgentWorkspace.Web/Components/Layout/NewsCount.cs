using System.Globalization;

namespace AgentWorkspace.Web.Components.Layout;

/// <summary>How the count of cases with news is written on a badge: the number, or "99+" past it.</summary>
public static class NewsCount
{
    public const int MaxShown = 99;

    public static string Text(int count) => count > MaxShown ? MaxShown.ToString(CultureInfo.CurrentCulture) + "+" : count.ToString(CultureInfo.CurrentCulture);
}
