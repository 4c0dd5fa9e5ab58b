using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Retries SQLite's transient errors (SQLITE_BUSY, SQLITE_LOCKED: another process on the file, a
/// backup) as SQL Server's strategy retries its own. On by default, so that every run on the embedded
/// database obeys the rule SQL Server imposes: no transaction opened outside the strategy
/// (docs/decisions/008). The one exception is the ingest group writer, which suspends it for its
/// own transaction (<see cref="Suspend"/>, docs/decisions/007).
/// </summary>
public sealed class SqliteRetryingExecutionStrategy(ExecutionStrategyDependencies dependencies, int maxRetryCount = SqliteRetryingExecutionStrategy.MaxRetries)
    : ExecutionStrategy(dependencies, maxRetryCount, TimeSpan.FromSeconds(2))
{
    public const int MaxRetries = 5;
    private const int Busy = 5, Locked = 6;
    private static readonly AsyncLocal<bool> Suspended = new();

    public override bool RetriesOnFailure => !Suspended.Value && base.RetriesOnFailure;

    protected override bool ShouldRetryOn(Exception exception)
    {
        if (Suspended.Value) return false;
        for (var ex = exception; ex is not null; ex = ex.InnerException)
            if (ex is SqliteException { SqliteErrorCode: var code } && (code & 0xFF) is Busy or Locked) return true;
        return false;
    }

    /// <summary>A busy or locked answer can come after the commit went through: the runner's marker tells.</summary>
    protected override bool ShouldVerifySuccessOn(Exception exception) => ShouldRetryOn(exception);

    /// <summary>
    /// Turns retries off for the calling flow until disposed: for the SQLite ingest writer only, whose
    /// group transaction cannot be re-run by a strategy (its callers are answered one by one).
    /// </summary>
    internal static IDisposable Suspend()
    {
        var before = Suspended.Value;
        Suspended.Value = true;
        return new Resume(before);
    }

    private sealed class Resume(bool before) : IDisposable
    {
        public void Dispose() => Suspended.Value = before;
    }
}
