using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Cards;

public sealed partial class CardSearch
{
    private const int PrefixMatches = 20;

    /// <summary>
    /// Cards whose identity starts with what was typed: a phone number begun in any form, the start
    /// of an e-mail address or of a handle. Range conditions on the (Space, NormalizedAddress) index,
    /// never a scan.
    /// </summary>
    private static async Task<List<long>> IdentityPrefixMatchesAsync(AgentWorkspaceDbContext db, string q, string region, CancellationToken ct)
    {
        List<long> ids = [];
        if (PhoneNumber.TryE164Prefix(q, region, out var phone))
            await AddStartingWithAsync(IdentitySpace.Phone, phone);
        else if (q.Contains('@', StringComparison.Ordinal) && !q.StartsWith('@') && !q.Contains(' ', StringComparison.Ordinal))
            await AddStartingWithAsync(IdentitySpace.Email, q.ToLowerInvariant());
        else if (!q.Contains(' ', StringComparison.Ordinal) && q.TrimStart('@').Length >= 2)
        {
            // One range per platform keeps each lookup on the index.
            foreach (var space in HandleSpaces)
            {
                await AddStartingWithAsync(space, q.TrimStart('@').ToLowerInvariant());
                if (ids.Count >= PrefixMatches) break;
            }
        }
        if (ids.Count == 0) return ids;
        var distinct = ids.Distinct().ToList();
        return await db.Cards.Where(c => distinct.Contains(c.Id) && c.Status != CardStatus.Merged).OrderBy(c => c.Id).Select(c => c.Id).Take(PrefixMatches).ToListAsync(ct);

        async Task AddStartingWithAsync(IdentitySpace space, string start)
        {
            var upper = Text.PrefixUpperBound(start);
            ids.AddRange(await db.Identities.Where(i => i.Space == space && string.Compare(i.NormalizedAddress, start) >= 0 && string.Compare(i.NormalizedAddress, upper) < 0)
                .OrderBy(i => i.NormalizedAddress).Select(i => i.CardId).Take(PrefixMatches).ToListAsync(ct));
        }
    }
}
