using AgentWorkspace.Core.Persistence.Sqlite;
using System.Collections.Concurrent;
using System.Data;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>The SQLite contexts keep their connection open across leases (docs/decisions/005) without leaking one operation's state into the next.</summary>
public class SqliteContextPoolTests
{
    private static CustomerCard Card(string firstName) => new(new CardProfile { FirstName = firstName }, "FR", DateTimeOffset.UtcNow);

    [Fact]
    public async Task ConsecutiveOperationsReuseOneConnectionThatStaysOpenAndKeepsEfCoreSqlFunctions()
    {
        await using var test = await TestDatabase.CreateAsync();
        System.Data.Common.DbConnection first;
        await using (var db = test.Factory.CreateDbContext())
        {
            first = db.Database.GetDbConnection();
            db.Cards.Add(Card("Zoé"));
            await db.SaveChangesAsync();
        }
        first.State.ShouldBe(ConnectionState.Open);

        await using (var db = test.Factory.CreateDbContext())
        {
            db.Database.GetDbConnection().ShouldBeSameAs(first);
            // Regex.IsMatch is SQLite's regexp(), a function EF Core registers on the connection.
            (await db.Cards.CountAsync(c => Regex.IsMatch(c.FirstName!, "^Zo"))).ShouldBe(1);
            db.ChangeTracker.Entries().ShouldBeEmpty();
        }
        test.Factory.OpenConnections.ShouldBe(1);
    }

    [Fact]
    public async Task ATransactionLeftOpenIsRolledBackWhenTheContextReturns()
    {
        // The pool's own behaviour, below the use-case runner: transactions opened by hand, retries suspended.
        using var outsideRunner = Core.Persistence.Sqlite.SqliteRetryingExecutionStrategy.Suspend();
        await using var test = await TestDatabase.CreateAsync();
        await using (var db = test.Factory.CreateDbContext())
        {
            await db.Database.BeginTransactionAsync();
            db.Cards.Add(Card("Uncommitted"));
            await db.SaveChangesAsync();
        }

        await using (var db = test.Factory.CreateDbContext())
        {
            (await db.Cards.CountAsync()).ShouldBe(0);
            // The next operation can write: the rolled-back transaction holds no lock.
            await using var tx = await db.Database.BeginTransactionAsync();
            db.Cards.Add(Card("Committed"));
            await db.SaveChangesAsync();
            await tx.CommitAsync();
        }
        await using (var db = test.Factory.CreateDbContext())
            (await db.Cards.Select(c => c.FirstName).ToListAsync()).ShouldBe(["Committed"]);
    }

    [Fact]
    public async Task ATransactionBegunInRawSqlIsRolledBackWhenTheContextReturns()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using (var db = test.Factory.CreateDbContext())
        {
            await db.Database.ExecuteSqlRawAsync("BEGIN IMMEDIATE");
            db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Never;
            db.Cards.Add(Card("Half done"));
            await db.SaveChangesAsync();
        }

