using System.Data.Common;
using AgentWorkspace.Core.Persistence.SqlServer;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AgentWorkspace.Core.Persistence;

/// <summary>How a provider loads many rows at once.</summary>
public enum BulkPath
{
    /// <summary>One prepared INSERT per row inside the caller's transaction (SQLite: no round trips, the fastest there is).</summary>
    PreparedInsert,
    /// <summary>SqlBulkCopy into the caller's transaction (SQL Server: one bulk stream instead of a round trip per row).</summary>
    SqlBulkCopy,
}

/// <summary>Loads many entities the fastest way the provider offers, table and columns read from the EF model (<see cref="BulkTable"/>).</summary>
public static class BulkInserter
{
    public static BulkPath PathFor(DbContext db) => db.Database.IsSqlServer() ? BulkPath.SqlBulkCopy : BulkPath.PreparedInsert;

    /// <summary>
    /// One chunk of a bulk load in a transaction of its own, on the raw connection. Demo and benchmark seeding
    /// only: not a use case, no actor, no audit (docs/decisions/008); SqlBulkCopy needs the connection's own
    /// transaction. No EF Core ExecutionStrategy applies to it (EF runs no command inside it, it only reads the
    /// model), so SQL Server's retrying strategy has nothing to refuse. A failed chunk rolls back alone and fails
    /// the seed with its error; the chunks before it stay.
    /// </summary>
    public static void InChunk(DbConnection connection, Action<DbTransaction> write)
    {
        using var transaction = connection.BeginTransaction();
        write(transaction);
        transaction.Commit();
    }

    /// <summary>Writes <paramref name="rows"/> (keys as given) inside <paramref name="transaction"/>, on the context's open connection.</summary>
    public static void Insert<T>(AgentWorkspaceDbContext db, DbConnection connection, DbTransaction transaction, IReadOnlyCollection<T> rows) where T : class
    {
        if (rows.Count == 0) return;
        if (PathFor(db) == BulkPath.SqlBulkCopy)
        {
            SqlServerBulkCopy.Write(db, (SqlConnection)connection, (SqlTransaction)transaction, rows);
            return;
        }
        using var insert = new BulkInserter<T>(db, connection, transaction);
        foreach (var row in rows) insert.Add(row);
    }
}

/// <summary>
/// Inserts many entities with one prepared command, reading table, columns and value conversions
/// from the EF model so that bulk loads can never drift from the mapping. Keys are written as given.
/// </summary>
public sealed class BulkInserter<T> : IDisposable where T : class
{
    private readonly DbCommand _command;
    private readonly (BulkColumn Column, DbParameter Parameter)[] _columns;
    private readonly bool _identityInsert;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly string _table;

    public BulkInserter(AgentWorkspaceDbContext db, DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        var table = BulkTable.For<T>(db);
        var sql = db.GetService<Microsoft.EntityFrameworkCore.Storage.ISqlGenerationHelper>();
        _table = table.DelimitedName;
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        var columns = new List<(BulkColumn, DbParameter)>();
        var names = new List<string>();
        var values = new List<string>();
        foreach (var column in table.Columns)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@p" + columns.Count;
            _command.Parameters.Add(parameter);
            columns.Add((column, parameter));
            names.Add(sql.DelimitIdentifier(column.Name));
            values.Add(parameter.ParameterName);
        }
        _columns = [.. columns];
        _command.CommandText = $"INSERT INTO {_table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)})";
        var entityType = db.Model.FindEntityType(typeof(T))!;
        _identityInsert = db.Database.IsSqlServer() && entityType.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd, ClrType: var k }] && (k == typeof(long) || k == typeof(int));
        if (_identityInsert) Execute($"SET IDENTITY_INSERT {_table} ON");
        _command.Prepare();
    }

    public void Add(T entity)
    {
        foreach (var (column, parameter) in _columns)
            parameter.Value = column.ValueOf(entity) ?? DBNull.Value;
        _command.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var c = _connection.CreateCommand();
        c.Transaction = _transaction;
        c.CommandText = sql;
        c.ExecuteNonQuery();
    }

    public void Dispose()
    {
        if (_identityInsert) Execute($"SET IDENTITY_INSERT {_table} OFF");
        _command.Dispose();
    }
}
