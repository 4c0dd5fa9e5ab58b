namespace AgentWorkspace.Core.Domain.Common;

/// <summary>A rule of the domain was broken. <see cref="Field"/> names the input at fault when there is one.</summary>
public class DomainException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;

    /// <summary>
    /// The rule's stable name: the page says it in the user's language (resx key <c>Err_{Code}</c>, with
    /// <see cref="Args"/>); the English message is what the API returns and the log keeps.
    /// </summary>
    public string? Code { get; init; }
    public IReadOnlyList<object> Args { get; init; } = [];
}

/// <summary>The acting user's role does not allow the operation.</summary>
public sealed class ForbiddenException(string message) : Exception(message)
{
    /// <summary>As <see cref="DomainException.Code"/>: the refusal's stable name for the user's language.</summary>
    public string? Code { get; init; }
    public IReadOnlyList<object> Args { get; init; } = [];
}

/// <summary>The thing asked for does not exist.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>Someone else changed the record since it was read.</summary>
public sealed class ConcurrencyConflictException(string message, long currentVersion) : Exception(message)
{
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>The operation collides with existing data (a duplicate key, an identity already owned...).</summary>
public sealed class ConflictException(string message, string? field = null) : DomainException(message, field);
