namespace AgentWorkspace.Web;

// Marker types for IStringLocalizer<T>: each names a resource file under Resources/ (Name.resx, Name.fr.resx).
// One file per area keeps features from editing the same resource file.

/// <summary>Shell, sign-in, landing page and strings used everywhere (channels, statuses, roles).</summary>
public sealed class SharedResource;

/// <summary>The digital inbox, case handling, approvals.</summary>
public sealed class InboxResource;

/// <summary>The CRM sections, the create dialog, /crm/{type}/{id} and /admin/crm (issue 18).</summary>
public sealed class CrmResource;

/// <summary>Customers search, condensed and detailed card.</summary>
public sealed class CardsResource;

/// <summary>Administration pages.</summary>
public sealed class AdminResource;

/// <summary>Duplicates, merge and privacy actions.</summary>
public sealed class MergeResource;

/// <summary>Agent scripts: the panel beside a case and /admin/scripts (issue 19).</summary>
public sealed class ScriptsResource;
