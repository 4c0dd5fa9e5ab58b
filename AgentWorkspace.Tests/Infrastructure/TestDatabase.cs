using AgentWorkspace.Core.Persistence;
using Microsoft.Data.Sqlite;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// A real SQLite database file, fresh for each test: a copy of a template migrated once per run,
/// so every test starts from the real schema without paying for the migrations again.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private static readonly Lazy<Task<string>> Template = new(CreateTemplateAsync);
    private static readonly string Root = Path.Combine(Path.GetTempPath(), "aw-tests", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    public string FilePath { get; }
    public string ConnectionString { get; }
    public AgentWorkspaceDbContextFactory Factory { get; }

    /// <summary>The use-case runner over this database, publishing on <paramref name="feed"/> (a fresh in-process feed by default).</summary>
    public AgentWorkspace.Core.UseCases.UseCaseRunner Runner(AgentWorkspace.Core.Realtime.IChangeFeed? feed = null) =>
        new(Factory, feed ?? new AgentWorkspace.Core.Realtime.InProcessChangeFeed(), TimeProvider.System);

    private TestDatabase(string file)
    {
        FilePath = file;
        ConnectionString = $"Data Source={file}";
        Factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", ConnectionString, Root));
    }

    /// <param name="wal">The file in WAL mode, as the app's start-up leaves it (the template is copied in rollback-journal mode).</param>
    public static async Task<TestDatabase> CreateAsync(bool wal = false)
    {
        var template = await Template.Value;
        var file = Path.Combine(Root, $"{Guid.NewGuid():N}.db");
        File.Copy(template, file);
        var database = new TestDatabase(file);
        if (wal)
        {
            await using var db = database.Factory.CreateDbContext();
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "PRAGMA journal_mode=WAL;");
        }
        return database;
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
            await Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.ExecuteSqlRawAsync(db.Database, "PRAGMA journal_mode=DELETE;");
        }
        SqliteConnection.ClearAllPools();
        return file;
    }

    public ValueTask DisposeAsync()
    {
        Factory.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var f in new[] { FilePath, FilePath + "-wal", FilePath + "-shm" })
        {
            try { File.Delete(f); } catch (IOException) { /* still open elsewhere; the temp folder is per process */ }
        }
        return ValueTask.CompletedTask;
    }
}
