using System.Globalization;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Matching;

/// <summary>What an administrator gives for one level of the auto-merge.</summary>
public sealed record MatchingRuleInput(string? Name, bool Enabled, MatchAttributes Attributes, long? CustomFieldId, double MinScore,
    bool ExcludeLocked = true, IReadOnlyList<long>? ExcludeQueueIds = null, long? ExcludeFieldId = null, string? ExcludeFieldValue = null);

public sealed record MatchingRuleView(long Id, int Position, string Name, bool Enabled, MatchAttributes Attributes, long? CustomFieldId, double MinScore,
    bool ExcludeLocked, IReadOnlyList<long> ExcludeQueueIds, long? ExcludeFieldId, string? ExcludeFieldValue, DateTimeOffset UpdatedAt)
{
    internal static MatchingRuleView Of(MatchingRule r) => new(r.Id, r.Position, r.Name, r.IsEnabled, r.Attributes, r.CustomFieldId, r.MinScore,
        r.ExcludeLocked, r.ExcludedQueues, r.ExcludeFieldId, r.ExcludeFieldValue, r.UpdatedAt);
}

/// <summary>
/// The auto-merge levels (issue 21, ADR 023): administrators list, add, change, reorder and remove them; every change is
/// audited (entity <c>MatchingRule</c>) and published, so that an open administration page reloads.
/// </summary>
public sealed class MatchingRuleService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    public const int MaxRules = 20;
    private const string Entity = "MatchingRule";

    public async Task<IReadOnlyList<MatchingRuleView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return (await db.MatchingRules.AsNoTracking().OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct)).Select(MatchingRuleView.Of).ToList();
    }

    public Task<MatchingRuleView> CreateAsync(Actor actor, MatchingRuleInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        ArgumentNullException.ThrowIfNull(input);
        return run.RunAsync("MatchingRule.Create", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var count = await db.MatchingRules.CountAsync(use.Cancellation);
            if (count >= MaxRules) throw new AdminRuleException("MatchingRuleTooMany", $"At most {MaxRules} levels.", "rules", MaxRules);
            var name = await ValidateAsync(db, input, null, use.Cancellation);
            var position = count == 0 ? 1 : await db.MatchingRules.MaxAsync(r => r.Position, use.Cancellation) + 1;
            var rule = new MatchingRule(position, use.Now);
            Apply(rule, input, name, use.Now);
            db.MatchingRules.Add(rule);
            await use.SaveAsync();
            use.Audit(Entity, Id(rule.Id), "Created", "name", null, rule.Name);
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return MatchingRuleView.Of(rule);
        }, ct);
    }

    public Task<MatchingRuleView> UpdateAsync(Actor actor, long id, MatchingRuleInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        ArgumentNullException.ThrowIfNull(input);
        return run.RunAsync("MatchingRule.Update", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var rule = await db.MatchingRules.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation)
                ?? throw new NotFoundException($"Matching level {id} does not exist.");
            var name = await ValidateAsync(db, input, id, use.Cancellation);
            var before = Describe(rule);
            Apply(rule, input, name, use.Now);
            use.AuditChange(Entity, Id(rule.Id), "Updated", "rule", before, Describe(rule));
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return MatchingRuleView.Of(rule);
        }, ct);
    }

    public Task DeleteAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        return run.RunAsync("MatchingRule.Delete", actor, Role.Admin, async use =>
        {
            var rule = await use.Db.MatchingRules.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation)
                ?? throw new NotFoundException($"Matching level {id} does not exist.");
            use.Db.MatchingRules.Remove(rule);
            use.Audit(Entity, Id(rule.Id), "Deleted", "name", rule.Name, null);
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
        }, ct);
    }

    /// <summary>Moves a level to <paramref name="position"/> (1 = first); the others keep their order.</summary>
    public Task<IReadOnlyList<MatchingRuleView>> MoveAsync(Actor actor, long id, int position, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        return run.RunAsync("MatchingRule.Move", actor, Role.Admin, async use =>
        {
            var rules = await use.Db.MatchingRules.OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(use.Cancellation);
            var rule = rules.FirstOrDefault(r => r.Id == id) ?? throw new NotFoundException($"Matching level {id} does not exist.");
            var before = rules.IndexOf(rule) + 1;
            rules.Remove(rule);
            rules.Insert(Math.Clamp(position, 1, rules.Count + 1) - 1, rule);
            for (var i = 0; i < rules.Count; i++) rules[i].MoveTo(i + 1);
            use.AuditChange(Entity, Id(rule.Id), "Moved", "position", before.ToString(CultureInfo.InvariantCulture), rule.Position.ToString(CultureInfo.InvariantCulture));
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return (IReadOnlyList<MatchingRuleView>)rules.Select(MatchingRuleView.Of).ToList();
        }, ct);
    }

    private static void Apply(MatchingRule rule, MatchingRuleInput input, string name, DateTimeOffset now) =>
        rule.Set(name, input.Enabled, input.Attributes, input.Attributes.HasFlag(MatchAttributes.CustomField) ? input.CustomFieldId : null,
            Math.Round(input.MinScore, 3), input.ExcludeLocked, input.ExcludeQueueIds ?? [], input.ExcludeFieldId,
            input.ExcludeFieldId is null ? null : input.ExcludeFieldValue!.Trim(), now);

    private static async Task<string> ValidateAsync(AgentWorkspaceDbContext db, MatchingRuleInput input, long? id, CancellationToken ct)
    {
        var name = (input.Name ?? string.Empty).Trim();
        if (name.Length == 0) throw new AdminRuleException("MatchingRuleNameRequired", "A level needs a name.", "name");
        if (name.Length > MatchingRule.MaxName) throw new AdminRuleException("MatchingRuleNameTooLong", $"A level's name has at most {MatchingRule.MaxName} characters.", "name", MatchingRule.MaxName);
        if (name.Any(char.IsControl)) throw new AdminRuleException("MatchingRuleNameInvalid", "A level's name cannot hold control characters.", "name");
        if (await db.MatchingRules.AnyAsync(r => r.Name == name && r.Id != (id ?? 0), ct))
            throw new AdminRuleException("MatchingRuleNameTaken", $"A level is already named '{name}'.", "name", name);
        const MatchAttributes all = MatchAttributes.Phone | MatchAttributes.Email | MatchAttributes.SocialId | MatchAttributes.NameCompany | MatchAttributes.NameCity | MatchAttributes.CustomField;
        if (input.Attributes == MatchAttributes.None || (input.Attributes & ~all) != 0)
            throw new AdminRuleException("MatchingRuleNoAttribute", "A level needs at least one attribute that must match (phone, e-mail, social id, name and company, name and city, custom field).", "attributes");
        if (double.IsNaN(input.MinScore) || input.MinScore is < 0 or > 1)
            throw new AdminRuleException("MatchingRuleScoreRange", "The minimum score is between 0 and 1.", "minScore");
        if (input.Attributes.HasFlag(MatchAttributes.CustomField))
        {
            if (input.CustomFieldId is not { } f || !await db.CustomFields.AnyAsync(c => c.Id == f && !c.IsArchived, ct))
                throw new AdminRuleException("MatchingRuleFieldUnknown", "Matching on a custom field needs an existing, active custom field.", "customFieldId");
        }
        var queues = input.ExcludeQueueIds ?? [];
        if (queues.Count > MatchingRule.MaxQueues) throw new AdminRuleException("MatchingRuleTooManyQueues", $"At most {MatchingRule.MaxQueues} queues.", "excludeQueueIds", MatchingRule.MaxQueues);
        if (queues.Count > 0)
        {
            var distinct = queues.Distinct().ToList();
            var known = await db.Queues.CountAsync(q => distinct.Contains(q.Id), ct);
            if (known != distinct.Count) throw new AdminRuleException("MatchingRuleQueueUnknown", "An excluded queue does not exist.", "excludeQueueIds");
        }
        if (input.ExcludeFieldId is { } ef)
        {
            if (!await db.CustomFields.AnyAsync(c => c.Id == ef, ct))
                throw new AdminRuleException("MatchingRuleFieldUnknown", "The excluding custom field does not exist.", "excludeFieldId");
            var v = (input.ExcludeFieldValue ?? string.Empty).Trim();
            if (v.Length == 0 || v.Length > MatchingRule.MaxFieldValue || v.Any(char.IsControl))
                throw new AdminRuleException("MatchingRuleExcludeValue", $"The excluding value is 1 to {MatchingRule.MaxFieldValue} characters.", "excludeFieldValue", MatchingRule.MaxFieldValue);
        }
        return name;
    }

    private static string Describe(MatchingRule r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.Name}; {(r.IsEnabled ? "on" : "off")}; {r.Attributes}{(r.CustomFieldId is { } f ? " #" + f : "")}; ≥{r.MinScore}; locked:{(r.ExcludeLocked ? "excluded" : "kept")}; queues:{r.ExcludeQueueIds}; field:{r.ExcludeFieldId}={r.ExcludeFieldValue}");

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
