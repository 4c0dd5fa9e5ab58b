using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>Runs <see cref="ServiceQueryDriver"/> once, recording every query the services compile and every raw SQL command.</summary>
public sealed class ServiceQueriesFixture : IAsyncLifetime
{
    public QueryRecorder Queries { get; } = new();
    public RawSqlRecorder RawSql { get; } = new();
    public IReadOnlySet<string> Called { get; private set; } = new HashSet<string>();

    public async ValueTask InitializeAsync()
    {
        await using var driver = await ServiceQueryDriver.CreateAsync(Queries, RawSql);
        await driver.RunAsync();
        Called = driver.Called;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// SQL Server proven without a server: every LINQ query the Core services issue (compiled queries
/// included) is recorded on SQLite and compiled again by the SQL Server provider, which fails on any
/// query it cannot translate; and raw SQL is only ever SQLite's own, on SQLite paths.
/// </summary>
public class SqlServerTranslationTests(ServiceQueriesFixture run, ITestOutputHelper output) : IClassFixture<ServiceQueriesFixture>
{
    [Fact]
    public void TheDriverCallsEveryPublicMethodOfEveryService()
    {
        var methods = ServiceQueryDriver.ServiceMethods();
        methods.Count.ShouldBeGreaterThan(80, "the service types were not found");
        methods.Where(m => !run.Called.Contains(m)).ShouldBeEmpty("call the new service methods in ServiceQueryDriver.RunAsync, so that their queries are checked on SQL Server");
    }

    [Fact]
    public void EveryQueryTheServicesIssueTranslatesOnSqlServer()
    {
        var queries = run.Queries.Queries;
        using var check = new SqlServerQueryCheck();
        var failures = check.FailuresOn(queries);
        output.WriteLine($"{queries.Count} distinct queries recorded, {failures.Count} not translated by SQL Server.");
        foreach (var origin in queries.GroupBy(q => q.Origin.Split(' ')[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
            output.WriteLine($"  {origin.Key}: {origin.Count()}");
        // The driver makes the services issue over 200 distinct queries: a recorder that saw nothing fails here, not silently green.
        queries.Count.ShouldBeGreaterThan(150);
        queries.ShouldContain(q => q.Printed.Contains(".ExecuteUpdate(", StringComparison.Ordinal));
        queries.ShouldContain(q => q.Printed.Contains(".ExecuteDelete()", StringComparison.Ordinal));
        failures.ShouldBeEmpty(string.Join("\n\n", failures));
    }

    [Fact]
    public void EveryCompiledQueryOfCoreTranslatesOnSqlServer()
    {
        // Compiled queries (EF.CompileAsyncQuery) compile once per process, maybe before the driver runs: they are
        // found where Core keeps them, in static fields, and compiled again for SQL Server from the same lambda.
        var core = typeof(AgentWorkspaceDbContext).Assembly;
        var compiled = CompiledQueries.In(core);
        output.WriteLine(string.Join("\n", compiled));
        compiled.Select(q => q.Name).ShouldBe(CompiledQueries.DelegatesOverAContext(core), "every static delegate over a context is a compiled query found here");
        compiled.Count.ShouldBeGreaterThanOrEqualTo(16);
        compiled.ShouldContain(q => q.Name.StartsWith("InboxQueries.", StringComparison.Ordinal));
        using var check = new SqlServerQueryCheck();
        var failures = check.FailuresOn(compiled);
        failures.ShouldBeEmpty(string.Join("\n\n", failures));
    }

    [Fact]
    public async Task AQuerySqliteRunsButSqlServerCannotTranslateIsCaught()
    {
        // The same recorder and checks as above, on queries SQLite translates and runs (GLOB is SQLite's own): one
        // LINQ query, one compiled query. If the checks let them through, the tests over the services would prove nothing.
        var recorder = new QueryRecorder();
        await using var test = await TestDatabase.CreateAsync();
        var recording = new RecordingDbContextFactory(test, recorder);
        await using (var db = recording.CreateDbContext())
        {
            db.Cards.Add(new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = "Martin" }, "FR", DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
            (await db.Cards.Where(c => EF.Functions.Glob(c.SearchName, "zo*")).CountAsync()).ShouldBe(1);
        }
        await using (var db = test.Factory.CreateDbContext())
            (await ToListAsync(GlobCompiled(db, "*martin"))).Count.ShouldBe(1);

        using var check = new SqlServerQueryCheck();
        var linq = check.FailuresOn(recorder.Queries);
        linq.Count.ShouldBe(1);
        linq[0].Error.ShouldContain("could not be translated");
        linq[0].Error.ShouldContain("Glob");
        var compiled = CompiledQueries.In(typeof(SqlServerTranslationTests));
        compiled.Select(q => q.Name).ShouldBe([$"{nameof(SqlServerTranslationTests)}.{nameof(GlobCompiled)}"]);
        var failure = check.Check(compiled[0]);
        failure.ShouldNotBeNull();
        failure.ShouldContain("could not be translated");
        // A fresh compiled query was checked; the one the code holds still runs on SQLite.
        await using (var db = test.Factory.CreateDbContext())
            (await ToListAsync(GlobCompiled(db, "*mar*"))).Count.ShouldBe(1);
    }

    private static readonly Func<AgentWorkspaceDbContext, string, IAsyncEnumerable<long>> GlobCompiled =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string pattern) => db.Cards.Where(c => EF.Functions.Glob(c.SearchName, pattern)).Select(c => c.Id));

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source) list.Add(item);
        return list;
    }

    [Fact]
    public async Task AQueryCompiledEarlierInThisProcessIsStillRecorded()
    {
        var admin = new Actor("a", "Admin", Role.Admin);
        // Compiled first on the test database's own contexts, as the other tests of the run do...
        await using var test = await TestDatabase.CreateAsync();
        var card = await SeedOneCardAsync(test);
        await CardsOf(test.Factory).GetCasesAsync(admin, card);
        await CardsOf(test.Factory).GetFirstViewAsync(admin, card);
        // ...then recorded all the same: the recording contexts compile into a query cache of their own, and share the
        // model, so the compiled queries the service also uses (compiled above) run on them.
        var recorder = new QueryRecorder();
        var recording = new RecordingDbContextFactory(test, recorder);
        await CardsOf(recording).GetCasesAsync(admin, card);
        (await CardsOf(recording).GetFirstViewAsync(admin, card)).Id.ShouldBe(card);
        recorder.Queries.ShouldContain(q => q.Origin.StartsWith("CardReads.CasesAsync", StringComparison.Ordinal) && q.Printed.Contains("DbSet<Case>()", StringComparison.Ordinal));
    }

    private static CardReads CardsOf(IDbContextFactory<AgentWorkspaceDbContext> factory) => new(factory, new InProcessChangeFeed(), TimeProvider.System);

    private static async Task<long> SeedOneCardAsync(TestDatabase test)
    {
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        await using var db = test.Factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = "Zoé" }, "FR", DateTimeOffset.UtcNow);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        return card.Id;
    }

    [Fact]
    public void TheOnlyRawSqlTheServicesSendIsSqlitesOwn()
    {
        // Commands EF Core sent as raw SQL (ExecuteSql*, FromSql*, SqlQuery*) while the driver called every service method.
        var raw = run.RawSql.Commands;
        output.WriteLine(string.Join("\n", raw));
        raw.ShouldNotBeEmpty("PrivacyService.AnonymizeAsync runs PRAGMAs on SQLite: the recorder saw nothing");
        raw.ShouldAllBe(sql => sql.StartsWith("PRAGMA ", StringComparison.Ordinal));
    }

    /// <summary>
    /// Every place in Core outside the SQLite-only folder (Persistence/Sqlite) and the migrations that hands SQL
    /// text to the database, and why it never reaches SQL Server or is T-SQL. A new one fails the test until it is
    /// reviewed and listed here.
    /// </summary>
    private static readonly (string File, string Fragment, string Why)[] RawSqlSites =
    [
        ("Persistence/DatabaseStartup.cs", "PRAGMA journal_mode=WAL", "inside `if (options.Provider == DatabaseProvider.Sqlite)`"),
        ("Persistence/DatabaseStartup.cs", "FROM sqlite_master WHERE type = 'table' AND name = '__EFMigrationsLock'", "CheckSqliteMigrationLockAsync, called only when the provider is SQLite, on a SqliteConnection"),
        ("Persistence/DatabaseStartup.cs", "SELECT \\\"Timestamp\\\" FROM \\\"__EFMigrationsLock\\\"", "CheckSqliteMigrationLockAsync, called only when the provider is SQLite, on a SqliteConnection"),
        ("Persistence/BulkInserter.cs", "INSERT INTO {_table}", "the prepared row insert of SQLite seeding; plain INSERT with the provider's delimiters, valid T-SQL too"),
        ("Persistence/BulkInserter.cs", "c.CommandText = sql", "SET IDENTITY_INSERT (T-SQL) around the row insert when used on SQL Server"),
        ("Features/Privacy/PrivacyService.cs", "if (isSqlite) await db.Database.ExecuteSqlRawAsync(\"PRAGMA secure_delete=ON;\"", "guarded by isSqlite on the line"),
        ("Features/Demo/DemoDataSeeder.cs", "sqlite ? SqlitePragmas.Current(", "guarded by `sqlite` on the line"),
        ("Features/Demo/DemoDataSeeder.cs", "if (sqlite) SqlitePragmas.Execute(", "guarded by `sqlite` on the line"),
        ("Features/Demo/DemoDataSeeder.cs", "foreach (var create in deferred) SqlitePragmas.Execute(", "`deferred` is empty unless `sqlite` (DropIndexes is only called then)"),
        ("Features/Demo/DemoDataSeeder.cs", "if (restore is not null) SqlitePragmas.Execute(", "`restore` is null unless `sqlite`"),
        ("Features/Demo/DemoDataSeeder.cs", "FROM sqlite_master", "in DropIndexes, called only when `sqlite`"),
        ("Features/Demo/DemoDataSeeder.cs", "SqlitePragmas.Execute(connection, $\"DROP INDEX", "in DropIndexes, called only when `sqlite`"),
        ("Features/Matching/AutoMergeService.cs", "cmd.CommandText = sql", "the auto-merge preview's key groups (ADR 023): portable SQL (UNION ALL, DISTINCT, COUNT(*) OVER (PARTITION BY), LOWER, TRIM, @-parameters), valid T-SQL (SQL Server 2017+) as well as SQLite"),
        ("Features/Ingest/IngestStore.cs", "rows.First<", "the SQLite group writer's kept statements: batch.Rows is set only by the group commit, which runs only on SQLite"),
    ];

    [Fact]
    public void EveryPlaceInCoreThatWritesSqlTextIsReviewed()
    {
        var core = Path.Combine(RepositoryRoot(), "AgentWorkspace.Core");
        var api = new Regex(@"ExecuteSql|FromSql|SqlQuery|\.CommandText\s*=|SqlitePragmas\.|rows\.First<", RegexOptions.CultureInvariant);
        var hits = Directory.EnumerateFiles(core, "*.cs", SearchOption.AllDirectories)
            .Select(f => (File: Path.GetRelativePath(core, f).Replace('\\', '/'), Path: f))
            .Where(f => !f.File.StartsWith("Persistence/Migrations/", StringComparison.Ordinal) && !f.File.StartsWith("Persistence/Sqlite/", StringComparison.Ordinal)
                        && !f.File.StartsWith("obj/", StringComparison.Ordinal) && !f.File.StartsWith("bin/", StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f.Path).Select((line, i) => (f.File, Line: i + 1, Text: line.Trim())))
            .Where(l => api.IsMatch(l.Text) && !l.Text.StartsWith("//", StringComparison.Ordinal) && !l.Text.StartsWith("///", StringComparison.Ordinal))
            .ToList();
        foreach (var hit in hits) output.WriteLine($"{hit.File}:{hit.Line}: {hit.Text}");

        var unreviewed = hits.Where(h => !RawSqlSites.Any(s => s.File == h.File && h.Text.Contains(s.Fragment, StringComparison.Ordinal))).ToList();
        unreviewed.Select(h => $"{h.File}:{h.Line}: {h.Text}").ShouldBeEmpty("SQL text that may reach SQL Server: make it SQLite-only (and say why in RawSqlSites) or check it is T-SQL");
        RawSqlSites.Where(s => !hits.Any(h => h.File == s.File && h.Text.Contains(s.Fragment, StringComparison.Ordinal)))
            .Select(s => $"{s.File}: {s.Fragment}").ShouldBeEmpty("gone from the code: remove it from RawSqlSites");
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln"))) return dir.FullName;
        throw new InvalidOperationException("AgentWorkspace.sln not found above " + AppContext.BaseDirectory);
    }
}
