using System.Collections;
using System.Data.Common;
using Microsoft.Data.SqlClient;

namespace AgentWorkspace.Core.Persistence.SqlServer;

/// <summary>
/// Bulk loads on SQL Server: the rows stream to the server through SqlBulkCopy in the caller's
/// transaction, one bulk insert per table instead of a round trip per row.
/// </summary>
internal static class SqlServerBulkCopy
{
    /// <summary>
    /// Keys as given (the seeder numbers its rows; SQL Server moves the identity past them); NULL stays NULL
    /// (not a column default); constraints checked, so that foreign keys stay trusted (unchecked, the bulk
    /// load would mark them untrusted and the optimizer would stop relying on them).
    /// </summary>
    public const SqlBulkCopyOptions Options = SqlBulkCopyOptions.KeepIdentity | SqlBulkCopyOptions.KeepNulls | SqlBulkCopyOptions.CheckConstraints;

    public static void Write<T>(AgentWorkspaceDbContext db, SqlConnection connection, SqlTransaction transaction, IReadOnlyCollection<T> rows) where T : class
    {
        var table = BulkTable.For<T>(db);
        using var copy = new SqlBulkCopy(connection, Options, transaction)
        {
            DestinationTableName = table.DelimitedName,
            // One batch: the caller's transaction is the unit, and a chunk of the seed is a few hundred thousand rows at most.
            BatchSize = 0,
            BulkCopyTimeout = 0,
        };
        for (var i = 0; i < table.Columns.Count; i++) copy.ColumnMappings.Add(i, table.Columns[i].Name);
        using var reader = new EntityDataReader<T>(table, rows);
        copy.WriteToServer(reader);
    }
}

/// <summary>Entities read as rows of a <see cref="BulkTable"/>: the columns in order, values as the provider stores them.</summary>
internal sealed class EntityDataReader<T>(BulkTable table, IEnumerable<T> rows) : DbDataReader where T : class
{
    private readonly IEnumerator<T> _rows = rows.GetEnumerator();
    private readonly object?[] _values = new object?[table.Columns.Count];
    private bool _closed;

    public override bool Read()
    {
        if (_closed || !_rows.MoveNext()) return false;
        for (var i = 0; i < _values.Length; i++) _values[i] = table.Columns[i].ValueOf(_rows.Current);
        return true;
    }

    public override object GetValue(int ordinal) => _values[ordinal] ?? DBNull.Value;

    public override int GetValues(object[] values)
    {
        var count = Math.Min(values.Length, _values.Length);
        for (var i = 0; i < count; i++) values[i] = GetValue(i);
        return count;
    }

    public override bool IsDBNull(int ordinal) => _values[ordinal] is null;
    public override int FieldCount => _values.Length;
    public override string GetName(int ordinal) => table.Columns[ordinal].Name;
    public override Type GetFieldType(int ordinal) => table.Columns[ordinal].ProviderType;
    public override string GetDataTypeName(int ordinal) => GetFieldType(ordinal).Name;

    public override int GetOrdinal(string name)
    {
        for (var i = 0; i < _values.Length; i++)
            if (string.Equals(table.Columns[i].Name, name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new IndexOutOfRangeException($"{table.Table} has no column {name}.");
    }

    public override object this[int ordinal] => GetValue(ordinal);
    public override object this[string name] => GetValue(GetOrdinal(name));
    public override bool GetBoolean(int ordinal) => (bool)GetValue(ordinal);
    public override byte GetByte(int ordinal) => (byte)GetValue(ordinal);
    public override char GetChar(int ordinal) => (char)GetValue(ordinal);
    public override DateTime GetDateTime(int ordinal) => (DateTime)GetValue(ordinal);
    public override decimal GetDecimal(int ordinal) => (decimal)GetValue(ordinal);
    public override double GetDouble(int ordinal) => (double)GetValue(ordinal);
    public override float GetFloat(int ordinal) => (float)GetValue(ordinal);
    public override Guid GetGuid(int ordinal) => (Guid)GetValue(ordinal);
    public override short GetInt16(int ordinal) => (short)GetValue(ordinal);
    public override int GetInt32(int ordinal) => (int)GetValue(ordinal);
    public override long GetInt64(int ordinal) => (long)GetValue(ordinal);
    public override string GetString(int ordinal) => (string)GetValue(ordinal);
    public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();
    public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => throw new NotSupportedException();
    public override bool NextResult() => false;
    public override int Depth => 0;
    public override bool HasRows => true;
    public override bool IsClosed => _closed;
    public override int RecordsAffected => -1;
    public override IEnumerator GetEnumerator() => new DbEnumerator(this);

    public override void Close() => _closed = true;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _closed = true;
            _rows.Dispose();
        }
        base.Dispose(disposing);
    }
}
