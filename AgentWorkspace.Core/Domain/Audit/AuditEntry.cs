namespace AgentWorkspace.Core.Domain.Audit;

/// <summary>Who changed what, when: field, before and after.</summary>
public sealed class AuditEntry
{
    public long Id { get; private set; }
    public DateTimeOffset At { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public string EntityType { get; private set; } = string.Empty;
    public string EntityId { get; private set; } = string.Empty;
    public string Action { get; private set; } = string.Empty;
    public string? Field { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }

    private AuditEntry() { }

    public AuditEntry(DateTimeOffset at, string actorId, string actorName, string entityType, string entityId, string action,
        string? field = null, string? before = null, string? after = null)
    {
        At = at;
        ActorId = actorId;
        ActorName = actorName;
        EntityType = entityType;
        EntityId = entityId;
        Action = action;
        Field = field;
        Before = Truncate(before);
        After = Truncate(after);
    }

    private static string? Truncate(string? v) => v is { Length: > 4000 } ? v[..4000] : v;
}
