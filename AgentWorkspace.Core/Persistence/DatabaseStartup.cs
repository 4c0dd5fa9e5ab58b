using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Persistence;

/// <summary>Applies the provider's migrations at start, turning the usual failures into one clear line.</summary>
public static class DatabaseStartup
{
    /// <summary>A migration lock this old was left by a process stopped while it migrated, not by one migrating now.</summary>
    public static readonly TimeSpan StaleMigrationLock = TimeSpan.FromMinutes(30);

    /// <summary>
    /// EF Core's SQLite migrations take a lock row and wait for it without end: a process stopped while migrating (Ctrl+C
    /// during the first start) left one, and the next start would hang at "initializing" without a word. Say so instead.
    /// </summary>
    private static async Task CheckSqliteMigrationLockAsync(string connectionString, string where, TextWriter? output, CancellationToken ct)
    {
        // A connection of its own, outside the pool: the check must leave nothing behind for the application's connections.
        var unpooled = new SqliteConnectionStringBuilder(connectionString) { Pooling = false }.ToString();
        await using var connection = new SqliteConnection(unpooled);
        await connection.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture) == 0) return;
        command.CommandText = "SELECT \"Timestamp\" FROM \"__EFMigrationsLock\"";
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var text = reader.IsDBNull(0) ? null : reader.GetValue(0).ToString();
            if (!DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var taken)) continue;
            if (DateTimeOffset.UtcNow - taken < StaleMigrationLock)
            {
                // Another process may be migrating this file now (two servers starting together): wait for it, but say so.
                output?.WriteLine($"Waiting for the migration lock of {where}, taken at {taken:u} by another process. If none is running " +
                    "(one was stopped while it migrated), stop this one and remove the lock with DELETE FROM \"__EFMigrationsLock\"; (sqlite3).");
                continue;
            }
            throw new StartupException($"The SQLite database {where} holds a migration lock taken at {taken:u} by a process that did not finish " +
                "(stopped while it migrated). If no other AgentWorkspace process uses this file, remove the lock with " +
                "DELETE FROM \"__EFMigrationsLock\"; (sqlite3) and start again.");
        }
    }

    /// <param name="output">Where a start that must wait says so (the console at the application's start).</param>
    public static async Task MigrateAsync(AgentWorkspaceDbContextFactory factory, CancellationToken ct = default, TextWriter? output = null)
    {
        var options = factory.Options;
        var where = Describe(options);
        try
        {
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                CheckSqliteFile(options.ConnectionString);
                await CheckSqliteMigrationLockAsync(options.ConnectionString, where, output, ct);
            }
            await using var db = factory.CreateDbContext();
            await db.Database.MigrateAsync(ct);
            if (options.Provider == DatabaseProvider.Sqlite)
            {
                // WAL lets readers work while ingest writes; it is a property of the file and persists.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
            }
        }
        catch (StartupException) { throw; }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 26 /*NOTADB*/ or 11 /*CORRUPT*/)
        {
            throw new StartupException($"The SQLite file {where} is not a valid database (corrupt or another format): move it away or fix ConnectionStrings:AgentWorkspace.", ex);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode is 8 /*READONLY*/ or 14 /*CANTOPEN*/ or 23 /*AUTH*/)
        {
            throw new StartupException($"The SQLite file {where} cannot be written (read-only or not reachable): fix its permissions or ConnectionStrings:AgentWorkspace.", ex);
        }
        catch (SqliteException ex)
        {
            throw new StartupException($"The SQLite database {where} failed to open ({ex.SqliteErrorCode}: {ex.Message.Split('\n')[0]}): check ConnectionStrings:AgentWorkspace.", ex);
        }
        catch (Exception ex) when (options.Provider == DatabaseProvider.SqlServer && ex is Microsoft.Data.SqlClient.SqlException or InvalidOperationException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            throw new StartupException($"SQL Server {where} is unreachable or refused the connection ({ex.GetBaseException().Message.Split('\n')[0]}): check ConnectionStrings:AgentWorkspace.", ex);
        }
    }

    private static void CheckSqliteFile(string connectionString)
    {
        var file = new SqliteConnectionStringBuilder(connectionString).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:" || !File.Exists(file)) return;
        var info = new FileInfo(file);
        if (info.IsReadOnly)
            throw new StartupException($"The SQLite file {file} is read-only: make it writable or point ConnectionStrings:AgentWorkspace elsewhere.");
        if (info.Length > 0)
        {
            Span<byte> header = stackalloc byte[16];
            using var stream = File.OpenRead(file);
            var read = stream.Read(header);
            if (read < 16 || !header[..15].SequenceEqual("SQLite format 3"u8))
                throw new StartupException($"The SQLite file {file} is not a SQLite database (corrupt or another format): move it away or fix ConnectionStrings:AgentWorkspace.");
        }
    }

    public static string Describe(DatabaseOptions options)
    {
        if (options.Provider == DatabaseProvider.Sqlite) return new SqliteConnectionStringBuilder(options.ConnectionString).DataSource;
        var b = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(options.ConnectionString);
        return $"'{b.DataSource}/{b.InitialCatalog}'";
    }
}
