using System.Collections.Concurrent;
using System.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// SQLite contexts that each keep one connection open across leases (docs/decisions/005). A lease
/// takes an idle context with its open connection, or makes one while fewer than the bound exist;
/// past the bound it falls back to a context that opens a pooled connection per operation, so a
/// burst never waits. Returning the context resets it (EF Core's pooled reset: change tracker,
/// its transaction rolled back, options; then any transaction begun in raw SQL rolled back) and
/// puts it back; a connection that was closed or cannot be rolled back is thrown away.
/// </summary>
internal sealed class SqliteContextPool : IDisposable
{
    /// <summary>Connections kept open at most: enough for the app's concurrent operations, each a few MB of page cache at most.</summary>
    public const int DefaultSize = 16;

    private readonly string _connectionString;
    private readonly Action<SqliteDbContextOptionsBuilder> _sqliteOptions;
    private readonly PooledDbContextFactory<SqliteAgentWorkspaceDbContext> _overflow;
    private readonly ConcurrentStack<Slot> _idle = new();
    private readonly int _size;
    private int _count;
    private volatile bool _disposed;

    public SqliteContextPool(string connectionString, Action<SqliteDbContextOptionsBuilder> sqliteOptions, int size = DefaultSize)
    {
        _connectionString = connectionString;
        _sqliteOptions = sqliteOptions;
        _overflow = new PooledDbContextFactory<SqliteAgentWorkspaceDbContext>(
            new DbContextOptionsBuilder<SqliteAgentWorkspaceDbContext>().UseSqlite(connectionString, sqliteOptions).AddInterceptors(SqliteSecureDelete.Instance).Options);
        // A private database (":memory:", or an empty name for a temporary file) exists once per
        // connection: one connection then serves every lease in turn, so they all see the same data.
        _size = IsPrivate(connectionString) ? 1 : size;
    }

    /// <summary>How many connections the pool holds open now (leased or idle).</summary>
    public int OpenConnections => Volatile.Read(ref _count);

    public AgentWorkspaceDbContext Lease()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // LIFO: the most recently used connection has the warmest page cache.
        if (!_idle.TryPop(out var slot))
        {
            if (Interlocked.Increment(ref _count) > _size)
            {
                Interlocked.Decrement(ref _count);
                return _overflow.CreateDbContext();
            }
            slot = new Slot(this);
        }
        try
        {
            return slot.Lend();
        }
        catch
        {
            Discard(slot);
            throw;
        }
    }

    private void Return(Slot slot)
    {
        if (!slot.Reset() || _disposed)
        {
            Discard(slot);
            return;
        }
        _idle.Push(slot);
        // Disposed meanwhile: nobody else will drain what was just pushed.
        if (_disposed) Drain();
    }

    private void Discard(Slot slot)
    {
        slot.Dispose();
        Interlocked.Decrement(ref _count);
    }

    private void Drain()
    {
        while (_idle.TryPop(out var slot)) Discard(slot);
    }

    /// <summary>Closes the idle connections; a context still leased closes its connection when it comes back.</summary>
    public void Dispose()
    {
        _disposed = true;
        Drain();
    }

    private static bool IsPrivate(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.Cache == SqliteCacheMode.Shared) return false;
        return string.IsNullOrEmpty(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory;
    }

    /// <summary>One connection and the (single) pooled context bound to it.</summary>
    internal sealed class Slot : IDisposable
    {
        private readonly SqliteContextPool _pool;
        private readonly SqliteConnection _connection;
        private readonly PooledDbContextFactory<SqliteAgentWorkspaceDbContext> _contexts;
        private readonly SqlitePreparedStatements _statements = new();

        public Slot(SqliteContextPool pool)
        {
            _pool = pool;
            _connection = new SqliteConnection(pool._connectionString);
            // The context does not own the connection: EF Core then neither opens, closes nor disposes
            // it, and registers its SQL functions on it once, when the context is first built.
            var options = new DbContextOptionsBuilder<SqliteAgentWorkspaceDbContext>()
                .UseSqlite(_connection, pool._sqliteOptions)
                .AddInterceptors(_statements)
                .Options;
            _contexts = new PooledDbContextFactory<SqliteAgentWorkspaceDbContext>(options, poolSize: 1);
        }

        private bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(_connection.Handle) == 0;

        /// <summary>
        /// Leaves the connection open and outside any transaction, as the next operation expects it:
        /// EF Core has already rolled back its own transaction; one begun in raw SQL is rolled back
        /// here. False when the connection cannot be reused.
        /// </summary>
        public bool Reset()
        {
            _statements.CloseLentReaders();
            if (_connection.State != ConnectionState.Open) return false;
            if (!InTransaction) return true;
            try
            {
                using var rollback = _connection.CreateCommand();
                rollback.CommandText = "ROLLBACK";
                rollback.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                return false;
            }
            return !InTransaction;
        }

        public AgentWorkspaceDbContext Lend()
        {
            if (_connection.State != ConnectionState.Open)
            {
                _connection.Open();
                SqliteSecureDelete.Apply(_connection);
            }
            var db = _contexts.CreateDbContext();
            db.ReturnTo(this);
            return db;
        }

        /// <summary>Called once the context has been reset (EF Core's pooled dispose).</summary>
        public void Returned() => _pool.Return(this);

        public void Dispose()
        {
            // A native connection still inside a transaction must not go back to Microsoft.Data.Sqlite's pool.
            if (_connection.State == ConnectionState.Open && InTransaction) SqliteConnection.ClearPool(_connection);
            _statements.Dispose();
            _connection.Dispose();
        }
    }
}
