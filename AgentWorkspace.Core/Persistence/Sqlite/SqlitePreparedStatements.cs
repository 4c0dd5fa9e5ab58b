using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Keeps the queries a kept SQLite connection (ADR 005) has run prepared, so that running one again
/// binds and steps instead of parsing and planning its SQL anew: EF Core creates a new command for
/// every execution, and preparing a 30-column SELECT costs about twice as much as running it.
/// One instance per kept connection; like the connection, it serves one operation at a time.
/// A statement whose reader is still open (a query run inside another's loop) is not reused: that
/// execution goes the usual way. Only single SELECT statements are kept: EF Core's writes on SQLite
/// also come through here (INSERT … RETURNING), but their SQL varies with the rows and columns
/// changed and would only push the queries out. Past <see cref="Capacity"/> the statement used least
/// recently is let go.
/// </summary>
internal sealed class SqlitePreparedStatements : DbCommandInterceptor, IDisposable
{
    /// <summary>Distinct statements kept per connection.</summary>
    public const int Capacity = 128;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly List<DbDataReader> _lent = [];
    private long _uses;

    public int Count => _entries.Count;

    /// <summary>Whether a statement containing this text is kept prepared (for tests).</summary>
    internal bool Holds(string fragment) => _entries.Keys.Any(sql => sql.Contains(fragment, StringComparison.Ordinal));

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;
        public DbDataReader? Reader { get; set; }
        public long LastUse { get; set; }
    }

    /// <summary>One query, as EF Core writes them: a single SELECT (writes, batches and pragmas run the usual way).</summary>
    internal static bool IsQuery(string sql) =>
        sql.AsSpan().TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !sql.Contains(';', StringComparison.Ordinal);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && TryExecute(command) is { } reader ? InterceptionResult<DbDataReader>.SuppressWithResult(reader) : result;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    private SqliteDataReader? TryExecute(DbCommand command)
    {
        if (command is not SqliteCommand { Connection: { State: ConnectionState.Open } connection } source || !IsQuery(source.CommandText)) return null;
        if (!_entries.TryGetValue(source.CommandText, out var entry))
        {
            if (_entries.Count >= Capacity && !EvictLeastRecentlyUsed()) return null;
            entry = new Entry(Prepare(connection, source));
            _entries.Add(source.CommandText, entry);
        }
        if (entry.Reader is { IsClosed: false } || entry.Command.Connection != connection) return null;
        entry.LastUse = ++_uses;
        var cached = entry.Command;
        if (cached.Parameters.Count != source.Parameters.Count) return null;
        for (var i = 0; i < source.Parameters.Count; i++)
        {
            var from = source.Parameters[i];
            var to = cached.Parameters[i];
            if (!string.Equals(from.ParameterName, to.ParameterName, StringComparison.Ordinal)) return null;
            to.SqliteType = from.SqliteType;
            to.Size = from.Size;
            to.Value = from.Value;
        }
        cached.Transaction = source.Transaction;
        cached.CommandTimeout = source.CommandTimeout;
        var reader = cached.ExecuteReader();
        entry.Reader = reader;
        _lent.Add(reader);
        return reader;
    }

    /// <summary>
    /// Called when the operation gives the connection back. A reader of a kept statement that was never
    /// disposed (an enumeration abandoned halfway) would leave its statement un-reset, and an un-reset
    /// statement keeps SQLite's read snapshot open: every later read on this connection would see the
    /// file as it was then. Closing it resets the statement. Returns how many were left open.
    /// </summary>
    public int CloseLentReaders()
    {
        var open = 0;
        foreach (var reader in _lent)
        {
            if (reader.IsClosed) continue;
            open++;
            reader.Dispose();
        }
        _lent.Clear();
        return open;
    }

    private bool EvictLeastRecentlyUsed()
    {
        string? oldest = null;
        var oldestUse = long.MaxValue;
        foreach (var (sql, entry) in _entries)
        {
            if (entry.LastUse < oldestUse && entry.Reader is not { IsClosed: false }) (oldest, oldestUse) = (sql, entry.LastUse);
        }
        if (oldest is null) return false;
        _entries.Remove(oldest, out var evicted);
        evicted!.Command.Dispose();
        return true;
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteCommand source)
    {
        var command = connection.CreateCommand();
        command.CommandText = source.CommandText;
        command.Transaction = source.Transaction;
        foreach (SqliteParameter p in source.Parameters)
            command.Parameters.Add(new SqliteParameter(p.ParameterName, p.SqliteType) { Size = p.Size, Value = p.Value });
        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        foreach (var entry in _entries.Values) entry.Command.Dispose();
        _entries.Clear();
    }
}
