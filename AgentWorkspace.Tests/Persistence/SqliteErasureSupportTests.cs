using System.Text;
using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// What SQLite needs so that an erased value leaves its files (docs/decisions/010): every connection of the app with
/// <c>secure_delete</c> on, and the write-ahead log emptied after an erasure, retried while a reader holds it.
/// </summary>
public sealed class SqliteErasureSupportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EveryConnectionOfTheFactoryZeroesWhatItDeletes_KeptAndOverflowAlike()
    {
        TestDatabase.RequireSqlite("SQLite's secure_delete");
        await using var test = await TestDatabase.CreateAsync(wal: true);
        // More contexts at once than the pool keeps connections: the last ones open a connection per operation.
        var leased = new List<Core.Persistence.AgentWorkspaceDbContext>();
        try
        {
            for (var i = 0; i < SqliteContextPool.DefaultSize + 2; i++) leased.Add(test.Factory.CreateDbContext());
            foreach (var db in leased)
            {
                await db.Database.OpenConnectionAsync(Ct);
                await using var command = db.Database.GetDbConnection().CreateCommand();
                command.CommandText = "PRAGMA secure_delete";
                Convert.ToInt64(await command.ExecuteScalarAsync(Ct), System.Globalization.CultureInfo.InvariantCulture).ShouldBe(1);
            }
        }
        finally
        {
            foreach (var db in leased) await db.DisposeAsync();
        }
    }

    [Fact]
    public async Task ADeletedRowLeavesNoBytesInTheFile_WhenTheConnectionHasSecureDelete()
    {
        // The control for the pragma: the same delete without it leaves the text in the file's free space.
        TestDatabase.RequireSqlite("SQLite's secure_delete");
        foreach (var secure in new[] { false, true })
        {
            var file = TestDatabase.NewFilePath();
            try
            {
                await using (var connection = new SqliteConnection($"Data Source={file};Pooling=false"))
                {
                    await connection.OpenAsync(Ct);
                    if (secure) SqliteSecureDelete.Apply(connection);
                    else SqlitePragmas.Execute(connection, "PRAGMA secure_delete=OFF");
                    SqlitePragmas.Execute(connection, "CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO t(body) VALUES ('Zq7FreedPageMarker keep'), ('other row')");
                    SqlitePragmas.Execute(connection, "DELETE FROM t WHERE id = 1");
                }
                var left = Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file, Ct)).Contains("Zq7FreedPageMarker", StringComparison.Ordinal);
                left.ShouldBe(!secure, secure ? "secure_delete on: nothing of the deleted row is left" : "secure_delete off: the deleted row's bytes stay (else this test proves nothing)");
            }
            finally
            {
                File.Delete(file);
            }
        }
    }

    [Fact]
    public async Task TheLogIsEmptiedOnceNoReaderHoldsIt_AndAReaderThatKeepsItIsReportedNotWaitedForeverOn()
    {
        TestDatabase.RequireSqlite("SQLite's write-ahead log");
        var file = TestDatabase.NewFilePath();
        var log = new RecordingLogger();
        try
        {
            await using var writer = new SqliteConnection($"Data Source={file};Pooling=false");
            await writer.OpenAsync(Ct);
            SqlitePragmas.Execute(writer, "PRAGMA journal_mode=WAL; PRAGMA wal_autocheckpoint=0; CREATE TABLE t(id INTEGER PRIMARY KEY, body TEXT); INSERT INTO t(body) VALUES ('Zq7LogMarker')");

            // A reader in the middle of a read transaction: the log cannot start again under it.
            await using var reader = new SqliteConnection($"Data Source={file};Pooling=false");
            await reader.OpenAsync(Ct);
            var transaction = reader.BeginTransaction(deferred: true);
            await using (var read = reader.CreateCommand())
            {
                read.Transaction = transaction;
                read.CommandText = "SELECT COUNT(*) FROM t";
                await read.ExecuteScalarAsync(Ct);
            }
            SqlitePragmas.Execute(writer, "UPDATE t SET body = 'erased'");

            (await SqliteLogTruncation.TruncateAsync(writer, log.CreateLogger("erasure"), Ct, attempts: 3, firstPause: TimeSpan.FromMilliseconds(1))).ShouldBeFalse();
            log.At(LogLevel.Warning).ShouldHaveSingleItem().Message.ShouldContain("wal_checkpoint(TRUNCATE)");
            new FileInfo(file + "-wal").Length.ShouldBeGreaterThan(0);

            transaction.Dispose();
            (await SqliteLogTruncation.TruncateAsync(writer, log.CreateLogger("erasure"), Ct)).ShouldBeTrue();
            new FileInfo(file + "-wal").Length.ShouldBe(0, "a TRUNCATE checkpoint cuts the log to nothing");
            log.At(LogLevel.Warning).Count.ShouldBe(1);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    public async Task ADatabaseWithoutALogHasNothingToEmpty()
    {
        TestDatabase.RequireSqlite("SQLite's journal modes");
        var file = TestDatabase.NewFilePath();
        try
        {
            await using var connection = new SqliteConnection($"Data Source={file};Pooling=false");
            await connection.OpenAsync(Ct);
            SqlitePragmas.Execute(connection, "CREATE TABLE t(id INTEGER PRIMARY KEY)");
            (await SqliteLogTruncation.TruncateAsync(connection, new RecordingLogger().CreateLogger("erasure"), Ct, attempts: 1)).ShouldBeTrue();
        }
        finally
        {
            File.Delete(file);
        }
    }
}
