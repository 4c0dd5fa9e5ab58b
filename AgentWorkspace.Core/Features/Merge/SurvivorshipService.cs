using System.Text.Json;
using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Merge;

/// <summary>How the surviving value of a field is chosen among cards being merged (issue 21, "Field survivorship").</summary>
public enum SurvivorshipRule
{
    /// <summary>The value set last (by its provenance; a merged value counts from when it was first set).</summary>
    MostRecent = 1,
    /// <summary>The value most of the cards hold.</summary>
    MostFrequent = 2,
    /// <summary>The value from the most trusted source: agent, then API key, then CRM, then channel, then unknown.</summary>
    SourcePriority = 3,
}

/// <summary>What decided a field's surviving value.</summary>
public enum SurvivorshipReason
{
    /// <summary>No card has a value.</summary>
    NoValue = 0,
    /// <summary>Every card that has a value has the same one.</summary>
    Same = 1,
    /// <summary>Only one card has a value.</summary>
    OnlyValue = 2,
    MostRecent = 3,
    MostFrequent = 4,
    SourcePriority = 5,
    /// <summary>The rule and its fallbacks could not tell the values apart: the first card's (the survivor's) stays.</summary>
    Tie = 6,
}

/// <summary>
/// The proposed surviving value of one field: from which card, the value, the field's rule and what decided (the rule
/// itself, or a fallback when it tied: most recent, then the first card), the value's source, when it was set, and on how
/// many of the cards it is.
/// </summary>
public sealed record SurvivingValue(string Field, long CardId, string? Value, SurvivorshipRule Rule, SurvivorshipReason Reason,
    ValueSourceKind Source, DateTimeOffset? At, int Cards);

/// <summary>The rule of each profile field and the rule of custom fields (<see cref="CustomFieldsKey"/>, or cf:ident for one).</summary>
public sealed record SurvivorshipRules(IReadOnlyDictionary<string, SurvivorshipRule> Fields)
{
    /// <summary>The key of the rule that custom fields follow unless one has its own.</summary>
    public const string CustomFieldsKey = "cf:*";

    /// <summary>The profile fields, in the form's order.</summary>
    public static readonly IReadOnlyList<string> ProfileFields = [.. CustomerCard.SnapshotOf(new CardProfile()).Keys];

    /// <summary>
    /// Names as an agent typed them beat a channel's display name; addresses, numbers, company and city change with
    /// time, so the latest wins; classifications an agent made beat guesses.
    /// </summary>
    public static readonly SurvivorshipRules Defaults = new(new Dictionary<string, SurvivorshipRule>(StringComparer.Ordinal)
    {
        ["firstName"] = SurvivorshipRule.SourcePriority,
        ["lastName"] = SurvivorshipRule.SourcePriority,
        ["company"] = SurvivorshipRule.MostRecent,
        ["gender"] = SurvivorshipRule.SourcePriority,
        ["jobTitle"] = SurvivorshipRule.MostRecent,
        ["city"] = SurvivorshipRule.MostRecent,
        ["category"] = SurvivorshipRule.SourcePriority,
        ["relationshipType"] = SurvivorshipRule.SourcePriority,
        ["preferredChannel"] = SurvivorshipRule.MostRecent,
        ["tags"] = SurvivorshipRule.MostFrequent,
        ["avatarUrl"] = SurvivorshipRule.SourcePriority,
        ["primaryEmail"] = SurvivorshipRule.MostRecent,
        ["secondaryEmail"] = SurvivorshipRule.MostRecent,
        ["mobilePhone"] = SurvivorshipRule.MostRecent,
        ["homePhone"] = SurvivorshipRule.MostRecent,
        [CustomFieldsKey] = SurvivorshipRule.MostRecent,
    });

    public SurvivorshipRule RuleFor(string field) =>
        Fields.TryGetValue(field, out var rule) ? rule
        : field.StartsWith("cf:", StringComparison.Ordinal) && Fields.TryGetValue(CustomFieldsKey, out var cf) ? cf
        : Defaults.Fields.TryGetValue(field, out var d) ? d : SurvivorshipRule.MostRecent;
}

/// <summary>One card's values (profile fields as <see cref="CustomerCard.Snapshot"/> writes them, custom fields as cf:ident) and their sources.</summary>
public sealed record SurvivorshipCandidate(long CardId, IReadOnlyDictionary<string, string?> Values, IReadOnlyDictionary<string, ValueProvenance> Sources);

