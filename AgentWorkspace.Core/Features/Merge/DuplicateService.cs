using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Settings;
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
    /// <summary>The same name after normalisation (case, accents, word order, hyphens and spaces).</summary>
    SameName,
    /// <summary>The same name but for an initial ("E. Ferrars" and "Edward Ferrars").</summary>
    SameNameWithInitial,
    /// <summary>The name is shared by many cards: weak evidence, weighed down (a negative weight; the detail is the count).</summary>
    CommonName,
    /// <summary>E-mail addresses at the same domain (not a public mail service).</summary>
    SameEmailDomain,
    /// <summary>Phone numbers that differ only in their last two digits (one office, one family line).</summary>
    SamePhonePrefix,
}

/// <summary>Why two cards look alike; <see cref="Detail"/> names the shared value (a number, an address, the two names).</summary>
public sealed record DuplicateReason(DuplicateReasonKind Kind, string Detail, double Weight);

public sealed record DuplicateCandidate(long CardId, string DisplayName, string? Company, double Score, IReadOnlyList<DuplicateReason> Reasons);

public sealed record DuplicatePair(long CardId, string DisplayName, DuplicateCandidate Candidate);

/// <summary>
/// Explained duplicate suggestions (issue 6, issue 21). Candidates come only from indexed blocking keys (shared
/// phone, shared e-mail, the same name key or the same name with an initial, the folded-name block and the same
/// last name), never from a scan of all cards; each is then scored with its reasons. A card is suggested when it
/// shares a number, an address or a social profile, when its name is the same after normalisation (whatever else
/// the cards hold), when its name is close (Jaro-Winkler over the normalised names) and one more signal is shared
/// (company, city, e-mail domain, phone prefix), or when its score reaches <see cref="Threshold"/>. A name many
/// cards share weighs less (<see cref="CommonName"/>), and the reasons say so.
/// </summary>
public sealed class DuplicateService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService? settings = null)
{
    public const double Threshold = 0.45;
    /// <summary>A name shared by more active cards than this is common: its weight goes down as the count goes up.</summary>
    public const int CommonName = 5;
    public const double SameNameWeight = 0.5;
    public const double SameNameWithInitialWeight = 0.45;
    private const double CloseName = 0.88;
    private const int NameBlockSize = 50;
    private static readonly JaroWinkler Similarity = new();

