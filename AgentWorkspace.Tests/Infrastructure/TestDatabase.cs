using AgentWorkspace.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// A real database, fresh for each test. On SQLite (the default) a file copied from a template migrated
/// once per run, so every test starts from the real schema without paying for the migrations again.
/// With <c>AGENTWORKSPACE_TEST_PROVIDER=SqlServer</c> a database of its own on the SQL Server of
/// <see cref="SqlServerInstance"/>, created by the SQL Server migrations and dropped afterwards: the
/// service-level tests (trait Category=Service) run so, in a process of their own, from
/// <c>SqlServerLiveTests</c>; the other tests assume SQLite.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string ProviderVariable = "AGENTWORKSPACE_TEST_PROVIDER";

    /// <summary>The provider this run's test databases use.</summary>
    public static DatabaseProvider RunProvider { get; } =
        Enum.TryParse<DatabaseProvider>(Environment.GetEnvironmentVariable(ProviderVariable), ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;

    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "aw-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private readonly string? _file;

    /// <summary>The SQLite file (SQLite only: a test that needs it calls <see cref="RequireSqlite"/> first).</summary>
    public string FilePath => _file ?? throw new InvalidOperationException("This test database is on SQL Server: it has no file.");
    public string ConnectionString { get; }
    public DatabaseProvider Provider => Factory.Options.Provider;
    public AgentWorkspaceDbContextFactory Factory { get; }

    /// <summary>The use-case runner over this database, publishing on <paramref name="feed"/> (a fresh in-process feed by default).</summary>
    public AgentWorkspace.Core.UseCases.UseCaseRunner Runner(AgentWorkspace.Core.Realtime.IChangeFeed? feed = null) =>
        new(Factory, feed ?? new AgentWorkspace.Core.Realtime.InProcessChangeFeed(), TimeProvider.System);

    private TestDatabase(string? file, DatabaseOptions options)
    {
        _file = file;
        ConnectionString = options.Provider == DatabaseProvider.Sqlite ? $"Data Source={file}" : options.ConnectionString;
        Factory = new AgentWorkspaceDbContextFactory(options);
    }

    /// <param name="wal">The file in WAL mode, as the app's start-up leaves it (the template is copied in rollback-journal mode); nothing on SQL Server.</param>
    public static async Task<TestDatabase> CreateAsync(bool wal = false)
    {
        if (RunProvider == DatabaseProvider.SqlServer) return await CreateOnSqlServerAsync();
        var template = await Template.Value;
        var file = Path.Combine(Root, $"{Guid.NewGuid():N}.db");
        File.Copy(template, file);
        var database = new TestDatabase(file, DatabaseOptions.From("Sqlite", $"Data Source={file}", Root));
        if (wal)
        {
            await using var db = database.Factory.CreateDbContext();
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
        return database;
    }

    private static async Task<TestDatabase> CreateOnSqlServerAsync()
    {
        var (server, unavailable) = await SqlServerInstance.FindAsync();
        if (server is null) throw new InvalidOperationException($"{ProviderVariable}=SqlServer, but: {unavailable}");
        var database = new TestDatabase(null, DatabaseOptions.From("SqlServer", SqlServerInstance.NewDatabase(server), Root));
        try
        {
            await DatabaseStartup.MigrateAsync(database.Factory);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    /// <summary>Reports the calling test skipped when this run is on SQL Server: for tests of what only SQLite has (its file, its PRAGMAs, the group commit).</summary>
    public static void RequireSqlite(string what)
    {
        if (RunProvider != DatabaseProvider.Sqlite) Assert.Skip($"SQLite only ({what}); this run is on {RunProvider}.");
    }

    /// <summary>A path for a database file that does not exist yet (for start-up tests).</summary>
    public static string NewFilePath() { Directory.CreateDirectory(Root); return Path.Combine(Root, $"{Guid.NewGuid():N}.db"); }

    private static async Task<string> CreateTemplateAsync()
    {
        Directory.CreateDirectory(Root);
        var file = Path.Combine(Root, "template.db");
        if (File.Exists(file)) File.Delete(file);
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file};Pooling=false", Root));
        await DatabaseStartup.MigrateAsync(factory);
        using (factory)
        await using (var db = factory.CreateDbContext())
        {
            // One file, no WAL side files to copy.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=DELETE;");
        }
        SqliteConnection.ClearAllPools();
        return file;
    }

    public async ValueTask DisposeAsync()
    {
        if (Provider == DatabaseProvider.SqlServer)
        {
            try
            {
                await using var db = Factory.CreateDbContext();
                await db.Database.EnsureDeletedAsync();
            }
            finally
            {
                Factory.Dispose();
            }
            return;
        }
        Factory.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { FilePath, FilePath + "-wal", FilePath + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { /* still open elsewhere; the temp folder is per process */ }
        }
    }
}
