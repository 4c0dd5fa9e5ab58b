using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Crm.BuiltIn;

/// <summary>
/// Reads a record of the built-in CRM for its own page, <c>/crm/{type}/{id}</c> (the "Open in CRM" target while the
/// built-in connector is on) and <c>GET /api/v1/crm/{type}/{id}</c>: its fields, its associated records, and the
/// interactions pushed to it, newest first.
/// </summary>
public sealed class BuiltInCrmService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory)
{
    public const int MaxActivities = 100;

    public async Task<BuiltInRecordPage> GetRecordAsync(Actor actor, CrmRecordType type, string id, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        if (!Enum.IsDefined(type)) throw new DomainException("Unknown CRM record type.", "type") { Code = "CrmTypeUnknown" };
        if (!BuiltInCrmConnector.TryId(id, out var key)) throw new NotFoundException($"The built-in CRM has no {type.WireName()} '{id}'.");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct);
        var record = await BuiltInCrmConnector.ReadAsync(db, type, key, ct) ?? throw new NotFoundException($"The built-in CRM has no {type.WireName()} {key}.");
        var associated = await BuiltInCrmConnector.AssociatedAsync(db, type, key, ct);
        var activities = await db.CrmActivities.AsNoTracking().Where(a => a.RecordType == type && a.RecordId == key)
            .OrderByDescending(a => a.Start).ThenByDescending(a => a.Id).Take(MaxActivities)
            .Select(a => new CrmActivityView(a.Id, a.IsCall, a.Subject, a.Channel, a.ContactName, a.Queue, a.Agent, a.Start, a.End, a.Disposition, a.Notes, a.CaseUrl, a.CreatedAt))
            .ToListAsync(ct);
        return new BuiltInRecordPage(record, associated, activities);
    }
}