    /// <summary>Public mail services: two addresses there say nothing about being one person.</summary>
    private static readonly HashSet<string> PublicMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.fr", "hotmail.com", "hotmail.fr", "outlook.com", "outlook.fr", "live.com", "live.fr",
        "msn.com", "icloud.com", "me.com", "aol.com", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr", "laposte.net", "gmx.com", "gmx.fr", "gmx.de",
        "web.de", "protonmail.com", "proton.me", "yandex.ru", "mail.ru", "qq.com", "163.com", "126.com", "example.com", "example.org", "example.net",
    };

    public async Task<IReadOnlyList<DuplicateCandidate>> SuggestAsync(Actor actor, long cardId, int limit = 10, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == cardId, ct)
            ?? throw new NotFoundException($"Card {cardId} does not exist.");
        return await SuggestAsync(db, card, await SharedAsync(ct), limit, ct);
    }

    /// <summary>Which of these normalised numbers and addresses are shared (ADR 020), for the card to show them as such.</summary>
    public async Task<IReadOnlySet<string>> SharedAmongAsync(IEnumerable<string> normalized, CancellationToken ct = default)
    {
        var shared = await SharedAsync(ct);
        return normalized.Where(n => shared.Contains(IdentitySpace.Phone, n) || shared.Contains(IdentitySpace.Email, n)).ToHashSet(StringComparer.Ordinal);
    }

    private async Task<SharedAddresses> SharedAsync(CancellationToken ct) => settings is null ? SharedAddresses.None : await settings.SharedAddressesAsync(ct);

    private static async Task<IReadOnlyList<DuplicateCandidate>> SuggestAsync(AgentWorkspaceDbContext db, CustomerCard card, SharedAddresses shared, int limit, CancellationToken ct)
    {
        if (card.Status != CardStatus.Active) return [];
        var identities = card.Identities.Where(i => !i.IsErased).ToList();
        // A shared number or address (a switchboard, noreply@, ADR 020) is nobody's evidence: it finds and scores nothing.
        var phones = identities.Where(i => i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress)
            .Concat(new[] { card.MobilePhone, card.HomePhone }.OfType<string>()).Distinct().Where(p => !shared.Contains(IdentitySpace.Phone, p)).ToList();
        var emails = identities.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress)
            .Concat(new[] { card.PrimaryEmail, card.SecondaryEmail }.OfType<string>()).Distinct().Where(e => !shared.Contains(IdentitySpace.Email, e)).ToList();

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
        // The same name after normalisation: the newest cards first (a duplicate is most often a card made lately).
        if (card.NameKey.Length > 0)
        {
            var key = card.NameKey;
            candidateIds.UnionWith(await db.Cards.Where(c => c.NameKey == key)
                .OrderByDescending(c => c.Id).Select(c => c.Id).Take(NameBlockSize).ToListAsync(ct));
            // The same name with an initial: "Edward Ferrars" finds "E. Ferrars" and "Edward F.", "E. Ferrars" finds every "E… Ferrars".
            foreach (var variant in NameKeys.InitialVariants(card.FirstName, card.LastName))
                candidateIds.UnionWith(await db.Cards.Where(c => c.NameKey == variant)
                    .OrderByDescending(c => c.Id).Select(c => c.Id).Take(NameBlockSize / 2).ToListAsync(ct));
            if (NameKeys.HasInitial(card.FirstName, card.LastName))
                candidateIds.UnionWith(await db.Cards.Where(c => c.InitialKey == key)
                    .OrderByDescending(c => c.Id).Select(c => c.Id).Take(NameBlockSize).ToListAsync(ct));
        }
        var block = NameBlock(card.SearchName);
        if (block is not null)
        {
            var (from, to) = block.Value;
            candidateIds.UnionWith(await db.Cards.Where(c => string.Compare(c.SearchName, from) >= 0 && string.Compare(c.SearchName, to) < 0)
                .OrderBy(c => c.SearchName).ThenBy(c => c.Id).Select(c => c.Id).Take(NameBlockSize).ToListAsync(ct));
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
        // How many cards share each name involved: read from the table the triggers keep, never counted here.
        var keys = candidates.Select(c => c.NameKey).Append(card.NameKey).Where(k => k.Length > 0).Distinct().ToList();
        var counts = keys.Count == 0 ? new Dictionary<string, int>()
            : await db.NameFrequencies.AsNoTracking().Where(f => keys.Contains(f.NameKey)).ToDictionaryAsync(f => f.NameKey, f => f.CardCount, StringComparer.Ordinal, ct);
        int CountOf(string key) => counts.TryGetValue(key, out var n) ? n : 1;
        return candidates.Select(c => Score(card, phones, emails, c, Math.Max(CountOf(card.NameKey), CountOf(c.NameKey))))
            .Where(c => IsSuggested(c))
            .OrderByDescending(c => c.Score).ThenByDescending(c => c.CardId).Take(limit).ToList();
    }

    /// <summary>The rule, beyond the score: the same name always; a close name with one more shared signal.</summary>
    internal static bool IsSuggested(DuplicateCandidate c)
    {
        if (c.Score >= Threshold) return true;
        var kinds = c.Reasons.Select(r => r.Kind).ToHashSet();
        if (kinds.Overlaps([DuplicateReasonKind.SamePhone, DuplicateReasonKind.SameEmail, DuplicateReasonKind.SameSocialProfile,
                DuplicateReasonKind.SameName, DuplicateReasonKind.SameNameWithInitial])) return true;
        return kinds.Contains(DuplicateReasonKind.SimilarName) && kinds.Overlaps([DuplicateReasonKind.SameCompany, DuplicateReasonKind.SameCity,
            DuplicateReasonKind.SameEmailDomain, DuplicateReasonKind.SamePhonePrefix]);
    }

    /// <summary>The best-scored pairs across all cards, for supervisors to work through.</summary>
    public async Task<IReadOnlyList<DuplicatePair>> TopPairsAsync(Actor actor, int limit = 50, CancellationToken ct = default)
    {
        actor.Require(Role.Supervisor);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        // Names shared by two active cards or more, the rarest first (the strongest evidence), from the counts the
        // triggers keep; then the newest card of each, through the (NameKey, Id) index.
        var sharedNames = await db.NameFrequencies.Where(f => f.CardCount > 1).OrderBy(f => f.CardCount).ThenBy(f => f.NameKey)
            .Select(f => f.NameKey).Take(limit * 2).ToListAsync(ct);
        var sameName = new List<long>();
        foreach (var key in sharedNames)
            sameName.AddRange(await db.Cards.Where(c => c.NameKey == key).OrderByDescending(c => c.Id).Select(c => c.Id).Take(1).ToListAsync(ct));
        var samePhone = await (from c in db.Cards
                               join i in db.Identities on c.MobilePhone equals i.NormalizedAddress
                               where i.Space == IdentitySpace.Phone && i.CardId != c.Id && c.Status == CardStatus.Active
                               select c.Id).Take(limit * 2).ToListAsync(ct);
        var pairs = new Dictionary<(long, long), DuplicatePair>();
        var shared = await SharedAsync(ct);
        foreach (var id in sameName.Concat(samePhone).Distinct())
        {
            var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstAsync(c => c.Id == id, ct);
            foreach (var candidate in await SuggestAsync(db, card, shared, 3, ct))
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

    /// <summary>The weight of a same-name reason for a name <paramref name="cards"/> active cards share (the two compared included).</summary>
    internal static double NameWeight(double weight, int cards) =>
        cards <= CommonName ? weight : weight * Math.Log(CommonName) / Math.Log(cards);

    internal static DuplicateCandidate Score(CustomerCard card, IReadOnlyCollection<string> phones, IReadOnlyCollection<string> emails, CustomerCard other, int nameCards = 2)
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

        var names = $"{card.DisplayName} = {other.DisplayName}";
        double? nameWeight = null;
        if (card.NameKey.Length > 0 && card.NameKey == other.NameKey)
        {
            reasons.Add(new(DuplicateReasonKind.SameName, names, SameNameWeight));
            nameWeight = SameNameWeight;
        }
        else if (card.NameKey.Length > 0 && other.NameKey.Length > 0 && IsInitialMatch(card, other))
        {
            reasons.Add(new(DuplicateReasonKind.SameNameWithInitial, names, SameNameWithInitialWeight));
            nameWeight = SameNameWithInitialWeight;
        }
        else if (card.NameKey.Length > 0 && other.NameKey.Length > 0)
        {
            var jw = Math.Max(Similarity.Similarity(card.NameKey, other.NameKey), Similarity.Similarity(card.SearchName, other.SearchName));
            if (jw >= CloseName) reasons.Add(new(DuplicateReasonKind.SimilarName, $"{card.DisplayName} ~ {other.DisplayName} ({jw.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture)})", Math.Round(0.4 * jw, 3)));
        }
        if (nameWeight is { } w && nameCards > CommonName)
            reasons.Add(new(DuplicateReasonKind.CommonName, nameCards.ToString(System.Globalization.CultureInfo.InvariantCulture), Math.Round(NameWeight(w, nameCards) - w, 3)));

        if (card.SearchCompany.Length > 0 && card.SearchCompany == other.SearchCompany)
            reasons.Add(new(DuplicateReasonKind.SameCompany, other.Company ?? string.Empty, 0.1));
        if (card.City is not null && string.Equals(Text.Fold(card.City), Text.Fold(other.City), StringComparison.Ordinal))
            reasons.Add(new(DuplicateReasonKind.SameCity, other.City ?? string.Empty, 0.05));
        var domains = emails.Select(Domain).Where(d => d is not null && !PublicMailDomains.Contains(d)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var sharedDomain = otherEmails.Where(e => !emails.Contains(e)).Select(Domain).FirstOrDefault(d => d is not null && domains.Contains(d));
        if (sharedDomain is not null && !reasons.Any(r => r.Kind == DuplicateReasonKind.SameEmail))
            reasons.Add(new(DuplicateReasonKind.SameEmailDomain, sharedDomain, 0.1));
        var prefixes = phones.Select(PhonePrefix).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var sharedPrefix = otherPhones.Where(p => !phones.Contains(p)).Select(PhonePrefix).FirstOrDefault(p => p is not null && prefixes.Contains(p));
        if (sharedPrefix is not null && !reasons.Any(r => r.Kind == DuplicateReasonKind.SamePhone))
            reasons.Add(new(DuplicateReasonKind.SamePhonePrefix, sharedPrefix + "xx", 0.1));
        var score = Math.Clamp(reasons.Sum(r => r.Weight), 0, 1);
        return new DuplicateCandidate(other.Id, other.DisplayName, other.Company, Math.Round(score, 3), reasons);
    }

    private static bool IsInitialMatch(CustomerCard a, CustomerCard b) =>
        NameKeys.InitialVariants(a.FirstName, a.LastName).Contains(b.NameKey, StringComparer.Ordinal)
        || NameKeys.InitialVariants(b.FirstName, b.LastName).Contains(a.NameKey, StringComparer.Ordinal)
        || (NameKeys.HasInitial(a.FirstName, a.LastName) && a.NameKey == b.InitialKey)
        || (NameKeys.HasInitial(b.FirstName, b.LastName) && b.NameKey == a.InitialKey);

    private static string? Domain(string email)
    {
        var at = email.LastIndexOf('@');
        return at > 0 && at < email.Length - 1 ? email[(at + 1)..].ToLowerInvariant() : null;
    }

    /// <summary>An E.164 number without its last two digits, when long enough to say something (country and more).</summary>
    private static string? PhonePrefix(string e164) => e164.Length >= 10 && e164[0] == '+' ? e164[..^2] : null;
}