        await using (var db = test.Factory.CreateDbContext())
        {
            (await db.Cards.CountAsync()).ShouldBe(0);
            await using var tx = await db.Database.BeginTransactionAsync();
            tx.ShouldNotBeNull();
        }
        test.Factory.OpenConnections.ShouldBe(1);
    }

    [Fact]
    public async Task AConnectionClosedDuringAnOperationIsReplaced()
    {
        await using var test = await TestDatabase.CreateAsync();
        System.Data.Common.DbConnection first;
        await using (var db = test.Factory.CreateDbContext())
        {
            first = db.Database.GetDbConnection();
            await first.CloseAsync();
        }
        await using (var db = test.Factory.CreateDbContext())
        {
            db.Database.GetDbConnection().ShouldNotBeSameAs(first);
            (await db.Cards.CountAsync()).ShouldBe(0);
        }
        test.Factory.OpenConnections.ShouldBe(1);
    }

    [Fact]
    public async Task ConcurrentLeasesPastTheBoundStillWorkWithoutKeepingMoreConnectionsOpen()
    {
        await using var test = await TestDatabase.CreateAsync();
        var leased = new List<AgentWorkspaceDbContext>();
        for (var i = 0; i < SqliteContextPool.DefaultSize + 3; i++) leased.Add(test.Factory.CreateDbContext());
        leased.Select(db => db.Database.GetDbConnection()).Distinct().Count().ShouldBe(leased.Count);
        test.Factory.OpenConnections.ShouldBe(SqliteContextPool.DefaultSize);
        foreach (var db in leased) (await db.Cards.CountAsync()).ShouldBe(0);
        foreach (var db in leased) await db.DisposeAsync();
        test.Factory.OpenConnections.ShouldBe(SqliteContextPool.DefaultSize);

        // From many threads at once, each lease has a connection to itself. (Reads: the test file is
        // in rollback-journal mode, where parallel writers may get SQLITE_BUSY whatever the pool does.)
        var inUse = new ConcurrentDictionary<System.Data.Common.DbConnection, bool>();
        await Parallel.ForAsync(0, 400, async (i, ct) =>
        {
            await using var db = test.Factory.CreateDbContext();
            var connection = db.Database.GetDbConnection();
            inUse.TryAdd(connection, true).ShouldBeTrue("two operations at once on one connection");
            (await db.Cards.CountAsync(ct)).ShouldBe(0);
            inUse.TryRemove(connection, out _);
        });
        test.Factory.OpenConnections.ShouldBeLessThanOrEqualTo(SqliteContextPool.DefaultSize);
    }

    [Fact]
    public async Task ParallelWritersAllCommitOnAFileInWalModeAsTheAppRunsIt()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using (var db = test.Factory.CreateDbContext()) await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await Parallel.ForAsync(0, 300, async (i, ct) =>
        {
            await using var db = test.Factory.CreateDbContext();
            db.Cards.Add(Card("Parallel " + i));
            await db.SaveChangesAsync(ct);
        });
        await using (var db = test.Factory.CreateDbContext()) (await db.Cards.CountAsync()).ShouldBe(300);
        test.Factory.OpenConnections.ShouldBeLessThanOrEqualTo(SqliteContextPool.DefaultSize);
    }

    [Fact]
    public async Task DisposingAContextTwiceHandsItsConnectionBackOnce()
    {
        await using var test = await TestDatabase.CreateAsync();
        var db = test.Factory.CreateDbContext();
        await db.DisposeAsync();
        db.Dispose();
        await using var a = test.Factory.CreateDbContext();
        await using var b = test.Factory.CreateDbContext();
        a.Database.GetDbConnection().ShouldNotBeSameAs(b.Database.GetDbConnection());
    }

    [Fact]
    public async Task DisposingTheFactoryClosesItsConnectionsIncludingOneStillLeased()
    {
        await using var test = await TestDatabase.CreateAsync();
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", test.ConnectionString, Path.GetTempPath()));
        var returned = factory.CreateDbContext();
        var leased = factory.CreateDbContext();
        var idle = returned.Database.GetDbConnection();
        var busy = leased.Database.GetDbConnection();
        await returned.DisposeAsync();
        idle.State.ShouldBe(ConnectionState.Open);

        factory.Dispose();
        idle.State.ShouldBe(ConnectionState.Closed);
        (await leased.Cards.CountAsync()).ShouldBe(0);
        await leased.DisposeAsync();
        busy.State.ShouldBe(ConnectionState.Closed);
        factory.OpenConnections.ShouldBe(0);
        Should.Throw<ObjectDisposedException>(() => factory.CreateDbContext());
    }

    [Fact]
    public async Task AnInMemoryDatabaseLivesAcrossOperationsOnItsOneConnection()
    {
        using var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", "Data Source=:memory:", Path.GetTempPath()));
        await DatabaseStartup.MigrateAsync(factory);
        await using (var db = factory.CreateDbContext())
        {
            db.Cards.Add(Card("Memory"));
            await db.SaveChangesAsync();
        }
        await using (var db = factory.CreateDbContext())
            (await db.Cards.Select(c => c.FirstName).SingleAsync()).ShouldBe("Memory");
        factory.OpenConnections.ShouldBe(1);
    }
}
