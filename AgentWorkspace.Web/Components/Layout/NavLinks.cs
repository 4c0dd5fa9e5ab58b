using MudBlazor;

namespace AgentWorkspace.Web.Components.Layout;

/// <summary>
/// The navigation, by the role that sees it. A feature adds its page here when the page exists;
/// labels are keys of SharedResource.
/// </summary>
public static class NavLinks
{
    public sealed record Link(string Href, string Label, string Icon);

    /// <summary>The digital inbox, whose link carries the count of cases with news.</summary>
    public const string InboxHref = "/inbox";

    public static readonly IReadOnlyList<Link> Agent =
    [
        new(InboxHref, "NavInbox", Icons.Material.Filled.Inbox),
        new("/cards", "NavCustomers", Icons.Material.Filled.Contacts),
    ];

    public static readonly IReadOnlyList<Link> Supervisor =
    [
        new("/supervisor/duplicates", "NavDuplicates", Icons.Material.Filled.JoinInner),
        new("/supervisor/approvals", "NavApprovals", Icons.Material.Filled.FactCheck),
    ];

    public static readonly IReadOnlyList<Link> Admin =
    [
        new("/admin/custom-fields", "NavCustomFields", Icons.Material.Filled.DynamicForm),
        new("/admin/users", "NavUsers", Icons.Material.Filled.ManageAccounts),
        new("/admin/queues", "NavQueues", Icons.Material.Filled.AltRoute),
        new("/admin/quick-replies", "NavQuickReplies", Icons.Material.Filled.Quickreply),
        new("/admin/scripts", "NavScripts", Icons.Material.Filled.Assignment),
        new("/admin/api-keys", "NavApiKeys", Icons.Material.Filled.Key),
        new("/admin/crm", "NavCrm", Icons.Material.Filled.AccountTree),
        new("/admin/matching", "NavMatching", Icons.Material.Filled.JoinFull),
        new("/admin/matching/auto-merge", "NavAutoMerge", Icons.Material.Filled.MergeType),
        new("/admin/settings", "NavSettings", Icons.Material.Filled.Settings),
        new("/admin/audit", "NavAudit", Icons.Material.Filled.History),
    ];
}
