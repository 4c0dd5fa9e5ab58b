using System.Data;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// Keeps the queries a kept SQLite connection (ADR 005) has run prepared, so that running one again
/// binds and steps instead of parsing and planning its SQL anew: EF Core creates a new command for
/// every execution, and preparing a 30-column SELECT costs about twice as much as running it.
/// One instance per kept connection; like the connection, it serves one operation at a time.
/// A statement whose reader is still open (a query run inside another's loop) is not reused: that
/// execution goes the usual way. Only readers are cached: writes are few per operation and their SQL
/// varies with the rows changed.
/// </summary>
internal sealed class SqlitePreparedStatements : DbCommandInterceptor, IDisposable
{
    /// <summary>Distinct statements kept per connection; past it, new SQL runs unprepared as before.</summary>
    public const int Capacity = 256;

    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Count => _entries.Count;

    private sealed class Entry(SqliteCommand command)
    {
        public SqliteCommand Command { get; } = command;
        public DbDataReader? Reader { get; set; }
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
        !result.HasResult && TryExecute(command) is { } reader ? InterceptionResult<DbDataReader>.SuppressWithResult(reader) : result;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ReaderExecuting(command, eventData, result));

    private SqliteDataReader? TryExecute(DbCommand command)
    {
        if (command is not SqliteCommand { Connection: { State: ConnectionState.Open } connection } source) return null;
        if (!_entries.TryGetValue(source.CommandText, out var entry))
        {
            if (_entries.Count >= Capacity) return null;
            entry = new Entry(Prepare(connection, source));
            _entries.Add(source.CommandText, entry);
        }
        if (entry.Reader is { IsClosed: false } || entry.Command.Connection != connection) return null;
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
        return reader;
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
