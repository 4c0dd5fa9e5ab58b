using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Persistence;

/// <summary>Applies the provider's migrations at start, turning the usual failures into one clear line.</summary>
public static class DatabaseStartup
{
    public static async Task MigrateAsync(AgentWorkspaceDbContextFactory factory, CancellationToken ct = default)
    {
        var options = factory.Options;
        var where = Describe(options);
        try
        {
            if (options.Provider == DatabaseProvider.Sqlite) CheckSqliteFile(options.ConnectionString);
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
