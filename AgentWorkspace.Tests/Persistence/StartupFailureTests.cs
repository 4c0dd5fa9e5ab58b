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

    [Fact]
    public async Task AnUnreachableSqlServerNamesTheKey()
    {
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("SqlServer",
            "Server=tcp:127.0.0.1,1;Database=aw;User Id=sa;Password=x;Connect Timeout=2;TrustServerCertificate=True", Path.GetTempPath()));
        var ex = await Should.ThrowAsync<StartupException>(() => DatabaseStartup.MigrateAsync(factory));
        ex.Message.ShouldContain("ConnectionStrings:AgentWorkspace");
    }
}
