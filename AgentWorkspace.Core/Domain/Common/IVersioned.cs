namespace AgentWorkspace.Core.Domain.Common;

/// <summary>
/// An aggregate guarded by an optimistic concurrency token. The token is app-managed so that it
/// behaves the same on SQLite and SQL Server and can travel through the API as a plain number.
/// </summary>
public interface IVersioned
{
    long Version { get; }
    void BumpVersion();
}
