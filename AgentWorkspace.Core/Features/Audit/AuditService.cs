using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Audit;

/// <summary>Filters of the audit list; all optional. <see cref="Who"/> matches the actor's name, <see cref="What"/> the entity type.</summary>
public sealed record AuditFilter(string? Who = null, string? What = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? EntityId = null);

/// <summary>Keyset position: the (time, id) of the last row shown.</summary>
public sealed record AuditCursor(DateTimeOffset At, long Id);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, AuditCursor? Next);

public sealed class AuditService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory)
{
    public const int MaxPageSize = 200;

    /// <summary>Newest first, keyset-paged (never OFFSET), Admin only.</summary>
    public async Task<AuditPage> ListAsync(Actor actor, AuditFilter filter, AuditCursor? after = null, int pageSize = 50, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Audit.AsNoTracking().AsQueryable();
        if (!string.IsNullOrWhiteSpace(filter.Who)) q = q.Where(a => a.ActorName.Contains(filter.Who.Trim()));
        if (!string.IsNullOrWhiteSpace(filter.What)) q = q.Where(a => a.EntityType == filter.What);
        if (!string.IsNullOrWhiteSpace(filter.EntityId)) q = q.Where(a => a.EntityId == filter.EntityId);
        if (filter.From is { } from) q = q.Where(a => a.At >= from);
        if (filter.To is { } to) q = q.Where(a => a.At < to);
        if (after is not null) q = q.Where(a => a.At < after.At || (a.At == after.At && a.Id < after.Id));
        var rows = await q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(pageSize + 1).ToListAsync(ct);
        var next = rows.Count > pageSize ? new AuditCursor(rows[pageSize - 1].At, rows[pageSize - 1].Id) : null;
        return new AuditPage(rows.Take(pageSize).ToList(), next);
    }

    /// <summary>The entity types that appear in the audit, for the "what" filter.</summary>
    public async Task<IReadOnlyList<string>> EntityTypesAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.Audit.Select(a => a.EntityType).Distinct().OrderBy(t => t).ToListAsync(ct);
    }
}
