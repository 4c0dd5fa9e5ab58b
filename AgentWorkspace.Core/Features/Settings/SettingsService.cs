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
/// The addresses in force as shared (ADR 020): listed or detected, not exempt; and from how many cards an address is
/// shared. Read on every ingest and every duplicate suggestion, so kept in memory like the settings.
/// </summary>
public sealed class SharedAddresses(IEnumerable<IdentityAddress> addresses, int threshold)
{
    public const int DefaultThreshold = 5;
    public const int MinThreshold = 2;
    public const int MaxThreshold = 100_000;
    public static readonly SharedAddresses None = new([], DefaultThreshold);
    private readonly HashSet<IdentityAddress> _addresses = [.. addresses];

    public int Threshold { get; } = threshold;
    public int Count => _addresses.Count;
    public bool Contains(IdentityAddress address) => _addresses.Contains(address);
    public bool Contains(IdentitySpace space, string? normalized) => normalized is not null && _addresses.Contains(new IdentityAddress(space, normalized));
}

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
    private volatile SharedAddresses? _shared;

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

    /// <summary>The shared addresses in force and the threshold (ADR 020), cached until a change is published.</summary>
    public async Task<SharedAddresses> SharedAddressesAsync(CancellationToken ct = default)
    {
        if (_shared is { } hit) return hit;
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var threshold = await db.Settings.AsNoTracking().Where(s => s.Key == AppSetting.SharedThreshold).Select(s => s.Value).FirstOrDefaultAsync(ct);
        var rows = await db.SharedIdentifiers.AsNoTracking().Where(s => !s.IsExempt).Select(s => new { s.Space, s.NormalizedAddress }).ToListAsync(ct);
        return _shared = new SharedAddresses(rows.Select(r => new IdentityAddress(r.Space, r.NormalizedAddress)), ParseThreshold(threshold));
    }

    internal static int ParseThreshold(string? value) =>
        int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var t)
        && t is >= SharedAddresses.MinThreshold and <= SharedAddresses.MaxThreshold ? t : SharedAddresses.DefaultThreshold;

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
    public void Invalidate()
    {
        _cached = null;
        _shared = null;
    }

    private static async Task Upsert(AgentWorkspaceDbContext db, string key, string value, CancellationToken ct)
    {
        var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct);
        if (row is null) db.Settings.Add(new AppSetting(key, value));
        else row.Set(value);
    }
}

/// <summary>Defaults from configuration: Phone:DefaultRegion (FR) and Merge:AgentsMayMerge (false).</summary>
public sealed record SettingsDefaults(string DefaultPhoneRegion = "FR", bool AgentsMayMerge = false);
