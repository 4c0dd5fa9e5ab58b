using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// Inserts many entities with one prepared command, reading table, columns and value conversions
/// from the EF model so that bulk loads can never drift from the mapping. Keys are written as given.
/// </summary>
public sealed class BulkInserter<T> : IDisposable where T : class
{
    private readonly DbCommand _command;
    private readonly (IClrPropertyGetter Getter, DbParameter Parameter, Func<object?, object?> ToProvider)[] _columns;
    private readonly bool _identityInsert;
    private readonly DbConnection _connection;
    private readonly DbTransaction _transaction;
    private readonly string _table;

    public BulkInserter(AgentWorkspaceDbContext db, DbConnection connection, DbTransaction transaction)
    {
        _connection = connection;
        _transaction = transaction;
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var sql = db.GetService<ISqlGenerationHelper>();
        var tableName = entityType.GetTableName()!;
        var store = StoreObjectIdentifier.Table(tableName, entityType.GetSchema());
        _table = sql.DelimitIdentifier(tableName, entityType.GetSchema());
        var properties = entityType.GetProperties()
            .Where(p => !p.IsShadowProperty() && p.ValueGenerated != ValueGenerated.OnAddOrUpdate)
            .ToList();
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        var columns = new List<(IClrPropertyGetter, DbParameter, Func<object?, object?>)>();
        var names = new List<string>();
        var values = new List<string>();
        foreach (var p in properties)
        {
            var parameter = _command.CreateParameter();
            parameter.ParameterName = "@p" + columns.Count;
            _command.Parameters.Add(parameter);
            var converter = p.GetTypeMapping().Converter;
            Func<object?, object?> toProvider = converter is null ? v => v : v => v is null ? null : converter.ConvertToProvider(v);
            columns.Add((p.GetGetter(), parameter, toProvider));
            names.Add(sql.DelimitIdentifier(p.GetColumnName(store)!));
            values.Add(parameter.ParameterName);
        }
        _columns = [.. columns];
        _command.CommandText = $"INSERT INTO {_table} ({string.Join(", ", names)}) VALUES ({string.Join(", ", values)})";
        _identityInsert = db.Database.IsSqlServer() && entityType.FindPrimaryKey()!.Properties is [{ ValueGenerated: ValueGenerated.OnAdd, ClrType: var k }] && (k == typeof(long) || k == typeof(int));
        if (_identityInsert) Execute($"SET IDENTITY_INSERT {_table} ON");
        _command.Prepare();
    }

    public void Add(T entity)
    {
        foreach (var (getter, parameter, toProvider) in _columns)
            parameter.Value = toProvider(getter.GetClrValue(entity)) ?? DBNull.Value;
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