/// <summary>
/// Field survivorship (issue 21): which value of each field survives when cards merge, by a rule per field that
/// administrators set (most recent, most frequent, source priority), with the reason. The manual merge dialog
/// preselects it; the auto-merge takes it as it is (<see cref="ProposeAsync(AgentWorkspaceDbContext, SurvivorshipRules, IReadOnlyList{long}, CancellationToken)"/>).
/// </summary>
public sealed class SurvivorshipService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    public const int MaxCards = 50;
    private static readonly JsonSerializerOptions Json = new();

    /// <summary>The rules in force: the administrators' over the defaults.</summary>
    public async Task<SurvivorshipRules> GetRulesAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await RulesAsync(db, ct);
    }

    internal static async Task<SurvivorshipRules> RulesAsync(AgentWorkspaceDbContext db, CancellationToken ct)
    {
        var json = await db.Settings.AsNoTracking().Where(s => s.Key == AppSetting.Survivorship).Select(s => s.Value).FirstOrDefaultAsync(ct);
        return Parse(json);
    }

    internal static SurvivorshipRules Parse(string? json)
    {
        var rules = new Dictionary<string, SurvivorshipRule>(SurvivorshipRules.Defaults.Fields, StringComparer.Ordinal);
        if (string.IsNullOrEmpty(json)) return new SurvivorshipRules(rules);
        try
        {
            foreach (var (field, name) in JsonSerializer.Deserialize<Dictionary<string, string>>(json, Json) ?? [])
                if (Enum.TryParse<SurvivorshipRule>(name, out var rule) && Enum.IsDefined(rule)) rules[field] = rule;
        }
        catch (JsonException)
        {
            // A row no one could have written through the service: the defaults stand.
        }
        return new SurvivorshipRules(rules);
    }

    /// <summary>Administrators set the rule of some fields (the others keep theirs); audited field by field; returns the rules in force.</summary>
    public async Task<SurvivorshipRules> SaveRulesAsync(Actor actor, IReadOnlyDictionary<string, SurvivorshipRule> changes, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        ArgumentNullException.ThrowIfNull(changes);
        return await run.RunAsync("Merge.Survivorship", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var fieldIdents = (await db.CustomFields.AsNoTracking().Select(f => f.Ident).ToListAsync(use.Cancellation)).Select(i => "cf:" + i).ToHashSet(StringComparer.Ordinal);
            foreach (var (field, rule) in changes)
            {
                if (!SurvivorshipRules.ProfileFields.Contains(field) && field != SurvivorshipRules.CustomFieldsKey && !fieldIdents.Contains(field))
                    throw new AdminRuleException("SurvivorshipUnknownField", $"'{field}' is not a field of a card.", "rules." + field, field);
                if (!Enum.IsDefined(rule))
                    throw new AdminRuleException("SurvivorshipUnknownRule", "A rule is most recent, most frequent or source priority.", "rules." + field, field);
            }
            var row = await db.Settings.FirstOrDefaultAsync(s => s.Key == AppSetting.Survivorship, use.Cancellation);
            var before = Parse(row?.Value);
            var after = new Dictionary<string, SurvivorshipRule>(before.Fields, StringComparer.Ordinal);
            foreach (var (field, rule) in changes) after[field] = rule;
            foreach (var (field, rule) in changes)
                use.AuditChange("Setting", AppSetting.Survivorship, "Updated", field, before.RuleFor(field).ToString(), rule.ToString());
            var json = JsonSerializer.Serialize(after.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()), Json);
            if (row is null) db.Settings.Add(new AppSetting(AppSetting.Survivorship, json));
            else row.Set(json);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            return new SurvivorshipRules(after);
        }, ct);
    }

    /// <summary>
    /// The surviving value of every profile field and active custom field among <paramref name="cardIds"/> (2 to 50, the
    /// first one the survivor: ties keep its value), by the rules in force.
    /// </summary>
    public async Task<IReadOnlyList<SurvivingValue>> ProposeAsync(Actor actor, IReadOnlyList<long> cardIds, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        ArgumentNullException.ThrowIfNull(cardIds);
        var ids = cardIds.Distinct().ToList();
        if (ids.Count is < 2 or > MaxCards) throw new DomainException($"Survivorship compares 2 to {MaxCards} different cards.", "cardIds");
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await ProposeAsync(db, await RulesAsync(db, ct), ids, ct);
    }

    /// <summary>The same inside a use case or a read of the caller's (the merge preview, the auto-merge): three queries.</summary>
    internal static async Task<IReadOnlyList<SurvivingValue>> ProposeAsync(AgentWorkspaceDbContext db, SurvivorshipRules rules, IReadOnlyList<long> cardIds, CancellationToken ct)
    {
        var cards = await db.Cards.AsNoTracking().Where(c => cardIds.Contains(c.Id)).ToListAsync(ct);
        foreach (var id in cardIds)
            if (cards.All(c => c.Id != id)) throw new NotFoundException($"Card {id} does not exist.");
        var fields = await db.CustomFields.AsNoTracking().Where(f => !f.IsArchived).OrderBy(f => f.DisplayOrder).ThenBy(f => f.Id)
            .Select(f => new { f.Id, f.Ident }).ToListAsync(ct);
        var values = await db.CustomFieldValues.AsNoTracking().Where(v => cardIds.Contains(v.CardId)).ToListAsync(ct);
        // Newest first: the first row of a field is the source of its value when it holds that value.
        var rows = await db.ValueProvenance.AsNoTracking().Where(p => cardIds.Contains(p.CardId)).OrderByDescending(p => p.Id).ToListAsync(ct);
        var candidates = cardIds.Select(id =>
        {
            var card = cards.First(c => c.Id == id);
            var v = card.Snapshot();
            foreach (var f in fields) v["cf:" + f.Ident] = values.FirstOrDefault(x => x.CardId == id && x.FieldId == f.Id)?.Value;
            var sources = new Dictionary<string, ValueProvenance>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var row in rows.Where(r => r.CardId == id))
            {
                if (!seen.Add(row.Field)) continue;
                if (v.TryGetValue(row.Field, out var current) && string.Equals(current ?? string.Empty, row.Value ?? string.Empty, StringComparison.Ordinal))
                    sources[row.Field] = row;
            }
            return new SurvivorshipCandidate(id, v, sources);
        }).ToList();
        return Decide(candidates, rules, SurvivorshipRules.ProfileFields.Concat(fields.Select(f => "cf:" + f.Ident)).ToList());
    }

    /// <summary>How much a source is trusted (source priority): agent, API key, CRM, channel, then the rest.</summary>
    public static int Priority(ValueSourceKind kind) => kind switch
    {
        ValueSourceKind.Agent => 4,
        ValueSourceKind.ApiKey => 3,
        ValueSourceKind.Crm => 2,
        ValueSourceKind.Channel => 1,
        _ => 0,
    };

    /// <summary>The surviving value of each of <paramref name="fields"/> among <paramref name="cards"/> (the first: the survivor).</summary>
    public static IReadOnlyList<SurvivingValue> Decide(IReadOnlyList<SurvivorshipCandidate> cards, SurvivorshipRules rules, IReadOnlyList<string> fields)
    {
        var result = new List<SurvivingValue>(fields.Count);
        foreach (var field in fields)
        {
            var rule = rules.RuleFor(field);
            var options = cards.Select((c, order) =>
            {
                var value = c.Values.GetValueOrDefault(field);
                var source = c.Sources.GetValueOrDefault(field);
                return new Option(c.CardId, order, value, Fold(value), source?.EffectiveKind ?? ValueSourceKind.Unknown, source?.EffectiveAt);
            }).Where(o => ValueProvenance.HasValue(field, o.Value)).ToList();
            if (options.Count == 0)
            {
                result.Add(new SurvivingValue(field, cards[0].CardId, cards[0].Values.GetValueOrDefault(field), rule, SurvivorshipReason.NoValue, ValueSourceKind.Unknown, null, 0));
                continue;
            }
            var counts = options.GroupBy(o => o.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
            SurvivingValue Pick(Option o, SurvivorshipReason reason) => new(field, o.CardId, o.Value, rule, reason, o.Kind, o.At, counts[o.Key]);
            if (counts.Count == 1)
            {
                var first = options[0];
                result.Add(Pick(first, options.Count == 1 ? SurvivorshipReason.OnlyValue : SurvivorshipReason.Same));
                continue;
            }
            // The rule's criterion, then the most recent, then the first card (the survivor): each narrows the field of options.
            var criteria = rule switch
            {
                SurvivorshipRule.MostFrequent => new[] { SurvivorshipReason.MostFrequent, SurvivorshipReason.MostRecent },
                SurvivorshipRule.SourcePriority => [SurvivorshipReason.SourcePriority, SurvivorshipReason.MostRecent],
                _ => [SurvivorshipReason.MostRecent],
            };
            var left = options;
            var decided = SurvivorshipReason.Tie;
            foreach (var criterion in criteria)
            {
                Func<Option, long> score = criterion switch
                {
                    SurvivorshipReason.MostFrequent => o => counts[o.Key],
                    SurvivorshipReason.SourcePriority => o => Priority(o.Kind),
                    _ => o => o.At?.UtcTicks ?? long.MinValue,
                };
                var best = left.Max(score);
                var top = left.Where(o => score(o) == best).ToList();
                // Decided once only one value is left (several cards may hold it).
                if (top.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() == 1 && left.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() > 1)
                {
                    left = top;
                    decided = criterion;
                    break;
                }
                left = top;
            }
            result.Add(Pick(left.OrderBy(o => o.Order).First(), decided));
        }
        return result;
    }

    /// <summary>Values compared without case, accents or surrounding spaces ("Paris" and "paris " are one value).</summary>
    private static string Fold(string? value) => Text.Fold(value ?? string.Empty).Trim();

    private sealed record Option(long CardId, int Order, string? Value, string Key, ValueSourceKind Kind, DateTimeOffset? At);
}
