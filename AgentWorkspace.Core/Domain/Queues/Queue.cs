using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Queues;

/// <summary>A routing queue with its SLA targets (first response and solution), in minutes.</summary>
public sealed class Queue
{
    public const string DefaultName = "General";

    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public string NormalizedName { get; private set; } = string.Empty;
    public int FirstResponseTargetMinutes { get; private set; }
    public int ResolutionTargetMinutes { get; private set; }
    public bool IsDefault { get; private set; }
    public string Skills { get; private set; } = string.Empty;

    private Queue() { }

    public Queue(string name, int firstResponseTargetMinutes, int resolutionTargetMinutes, bool isDefault = false, IEnumerable<string>? skills = null, long id = 0)
    {
        Id = id;
        Rename(name);
        SetTargets(firstResponseTargetMinutes, resolutionTargetMinutes);
        IsDefault = isDefault;
        SetSkills(skills ?? []);
    }

    public IReadOnlyList<string> SkillList => Skills.Length == 0 ? [] : Skills.Split('|');

    public void Rename(string name)
    {
        var clean = Text.Clean(name, 80, "name") ?? throw new DomainException("A queue needs a name.", "name");
        Name = clean;
        NormalizedName = Text.Fold(clean);
    }

    public void SetTargets(int firstResponseMinutes, int resolutionMinutes)
    {
        if (firstResponseMinutes <= 0) throw new DomainException("The first-response target must be a positive number of minutes.", "firstResponseTargetMinutes");
        if (resolutionMinutes <= 0) throw new DomainException("The solution target must be a positive number of minutes.", "resolutionTargetMinutes");
        if (resolutionMinutes < firstResponseMinutes) throw new DomainException("The solution target cannot be shorter than the first-response target.", "resolutionTargetMinutes");
        FirstResponseTargetMinutes = firstResponseMinutes;
        ResolutionTargetMinutes = resolutionMinutes;
    }

    public void SetSkills(IEnumerable<string> skills)
    {
        var list = skills.Select(s => Text.Clean(s, 60, "skills")).OfType<string>()
            .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (list.Any(s => s.Contains('|'))) throw new DomainException("A skill cannot contain '|'.", "skills");
        Skills = string.Join('|', list);
    }

    public void MakeDefault(bool isDefault) => IsDefault = isDefault;
}

/// <summary>An agent belongs to a queue and sees its cases.</summary>
public sealed class QueueMember
{
    public long QueueId { get; private set; }
    public string UserId { get; private set; } = string.Empty;

    private QueueMember() { }

    public QueueMember(long queueId, string userId) { QueueId = queueId; UserId = userId; }
}
