using System.Globalization;
using AgentWorkspace.Core.Features.Inbox;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Pages.Inbox;

/// <summary>Durations and SLA states in the agent's language.</summary>
public static class InboxFormat
{
    public static string Duration(IStringLocalizer l, TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalMinutes < 1) return l["DurationNow"];
        if (span.TotalHours < 1) return l["DurationMinutes", (int)span.TotalMinutes];
        if (span.TotalDays < 1) return l["DurationHours", (int)span.TotalHours, span.Minutes];
        return l["DurationDays", (int)span.TotalDays, span.Hours];
    }

    public static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("g", CultureInfo.CurrentCulture);

    /// <summary>The clock that matters now: first response until it is met, then solution.</summary>
    public static SlaClock CurrentClock(CaseTile tile, DateTimeOffset now)
    {
        var frt = tile.FirstResponse(now);
        return frt.Stopped ? tile.Solution(now) : frt;
    }

    public static string SlaStateKey(SlaClock clock) => clock.Breached ? "SlaBreached" : clock.AtRisk ? "SlaAtRisk" : "SlaOnTime";
}
