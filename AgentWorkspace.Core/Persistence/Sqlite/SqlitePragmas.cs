using System.Data.Common;
using System.Globalization;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Statements without rows and PRAGMA settings on an open connection: code that borrows a kept connection
/// (ADR 005) and changes its settings reads them first and puts them back with <see cref="Current"/>.
/// </summary>
internal static class SqlitePragmas
{
    public static void Execute(DbConnection connection, string sql, int? timeoutSeconds = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (timeoutSeconds is { } t) command.CommandTimeout = t;
        command.ExecuteNonQuery();
    }

    /// <summary>The value of one PRAGMA (its first column), as text.</summary>
    public static string? Read(DbConnection connection, string name)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA " + name;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The statement that sets the named (numeric) PRAGMAs back to their current values.</summary>
    public static string Current(DbConnection connection, params string[] names)
    {
        var sql = new System.Text.StringBuilder();
        foreach (var name in names)
            sql.Append(CultureInfo.InvariantCulture, $"PRAGMA {name}={long.Parse(Read(connection, name)!, CultureInfo.InvariantCulture)}; ");
        return sql.ToString();
    }
}
