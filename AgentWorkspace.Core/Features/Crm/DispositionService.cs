using System.Globalization;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>
/// The wrap-up dispositions (seed 001, after-call work): a list the administrators keep; agents pick one when they
/// complete a call's wrap-up. A disposition in use is deactivated, never deleted, so past wrap-ups keep their word.
/// </summary>
public sealed class DispositionService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    /// <summary>The list in display order; agents see the active ones, administrators may ask for all.</summary>
    public async Task<IReadOnlyList<DispositionView>> ListAsync(Actor actor, bool includeInactive = false, CancellationToken ct = default)
    {
        actor.Require(includeInactive ? Role.Admin : Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.Dispositions.AsNoTracking();
        if (!includeInactive) q = q.Where(d => d.IsActive);
        return await q.OrderBy(d => d.DisplayOrder).ThenBy(d => d.Id).Select(d => new DispositionView(d.Id, d.Label, d.DisplayOrder, d.IsActive)).ToListAsync(ct);
    }

    public async Task<DispositionView> CreateAsync(Actor actor, string label, CancellationToken ct = default) =>
        await run.RunAsync("Disposition.Create", actor, Role.Admin, async use =>
        {
            var disposition = new Disposition(label, 0, use.Now);
            await EnsureFreeAsync(use.Db, disposition.Key, null, disposition.Label, use.Cancellation);
            var order = (await use.Db.Dispositions.MaxAsync(d => (int?)d.DisplayOrder, use.Cancellation) ?? 0) + 1;
            disposition = new Disposition(label, order, use.Now);
            use.Db.Dispositions.Add(disposition);
            await use.SaveAsync();
            use.Audit("Disposition", disposition.Id.ToString(CultureInfo.InvariantCulture), "Created", "label", null, disposition.Label);
            return View(disposition);
        }, ct);

    public async Task<DispositionView> RenameAsync(Actor actor, long id, string label, CancellationToken ct = default) =>
        await run.RunAsync("Disposition.Rename", actor, Role.Admin, async use =>
        {
            var disposition = await FindAsync(use.Db, id, use.Cancellation);
            var before = disposition.Label;
            disposition.Rename(label);
            await EnsureFreeAsync(use.Db, disposition.Key, id, disposition.Label, use.Cancellation);
            use.AuditChange("Disposition", id.ToString(CultureInfo.InvariantCulture), "Renamed", "label", before, disposition.Label);
            return View(disposition);
        }, ct);

    /// <summary>Offered to agents again, or no longer (past wrap-ups keep it).</summary>
    public async Task<DispositionView> SetActiveAsync(Actor actor, long id, bool active, CancellationToken ct = default) =>
        await run.RunAsync("Disposition.SetActive", actor, Role.Admin, async use =>
        {
            var disposition = await FindAsync(use.Db, id, use.Cancellation);
            use.AuditChange("Disposition", id.ToString(CultureInfo.InvariantCulture), active ? "Activated" : "Deactivated", "active", disposition.IsActive.ToString(), active.ToString());
            disposition.SetActive(active);
            return View(disposition);
        }, ct);

    /// <summary>
    /// The label a wrap-up stores for what the agent chose: an active disposition of the list (matched without case or
    /// accents). When the list has none, no disposition is asked for.
    /// </summary>
    internal static async Task<string?> ResolveAsync(AgentWorkspaceDbContext db, string? chosen, CancellationToken ct)
    {
        var active = await db.Dispositions.AsNoTracking().Where(d => d.IsActive).Select(d => new { d.Key, d.Label }).ToListAsync(ct);
        if (active.Count == 0)
        {
            if (!string.IsNullOrWhiteSpace(chosen)) throw new DomainException("No disposition is defined; leave it empty.", "disposition") { Code = "DispositionNoneDefined" };
            return null;
        }
        if (string.IsNullOrWhiteSpace(chosen)) throw new DomainException("Choose a disposition.", "disposition") { Code = "DispositionRequired" };
        var key = Disposition.KeyOf(chosen);
        return active.FirstOrDefault(d => d.Key == key)?.Label
            ?? throw new DomainException($"'{chosen.Trim()}' is not one of the dispositions.", "disposition") { Code = "DispositionUnknown", Args = [chosen.Trim()] };
    }

    private static async Task<Disposition> FindAsync(AgentWorkspaceDbContext db, long id, CancellationToken ct) =>
        await db.Dispositions.FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw new NotFoundException($"Disposition {id} does not exist.");

    private static async Task EnsureFreeAsync(AgentWorkspaceDbContext db, string key, long? self, string label, CancellationToken ct)
    {
        if (await db.Dispositions.AnyAsync(d => d.Key == key && d.Id != (self ?? 0), ct))
            throw new ConflictException($"A disposition '{label}' already exists.", "label") { Code = "DispositionExists", Args = [label] };
    }

    private static DispositionView View(Disposition d) => new(d.Id, d.Label, d.DisplayOrder, d.IsActive);
}
