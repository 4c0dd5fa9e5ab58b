using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Features.Audit;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Audit;

/// <summary>The audit log page: the entity types to filter by, the filter applied, the entries read so far and where the next page starts.</summary>
public sealed record AuditState(
    bool Loading,
    ImmutableList<string> EntityTypes,
    AuditFilter Filter,
    ImmutableList<AuditEntry> Entries,
    AuditCursor? Next,
    Exception? Error);

public sealed class AuditFeature : Feature<AuditState>
{
    public override string Name => "Audit";
    public override AuditState GetInitialState() => new(false, [], new AuditFilter(), [], null, null);
}

/// <summary>Opens the page: the entity types, then the first page under <paramref name="Filter"/>.</summary>
public sealed record LoadAuditAction(AuditFilter Filter);
public sealed record AuditEntityTypesLoadedAction(IReadOnlyList<string> EntityTypes);
public sealed record SearchAuditAction(AuditFilter Filter);
public sealed record LoadMoreAuditAction;
public sealed record AuditPageLoadedAction(AuditFilter Filter, AuditPage Page, bool Append);
public sealed record AuditFailedAction(Exception Error);
