using System.Text;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.QuickReplies;

/// <summary>A quick reply (or any text with placeholders) filled for one case: what goes into the reply box.</summary>
/// <param name="Text">The text with every placeholder replaced, and the link (if any) as a text line "label: address".</param>
/// <param name="Missing">Placeholders the case had no value for (left empty in the text), for the agent to complete.</param>
public sealed record FilledQuickReply(string Text, string? LinkLabel, string? LinkUrl, IReadOnlyList<string> Missing);

/// <summary>
/// Placeholders of quick replies: <c>{{customer.firstName}}</c> and the others of <see cref="Names"/>, filled from a case,
/// its customer card and the acting agent. One place for the rule, used by the quick replies of the reply box and by anything
/// else that inserts a prepared text into a reply (an agent script's macro): <see cref="FillAsync(Actor, string, long, CancellationToken)"/>.
/// </summary>
public sealed partial class QuickReplyPlaceholders(IDbContextFactory<AgentWorkspaceDbContext> dbFactory)
{
    /// <summary>Every placeholder a text may hold, as written between double braces.</summary>
    public static readonly IReadOnlyList<string> Names =
    [
        "customer.firstName", "customer.lastName", "customer.name", "customer.company", "customer.email", "customer.phone",
        "case.id", "case.title", "case.queue", "agent.name", "agent.firstName",
    ];

    [GeneratedRegex(@"\{\{\s*([^{}\s]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>The placeholders of <paramref name="text"/> that are not in <see cref="Names"/> (as written, once each).</summary>
    public static IReadOnlyList<string> UnknownIn(string? text) => string.IsNullOrEmpty(text) ? [] :
        Placeholder().Matches(text).Select(m => m.Groups[1].Value).Where(n => !Names.Contains(n, StringComparer.OrdinalIgnoreCase))
            .Distinct(StringComparer.Ordinal).ToList();

    /// <summary>
    /// Replaces each placeholder by its value (names compared without case); a placeholder without a value becomes empty and
    /// is listed in <paramref name="missing"/>; an unknown one is left as written. Values are text, inserted as they are.
    /// </summary>
    public static string Fill(string text, IReadOnlyDictionary<string, string?> values, ICollection<string>? missing = null) =>
        Placeholder().Replace(text, m =>
        {
            var name = Names.FirstOrDefault(n => string.Equals(n, m.Groups[1].Value, StringComparison.OrdinalIgnoreCase));
            if (name is null) return m.Value;
            if (values.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value)) return value;
            if (missing is not null && !missing.Contains(name)) missing.Add(name);
            return string.Empty;
        });

    /// <summary>A quick reply of the knowledge base filled for a case: its text, then its link as a text line.</summary>
    public async Task<FilledQuickReply> FillQuickReplyAsync(Actor actor, long quickReplyId, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reply = await db.QuickReplies.AsNoTracking().FirstOrDefaultAsync(r => r.Id == quickReplyId, ct)
            ?? throw new NotFoundException($"There is no quick reply {quickReplyId}.");
        var values = await ValuesAsync(db, actor, caseId, ct);
        var missing = new List<string>();
        var text = new StringBuilder(Fill(reply.Body, values, missing));
        if (reply.LinkUrl is { } url) text.Append('\n').Append(reply.LinkLabel).Append(": ").Append(url);
        return new FilledQuickReply(text.ToString(), reply.LinkLabel, reply.LinkUrl, missing);
    }

    /// <summary>Any text with placeholders (a script's macro, say) filled for a case, as a quick reply's text is.</summary>
    public async Task<FilledQuickReply> FillAsync(Actor actor, string text, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var missing = new List<string>();
        return new FilledQuickReply(Fill(text, await ValuesAsync(db, actor, caseId, ct), missing), null, null, missing);
    }

    private static async Task<Dictionary<string, string?>> ValuesAsync(AgentWorkspaceDbContext db, Actor actor, long caseId, CancellationToken ct)
    {
        var row = await (from c in db.Cases.AsNoTracking()
                         where c.Id == caseId
                         join q in db.Queues.AsNoTracking() on c.QueueId equals q.Id into qs
                         from q in qs.DefaultIfEmpty()
                         select new { c.Id, c.Title, c.CardId, Queue = q == null ? null : q.Name }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException($"Case {caseId} does not exist.");
        var card = await db.Cards.AsNoTracking().Include(c => c.Identities).FirstOrDefaultAsync(c => c.Id == row.CardId, ct);
        var name = card?.DisplayName;
        var agentName = actor.DisplayName.Trim();
        return new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            // A customer known only by a handle is greeted by it: "Bonjour marguerite_92" rather than "Bonjour ,".
            ["customer.firstName"] = card?.FirstName ?? name,
            ["customer.lastName"] = card?.LastName,
            ["customer.name"] = name,
            ["customer.company"] = card?.Company,
            ["customer.email"] = card?.PrimaryEmail,
            ["customer.phone"] = card?.MobilePhone,
            ["case.id"] = row.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["case.title"] = row.Title,
            ["case.queue"] = row.Queue,
            ["agent.name"] = agentName,
            ["agent.firstName"] = agentName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(),
        };
    }
}
