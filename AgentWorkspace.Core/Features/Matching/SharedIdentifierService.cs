using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Matching;

/// <summary>Phone numbers or e-mail addresses, as an administrator names them.</summary>
public enum SharedKind
{
    Phone = 1,
    Email = 2,
}

public sealed record SharedIdentifierView(long Id, SharedKind Kind, string Address, SharedIdentifierOrigin Origin, bool IsExempt, string? Note,
    int Cards, string AddedBy, DateTimeOffset AddedAt);

/// <summary>The administration page's figures: the threshold and every listed, detected or exempt address with its card count now.</summary>
public sealed record SharedIdentifiersView(int Threshold, IReadOnlyList<SharedIdentifierView> Items);

/// <summary>
/// Shared identifiers (issue 21, ADR 020): an address on many cards, or on the administrators' list, links no
/// message to a card and suggests no duplicate. Administrators list and remove them, set the threshold and count
/// again; a profile saved with an address that reaches the threshold shares it at once.
/// </summary>
public sealed class SharedIdentifierService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings)
{
    private const string Entity = "SharedIdentifier";

    public async Task<SharedIdentifiersView> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var shared = await settings.SharedAddressesAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.SharedIdentifiers.AsNoTracking().OrderBy(s => s.IsExempt).ThenBy(s => s.Space).ThenBy(s => s.NormalizedAddress).Take(1000).ToListAsync(ct);
        var items = new List<SharedIdentifierView>(rows.Count);
        foreach (var r in rows)
            items.Add(new SharedIdentifierView(r.Id, KindOf(r.Space), r.NormalizedAddress, r.Origin, r.IsExempt, r.Note,
                await CardCountAsync(db, r.Address, ct), r.AddedBy, r.AddedAt));
        return new SharedIdentifiersView(shared.Threshold, items.OrderByDescending(i => !i.IsExempt).ThenByDescending(i => i.Cards).ThenBy(i => i.Address, StringComparer.Ordinal).ToList());
    }

    /// <summary>Lists an address as shared (an exempt one is shared again). Refused: an address that is not one, one already shared.</summary>
    public async Task<SharedIdentifierView> AddAsync(Actor actor, SharedKind kind, string? address, string? note, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var normalized = await NormalizeAsync(kind, address, ct);
        var cleanNote = Clean(note);
        return await run.RunAsync("SharedIdentifier.Add", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var cards = await CardCountAsync(db, normalized, use.Cancellation);
            var row = await db.SharedIdentifiers.FirstOrDefaultAsync(s => s.Space == normalized.Space && s.NormalizedAddress == normalized.Normalized, use.Cancellation);
            if (row is { IsExempt: false })
                throw new AdminRuleException("SharedAlready", $"'{normalized.Normalized}' is already shared.", "address", normalized.Normalized);
            if (row is null)
            {
                row = new SharedIdentifier(normalized, SharedIdentifierOrigin.Listed, cleanNote, cards, use.Actor.DisplayName, use.Now);
                db.SharedIdentifiers.Add(row);
            }
            else row.Restore();
            await use.SaveAsync();
            use.Audit(Entity, Id(row.Id), "Shared", "address", null, normalized.Normalized);
            Changed(use, settings);
            // The row as written, with the count read above: no second read of the whole list.
            return new SharedIdentifierView(row.Id, KindOf(row.Space), row.NormalizedAddress, row.Origin, row.IsExempt, row.Note, cards, row.AddedBy, row.AddedAt);
        }, ct);
    }

    /// <summary>A listed address is removed; a detected one is declared personal (exempt: the next count leaves it alone).</summary>
    public async Task RemoveAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await run.RunAsync("SharedIdentifier.Remove", actor, Role.Admin, async use =>
        {
            var row = await use.Db.SharedIdentifiers.FirstOrDefaultAsync(s => s.Id == id, use.Cancellation)
                ?? throw new NotFoundException($"Shared identifier {id} does not exist.");
            if (row.Origin == SharedIdentifierOrigin.Listed) use.Db.SharedIdentifiers.Remove(row);
            else if (!row.IsExempt) row.Exempt();
            else return;
            use.Audit(Entity, Id(id), row.Origin == SharedIdentifierOrigin.Listed ? "Unshared" : "Exempted", "address", row.NormalizedAddress, null);
            Changed(use, settings);
        }, ct);
    }

    /// <summary>An exempt address is shared again.</summary>
    public async Task RestoreAsync(Actor actor, long id, CancellationToken ct = default)
    {
        await run.RunAsync("SharedIdentifier.Restore", actor, Role.Admin, async use =>
        {
            var row = await use.Db.SharedIdentifiers.FirstOrDefaultAsync(s => s.Id == id, use.Cancellation)
                ?? throw new NotFoundException($"Shared identifier {id} does not exist.");
            if (!row.IsExempt) return;
            row.Restore();
            use.Audit(Entity, Id(id), "Shared", "address", null, row.NormalizedAddress);
            Changed(use, settings);
        }, ct);
    }

    /// <summary>Sets from how many cards an address is shared, then counts every address again with it; returns how many became shared.</summary>
    public async Task<int> SetThresholdAsync(Actor actor, int threshold, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (threshold is < SharedAddresses.MinThreshold or > SharedAddresses.MaxThreshold)
            throw new AdminRuleException("SharedThresholdRange", $"The threshold must be between {SharedAddresses.MinThreshold} and {SharedAddresses.MaxThreshold}.",
                "threshold", SharedAddresses.MinThreshold, SharedAddresses.MaxThreshold);
        var before = await settings.SharedAddressesAsync(ct);
        await run.RunAsync("SharedIdentifier.Threshold", actor, Role.Admin, async use =>
        {
            var value = threshold.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var row = await use.Db.Settings.FirstOrDefaultAsync(s => s.Key == AppSetting.SharedThreshold, use.Cancellation);
            if (row is null) use.Db.Settings.Add(new AppSetting(AppSetting.SharedThreshold, value));
            else row.Set(value);
            use.AuditChange("Setting", AppSetting.SharedThreshold, "Updated", "value", before.Threshold.ToString(System.Globalization.CultureInfo.InvariantCulture), value);
            Changed(use, settings);
        }, ct);
        return await DetectAllAsync(actor, ct);
    }

    /// <summary>
    /// Counts the cards of every address (the channel identities and the profile's phone and e-mail columns, in one
    /// grouped statement) and shares those at the threshold or above that are not listed yet; returns how many.
    /// </summary>
    public async Task<int> DetectAllAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        // Every committed change of the threshold or the list has already emptied the cache (Changed).
        var threshold = (await settings.SharedAddressesAsync(ct)).Threshold;
        return await run.RunAsync("SharedIdentifier.Detect", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var found = await AddressesOnCards(db)
                .GroupBy(r => new { r.Space, r.Address })
                .Select(g => new { g.Key.Space, g.Key.Address, Cards = g.Select(r => r.CardId).Distinct().Count() })
                .Where(g => g.Cards >= threshold)
                .ToListAsync(use.Cancellation);
            var known = (await db.SharedIdentifiers.Select(s => new { s.Space, s.NormalizedAddress }).ToListAsync(use.Cancellation))
                .Select(s => new IdentityAddress(s.Space, s.NormalizedAddress)).ToHashSet();
            var added = 0;
            foreach (var f in found.Where(f => !known.Contains(new IdentityAddress(f.Space, f.Address))).Take(10_000))
            {
                db.SharedIdentifiers.Add(new SharedIdentifier(new IdentityAddress(f.Space, f.Address), SharedIdentifierOrigin.Detected, null, f.Cards, use.Actor.DisplayName, use.Now));
                use.Audit(Entity, f.Address, "Detected", "cards", null, f.Cards.ToString(System.Globalization.CultureInfo.InvariantCulture));
                added++;
            }
            if (added > 0) Changed(use, settings);
            return added;
        }, ct);
    }

    /// <summary>
    /// Inside a use case that saved a card's profile: each of <paramref name="addresses"/> now on as many cards as the
    /// threshold is shared from this moment (detected), unless an administrator exempted it.
    /// </summary>
    internal static async Task DetectAsync(UseCase use, SettingsService settings, SharedAddresses current, IEnumerable<IdentityAddress> addresses)
    {
        var changed = false;
        foreach (var address in addresses.Distinct())
        {
            if (current.Contains(address) || address.Space is not (IdentitySpace.Phone or IdentitySpace.Email)) continue;
            if (await use.Db.SharedIdentifiers.AnyAsync(s => s.Space == address.Space && s.NormalizedAddress == address.Normalized, use.Cancellation)) continue;
            var cards = await CardCountAsync(use.Db, address, use.Cancellation);
            if (cards < current.Threshold) continue;
            use.Db.SharedIdentifiers.Add(new SharedIdentifier(address, SharedIdentifierOrigin.Detected, null, cards, use.Actor.DisplayName, use.Now));
            use.Audit(Entity, address.Normalized, "Detected", "cards", null, cards.ToString(System.Globalization.CultureInfo.InvariantCulture));
            changed = true;
        }
        if (changed) Changed(use, settings);
    }

    /// <summary>How many active cards hold an address: as a channel identity, or in the profile's phone or e-mail columns.</summary>
    internal static Task<int> CardCountAsync(AgentWorkspaceDbContext db, IdentityAddress address, CancellationToken ct)
    {
        var value = address.Normalized;
        var ids = db.Identities.Where(i => i.Space == address.Space && i.NormalizedAddress == value).Select(i => i.CardId);
        ids = address.Space switch
        {
            IdentitySpace.Phone => ids.Union(db.Cards.Where(c => c.Status == CardStatus.Active && (c.MobilePhone == value || c.HomePhone == value)).Select(c => c.Id)),
            IdentitySpace.Email => ids.Union(db.Cards.Where(c => c.Status == CardStatus.Active && (c.PrimaryEmail == value || c.SecondaryEmail == value)).Select(c => c.Id)),
            _ => ids.Distinct(),
        };
        return ids.CountAsync(ct);
    }

    /// <summary>Every (space, address, card) there is: the identities, and the active cards' phone and e-mail columns (one UNION ALL).</summary>
    private static IQueryable<AddressRow> AddressesOnCards(AgentWorkspaceDbContext db)
    {
        var active = db.Cards.Where(c => c.Status == CardStatus.Active);
        return db.Identities.Where(i => i.Space == IdentitySpace.Phone || i.Space == IdentitySpace.Email)
                .Select(i => new AddressRow { Space = i.Space, Address = i.NormalizedAddress, CardId = i.CardId })
            .Concat(active.Where(c => c.MobilePhone != null).Select(c => new AddressRow { Space = IdentitySpace.Phone, Address = c.MobilePhone!, CardId = c.Id }))
            .Concat(active.Where(c => c.HomePhone != null).Select(c => new AddressRow { Space = IdentitySpace.Phone, Address = c.HomePhone!, CardId = c.Id }))
            .Concat(active.Where(c => c.PrimaryEmail != null).Select(c => new AddressRow { Space = IdentitySpace.Email, Address = c.PrimaryEmail!, CardId = c.Id }))
            .Concat(active.Where(c => c.SecondaryEmail != null).Select(c => new AddressRow { Space = IdentitySpace.Email, Address = c.SecondaryEmail!, CardId = c.Id }));
    }

    private sealed class AddressRow
    {
        public IdentitySpace Space { get; init; }
        public string Address { get; init; } = string.Empty;
        public long CardId { get; init; }
    }

    private async Task<IdentityAddress> NormalizeAsync(SharedKind kind, string? address, CancellationToken ct)
    {
        if (!Enum.IsDefined(kind)) throw new AdminRuleException("SharedKindUnknown", "Choose a phone number or an e-mail address.", "kind");
        if (string.IsNullOrWhiteSpace(address)) throw new AdminRuleException("SharedAddressRequired", "Enter the number or address.", "address");
        var region = await settings.DefaultRegionAsync(ct);
        var channel = kind == SharedKind.Phone ? Channel.Voice : Channel.Email;
        if (!IdentityResolver.TryNormalize(channel, address, region, out var normalized) || normalized is null || normalized.Space != (kind == SharedKind.Phone ? IdentitySpace.Phone : IdentitySpace.Email))
            throw new AdminRuleException(kind == SharedKind.Phone ? "SharedPhoneInvalid" : "SharedEmailInvalid",
                $"'{address.Trim()}' is not a {(kind == SharedKind.Phone ? "phone number" : "e-mail address")}.", "address", address.Trim());
        return normalized;
    }

    private static string? Clean(string? note)
    {
        var n = note?.Trim();
        if (string.IsNullOrEmpty(n)) return null;
        if (n.Length > SharedIdentifier.MaxNote)
            throw new AdminRuleException("SharedNoteTooLong", $"The note must be at most {SharedIdentifier.MaxNote} characters.", "note", SharedIdentifier.MaxNote);
        return n;
    }

    public static SharedKind KindOf(IdentitySpace space) => space == IdentitySpace.Email ? SharedKind.Email : SharedKind.Phone;

    /// <summary>This server forgets the shared addresses as soon as the change is committed; the others through the feed.</summary>
    private static void Changed(UseCase use, SettingsService settings)
    {
        use.OnCommitted(settings.Invalidate);
        use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
