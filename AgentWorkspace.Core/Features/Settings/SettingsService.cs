using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Settings;

/// <summary>The settings in force: configuration gives the defaults, administrators override them at run time.</summary>
public sealed record EffectiveSettings(string DefaultPhoneRegion, bool AgentsMayMerge);

/// <summary>
/// Reads the run-time settings (default phone region, whether agents may merge). Read on every
/// ingest, so the value is cached and refreshed when an administrator changes it.
/// </summary>
public sealed class SettingsService
{
    private readonly IDbContextFactory<AgentWorkspaceDbContext> dbFactory;
    private readonly UseCaseRunner run;
    private readonly SettingsDefaults defaults;
    private volatile EffectiveSettings? _cached;

    public SettingsService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsDefaults defaults)
    {
        this.dbFactory = dbFactory;
        this.run = run;
        this.defaults = defaults;
        // Another server (or this one) saved settings, or the feed between servers was interrupted: read them again.
        run.Feed.Subscribe(change =>
        {
            if (change.Kind is ChangeKind.SettingsChanged or ChangeKind.Resync) Invalidate();
            return Task.CompletedTask;
        });
    }

    public async Task<EffectiveSettings> GetAsync(CancellationToken ct = default)
    {
        if (_cached is { } hit) return hit;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Value, ct);
        var region = rows.TryGetValue(AppSetting.DefaultPhoneRegion, out var r) && PhoneNumber.IsKnownRegion(r) ? r.ToUpperInvariant() : defaults.DefaultPhoneRegion;
        var merge = rows.TryGetValue(AppSetting.AgentsMayMerge, out var m) ? m == "true" : defaults.AgentsMayMerge;
        return _cached = new EffectiveSettings(region, merge);
    }

    public async Task<string> DefaultRegionAsync(CancellationToken ct = default) => (await GetAsync(ct)).DefaultPhoneRegion;

    /// <summary>Admin only; audited; every server and circuit sees the new values.</summary>
    public async Task<EffectiveSettings> UpdateAsync(Actor actor, string defaultPhoneRegion, bool agentsMayMerge, CancellationToken ct = default)
    {
        var region = (defaultPhoneRegion ?? string.Empty).Trim().ToUpperInvariant();
        if (!PhoneNumber.IsKnownRegion(region))
            throw new DomainException($"'{defaultPhoneRegion}' is not a known region code (two letters, e.g. FR, BE, GB).", "defaultPhoneRegion");
        var before = await GetAsync(ct);
        await run.RunAsync("Settings.Update", actor, Role.Admin, async use =>
        {
            await Upsert(use.Db, AppSetting.DefaultPhoneRegion, region, use.Cancellation);
            await Upsert(use.Db, AppSetting.AgentsMayMerge, agentsMayMerge ? "true" : "false", use.Cancellation);
            use.AuditChange("Setting", AppSetting.DefaultPhoneRegion, "Updated", "value", before.DefaultPhoneRegion, region);
            use.AuditChange("Setting", AppSetting.AgentsMayMerge, "Updated", "value", before.AgentsMayMerge.ToString(), agentsMayMerge.ToString());
            use.OnCommitted(Invalidate);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
        }, ct);
        return await GetAsync(ct);
    }

    /// <summary>Drops the cached values (another server changed them).</summary>
    public void Invalidate() => _cached = null;

    private static async Task Upsert(AgentWorkspaceDbContext db, string key, string value, CancellationToken ct)
    {
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.Settings.Add(new AppSetting(key, value));
        else row.Set(value);
    }
}

/// <summary>Defaults from configuration: Phone:DefaultRegion (FR) and Merge:AgentsMayMerge (false).</summary>
public sealed record SettingsDefaults(string DefaultPhoneRegion = "FR", bool AgentsMayMerge = false);
