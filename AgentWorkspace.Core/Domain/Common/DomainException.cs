namespace AgentWorkspace.Core.Domain.Common;

/// <summary>A rule of the domain was broken. <see cref="Field"/> names the input at fault when there is one.</summary>
public class DomainException(string message, string? field = null) : Exception(message)
{
    public string? Field { get; } = field;
}

/// <summary>The acting user's role does not allow the operation.</summary>
public sealed class ForbiddenException(string message) : Exception(message);

/// <summary>The thing asked for does not exist.</summary>
public sealed class NotFoundException(string message) : Exception(message);

/// <summary>Someone else changed the record since it was read.</summary>
public sealed class ConcurrencyConflictException(string message, long currentVersion) : Exception(message)
{
    public long CurrentVersion { get; } = currentVersion;
}

/// <summary>The operation collides with existing data (a duplicate key, an identity already owned...).</summary>
public sealed class ConflictException(string message, string? field = null) : DomainException(message, field);
