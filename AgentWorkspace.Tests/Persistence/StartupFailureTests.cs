using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Persistence;

public class StartupFailureTests
{
    [Fact]
    public void AnUnknownProviderNamesTheKeyToFix()
    {
        var ex = Should.Throw<StartupException>(() => DatabaseOptions.From("Oracle", null, Path.GetTempPath()));
        ex.Message.ShouldContain("Database:Provider");
        ex.Message.ShouldContain("Sqlite");
    }

    [Fact]
    public void SqlServerWithoutAConnectionStringNamesTheKey() =>
        Should.Throw<StartupException>(() => DatabaseOptions.From("SqlServer", "", Path.GetTempPath())).Message.ShouldContain("ConnectionStrings:AgentWorkspace");

    [Fact]
    public async Task ACorruptSqliteFileNamesTheFile()
    {
        var file = TestDatabase.NewFilePath();
        await File.WriteAllTextAsync(file, "this is not a database, just some text that happens to be long enough");
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Path.GetTempPath()));
        var ex = await Should.ThrowAsync<StartupException>(() => DatabaseStartup.MigrateAsync(factory));
        ex.Message.ShouldContain(file);
        ex.Message.ShouldContain("not a SQLite database");
    }

    [Fact]
    public async Task AReadOnlySqliteFileNamesTheFile()
    {
        await using var test = await TestDatabase.CreateAsync();
        File.SetAttributes(test.FilePath, FileAttributes.ReadOnly);
        try
        {
            var ex = await Should.ThrowAsync<StartupException>(() => DatabaseStartup.MigrateAsync(test.Factory));
            ex.Message.ShouldContain(test.FilePath);
            ex.Message.ShouldContain("read-only");
        }
        finally
        {
            File.SetAttributes(test.FilePath, FileAttributes.Normal);
        }
    }

    /// <summary>The lock row EF Core's SQLite migrations take (its table as EF Core creates it), taken at <paramref name="at"/>.</summary>
    private static async Task TakeMigrationLockAsync(Microsoft.Data.Sqlite.SqliteConnection connection, DateTimeOffset at)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS \"__EFMigrationsLock\" (\"Id\" INTEGER NOT NULL PRIMARY KEY, \"Timestamp\" TEXT NOT NULL); " +
            "INSERT INTO \"__EFMigrationsLock\" VALUES (1, $at);";
        command.Parameters.AddWithValue("$at", at.ToString("o", System.Globalization.CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task AMigrationLockLeftByAStoppedProcessIsNamedWithItsRemedy_NotWaitedForWithoutEnd()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={test.FilePath}"))
        {
            await connection.OpenAsync();
            await TakeMigrationLockAsync(connection, DateTimeOffset.UtcNow.AddHours(-8));
        }
        var migrating = DatabaseStartup.MigrateAsync(test.Factory);
        (await Task.WhenAny(migrating, Task.Delay(TimeSpan.FromMinutes(2)))).ShouldBe(migrating, "the start must not wait for the lock without end");
        var ex = await Should.ThrowAsync<StartupException>(() => migrating);
        ex.Message.ShouldContain(test.FilePath);
        ex.Message.ShouldContain("DELETE FROM \"__EFMigrationsLock\"");
    }

    [Fact]
    public async Task AFreshMigrationLockIsWaitedFor_AndTheWaitIsSaidWithItsRemedy()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={test.FilePath};Pooling=False");
        await connection.OpenAsync();
        await TakeMigrationLockAsync(connection, DateTimeOffset.UtcNow.AddMinutes(-1));
        var output = new StringWriter();
        var migrating = DatabaseStartup.MigrateAsync(test.Factory, output: output);

        // Another process may be migrating: the start waits, and says for what and what to do if nobody is.
        await Task.Delay(TimeSpan.FromSeconds(2));
        migrating.IsCompleted.ShouldBeFalse("a lock a minute old may belong to a process migrating now: it is waited for");
        output.ToString().ShouldContain("Waiting for the migration lock of " + test.FilePath);
        output.ToString().ShouldContain("DELETE FROM \"__EFMigrationsLock\"");

        // The other process finishes: the start goes on.
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM \"__EFMigrationsLock\"";
            await command.ExecuteNonQueryAsync();
        }
        (await Task.WhenAny(migrating, Task.Delay(TimeSpan.FromMinutes(2)))).ShouldBe(migrating, "the lock is gone: the migration goes on");
        await migrating;
    }

    [Fact]
    public async Task AnUnreachableSqlServerNamesTheKey()
    {
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("SqlServer",
            "Server=tcp:127.0.0.1,1;Database=aw;User Id=sa;Password=x;Connect Timeout=2;TrustServerCertificate=True", Path.GetTempPath()));
        var ex = await Should.ThrowAsync<StartupException>(() => DatabaseStartup.MigrateAsync(factory));
        ex.Message.ShouldContain("ConnectionStrings:AgentWorkspace");
    }
}
