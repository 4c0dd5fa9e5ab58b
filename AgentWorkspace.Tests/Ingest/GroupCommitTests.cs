using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Tests.Ingest;

/// <summary>The SQLite group commit: many use cases, one transaction, each in its own savepoint.</summary>
public sealed class GroupCommitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A use case that writes one audit row named <paramref name="name"/>.</summary>
    internal static Func<GroupCommitBatch, Task<string>> Write(string name) => async batch =>
    {
        batch.Db.Audit.Add(new AuditEntry(DateTimeOffset.UtcNow, "test", "Test", "Test", name, "Written"));
        await batch.Db.SaveChangesAsync();
        return name;
    };

    /// <summary>The same through the batch's own writing (on SQLite the writer's prepared statements: the row is inserted at once).</summary>
    private static Func<GroupCommitBatch, Task<string>> Insert(string name) => async batch =>
    {
        batch.Add(new AuditEntry(DateTimeOffset.UtcNow, "test", "Test", "Test", name, "Written"));
        await batch.SaveAsync(CancellationToken.None);
        return name;
    };

    /// <summary>Holds the writer inside a first use case until released, so that the next ones queue up into one group.</summary>
    internal static (Task<string> First, TaskCompletionSource Release) HoldTheWriter(GroupCommit<string> commit)
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = commit.RunAsync(async batch =>
        {
            await release.Task;
            return await Write("first")(batch);
        }, CancellationToken.None);
        return (first, release);
    }

    private static async Task<string[]> WrittenAsync(TestDatabase database)
    {
        await using var db = database.Factory.CreateDbContext();
        return await db.Audit.Where(a => a.EntityType == "Test").OrderBy(a => a.EntityId).Select(a => a.EntityId).ToArrayAsync(Ct);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task UseCasesWaitingTogetherAreCommittedInOneTransactionAndEachCallerGetsItsOwnResult(bool wal)
    {
        // wal: the file as the app leaves it (the log synced and checkpointed off the writer's thread, ADR 007 amendment 4).
        await using var database = await TestDatabase.CreateAsync(wal);
        var commit = new GroupCommit<string>(database.Factory);
        var (first, release) = HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        var waiting = Enumerable.Range(0, 10).Select(i => commit.RunAsync(Write($"w{i}"), CancellationToken.None)).ToArray();
        release.SetResult();

        (await first).ShouldBe("first");
        (await Task.WhenAll(waiting)).ShouldBe(Enumerable.Range(0, 10).Select(i => $"w{i}").ToArray());
        commit.Committed.ShouldBe((2L, 11L), "the first alone, then the ten that waited meanwhile in one group");
        (await WrittenAsync(database)).Length.ShouldBe(11);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenOneUseCaseOfAGroupFails_ItAloneRollsBackAndItsCallerGetsItsError(bool wal)
    {
        // wal: the file as the app leaves it (the log synced and checkpointed off the writer's thread, ADR 007 amendment 4).
        await using var database = await TestDatabase.CreateAsync(wal);
        var commit = new GroupCommit<string>(database.Factory);
        var (first, release) = HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        var before = commit.RunAsync(Write("before"), CancellationToken.None);
        var bad = commit.RunAsync(async batch =>
        {
            await Write("bad")(batch);
            throw new DomainException("This one is refused after it wrote.", "body");
        }, CancellationToken.None);
        var after = commit.RunAsync(Write("after"), CancellationToken.None);
        release.SetResult();

        (await Should.ThrowAsync<DomainException>(bad)).Field.ShouldBe("body");
        (await before, await after, await first).ShouldBe(("before", "after", "first"));
        commit.Committed.ShouldBe((2L, 4L), "the failed use case was in the group");
        (await WrittenAsync(database)).ShouldBe(["after", "before", "first"]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenAUseCaseFailsAfterItsRowsWereInsertedByTheWriter_ItsRowsAloneAreRolledBack(bool wal)
    {
        // wal: the file as the app leaves it (the log synced and checkpointed off the writer's thread, ADR 007 amendment 4).
        await using var database = await TestDatabase.CreateAsync(wal);
        var commit = new GroupCommit<string>(database.Factory);
        var (first, release) = HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        var before = commit.RunAsync(Insert("before"), CancellationToken.None);
        var bad = commit.RunAsync(async batch =>
        {
            await Insert("bad")(batch);
            batch.Add(new AuditEntry(DateTimeOffset.UtcNow, "test", "Test", "Test", "bad-2", "Written"));
            throw new DomainException("This one is refused after its rows were inserted.", "body");
        }, CancellationToken.None);
        var after = commit.RunAsync(Insert("after"), CancellationToken.None);
        release.SetResult();

        (await Should.ThrowAsync<DomainException>(bad)).Field.ShouldBe("body");
        (await before, await after, await first).ShouldBe(("before", "after", "first"));
        commit.Committed.ShouldBe((2L, 4L));
        (await WrittenAsync(database)).ShouldBe(["after", "before", "first"]);
    }

    /// <param name="byTheRowWriter">Rows inserted by the writer's own statements (SQLite) rather than through EF Core's SaveChanges.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WhenTheGroupTransactionIsLost_EveryCallerOfTheGroupGetsTheErrorAndNothingIsWritten(bool byTheRowWriter)
    {
        var store = byTheRowWriter ? Insert : (Func<string, Func<GroupCommitBatch, Task<string>>>)Write;
        await using var database = await TestDatabase.CreateAsync();
        var commit = new GroupCommit<string>(database.Factory);
        var (first, release) = HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        var good = commit.RunAsync(store("good"), CancellationToken.None);
        // As SQLite does by itself on an I/O error or a full disk: the whole transaction is gone.
        var breaking = commit.RunAsync(async batch =>
        {
            await store("breaking")(batch);
            await batch.Db.Database.ExecuteSqlRawAsync("ROLLBACK");
            return "breaking";
        }, CancellationToken.None);
        release.SetResult();

        (await first).ShouldBe("first");
        await Should.ThrowAsync<Exception>(good);
        await Should.ThrowAsync<Exception>(breaking);
        (await WrittenAsync(database)).ShouldBe(["first"]);
        (await commit.RunAsync(store("later"), CancellationToken.None)).ShouldBe("later", "a new writer, with new prepared statements, takes the next group");
        (await WrittenAsync(database)).ShouldBe(["first", "later"]);
    }

    private static async Task<string> PragmasAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction = null)
    {
        async Task<object?> Read(string pragma)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA " + pragma;
            command.Transaction = transaction;
            return await command.ExecuteScalarAsync(Ct);
        }
        return $"{await Read("cache_size")}/{await Read("wal_autocheckpoint")}/{await Read("temp_store")}/{await Read("synchronous")}";
    }

    [Fact]
    public async Task TheWriterHasItsSettingsWhileItRuns_AndItsConnectionGetsSqlitesDefaultsBack()
    {
        // While it runs: a 128 MB cache, no automatic checkpoint of its own (the checkpointer's hook instead: SQLite
        // then reports 0), savepoints in memory (2), commits that do not sync (1: NORMAL, the syncer syncs). After:
        // 2 MB, every 1,000 pages, the default place for temporary data (0), FULL (2).
        await using var database = await TestDatabase.CreateAsync(wal: true);
        var commit = new GroupCommit<string>(database.Factory);
        System.Data.Common.DbConnection? writer = null;
        (await commit.RunAsync(batch =>
        {
            writer = batch.Db.Database.GetDbConnection();
            return PragmasAsync(writer, batch.Db.Database.CurrentTransaction!.GetDbTransaction());
        }, CancellationToken.None)).ShouldBe("-131072/0/2/1");

        // The writer stops once its queue is empty; its kept connection goes back to the pool with SQLite's defaults.
        await Task.Delay(300, Ct);
        var pragmas = "";
        for (var i = 0; i < 20 && pragmas != "-2000/1000/0/2"; i++, await Task.Delay(100, Ct))
            pragmas = await PragmasAsync(writer!);
        pragmas.ShouldBe("-2000/1000/0/2");
    }

    [Fact]
    public async Task AnIdleWriterKeepsItsConnectionAndStatementsForWorkThatComesSoon_ThenLetsThemGo()
    {
        await using var database = await TestDatabase.CreateAsync();
        var commit = new GroupCommit<string>(database.Factory, lingerMilliseconds: 2_000);
        object? Writer(GroupCommitBatch batch) => batch.Rows;
        object? first = null, soon = null, later = null;
        await commit.RunAsync(batch => { first = Writer(batch); return Task.FromResult("a"); }, CancellationToken.None);
        await Task.Delay(100, Ct);
        await commit.RunAsync(batch => { soon = Writer(batch); return Task.FromResult("b"); }, CancellationToken.None);
        soon.ShouldNotBeNull();
        soon.ShouldBeSameAs(first, "work 100 ms later finds the writer still open, with its prepared statements");

        var quick = new GroupCommit<string>(database.Factory, lingerMilliseconds: 50);
        await quick.RunAsync(batch => { first = Writer(batch); return Task.FromResult("c"); }, CancellationToken.None);
        await Task.Delay(500, Ct);
        await quick.RunAsync(batch => { later = Writer(batch); return Task.FromResult("d"); }, CancellationToken.None);
        later.ShouldNotBeSameAs(first, "past its linger the writer was released; the next work opens a new one");
    }

    [Fact]
    public async Task ACallerThatGaveUpBeforeItsTurnIsNotWritten()
    {
        await using var database = await TestDatabase.CreateAsync();
        var commit = new GroupCommit<string>(database.Factory);
        var (first, release) = HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        using var cancel = new CancellationTokenSource();
        var gaveUp = commit.RunAsync(Write("gave-up"), cancel.Token);
        await cancel.CancelAsync();
        release.SetResult();

        await Should.ThrowAsync<OperationCanceledException>(gaveUp);
        await first;
        (await WrittenAsync(database)).ShouldBe(["first"]);
    }
}
