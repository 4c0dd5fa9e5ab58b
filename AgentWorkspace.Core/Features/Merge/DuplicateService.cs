using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Persistence;
using F23.StringSimilarity;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Merge;

public enum DuplicateReasonKind
{
    SamePhone,
    SameEmail,
    SameSocialProfile,
    SimilarName,
    SameCompany,
    SameCity,
}

/// <summary>Why two cards look alike; <see cref="Detail"/> names the shared value (a number, an address, the two names).</summary>
public sealed record DuplicateReason(DuplicateReasonKind Kind, string Detail, double Weight);

public sealed record DuplicateCandidate(long CardId, string DisplayName, string? Company, double Score, IReadOnlyList<DuplicateReason> Reasons);

public sealed record DuplicatePair(long CardId, string DisplayName, DuplicateCandidate Candidate);

/// <summary>
/// Explained duplicate suggestions. Candidates come only from indexed blocking keys (shared phone,
/// shared e-mail, same folded name or same first name and last-name initial), never from a scan of
/// all cards; each is then scored with its reasons.
/// </summary>
public sealed class DuplicateService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    public const double Threshold = 0.45;
    private static readonly JaroWinkler Similarity = new();

    public async Task<IReadOnlyList<DuplicateCandidate>> SuggestAsync(Actor actor, long cardId, int limit = 10, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == cardId, ct)
            ?? throw new NotFoundException($"Card {cardId} does not exist.");
        return await SuggestAsync(db, card, limit, ct);
    }

    private static async Task<IReadOnlyList<DuplicateCandidate>> SuggestAsync(AgentWorkspaceDbContext db, CustomerCard card, int limit, CancellationToken ct)
    {
        if (card.Status != CardStatus.Active) return [];
        var identities = card.Identities.Where(i => !i.IsErased).ToList();
        var phones = identities.Where(i => i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress)
            .Concat(new[] { card.MobilePhone, card.HomePhone }.OfType<string>()).Distinct().ToList();
        var emails = identities.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress)
            .Concat(new[] { card.PrimaryEmail, card.SecondaryEmail }.OfType<string>()).Distinct().ToList();

        // Blocking keys, each an index lookup.
        var candidateIds = new HashSet<long>();
        if (phones.Count > 0)
        {
            candidateIds.UnionWith(await db.Identities.Where(i => i.Space == IdentitySpace.Phone && phones.Contains(i.NormalizedAddress)).Select(i => i.CardId).ToListAsync(ct));
            candidateIds.UnionWith(await db.Cards.Where(c => c.MobilePhone != null && phones.Contains(c.MobilePhone)).Select(c => c.Id).ToListAsync(ct));
        }
        if (emails.Count > 0)
        {
            candidateIds.UnionWith(await db.Identities.Where(i => i.Space == IdentitySpace.Email && emails.Contains(i.NormalizedAddress)).Select(i => i.CardId).ToListAsync(ct));
            candidateIds.UnionWith(await db.Cards.Where(c => c.PrimaryEmail != null && emails.Contains(c.PrimaryEmail)).Select(c => c.Id).ToListAsync(ct));
        }
        var block = NameBlock(card.SearchName);
        if (block is not null)
        {
            var (from, to) = block.Value;
            candidateIds.UnionWith(await db.Cards.Where(c => string.Compare(c.SearchName, from) >= 0 && string.Compare(c.SearchName, to) < 0)
                .OrderBy(c => c.SearchName).ThenBy(c => c.Id).Select(c => c.Id).Take(50).ToListAsync(ct));
        }
        // Same last name, whatever the first name ("Philo" and "Philomène", a nickname, a typo in the first name).
        if (card.SearchLastName.Length > 0)
            candidateIds.UnionWith(await db.Cards.Where(c => c.SearchLastName == card.SearchLastName)
                .OrderBy(c => c.SearchLastName).ThenBy(c => c.Id).Select(c => c.Id).Take(20).ToListAsync(ct));
        candidateIds.Remove(card.Id);
        if (candidateIds.Count == 0) return [];

        var dismissed = await db.DuplicateDismissals
            .Where(d => (d.CardA == card.Id && candidateIds.Contains(d.CardB)) || (d.CardB == card.Id && candidateIds.Contains(d.CardA)))
            .Select(d => d.CardA == card.Id ? d.CardB : d.CardA).ToListAsync(ct);
        candidateIds.ExceptWith(dismissed);

        var candidates = await db.Cards.AsNoTracking().Include(c => c.Identities)
            .Where(c => candidateIds.Contains(c.Id) && c.Status == CardStatus.Active).ToListAsync(ct);
        return candidates.Select(c => Score(card, phones, emails, c)).Where(c => c.Score >= Threshold)
            .OrderByDescending(c => c.Score).ThenBy(c => c.CardId).Take(limit).ToList();
    }

    /// <summary>The best-scored pairs across all cards, for supervisors to work through.</summary>
    public async Task<IReadOnlyList<DuplicatePair>> TopPairsAsync(Actor actor, int limit = 50, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Cards that share a folded name with another active card, found through the (SearchName, Id) index,
        // plus cards whose mobile number is another card's phone identity.
        var sameName = await db.Cards.Where(c => c.Status == CardStatus.Active && c.SearchName != "")
            .GroupBy(c => c.SearchName).Where(g => g.Count() > 1).Select(g => g.Min(c => c.Id)).Take(limit * 2).ToListAsync(ct);
        var samePhone = await (from c in db.Cards
                               join i in db.Identities on c.MobilePhone equals i.NormalizedAddress
                               where i.Space == IdentitySpace.Phone && i.CardId != c.Id && c.Status == CardStatus.Active
                               select c.Id).Take(limit * 2).ToListAsync(ct);
        var pairs = new Dictionary<(long, long), DuplicatePair>();
        foreach (var id in sameName.Concat(samePhone).Distinct())
        {
            var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstAsync(c => c.Id == id, ct);
            foreach (var candidate in await SuggestAsync(db, card, 3, ct))
            {
                var key = (Math.Min(id, candidate.CardId), Math.Max(id, candidate.CardId));
                if (!pairs.ContainsKey(key)) pairs[key] = new DuplicatePair(card.Id, card.DisplayName, candidate);
            }
        }
        return pairs.Values.OrderByDescending(p => p.Candidate.Score).Take(limit).ToList();
    }

    /// <summary>"Not a duplicate": remembered and audited; the pair is not suggested again.</summary>
    public async Task DismissAsync(Actor actor, long cardId, long otherId, CancellationToken ct = default)
    {
        if (cardId == otherId) throw new DomainException("A card is not a duplicate of itself.", "otherId");
        await run.RunAsync("Card.DismissDuplicate", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var count = await db.Cards.CountAsync(c => c.Id == cardId || c.Id == otherId, use.Cancellation);
            if (count != 2) throw new NotFoundException("Both cards must exist.");
            var a = Math.Min(cardId, otherId);
            var b = Math.Max(cardId, otherId);
            if (await db.DuplicateDismissals.AnyAsync(d => d.CardA == a && d.CardB == b, use.Cancellation)) return;
            db.DuplicateDismissals.Add(new DuplicateDismissal(a, b, actor.UserId, use.Now));
            use.Audit("Card", a.ToString(System.Globalization.CultureInfo.InvariantCulture), "NotDuplicate", "card", null, b.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }, ct);
    }

    /// <summary>
    /// Cards whose folded name starts with the same first name and the same first three letters of
    /// the last name ("zoe mar" … "zoe mas"): narrow enough to stay small on a million cards, wide
    /// enough for the spelling variants Jaro-Winkler scores high.
    /// </summary>
    internal static (string From, string To)? NameBlock(string searchName)
    {
        if (string.IsNullOrEmpty(searchName)) return null;
        var space = searchName.IndexOf(' ', StringComparison.Ordinal);
        var prefix = space > 0 && space + 1 < searchName.Length ? searchName[..Math.Min(searchName.Length, space + 4)] : searchName;
        return (prefix, prefix[..^1] + (char)(prefix[^1] + 1));
    }

    internal static DuplicateCandidate Score(CustomerCard card, IReadOnlyCollection<string> phones, IReadOnlyCollection<string> emails, CustomerCard other)
    {
        var reasons = new List<DuplicateReason>();
        var otherPhones = other.Identities.Where(i => i.Space == IdentitySpace.Phone && !i.IsErased).Select(i => i.NormalizedAddress)
            .Concat(new[] { other.MobilePhone, other.HomePhone }.OfType<string>()).ToHashSet();
        var otherEmails = other.Identities.Where(i => i.Space == IdentitySpace.Email && !i.IsErased).Select(i => i.NormalizedAddress)
            .Concat(new[] { other.PrimaryEmail, other.SecondaryEmail }.OfType<string>()).ToHashSet();
        foreach (var p in phones.Where(otherPhones.Contains)) reasons.Add(new(DuplicateReasonKind.SamePhone, p, 0.55));
        foreach (var e in emails.Where(otherEmails.Contains)) reasons.Add(new(DuplicateReasonKind.SameEmail, e, 0.55));
        var profiles = card.Identities.Where(i => i.ProfileUrl is not null).Select(i => i.ProfileUrl!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var url in other.Identities.Where(i => i.ProfileUrl is not null && profiles.Contains(i.ProfileUrl!)).Select(i => i.ProfileUrl!))
            reasons.Add(new(DuplicateReasonKind.SameSocialProfile, url, 0.5));
        if (card.SearchName.Length > 0 && other.SearchName.Length > 0)
        {
            var jw = Similarity.Similarity(card.SearchName, other.SearchName);
            if (jw >= 0.88) reasons.Add(new(DuplicateReasonKind.SimilarName, $"{card.DisplayName} ~ {other.DisplayName} ({jw:0.00})", 0.4 * jw));
        }
        if (card.SearchCompany.Length > 0 && card.SearchCompany == other.SearchCompany)
            reasons.Add(new(DuplicateReasonKind.SameCompany, other.Company ?? string.Empty, 0.1));
        if (card.City is not null && string.Equals(Text.Fold(card.City), Text.Fold(other.City), StringComparison.Ordinal))
            reasons.Add(new(DuplicateReasonKind.SameCity, other.City ?? string.Empty, 0.05));
        var score = Math.Min(1.0, reasons.Sum(r => r.Weight));
        return new DuplicateCandidate(other.Id, other.DisplayName, other.Company, Math.Round(score, 3), reasons);
    }
}
