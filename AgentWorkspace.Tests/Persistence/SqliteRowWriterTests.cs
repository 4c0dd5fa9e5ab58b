using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>The ingest writer's prepared statements (ADR 007, amendment 2) store and read rows exactly as EF Core does.</summary>
public sealed class SqliteRowWriterTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);

    private static CustomerCard NewCard() =>
        new(new CardProfile { FirstName = "Zoé", LastName = "Martin", Company = "Acme", MobilePhone = "+33612345678", Tags = ["vip", "b2b"] }, "FR", Now);

    /// <summary>Every mapped property of <paramref name="entity"/> (by the model), to compare two reads of one row.</summary>
    private static Dictionary<string, object?> Values(DbContext db, object entity) =>
        db.Model.FindEntityType(entity.GetType())!.GetProperties()
            .ToDictionary(p => p.Name, p => p.PropertyInfo?.GetValue(entity) ?? p.FieldInfo?.GetValue(entity));

    private static async Task<(AgentWorkspaceDbContext Db, SqliteRowWriter Rows)> WriterAsync(TestDatabase database)
    {
        var db = database.Factory.CreateDbContext();
        await db.Database.OpenConnectionAsync(Ct);
        return (db, new SqliteRowWriter(db));
    }

    [Fact]
    public async Task AnInsertedCardAndItsIdentityReadBackThroughEfCoreAsTheyWereAndAPreparedReadMatchesEfCore()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (db, rows) = await WriterAsync(database);
        var card = NewCard();
        card.RecordMessage(Sentiment.Negative, Direction.Inbound, Now.AddMinutes(5));
        var identity = card.AddIdentity(Channel.Sms, "06 12 34 56 78", new IdentityAddress(IdentitySpace.Phone, "+33612345678"), Now, "Zoé", null, 3, null);
        await using (var tx = await db.Database.BeginTransactionAsync(Ct))
        {
            rows.Insert(card);
            await tx.CommitAsync(Ct);
        }

        card.Id.ShouldBeGreaterThan(0);
        identity.Id.ShouldBeGreaterThan(0);
        identity.CardId.ShouldBe(card.Id, "the dependent gets its principal's new key");
        await using (var check = database.Factory.CreateDbContext())
        {
            var stored = await check.Cards.AsNoTracking().SingleAsync(c => c.Id == card.Id, Ct);
            Values(check, stored).ShouldBe(Values(check, card));
            var storedIdentity = await check.Identities.AsNoTracking().SingleAsync(i => i.Id == identity.Id, Ct);
            Values(check, storedIdentity).ShouldBe(Values(check, identity));

            var read = rows.First<CustomerCard>("test:card", "\"Id\" = $p0", card.Id).ShouldNotBeNull();
            Values(check, read).ShouldBe(Values(check, stored), "the prepared read materialises what EF Core reads");
            rows.First<CustomerCard>("test:card", "\"Id\" = $p0", card.Id + 1000).ShouldBeNull();
        }
        rows.Dispose();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task ChangesOfATrackedRowAreWrittenWithTheNextVersion_AndAStaleVersionWritesNothing()
    {
        await using var database = await TestDatabase.CreateAsync();
        long id;
        await using (var seed = database.Factory.CreateDbContext())
        {
            var card = NewCard();
            seed.Cards.Add(card);
            await seed.SaveChangesAsync(Ct);
            id = card.Id;
        }
        var (db, rows) = await WriterAsync(database);

        var loaded = rows.First<CustomerCard>("test:card", "\"Id\" = $p0", id).ShouldNotBeNull();
        var version = loaded.Version;
        rows.Track(loaded);
        loaded.RecordMessage(Sentiment.Positive, Direction.Inbound, Now.AddHours(1));
        rows.WriteChanges();
        rows.WriteChanges();
        rows.Clear();

        await using (var check = database.Factory.CreateDbContext())
        {
            var stored = await check.Cards.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
            (stored.PositiveCount, stored.LastContactAt, stored.Version).ShouldBe((1, Now.AddHours(1), version + 1), "one change, one new version");
            // Another writer changes the card meanwhile.
            var other = await check.Cards.SingleAsync(c => c.Id == id, Ct);
            other.RecordMessage(Sentiment.Neutral, Direction.Inbound, Now.AddHours(2));
            await check.SaveChangesAsync(Ct);
        }

        rows.Track(loaded);
        loaded.RecordMessage(Sentiment.Negative, Direction.Inbound, Now.AddHours(3));
        Should.Throw<DbUpdateConcurrencyException>(rows.WriteChanges);
        await using (var check = database.Factory.CreateDbContext())
        {
            var stored = await check.Cards.AsNoTracking().SingleAsync(c => c.Id == id, Ct);
            (stored.NegativeCount, stored.NeutralCount, stored.Version).ShouldBe((0, 1, version + 2), "the stale write changed nothing");
        }
        rows.Dispose();
        await db.DisposeAsync();
    }

    /// <summary>A writer whose card and SMS case are inserted, and a way to make an inbound SMS of that case.</summary>
    private static async Task<(AgentWorkspaceDbContext Db, SqliteRowWriter Rows, Func<string, string, Message> Sms)> WriterWithACaseAsync(TestDatabase database)
    {
        await new ReferenceData(database.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        var (db, rows) = await WriterAsync(database);
        var card = NewCard();
        rows.Insert(card);
        var @case = new Case(card.Id, Channel.Sms, queueId: await db.Queues.Select(q => q.Id).FirstAsync(Ct), "Hello", Now);
        rows.Insert(@case);
        return (db, rows, (id, body) => new(@case.Id, card.Id, Channel.Sms, id, Direction.Inbound, MessageKind.Sms, "Zoé", null, null, body, null, Sentiment.Neutral, Now));
    }

    [Fact]
    public async Task ARowThatBreaksAUniqueIndexIsADbUpdateExceptionOverSqlitesError()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (db, rows, sms) = await WriterWithACaseAsync(database);
        Message Sms() => sms("ext-1", "Bonjour");
        rows.Insert(Sms());

        var error = Should.Throw<DbUpdateException>(() => rows.Insert(Sms()));
        error.InnerException.ShouldBeOfType<SqliteException>().SqliteErrorCode.ShouldBe(19);
        (await db.Messages.CountAsync(m => m.ExternalId == "ext-1", Ct)).ShouldBe(1);
        rows.Dispose();
        await db.DisposeAsync();
    }

    [Fact]
    public async Task AValueSqliteRefusesToBindIsADbUpdateExceptionToo_AndTheStatementServesTheNextRow()
    {
        await using var database = await TestDatabase.CreateAsync();
        var (db, rows, Sms) = await WriterWithACaseAsync(database);
        rows.Insert(Sms("ext-1", "Bonjour"));
        var handle = ((SqliteConnection)db.Database.GetDbConnection()).Handle!;
        // With the statement prepared, SQLite refuses to bind a string longer than the connection's length limit,
        // lowered here to 2,000 bytes.
        var limit = SQLitePCL.raw.sqlite3_limit(handle, SQLitePCL.raw.SQLITE_LIMIT_LENGTH, 2_000);
        try
        {
            var error = Should.Throw<DbUpdateException>(() => rows.Insert(Sms("ext-2", new string('z', 3_000))));
            error.InnerException.ShouldBeOfType<SqliteException>().SqliteErrorCode.ShouldBe(18, "SQLITE_TOOBIG");
            var next = Sms("ext-3", "Merci");
            rows.Insert(next);
            next.Id.ShouldBeGreaterThan(0, "the kept statement was reset and binds the next row");
        }
        finally
        {
            SQLitePCL.raw.sqlite3_limit(handle, SQLitePCL.raw.SQLITE_LIMIT_LENGTH, limit);
        }
        (await db.Messages.OrderBy(m => m.ExternalId).Select(m => m.ExternalId).ToListAsync(Ct)).ShouldBe(["ext-1", "ext-3"]);
        rows.Dispose();
        await db.DisposeAsync();
    }
}
