using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// Every table's row count and a checksum of its content, to prove that a call changed nothing. The tables are the EF
/// model's (so a table added later is covered by itself), plus on SQLite any other table of the file (one created by
/// raw SQL in a migration). A row's checksum covers every column; the table's is independent of row order.
/// </summary>
public sealed class DatabaseSnapshot
{
    public sealed record TableState(long Rows, string Checksum);

    public IReadOnlyDictionary<string, TableState> Tables { get; }

    private DatabaseSnapshot(IReadOnlyDictionary<string, TableState> tables) => Tables = tables;

    /// <summary>The tables of the EF model (schema-qualified where they have a schema).</summary>
    public static IReadOnlyList<(string Name, string? Schema)> ModelTables(AgentWorkspaceDbContext db) =>
        db.Model.GetEntityTypes()
            .Select(e => (Name: e.GetTableName(), Schema: e.GetSchema()))
            .Where(t => t.Name is not null)
            .Select(t => (t.Name!, t.Schema))
            .Distinct()
            .OrderBy(t => t.Item1, StringComparer.Ordinal)
            .ToList();

    public static async Task<DatabaseSnapshot> TakeAsync(AgentWorkspaceDbContextFactory factory, CancellationToken ct = default)
    {
        await using var db = factory.CreateDbContext();
        var sql = db.GetService<ISqlGenerationHelper>();
        var tables = ModelTables(db).ToList();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        if (db.Database.IsSqlite())
        {
            await using var list = connection.CreateCommand();
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'";
            await using var reader = await list.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var name = reader.GetString(0);
                if (!tables.Any(t => t.Name == name)) tables.Add((name, null));
            }
        }

        var states = new Dictionary<string, TableState>(StringComparer.Ordinal);
        foreach (var (name, schema) in tables)
            states[schema is null ? name : $"{schema}.{name}"] = await ReadAsync(connection, sql.DelimitIdentifier(name, schema), ct);
        return new DatabaseSnapshot(states);
    }

    private static async Task<TableState> ReadAsync(DbConnection connection, string table, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT * FROM {table}";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<string>();
        var text = new StringBuilder();
        while (await reader.ReadAsync(ct))
        {
            text.Clear();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                text.Append(reader.GetName(i)).Append('=');
                var value = reader.GetValue(i);
                text.Append(value switch
                {
                    DBNull => "∅",
                    byte[] bytes => Convert.ToHexString(bytes),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                }).Append('\u001f');
            }
            rows.Add(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))));
        }
        rows.Sort(StringComparer.Ordinal);
        return new TableState(rows.Count, Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(string.Concat(rows))))[..16]);
    }

    /// <summary>What differs from <paramref name="before"/>, one line per table ("Cards: 12 → 13 rows", "Cards: content changed"); empty when nothing did.</summary>
    public IReadOnlyList<string> ChangesSince(DatabaseSnapshot before)
    {
        var changes = new List<string>();
        foreach (var (table, now) in Tables)
        {
            if (!before.Tables.TryGetValue(table, out var then)) changes.Add($"{table}: appeared");
            else if (then.Rows != now.Rows) changes.Add($"{table}: {then.Rows} → {now.Rows} rows");
            else if (then.Checksum != now.Checksum) changes.Add($"{table}: content changed ({now.Rows} rows)");
        }
        changes.AddRange(before.Tables.Keys.Where(t => !Tables.ContainsKey(t)).Select(t => $"{t}: disappeared"));
        return changes;
    }
}
