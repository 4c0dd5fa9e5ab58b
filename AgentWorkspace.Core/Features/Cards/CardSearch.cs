using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Cards;

/// <summary>
/// Finds cards by name, company, e-mail, handle or phone number in any format, also typed only in
/// part: exact identity matches first, then prefixes on the identity index and the folded names.
/// </summary>
public sealed partial class CardSearch(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, SettingsService settings)
{

    [GeneratedRegex(@"^[+(]?[0-9][0-9 ().\-/]{4,}$", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneShape();

    private static readonly IdentitySpace[] HandleSpaces =
        [IdentitySpace.Chat, IdentitySpace.Facebook, IdentitySpace.Twitter, IdentitySpace.LinkedIn, IdentitySpace.Messenger, IdentitySpace.AppleMessages];

    /// <summary>
    /// Finds cards by name, company, e-mail, handle, or phone number in any format. Exact matches
    /// (e-mail, phone, handle) come first, then name prefixes in (name, id) order, then company
    /// prefixes in (company, id) order, then a later word of the name (last name) in id order:
    /// one keyset over the four stages, never OFFSET.
    /// </summary>
    public async Task<CardSearchPage> SearchAsync(Actor actor, string? query, SearchCursor? after = null, int pageSize = 20, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        pageSize = Math.Clamp(pageSize, 1, 100);
        var q = (query ?? string.Empty).Trim();
        if (q.Length == 0) return new CardSearchPage([], null);
        if (q.Length > 200) throw new DomainException("The search is at most 200 characters.", "q");
        var region = await settings.DefaultRegionAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);

        var ids = new List<long>();
        SearchCursor? next = null;
        var stage = after?.Stage ?? 0;
        if (stage == 0)
        {
            var exact = await ExactMatchesAsync(db, q, region, ct);
            ids.AddRange(exact.Take(pageSize));
            // Then identities that start with what was typed (a phone number, e-mail or handle begun).
            foreach (var id in await IdentityPrefixMatchesAsync(db, q, region, ct))
                if (ids.Count < pageSize && !ids.Contains(id)) ids.Add(id);
            stage = 1;
            after = null;
        }
        var folded = Text.Fold(q.TrimStart('@'));
        if (folded.Length > 0)
        {
            var upper = Text.PrefixUpperBound(folded);
            if (stage == 1 && ids.Count < pageSize)
            {
                var cq = db.Cards.AsNoTracking().Where(c => c.Status != CardStatus.Merged && string.Compare(c.SearchName, folded) >= 0 && string.Compare(c.SearchName, upper) < 0);
                if (after is { Stage: 1 }) cq = cq.Where(c => string.Compare(c.SearchName, after.Key) > 0 || (c.SearchName == after.Key && c.Id > after.Id));
                var rows = await cq.OrderBy(c => c.SearchName).ThenBy(c => c.Id).Take(pageSize - ids.Count + 1).Select(c => new { c.Id, c.SearchName }).ToListAsync(ct);
                foreach (var r in rows)
                {
                    if (ids.Count == pageSize) { next = Last(1, ids, rows.Select(x => (x.Id, x.SearchName))); break; }
                    if (!ids.Contains(r.Id)) ids.Add(r.Id);
                }
                if (next is null) { stage = 2; after = null; }
            }
            if (stage == 2 && ids.Count < pageSize && next is null)
            {
                var cq = db.Cards.AsNoTracking().Where(c => c.Status != CardStatus.Merged && string.Compare(c.SearchCompany, folded) >= 0 && string.Compare(c.SearchCompany, upper) < 0
                    && !(string.Compare(c.SearchName, folded) >= 0 && string.Compare(c.SearchName, upper) < 0));
                if (after is { Stage: 2 }) cq = cq.Where(c => string.Compare(c.SearchCompany, after.Key) > 0 || (c.SearchCompany == after.Key && c.Id > after.Id));
                var rows = await cq.OrderBy(c => c.SearchCompany).ThenBy(c => c.Id).Take(pageSize - ids.Count + 1).Select(c => new { c.Id, c.SearchCompany }).ToListAsync(ct);
                foreach (var r in rows)
                {
                    if (ids.Count == pageSize) { next = Last(2, ids, rows.Select(x => (x.Id, x.SearchCompany))); break; }
                    if (!ids.Contains(r.Id)) ids.Add(r.Id);
                }
                if (next is null) { stage = 3; after = null; }
            }
            // Last: the last name alone ("martin" finds "Zoé Martin"), along the (SearchLastName, Id) index;
            // cards already found by their full name or company are not repeated.
            if (stage == 3 && ids.Count < pageSize && next is null)
            {
                var cq = db.Cards.AsNoTracking().Where(c => c.Status != CardStatus.Merged
                    && string.Compare(c.SearchLastName, folded) >= 0 && string.Compare(c.SearchLastName, upper) < 0
                    && !(string.Compare(c.SearchName, folded) >= 0 && string.Compare(c.SearchName, upper) < 0)
                    && !(string.Compare(c.SearchCompany, folded) >= 0 && string.Compare(c.SearchCompany, upper) < 0));
                if (after is { Stage: 3 }) cq = cq.Where(c => string.Compare(c.SearchLastName, after.Key) > 0 || (c.SearchLastName == after.Key && c.Id > after.Id));
                var rows = await cq.OrderBy(c => c.SearchLastName).ThenBy(c => c.Id).Take(pageSize - ids.Count + 1).Select(c => new { c.Id, c.SearchLastName }).ToListAsync(ct);
                foreach (var r in rows)
                {
                    if (ids.Count == pageSize) { next = Last(3, ids, rows.Select(x => (x.Id, x.SearchLastName))); break; }
                    if (!ids.Contains(r.Id)) ids.Add(r.Id);
                }
            }
        }
        return new CardSearchPage(await HitsAsync(db, ids, ct), next);

        static SearchCursor Last(int stage, List<long> ids, IEnumerable<(long Id, string Key)> rows)
        {
            var last = rows.Last(r => ids.Contains(r.Id));
            return new SearchCursor(stage, last.Key, last.Id);
        }
    }

    private static async Task<List<long>> ExactMatchesAsync(AgentWorkspaceDbContext db, string q, string region, CancellationToken ct)
    {
        var ids = new List<long>();
        if (EmailAddress.TryParse(q, out var email))
        {
            var e = email!.Value;
            ids.AddRange(await db.Identities.Where(i => i.Space == IdentitySpace.Email && i.NormalizedAddress == e).Select(i => i.CardId).ToListAsync(ct));
            ids.AddRange(await db.Cards.Where(c => c.PrimaryEmail == e).Select(c => c.Id).Take(50).ToListAsync(ct));
        }
        else if (PhoneShape().IsMatch(q) && q.Count(char.IsDigit) >= 6 && PhoneNumber.TryParse(q, region, out var phone, out _))
        {
            var p = phone!.E164;
            ids.AddRange(await db.Identities.Where(i => i.Space == IdentitySpace.Phone && i.NormalizedAddress == p).Select(i => i.CardId).ToListAsync(ct));
            ids.AddRange(await db.Cards.Where(c => c.MobilePhone == p).Select(c => c.Id).Take(50).ToListAsync(ct));
        }
        else if (!q.Contains(' ', StringComparison.Ordinal))
        {
            var handle = q.TrimStart('@').Trim().ToLowerInvariant();
            if (handle.Length > 0)
                ids.AddRange(await db.Identities.Where(i => HandleSpaces.Contains(i.Space) && i.NormalizedAddress == handle).Select(i => i.CardId).ToListAsync(ct));
        }
        if (ids.Count == 0) return ids;
        // Follow tombstones: a merged card's identities moved to the survivor already, but a stale profile e-mail may remain.
        var distinct = ids.Distinct().ToList();
        return await db.Cards.Where(c => distinct.Contains(c.Id) && c.Status != CardStatus.Merged).OrderBy(c => c.Id).Select(c => c.Id).Take(50).ToListAsync(ct);
    }

    /// <summary>
    /// What the Customers page shows before a search (issue 22): the customers of the actor's most recently active
    /// cases, then those of the most recently active open cases, newest first. Each status is read along the
    /// (AssignedAgentId, Status, LastMessageAt) or (Status, LastMessageAt) index, never a sort of every case.
    /// </summary>
    public async Task<IReadOnlyList<CardSearchHit>> RecentAsync(Actor actor, int take = 10, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        take = Math.Clamp(take, 1, 50);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var recent = new List<(long CardId, DateTimeOffset At)>();
        foreach (var status in Enum.GetValues<CaseStatus>())
            recent.AddRange((await db.Cases.AsNoTracking().Where(c => c.AssignedAgentId == actor.UserId && c.Status == status)
                .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take * 3)
                .Select(c => new { c.CardId, c.LastMessageAt }).ToListAsync(ct)).Select(c => (c.CardId, c.LastMessageAt)));
        var ids = recent.OrderByDescending(r => r.At).Select(r => r.CardId).Distinct().ToList();
        if (ids.Count < take)
        {
            var open = new List<(long CardId, DateTimeOffset At)>();
            foreach (var status in new[] { CaseStatus.New, CaseStatus.Open, CaseStatus.Pending })
                open.AddRange((await db.Cases.AsNoTracking().Where(c => c.Status == status)
                    .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id).Take(take * 3)
                    .Select(c => new { c.CardId, c.LastMessageAt }).ToListAsync(ct)).Select(c => (c.CardId, c.LastMessageAt)));
            ids.AddRange(open.OrderByDescending(r => r.At).Select(r => r.CardId).Distinct().Where(id => !ids.Contains(id)));
        }
        var candidates = ids.Take(take * 3).ToList();
        var live = await db.Cards.AsNoTracking().Where(c => candidates.Contains(c.Id) && c.Status == CardStatus.Active).Select(c => c.Id).ToListAsync(ct);
        return await HitsAsync(db, candidates.Where(live.Contains).Take(take).ToList(), ct);
    }

    private static async Task<List<CardSearchHit>> HitsAsync(AgentWorkspaceDbContext db, List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0) return [];
        var cards = await db.Cards.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.FirstName, c.LastName, c.ChannelName, c.Company, c.AvatarUrl, c.PrimaryEmail, c.MobilePhone, c.LastContactAt }).ToListAsync(ct);
        var identities = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.CardId) && !i.IsErased)
            .Select(i => new { i.CardId, i.Channel, i.DisplayName, i.RawAddress }).ToListAsync(ct);
        return ids.Select(id => cards.First(c => c.Id == id)).Select(c =>
        {
            var mine = identities.Where(i => i.CardId == c.Id).ToList();
            var name = CustomerCard.NameOf(c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone)
                ?? mine.Select(i => i.DisplayName ?? i.RawAddress).FirstOrDefault() ?? $"#{c.Id}";
            return new CardSearchHit(c.Id, name, c.Company, c.AvatarUrl, c.PrimaryEmail, c.MobilePhone, mine.Select(i => i.Channel).Distinct().ToList(), c.LastContactAt);
        }).ToList();
    }
}
