using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Features.Administration;

/// <summary>
/// A broken rule of an administration form, with a stable <see cref="Code"/> so that the page can
/// say it in the user's language (resx key "Err_{Code}") next to <see cref="DomainException.Field"/>;
/// the English message is what the API returns.
/// </summary>
public sealed class AdminRuleException(string code, string message, string field, params object[] args) : DomainException(message, field)
{
    public string Code { get; } = code;
    public IReadOnlyList<object> Args { get; } = args;
}

/// <summary>Writes the audit rows of an administration change (one per changed field).</summary>
internal static class AdminAudit
{
    public static void Changed(Persistence.AgentWorkspaceDbContext db, DateTimeOffset now, Domain.Identity.Actor actor, string entityType, string entityId,
        string action, string field, string? before, string? after)
    {
        if (string.Equals(before, after, StringComparison.Ordinal)) return;
        db.Audit.Add(new Domain.Audit.AuditEntry(now, actor.UserId, actor.DisplayName, entityType, entityId, action, field, before, after));
    }

    public static void Event(Persistence.AgentWorkspaceDbContext db, DateTimeOffset now, Domain.Identity.Actor actor, string entityType, string entityId,
        string action, string? field = null, string? before = null, string? after = null) =>
        db.Audit.Add(new Domain.Audit.AuditEntry(now, actor.UserId, actor.DisplayName, entityType, entityId, action, field, before, after));
}
