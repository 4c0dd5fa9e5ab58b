using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>A kept connection runs a query it has seen before from its prepared statement, with this execution's values.</summary>
public class SqlitePreparedStatementsTests
{
    private static CustomerCard Card(string firstName) => new(new CardProfile { FirstName = firstName, LastName = "Prepared" }, "FR", DateTimeOffset.UtcNow);

    private static readonly Func<Core.Persistence.AgentWorkspaceDbContext, long, Task<CustomerCard?>> ById =
        EF.CompileAsyncQuery((Core.Persistence.AgentWorkspaceDbContext db, long id) => db.Cards.AsNoTracking().FirstOrDefault(c => c.Id == id));

    [Fact]
    public async Task TheSameQueryAgainReadsWithTheNewValuesAndSeesWhatWasWrittenSince()
    {
        await using var test = await TestDatabase.CreateAsync();
        var ids = new List<long>();
        foreach (var name in new[] { "Anaïs", "Bob", "Chloé" })
        {
            await using var db = test.Factory.CreateDbContext();
            var card = Card(name);
            db.Cards.Add(card);
            await db.SaveChangesAsync();
            ids.Add(card.Id);
        }

        for (var round = 0; round < 3; round++)
        {
            foreach (var (id, name) in ids.Zip(new[] { "Anaïs", "Bob", "Chloé" }))
            {
                await using var db = test.Factory.CreateDbContext();
                (await ById(db, id))!.FirstName.ShouldBe(name);
            }
        }
        await using (var db = test.Factory.CreateDbContext())
        {
            (await ById(db, -1)).ShouldBeNull();
            // Nine reads by id and one miss: one prepared statement, kept on the connection.
            var statements = Statements(db);
            var kept = statements.Count;
            kept.ShouldBeGreaterThan(0);
            (await ById(db, ids[0])).ShouldNotBeNull();
            statements.Count.ShouldBe(kept);
        }

        // A change is seen by the next run of the prepared statement, inside a transaction too.
        await using (var db = test.Factory.CreateDbContext())
        {
            // A transaction outside the runner: as the ingest writer does, with the retrying strategy suspended.
            using var outsideRunner = Core.Persistence.Sqlite.SqliteRetryingExecutionStrategy.Suspend();
            await using var tx = await db.Database.BeginTransactionAsync();
            await db.Cards.Where(c => c.Id == ids[1]).ExecuteUpdateAsync(s => s.SetProperty(c => c.FirstName, "Robert"));
            (await ById(db, ids[1]))!.FirstName.ShouldBe("Robert");
            await tx.RollbackAsync();
            (await ById(db, ids[1]))!.FirstName.ShouldBe("Bob");
        }
    }

    private static Core.Persistence.Sqlite.SqlitePreparedStatements Statements(Core.Persistence.AgentWorkspaceDbContext db) =>
        db.GetService<Microsoft.EntityFrameworkCore.Infrastructure.IDbContextOptions>()
            .FindExtension<Microsoft.EntityFrameworkCore.Infrastructure.CoreOptionsExtension>()!.Interceptors!
            .OfType<Core.Persistence.Sqlite.SqlitePreparedStatements>().Single();

    [Fact]
    public async Task WritesAreNotKept_AndPastTheCapacityTheQueryUsedLeastRecentlyMakesRoom()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var statements = Statements(db);
        var card = Card("Écrit");
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        card.SetAudience(3, 4);
        await db.SaveChangesAsync();
        var afterWrites = statements.Count;
        (await ById(db, card.Id))!.Followers.ShouldBe(3);
        statements.Count.ShouldBe(afterWrites + 1);

