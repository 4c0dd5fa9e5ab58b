using System.Diagnostics;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// Runs against a real SQL Server (<see cref="SqlServerInstance"/>): the one AGENTWORKSPACE_SQLSERVER names
/// (a login that may create and drop databases), else a container when a Docker engine answers. Reported as
/// skipped, with the reason, when there is neither.
/// </summary>
public class SqlServerLiveTests(ITestOutputHelper output)
{
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    [Fact]
    public async Task TheMigrationsApply_TheDemoSeedsThroughSqlBulkCopyAsOnSqlite_AndConcurrencyIsChecked()
    {
        var server = await SqlServerInstance.RequireAsync();
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 24, 9, 0, 0, TimeSpan.Zero));
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("SqlServer", SqlServerInstance.NewDatabase(server, "aw_live_"), Path.GetTempPath()));
        try
        {
            await DatabaseStartup.MigrateAsync(factory);
            await new ReferenceData(factory, clock).EnsureDemoReferenceDataAsync();
            var result = new DemoDataSeeder(factory, clock).SeedCards(new DemoSeedOptions(50), []);
            result.Cards.ShouldBe(50);

            await using (var db = factory.CreateDbContext())
            {
                BulkInserter.PathFor(db).ShouldBe(BulkPath.SqlBulkCopy);
                (await db.Identities.CountAsync()).ShouldBe(result.Identities);
                (await db.Cases.CountAsync()).ShouldBe(result.Cases);
                (await db.Messages.CountAsync()).ShouldBe(result.Messages);
                // KeepIdentity: the seeder's own ids.
                (await db.Cards.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync()).ShouldBe(Enumerable.Range(1, 50).Select(i => (long)i));
                // CheckConstraints: the foreign keys were checked while loading and are still trusted.
                (await db.Database.SqlQueryRaw<int>("SELECT COUNT(*) AS [Value] FROM sys.foreign_keys WHERE is_not_trusted = 1").SingleAsync()).ShouldBe(0);
                // The identity goes on after the ids the bulk load wrote.
                var card = new CustomerCard(new CardProfile { FirstName = "Après" }, "FR", clock.GetUtcNow());
                db.Cards.Add(card);
                await db.SaveChangesAsync();
                card.Id.ShouldBe(51);
            }

            // The same seed on SQLite's prepared inserts: the same rows, value for value.
            await using (var sqlite = await SqliteDatabaseAsync())
            {
                await new ReferenceData(sqlite.Factory, clock).EnsureDemoReferenceDataAsync();
                new DemoDataSeeder(sqlite.Factory, clock).SeedCards(new DemoSeedOptions(50), []);
                await using var a = factory.CreateDbContext();
                await using var b = sqlite.Factory.CreateDbContext();
                (await CardsOf(a)).ShouldBe(await CardsOf(b));
                (await MessagesOf(a)).ShouldBe(await MessagesOf(b));
                (await CasesOf(a)).ShouldBe(await CasesOf(b));
            }

            // A second seed adds to the first: ids go on past the rows already there.
            new DemoDataSeeder(factory, clock).SeedCards(new DemoSeedOptions(10, DemoProfile.Benchmark), []).Cards.ShouldBe(10);
            await using (var db = factory.CreateDbContext())
                (await db.Cards.MaxAsync(c => c.Id)).ShouldBe(61);

            await using var first = factory.CreateDbContext();
            await using var second = factory.CreateDbContext();
            var a1 = await first.Cards.SingleAsync(c => c.Id == 1);
            var b1 = await second.Cards.SingleAsync(c => c.Id == 1);
            a1.UpdateProfile(a1.Profile with { City = "Lyon" }, "FR", DateTimeOffset.UtcNow);
            b1.UpdateProfile(b1.Profile with { City = "Nantes" }, "FR", DateTimeOffset.UtcNow);
            await first.SaveChangesAsync();
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        }
        finally
        {
            await using (var db = factory.CreateDbContext()) await db.Database.EnsureDeletedAsync();
            factory.Dispose();
        }

        static async Task<List<string>> CardsOf(AgentWorkspaceDbContext db) => (await db.Cards.OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.FirstName, c.LastName, c.Company, c.City, c.MobilePhone, c.PrimaryEmail, c.Tags, c.PositiveCount, c.NegativeCount, c.CreatedAt, c.LastContactAt }).ToListAsync())
            .Select(c => $"{c.Id}|{c.FirstName}|{c.LastName}|{c.Company}|{c.City}|{c.MobilePhone}|{c.PrimaryEmail}|{c.Tags}|{c.PositiveCount}|{c.NegativeCount}|{c.CreatedAt.UtcTicks}|{c.LastContactAt?.UtcTicks}").ToList();
        static async Task<List<string>> MessagesOf(AgentWorkspaceDbContext db) => (await db.Messages.OrderBy(m => m.Id)
            .Select(m => new { m.Id, m.CaseId, m.CardId, m.Channel, m.Kind, m.Direction, m.ExternalId, m.Text, m.SanitizedHtml, m.ParentMessageId, m.SentAt, m.AttachmentCount }).ToListAsync())
            .Select(m => $"{m.Id}|{m.CaseId}|{m.CardId}|{m.Channel}|{m.Kind}|{m.Direction}|{m.ExternalId}|{m.Text}|{m.SanitizedHtml}|{m.ParentMessageId}|{m.SentAt.UtcTicks}|{m.AttachmentCount}").ToList();
        static async Task<List<string>> CasesOf(AgentWorkspaceDbContext db) => (await db.Cases.OrderBy(c => c.Id)
            .Select(c => new { c.Id, c.CardId, c.Channel, c.QueueId, c.Status, c.Priority, c.AssignedAgentId, c.Title, c.CreatedAt, c.LastMessageAt, c.FirstResponseAt, c.ResolvedAt, c.UnreadCount }).ToListAsync())
            .Select(c => $"{c.Id}|{c.CardId}|{c.Channel}|{c.QueueId}|{c.Status}|{c.Priority}|{c.AssignedAgentId}|{c.Title}|{c.CreatedAt.UtcTicks}|{c.LastMessageAt.UtcTicks}|{c.FirstResponseAt?.UtcTicks}|{c.ResolvedAt?.UtcTicks}|{c.UnreadCount}").ToList();
    }

    /// <summary>A SQLite database whatever the run's provider (TestDatabase follows it).</summary>
    private static async Task<SqliteFile> SqliteDatabaseAsync()
    {
        var file = TestDatabase.NewFilePath();
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Path.GetTempPath()));
        await DatabaseStartup.MigrateAsync(factory);
        return new SqliteFile(factory, file);
    }

    private sealed class SqliteFile(AgentWorkspaceDbContextFactory factory, string file) : IAsyncDisposable
    {
        public AgentWorkspaceDbContextFactory Factory => factory;

        public ValueTask DisposeAsync()
        {
            factory.Dispose();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The service-level tests (trait Category=Service: every Core service over a real database) run again, in a
    /// process of their own, each on a fresh SQL Server database (<see cref="TestDatabase"/>), and must all pass.
    /// </summary>
    [Fact]
    public async Task TheServiceTestsPassOnSqlServer()
    {
        var server = await SqlServerInstance.RequireAsync();
        var (exitCode, text) = await RunServiceTestsAsync(server, TestContext.Current.CancellationToken);
        output.WriteLine(text.Length > 20_000 ? "…" + text[^20_000..] : text);
        var summary = Regex.Match(text, @"Total: (?<total>\d+), Errors: (?<errors>\d+), Failed: (?<failed>\d+), Skipped: (?<skipped>\d+)");
        summary.Success.ShouldBeTrue("the child run printed no summary");
        int Count(string name) => int.Parse(summary.Groups[name].Value, System.Globalization.CultureInfo.InvariantCulture);
        (Count("errors"), Count("failed")).ShouldBe((0, 0), "service tests failed on SQL Server: see the output");
        exitCode.ShouldBe(0);
        (Count("total") - Count("skipped")).ShouldBeGreaterThan(80, "the service tests did not run");
    }

    /// <summary>Runs this test assembly's Category=Service tests in a child process with the given run provider and server.</summary>
    internal static async Task<(int ExitCode, string Output)> RunServiceTestsAsync(string? sqlServer, CancellationToken ct)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { typeof(SqlServerLiveTests).Assembly.Location, "-trait", "Category=Service", "-noColor" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (sqlServer is not null)
        {
            start.Environment[TestDatabase.ProviderVariable] = nameof(DatabaseProvider.SqlServer);
            start.Environment[SqlServerInstance.Variable] = sqlServer;
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromMinutes(30));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        return (process.ExitCode, await stdout + await stderr);
    }
}
