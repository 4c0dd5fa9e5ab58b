using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace AgentWorkspace.Tests.Persistence;

public class PersistenceTests
{
    [Fact]
    public async Task TheSqliteModelHasNoPendingChanges()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        db.Database.HasPendingModelChanges().ShouldBeFalse("run dotnet ef migrations add for the Sqlite context");
        (await db.Database.GetPendingMigrationsAsync()).ShouldBeEmpty();
    }

    [Fact]
    public void TheSqlServerModelHasNoPendingChangesAndItsScriptsGenerate()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        db.Database.HasPendingModelChanges().ShouldBeFalse("run dotnet ef migrations add for the SqlServer context");
        var create = db.Database.GenerateCreateScript();
        create.ShouldContain("CREATE TABLE [Cards]");
        create.ShouldContain("rowversion");
        var migrator = db.GetService<IMigrator>();
        migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent).ShouldContain("__EFMigrationsHistory");
    }

    [Fact]
    public void TheSqlServerCreateScriptCreatesEveryTableOfTheModel()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var create = db.Database.GenerateCreateScript();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().ToList();
        tables.Count.ShouldBeGreaterThan(20);
        tables.Where(t => !create.Contains($"CREATE TABLE [{t}] (", StringComparison.Ordinal)).ShouldBeEmpty();
        var migrator = db.GetService<IMigrator>();
        var idempotent = migrator.GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);
        db.Database.GetMigrations().Where(m => !idempotent.Contains($"N'{m}'", StringComparison.Ordinal)).ShouldBeEmpty("every migration is in the deployment script");
    }

    [Fact]
    public void BothProvidersHaveTheSameMigrationsAndTheSameColumns()
    {
        using var sqlite = new SqliteDesignTimeFactory().CreateDbContext([]);
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        // A model change migrated for one provider only shows here (the other's model would still match its own snapshot).
        static List<string> Names(DbContext db) => [.. db.Database.GetMigrations().Select(m => m[(m.IndexOf('_', StringComparison.Ordinal) + 1)..])];
        Names(sqlServer).ShouldBe(Names(sqlite));
        Names(sqlite).ShouldNotBeEmpty();
        static List<string> Columns(DbContext db) => [.. db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName()}")).Order(StringComparer.Ordinal)];
        // SQL Server keeps a rowversion beside the app-managed Version of cards and cases.
        Columns(sqlServer).Except(["Cards.RowVersion", "Cases.RowVersion"]).ShouldBe(Columns(sqlite));
    }

    [Fact]
    public async Task TheLookupIndexesExist()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var indexes = await db.Database.SqlQueryRaw<string>("SELECT name AS Value FROM sqlite_master WHERE type = 'index'").ToListAsync();
        indexes.ShouldContain("IX_ChannelIdentities_Space_NormalizedAddress_ShareKey");
        indexes.ShouldContain("IX_Messages_CardId_SentAt_Id");
        indexes.ShouldContain("IX_Cases_QueueId_Status_LastMessageAt_Id");
    }

    [Theory]
    [InlineData("SELECT COUNT(*) FROM Cases WHERE QueueId = 1 AND Status IN (0, 1, 2) AND AssignedAgentId IS NULL")]
    [InlineData("SELECT COUNT(*) FROM Cases WHERE QueueId = 1 AND Status IN (0, 1, 2) AND FirstResponseAt IS NULL AND CreatedAt < 0")]
    public async Task TheInboxHeaderCountsAreAnsweredFromAnIndexAlone(string count)
    {
        // Over 250,000 open cases, counting through the table took 200-400 ms per queue; from a covering index about 1 ms.
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + count;
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(3).ShouldContain("USING COVERING INDEX IX_Cases_QueueId_Status_");
    }

    [Fact]
    public async Task WhenTwoAgentsSaveTheSameCard_ThenTheSecondSaveIsAConflict()
    {
        await using var test = await TestDatabase.CreateAsync();
        long id;
        await using (var db = test.Factory.CreateDbContext())
        {
            var card = new CustomerCard(new CardProfile { FirstName = "Zoé" }, "FR", DateTimeOffset.UtcNow);
            db.Cards.Add(card);
            await db.SaveChangesAsync();
            id = card.Id;
        }

        await using var first = test.Factory.CreateDbContext();
        await using var second = test.Factory.CreateDbContext();
        var a = await first.Cards.SingleAsync(c => c.Id == id);
        var b = await second.Cards.SingleAsync(c => c.Id == id);
        a.UpdateProfile(a.Profile with { City = "Lyon" }, "FR", DateTimeOffset.UtcNow);
        b.UpdateProfile(b.Profile with { City = "Nantes" }, "FR", DateTimeOffset.UtcNow);
        await first.SaveChangesAsync();
        a.Version.ShouldBe(2);

        await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        await using var check = test.Factory.CreateDbContext();
        (await check.Cards.SingleAsync(c => c.Id == id)).City.ShouldBe("Lyon");
    }

    [Fact]
    public async Task AnAddressBelongsToOneCardOnly()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var address = IdentityAddress.Normalize(Channel.Sms, "0612345678", "FR");
        var one = new CustomerCard(new CardProfile(), "FR", DateTimeOffset.UtcNow);
        var two = new CustomerCard(new CardProfile(), "FR", DateTimeOffset.UtcNow);
        db.Cards.AddRange(one, two);
        await db.SaveChangesAsync();
        one.AddIdentity(Channel.Sms, "0612345678", address, DateTimeOffset.UtcNow);
        await db.SaveChangesAsync();
        two.AddIdentity(Channel.Voice, "+33612345678", IdentityAddress.Normalize(Channel.Voice, "+33612345678", "FR"), DateTimeOffset.UtcNow);
        await Should.ThrowAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task DatesSortInSqlOnSqlite()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile(), "FR", DateTimeOffset.UtcNow);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queue = new Core.Domain.Queues.Queue("Q", 5, 10);
        db.Queues.Add(queue);
        await db.SaveChangesAsync();
        var @case = new Case(card.Id, Channel.Sms, queue.Id, "t", DateTimeOffset.UtcNow);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        var t0 = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(2));
        db.Messages.AddRange(
            new Message(@case.Id, card.Id, Channel.Sms, "a", Direction.Inbound, MessageKind.Sms, "x", null, null, "late", null, Sentiment.Neutral, t0.AddHours(1)),
            new Message(@case.Id, card.Id, Channel.Sms, "b", Direction.Inbound, MessageKind.Sms, "x", null, null, "early", null, Sentiment.Neutral, t0));
        await db.SaveChangesAsync();
        var newestFirst = await db.Messages.Where(m => m.SentAt > t0.AddMinutes(-1)).OrderByDescending(m => m.SentAt).Select(m => m.Text).ToListAsync();
        newestFirst.ShouldBe(["late", "early"]);
    }
}
