using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Queues;

public sealed record QueueInput(string? Name, IReadOnlyList<string>? Skills, int FirstResponseTargetMinutes, int ResolutionTargetMinutes);

public sealed record QueueView(long Id, string Name, IReadOnlyList<string> Skills, int FirstResponseTargetMinutes, int ResolutionTargetMinutes, bool IsDefault, int MemberCount);

/// <summary>Routing queues with their skills and SLA targets (first response, solution). Changes are Admin only and audited.</summary>
public sealed class QueueService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    private const string Entity = "Queue";

    public async Task<IReadOnlyList<QueueView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var queues = await db.Queues.AsNoTracking().ToListAsync(ct);
        var members = await db.QueueMembers.AsNoTracking().GroupBy(m => m.QueueId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return queues.OrderByDescending(q => q.IsDefault).ThenBy(q => q.Name, StringComparer.CurrentCultureIgnoreCase)
            .Select(q => View(q, members.GetValueOrDefault(q.Id))).ToList();
    }

    public static IReadOnlyList<AdminRuleException> Check(QueueInput input)
    {
        var errors = new List<AdminRuleException>();
        if (string.IsNullOrWhiteSpace(input.Name)) errors.Add(new("QueueNameRequired", "A queue needs a name.", "name"));
        else if (input.Name.Trim().Length > 80) errors.Add(new("NameTooLong", "The name must be at most 80 characters.", "name", 80));
        if (input.FirstResponseTargetMinutes <= 0)
            errors.Add(new("FirstResponsePositive", "The first-response target must be a positive number of minutes.", "firstResponseTargetMinutes"));
        if (input.ResolutionTargetMinutes <= 0)
            errors.Add(new("ResolutionPositive", "The solution target must be a positive number of minutes.", "resolutionTargetMinutes"));
        else if (input.FirstResponseTargetMinutes > 0 && input.ResolutionTargetMinutes < input.FirstResponseTargetMinutes)
            errors.Add(new("ResolutionShorter", "The solution target cannot be shorter than the first-response target.", "resolutionTargetMinutes"));
        foreach (var skill in input.Skills ?? [])
        {
            if (skill is null) continue;
            if (skill.Trim().Length > 60) { errors.Add(new("SkillTooLong", "A skill must be at most 60 characters.", "skills", 60)); break; }
            if (skill.Contains('|')) { errors.Add(new("SkillPipe", "A skill cannot contain '|'.", "skills")); break; }
        }
        return errors;
    }

    public Task<QueueView> CreateAsync(Actor actor, QueueInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("Queue.Create", actor, Role.Admin, async use =>
        {
            var queue = new Queue(input.Name!, input.FirstResponseTargetMinutes, input.ResolutionTargetMinutes, skills: input.Skills);
            await EnsureUniqueAsync(use.Db, queue.NormalizedName, 0, input.Name!, use.Cancellation);
            use.Db.Queues.Add(queue);
            await use.SaveAsync();
            use.Audit(Entity, Key(queue.Id), "Created", "queue", null, Describe(queue));
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged, QueueId: queue.Id));
            return View(queue, 0);
        }, ct);
    }

    public Task<QueueView> UpdateAsync(Actor actor, long id, QueueInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("Queue.Update", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var queue = await db.Queues.FirstOrDefaultAsync(q => q.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no queue {id}.");
            var before = (queue.Name, Skills: string.Join(", ", queue.SkillList), queue.FirstResponseTargetMinutes, queue.ResolutionTargetMinutes);
            queue.Rename(input.Name!);
            await EnsureUniqueAsync(db, queue.NormalizedName, id, input.Name!, use.Cancellation);
            queue.SetSkills(input.Skills ?? []);
            queue.SetTargets(input.FirstResponseTargetMinutes, input.ResolutionTargetMinutes);
            var key = Key(id);
            use.AuditChange(Entity, key, "Updated", "name", before.Name, queue.Name);
            use.AuditChange(Entity, key, "Updated", "skills", before.Skills, string.Join(", ", queue.SkillList));
            use.AuditChange(Entity, key, "Updated", "firstResponseTargetMinutes", Key(before.FirstResponseTargetMinutes), Key(queue.FirstResponseTargetMinutes));
            use.AuditChange(Entity, key, "Updated", "resolutionTargetMinutes", Key(before.ResolutionTargetMinutes), Key(queue.ResolutionTargetMinutes));
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged, QueueId: queue.Id));
            return View(queue, await db.QueueMembers.CountAsync(m => m.QueueId == id, use.Cancellation));
        }, ct);
    }

    private static string Key(long value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task EnsureUniqueAsync(AgentWorkspaceDbContext db, string normalized, long exceptId, string name, CancellationToken ct)
    {
        if (await db.Queues.AnyAsync(q => q.NormalizedName == normalized && q.Id != exceptId, ct))
            throw new ConflictException($"A queue named '{name.Trim()}' already exists.", "name");
    }

    private static string Describe(Queue q) => Audit.AuditValues.Summary(("name", q.Name), ("skills", string.Join(", ", q.SkillList)),
        ("firstResponseTargetMinutes", q.FirstResponseTargetMinutes), ("resolutionTargetMinutes", q.ResolutionTargetMinutes));

    private static QueueView View(Queue q, int members) =>
        new(q.Id, q.Name, q.SkillList, q.FirstResponseTargetMinutes, q.ResolutionTargetMinutes, q.IsDefault, members);
}
