using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// The group writer's log work off its thread (ADR 007, amendment 4): a checkpointer that copies the write-ahead log
/// into the file on its own connection, and a syncer that syncs the log before anyone is told a commit happened.
/// </summary>
public sealed class SqliteWalCheckpointerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SqliteConnection OpenWal(string file)
    {
        var connection = new SqliteConnection($"Data Source={file};Pooling=false");
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; CREATE TABLE IF NOT EXISTS t(id INTEGER PRIMARY KEY, body BLOB)");
        return connection;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task WhileAWriterKeepsCommitting_TheLogIsCopiedOnAnotherConnectionAndStaysBounded_AndTheWriterGetsSqlitesCheckpointBack()
    {
        var file = TestDatabase.NewFilePath();
        try
        {
            using var writer = OpenWal(file);
            using var checkpointer = new SqliteWalCheckpointer($"Data Source={file};Pooling=false", pages: 100);
            checkpointer.Attach(writer);
            // The writer's own automatic checkpoint is replaced by the hook (SQLite reports 0 for any other hook).
            Scalar(writer, "PRAGMA wal_autocheckpoint").ShouldBe(0);

            // 2,000 commits of a page or two each: twenty times the threshold, far past the writer's own hard limit
            // if nothing copied the log meanwhile.
            var logWhenTheWriterPaused = new List<int>();
            for (var i = 0; i < 2_000; i++)
            {
                Execute(writer, $"INSERT INTO t(body) VALUES (randomblob(3000))");
                if (checkpointer.CheckpointOnWriterNow)
                {
                    logWhenTheWriterPaused.Add(checkpointer.LogPages);
                    checkpointer.CheckpointOnWriter(writer);
                }
                if (i % 100 == 0) await Task.Yield();
            }

            checkpointer.Checkpoints.ShouldBeGreaterThan(logWhenTheWriterPaused.Count * 2, "most of the copying happened on the checkpointer's thread");
            logWhenTheWriterPaused.ShouldNotBeEmpty("the writer finished what the checkpointer left, so the log could start again");
            // The writer's pause (two syncs) comes once per RestartPages of log, not each time the checkpointer copied.
            logWhenTheWriterPaused.ShouldAllBe(log => log >= checkpointer.RestartPages);
            // At most one commit past the hard limit: the commit that crossed it, whose frames are every page it touched (its
            // leaf, and on a split the interior pages up to the root: 12 in one run on a loaded machine, where the checkpointer
            // thread fell behind and the limit was reached).
            checkpointer.LargestLog.ShouldBeLessThanOrEqualTo(checkpointer.HardLimitPages + 32, "the log starts again: at the latest the writer copies it itself at the hard limit");

            checkpointer.Detach(autoCheckpointPages: 1_000);
            Scalar(writer, "PRAGMA wal_autocheckpoint").ShouldBe(1_000);
            // Everything committed is there, for another connection too.
            using var reader = new SqliteConnection($"Data Source={file};Pooling=false");
            reader.Open();
            Scalar(reader, "SELECT count(*) FROM t").ShouldBe(2_000);
            using var check = reader.CreateCommand();
            check.CommandText = "PRAGMA integrity_check";
            check.ExecuteScalar().ShouldBe("ok");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    public async Task TheSyncerAcknowledgesEveryCommitAfterASync_InTheOrderTheyWereHandedIn_AndStopsOnlyOnceAllAreAcknowledged()
    {
        var file = TestDatabase.NewFilePath();
        try
        {
            using var writer = OpenWal(file);
            var syncer = new SqliteWalSyncer(file + "-wal");
            var acknowledged = new List<(int Commit, long SyncsBefore, Exception? Error)>();
            for (var i = 0; i < 200; i++)
            {
                Execute(writer, $"INSERT INTO t(body) VALUES (randomblob(100))");
                var commit = i;
                syncer.AfterSync(error =>
                {
                    lock (acknowledged) acknowledged.Add((commit, syncer.Syncs, error));
                });
            }
            await syncer.StopAsync();

            acknowledged.Select(a => a.Commit).ShouldBe(Enumerable.Range(0, 200), "each commit acknowledged once, in order");
            acknowledged.ShouldAllBe(a => a.Error == null);
            acknowledged.ShouldAllBe(a => a.SyncsBefore >= 1, "nobody is told before the log was synced");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var f in new[] { file, file + "-wal", file + "-shm" }) File.Delete(f);
        }
    }
}
