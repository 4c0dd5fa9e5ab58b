using MudBlazor;

namespace AgentWorkspace.Web.Components.Pages.Cards;

/// <summary>
/// The tabs of the detailed card, in order (seeds 002 and 004). A feature adds its tab here and its
/// content in <see cref="CardPage"/>'s switch; the id is what ?tab= names in the address.
/// </summary>
public static class CardTabs
{
    public sealed record Tab(string Id, string LabelKey, string Icon);

    public static readonly IReadOnlyList<Tab> All =
    [
        new("summary", "TabSummary", Icons.Material.Outlined.Summarize),
        new("profile", "TabProfile", Icons.Material.Filled.Person),
        new("cases", "TabCases", Icons.Material.Filled.CalendarMonth),
        new("messages", "TabMessages", Icons.Material.Filled.Folder),
        new("timeline", "TabTimeline", Icons.Material.Filled.Timeline),
        new("notes", "TabNotes", Icons.Material.Filled.StickyNote2),
        new("identities", "TabIdentities", Icons.Material.Filled.Fingerprint),
    ];

    public static int IndexOf(string? id)
    {
        for (var i = 0; i < All.Count; i++)
            if (string.Equals(All[i].Id, id, StringComparison.OrdinalIgnoreCase)) return i;
        return 0;
    }
}