        // More distinct queries than the capacity: each still answers its own value, and the kept ones stay bounded.
        static string Literal(int i) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"SELECT {i} AS \"Value\"");
        var last = Core.Persistence.Sqlite.SqlitePreparedStatements.Capacity + 20 - 1;
        for (var i = 0; i <= last; i++)
        {
            // A literal, not a parameter, so that every query is another statement (the number is ours, not input).
            var sql = Literal(i);
            (await db.Database.SqlQueryRaw<int>(sql).ToListAsync()).ShouldBe([i]);
        }
        statements.Count.ShouldBe(Core.Persistence.Sqlite.SqlitePreparedStatements.Capacity);
        statements.Holds(Literal(last)).ShouldBeTrue();
        statements.Holds(Literal(0)).ShouldBeFalse();
        (await ById(db, card.Id))!.Following.ShouldBe(4);
        Core.Persistence.Sqlite.SqlitePreparedStatements.IsQuery("INSERT INTO \"Cards\" (\"A\") VALUES (@p0) RETURNING \"Id\";").ShouldBeFalse();
        Core.Persistence.Sqlite.SqlitePreparedStatements.IsQuery("SELECT 1; DELETE FROM \"Cards\"").ShouldBeFalse();
        Core.Persistence.Sqlite.SqlitePreparedStatements.IsQuery("  SELECT \"c\".\"Id\" FROM \"Cards\" AS \"c\"").ShouldBeTrue();
    }

    [Fact]
    public async Task AnEnumerationAbandonedHalfway_DoesNotLeaveTheConnectionReadingAnOldSnapshot()
    {
        await using var test = await TestDatabase.CreateAsync();
        long id;
        await using (var db = test.Factory.CreateDbContext())
        {
            db.Cards.AddRange(Card("Un"), Card("Deux"));
            await db.SaveChangesAsync();
            id = await db.Cards.Where(c => c.FirstName == "Un").Select(c => c.Id).SingleAsync();
        }
        var query = (Core.Persistence.AgentWorkspaceDbContext db) => db.Cards.AsNoTracking().Where(c => c.LastName == "Prepared").OrderBy(c => c.Id);
        await using (var db = test.Factory.CreateDbContext())
        {
            (await query(db).ToListAsync()).Count.ShouldBe(2); // kept prepared from now on
            // Read one row of two and walk away without disposing: the statement is not reset.
            var abandoned = query(db).AsAsyncEnumerable().GetAsyncEnumerator();
            (await abandoned.MoveNextAsync()).ShouldBeTrue();
        }

        // Another operation (on another connection) changes the card; the kept connection must see it next time.
        await using (var writer = test.Factory.CreateDbContext())
        await using (var other = test.Factory.CreateDbContext())
        {
            await other.Cards.Where(c => c.Id == id).ExecuteUpdateAsync(u => u.SetProperty(c => c.FirstName, "Une"));
        }
        for (var i = 0; i < 3; i++)
        {
            await using var db = test.Factory.CreateDbContext();
            (await query(db).Select(c => c.FirstName).FirstAsync()).ShouldBe("Une");
        }
    }

    [Fact]
    public async Task AQueryRunInsideTheLoopOfTheSameQueryStillAnswers()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using (var db = test.Factory.CreateDbContext())
        {
            db.Cards.AddRange(Card("Un"), Card("Deux"), Card("Trois"));
            await db.SaveChangesAsync();
        }

        await using var outer = test.Factory.CreateDbContext();
        var seen = new List<string>();
        // The outer reader stays open on the prepared statement while the inner run of the same SQL needs one of its own.
        await foreach (var card in outer.Cards.AsNoTracking().Where(c => c.LastName == "Prepared").OrderBy(c => c.Id).AsAsyncEnumerable())
        {
            var again = await outer.Cards.AsNoTracking().Where(c => c.LastName == "Prepared").OrderBy(c => c.Id).Select(c => c.FirstName).ToListAsync();
            again.ShouldBe(["Un", "Deux", "Trois"]);
            seen.Add(card.FirstName!);
        }
        seen.ShouldBe(["Un", "Deux", "Trois"]);
    }

    [Fact]
    public async Task EveryKeptConnectionSharesOneModel()
    {
        await using var test = await TestDatabase.CreateAsync();
        // Two operations at once take two kept connections; their contexts must not each build a model.
        await using var a = test.Factory.CreateDbContext();
        await using var b = test.Factory.CreateDbContext();
        a.Database.GetDbConnection().ShouldNotBeSameAs(b.Database.GetDbConnection());
        a.Model.ShouldBeSameAs(b.Model);
    }
}
