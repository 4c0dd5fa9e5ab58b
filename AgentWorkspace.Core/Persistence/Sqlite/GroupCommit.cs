using System.Data;
using System.Diagnostics;
using System.Threading.Channels;
using AgentWorkspace.Core.Features.Ingest;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Group commit for one SQLite file (ADR 007): callers hand in the work of one use case; a single
/// writer takes every piece of work waiting at that moment into ONE immediate transaction, runs each
/// inside its own savepoint (a piece that throws rolls back alone, the others go on), commits once,
/// and only then completes each caller's task: with its result when the commit held, with the
/// exception its own work threw, or with the commit's exception (then nothing of anyone was written).
/// One fsync for many use cases instead of one each; each caller still sees one transaction.
/// <para>
/// On a WAL file the writer's commit only appends to the log: another thread syncs the log and then answers
/// the callers, and another connection copies the log into the file (ADR 007, amendment 4), so neither
/// disk wait stops the next group. A group takes at most <see cref="GroupCommit.DefaultMaxBatch"/> use
/// cases: every caller of a group waits for its last one, so after a stall a backlog is answered in short
/// groups rather than one long one.
/// </para>
/// <para>
/// The writer runs only while there is work (it starts on the first enqueue and stops once the
/// queue has stayed empty for a quarter of a second), so a service that is never disposed leaves no
/// thread behind.
/// </para>
/// </summary>
internal sealed class GroupCommit<TResult>(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, int maxBatch = GroupCommit.DefaultMaxBatch, int lingerMilliseconds = GroupCommit.DefaultLingerMilliseconds,
    int checkpointPages = 0, ILogger? logger = null)
{
    private readonly ILogger _log = logger ?? NullLogger.Instance;

    private sealed record Pending(Func<GroupCommitBatch, Task<TResult>> Work, TaskCompletionSource<TResult> Done, CancellationToken Ct)
    {
        // When it was handed in and when its use case started (Stopwatch timestamps), for IngestMetrics.
        public long Enqueued { get; } = Stopwatch.GetTimestamp();
        public long Started { get; set; }
    }

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = false, SingleWriter = false });
    private int _running;

    /// <summary>For tests and benchmarks: how many transactions were committed and how many use cases they carried.</summary>
    public (long Batches, long Items) Committed => (Interlocked.Read(ref _batches), Interlocked.Read(ref _items));
    private long _batches;
    private long _items;

    /// <summary>
    /// Runs <paramref name="work"/> in the next group transaction; its result once that transaction is
    /// committed. The work must not catch database errors it cannot finish from (its savepoint is rolled back for it).
    /// </summary>
    public Task<TResult> RunAsync(Func<GroupCommitBatch, Task<TResult>> work, CancellationToken ct)
    {
        var done = new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (ct.IsCancellationRequested) return Task.FromCanceled<TResult>(ct);
        _queue.Writer.TryWrite(new Pending(work, done, ct));
        if (Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(DrainAsync, CancellationToken.None);
        return done.Task;
    }

    private async Task DrainAsync()
    {
        var batch = new List<Pending>(maxBatch);
        Writer? writer = null;
        try
        {
            while (true)
            {
                batch.Clear();
                while (batch.Count < maxBatch && _queue.Reader.TryRead(out var pending))
                {
                    // A caller that gave up before its turn is not written at all.
                    if (pending.Ct.IsCancellationRequested) pending.Done.TrySetCanceled(pending.Ct);
                    else batch.Add(pending);
                }
                if (batch.Count > 0)
                {
                    // One connection for the whole run of groups: its page cache stays warm, since no other
                    // connection writes meanwhile. A failed group gives it back (it may be in any state).
                    writer ??= await Writer.OpenAsync(dbFactory, checkpointPages, _log);
                    if (!await CommitAsync(writer, batch))
                    {
                        await writer.ReleaseAsync();
                        writer = null;
                    }
                    else writer.BetweenGroups();
                    continue;
                }
                // Idle: keep the connection, its page cache and the prepared statements a little longer, so that a
                // steady trickle (a message every few milliseconds) does not open, warm up and prepare a writer
                // per message. No transaction is open meanwhile: other connections write as usual.
                if (writer is not null && await MoreWorkWithinAsync(lingerMilliseconds)) continue;
                // Stop, unless work arrived between the last read and the stop (its enqueuer saw us running).
                Volatile.Write(ref _running, 0);
                if (!_queue.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
            }
        }
        catch (Exception ex)
        {
            // Only opening the writer's connection can end up here: the waiting callers get its error.
            _log.LogError(ex, "The ingest writer could not open its connection; {Count} waiting interactions failed.", batch.Count);
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            Volatile.Write(ref _running, 0);
            if (_queue.Reader.TryPeek(out _) && Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(DrainAsync, CancellationToken.None);
        }
        finally
        {
            if (writer is not null) await writer.ReleaseAsync();
        }
    }

    private async Task<bool> MoreWorkWithinAsync(int milliseconds)
    {
        if (milliseconds <= 0) return false;
        using var idle = new CancellationTokenSource(milliseconds);
        try
        {
            return await _queue.Reader.WaitToReadAsync(idle.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>
    /// The writer of one run of groups: its context and connection with the writer's settings, its prepared
    /// statements, and on a WAL file the checkpointer and syncer that keep the log's file work off its thread
    /// (ADR 007, amendment 4). Everything goes back to SQLite's defaults on release (ADR 005).
    /// </summary>
    private sealed class Writer
    {
        // The settings the connection had when the writer borrowed it, put back on release.
        private readonly string _restore;

        private Writer(AgentWorkspaceDbContext db, SqliteWalCheckpointer? checkpointer, SqliteWalSyncer? syncer, string restore)
        {
            Db = db;
            Rows = new SqliteRowWriter(db);
            Checkpointer = checkpointer;
            Syncer = syncer;
            _restore = restore;
        }

        public AgentWorkspaceDbContext Db { get; }
        public SqliteRowWriter Rows { get; }
        public SqliteWalCheckpointer? Checkpointer { get; }
        public SqliteWalSyncer? Syncer { get; }
        private SqliteConnection Connection => (SqliteConnection)Db.Database.GetDbConnection();

        public static async Task<Writer> OpenAsync(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, int checkpointPages, ILogger log)
        {
            var db = await dbFactory.CreateDbContextAsync();
            // Our savepoint per use case replaces EF's own savepoint around each SaveChanges.
            db.Database.AutoSavepointsEnabled = false;
            SqliteWalCheckpointer? checkpointer = null;
            SqliteWalSyncer? syncer = null;
            var restore = "";
            try
            {
                await db.Database.OpenConnectionAsync();
                var connection = (SqliteConnection)db.Database.GetDbConnection();
                restore = SqlitePragmas.Current(connection, "cache_size", "temp_store", "synchronous");
                // The writer touches index pages all over a large file: a larger page cache than SQLite's 2 MB keeps
                // the inner pages of every index in memory from one group to the next (no other connection writes,
                // so nothing invalidates it). Each use case's savepoint keeps the pages it changes in memory.
                SqlitePragmas.Execute(connection, WriterPragmas);
                var logPath = connection.DataSource + "-wal";
                // A first read opens (creates) the log of a WAL file if no other connection has it open.
                SqlitePragmas.Read(connection, "schema_version");
                if (SqlitePragmas.Read(connection, "journal_mode") == "wal" && File.Exists(logPath))
                {
                    // The log is copied into the file on another connection and thread, not inside this writer's commits,
                    // and synced by another thread while the writer goes on (callers still answered only after the sync).
                    checkpointer = new SqliteWalCheckpointer(db.Database.GetConnectionString()!, checkpointPages > 0 ? checkpointPages : GroupCommit.DefaultCheckpointPages) { Logger = log };
                    checkpointer.Attach(connection);
                    syncer = new SqliteWalSyncer(logPath);
                    SqlitePragmas.Execute(connection, "PRAGMA synchronous=NORMAL");
                }
                return new Writer(db, checkpointer, syncer, restore);
            }
            catch
            {
                await new Writer(db, checkpointer, syncer, restore).ReleaseAsync();
                throw;
            }
        }

        /// <summary>After a committed group: the writer finishes a checkpoint the checkpointer has nearly done.</summary>
        public void BetweenGroups()
        {
            if (Checkpointer is { CheckpointOnWriterNow: true }) Checkpointer.CheckpointOnWriter(Connection);
        }

        public async ValueTask ReleaseAsync()
        {
            // Every commit handed to the syncer is acknowledged before the connection goes.
            if (Syncer is not null) await Syncer.StopAsync();
            // Its prepared statements are finalised before the connection goes back (ADR 005: nothing outlives the writer).
            Rows.Dispose();
            try
            {
                // The connection goes back to the factory's pool as the writer found it (ADR 005): SQLite's own automatic
                // checkpoint, its cache size, where it keeps temporary data, its durability setting.
                Checkpointer?.Detach(SqliteDefaultCheckpointPages);
                if (_restore.Length > 0) SqlitePragmas.Execute(Connection, _restore);
                await Db.Database.CloseConnectionAsync();
            }
            catch (System.Data.Common.DbException)
            {
                // A broken connection: the pool throws it away on return.
            }
            Db.Database.AutoSavepointsEnabled = true;
            await Db.DisposeAsync();
        }
    }

    /// <summary>Writes one group; false when its transaction was lost (every caller then has the error).</summary>
    private async Task<bool> CommitAsync(Writer writer, List<Pending> batch)
    {
        var (db, rows) = (writer.Db, writer.Rows);
        var outcomes = new (TResult Result, Exception? Error)[batch.Count];
        var scope = new GroupCommitBatch(db, rows);
        // The one transaction opened outside the use-case runner (docs/decisions/008): a group cannot be re-run by a
        // strategy, its callers are answered one by one. A busy file is waited for by SQLite's own busy timeout.
        using var outsideRunner = SqliteRetryingExecutionStrategy.Suspend();
        try
        {
            // Serializable: on SQLite an immediate transaction (the write lock is taken at once, so every
            // lookup below sees the file as it will be committed, including this group's earlier work).
            await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable);
            for (var i = 0; i < batch.Count; i++)
            {
                // Savepoints as the writer's kept statements (EF Core would build and parse a command each time).
                batch[i].Started = Stopwatch.GetTimestamp();
                rows.Execute(Savepoint);
                try
                {
                    outcomes[i] = (await batch[i].Work(scope), null);
                }
                catch (Exception ex)
                {
                    // If SQLite already rolled back the whole transaction (I/O error, disk full), this throws
                    // and the group fails as a whole below: nothing of anyone is written.
                    rows.Execute(RollbackToSavepoint);
                    outcomes[i] = (default!, ex);
                }
                finally
                {
                    scope.EndUseCase();
                }
                rows.Execute(ReleaseSavepoint);
            }
            await tx.CommitAsync();
        }
        catch (Exception ex)
        {
            scope.EndUseCase();
            _log.LogError(ex, "A group of {Count} interactions was rolled back as a whole; each caller gets the error.", batch.Count);
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            return false;
        }
        var committed = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _items, batch.Count);
        // Each caller is answered once the group is on disk: at once when the commit synced the log itself,
        // otherwise when the syncer has synced it (the writer meanwhile goes on with the next group).
        if (writer.Syncer is { } syncer)
        {
            var group = batch.ToArray();
            syncer.AfterSync(error => Acknowledge(group, outcomes, error, committed));
        }
        else Acknowledge(batch, outcomes, null, committed);
        return true;
    }

    private static void Acknowledge(IReadOnlyList<Pending> group, (TResult Result, Exception? Error)[] outcomes, Exception? syncError, long committed)
    {
        if (IngestMetrics.Enabled)
        {
            var synced = Stopwatch.GetTimestamp();
            foreach (var pending in group) IngestMetrics.Record(pending.Enqueued, pending.Started, committed, synced);
        }
        for (var i = 0; i < group.Count; i++)
        {
            if (syncError is not null) group[i].Done.TrySetException(new IOException("The message was written but the disk did not confirm it: send it again (a repeat is harmless).", syncError));
            else if (outcomes[i].Error is { } error) group[i].Done.TrySetException(error);
            else group[i].Done.TrySetResult(outcomes[i].Result);
        }
    }

    private const string Savepoint = "SAVEPOINT usecase";
    private const string RollbackToSavepoint = "ROLLBACK TO usecase";
    private const string ReleaseSavepoint = "RELEASE usecase";

    /// <summary>
    /// The writer connection's page cache (128 MB) and where it keeps each use case's savepoint (in memory: a
    /// temporary file meant a write system call per changed page, a third of the writer's time).
    /// </summary>
    private const string WriterPragmas = "PRAGMA cache_size=-131072; PRAGMA temp_store=MEMORY";
    internal const int SqliteDefaultCheckpointPages = 1_000;
}

internal static class GroupCommit
{
    /// <summary>How long an idle writer keeps its connection, cache and statements for the next piece of work.</summary>
    public const int DefaultLingerMilliseconds = 250;

    /// <summary>
    /// The most use cases in one group: with the disk waits off the writer's thread a commit costs about half a
    /// millisecond, so short groups lose little, and 32 instead of 256 halved p99 at 2,000/s (ADR 007, amendment 4).
    /// </summary>
    public const int DefaultMaxBatch = 32;

    /// <summary>
    /// How many pages of new log the writer's checkpointer lets grow before it copies them into the file (ADR 007,
    /// amendment 4); the log starts again at eight times as many (amendment 5). 1,000 rather than 4,000: each
    /// copy's sync of the file holds the disk's queue for a quarter as long, so the log's own sync waits less behind
    /// it (p99 at 2,000/s 11.5-14 ms against 15.4-19.3 ms in alternating runs, amendment 7).
    /// </summary>
    public const int DefaultCheckpointPages = 1_000;
}

/// <summary>
/// The open group transaction as one use case sees it: the context, how its rows are written, and what the
/// group may share (on SQL Server, a group of one).
/// <para>
/// Rows are written through <see cref="Add"/>, <see cref="Track"/> and <see cref="SaveAsync"/>: with EF Core's
/// change tracking and <c>SaveChanges</c> on SQL Server (and when no row writer is given), with the group
/// writer's prepared statements on SQLite (<see cref="SqliteRowWriter"/>, ADR 007 amendment 2), where an added
/// row is inserted at once. Entities given to <see cref="Track"/> are read without tracking.
/// </para>
/// </summary>
internal sealed class GroupCommitBatch(AgentWorkspaceDbContext db, SqliteRowWriter? rows = null)
{
    private readonly Dictionary<string, object> _shared = new(StringComparer.Ordinal);

    public AgentWorkspaceDbContext Db { get; } = db;

    /// <summary>On SQLite, the group writer's prepared statements (also for its lookups); null with EF Core's change tracking.</summary>
    public SqliteRowWriter? Rows => rows;

    /// <summary>A new entity of this use case (and the dependents in its collections); on SQLite it is inserted now and has its key.</summary>
    public void Add(object entity)
    {
        if (rows is null) Db.Add(entity);
        else rows.Insert(entity);
    }

    /// <summary>An entity read without tracking that this use case may change: its changes are written by <see cref="SaveAsync"/>.</summary>
    public void Track(object entity)
    {
        if (rows is null) Db.Attach(entity);
        else rows.Track(entity);
    }

    /// <summary>Writes the changes made so far (a changed card or case gets its next version, the old one is checked).</summary>
    public Task SaveAsync(CancellationToken ct)
    {
        if (rows is null) return Db.SaveChangesAsync(ct);
        rows.WriteChanges();
        return Task.CompletedTask;
    }

    /// <summary>
    /// The key of an added entity whose <paramref name="id"/> is read now: on SQLite its real key; with EF Core's
    /// change tracking a temporary key, which the next save replaces wherever it was used (one save less).
    /// </summary>
    public long KeyOf(object entity, long id) => rows is null ? (long)Db.Entry(entity).Property("Id").CurrentValue! : id;

    /// <summary>The end of one use case (written or rolled back): nothing of it stays tracked.</summary>
    internal void EndUseCase()
    {
        Db.ChangeTracker.Clear();
        rows?.Clear();
    }

    /// <summary>
    /// A value read once per batch (reference data the use cases never write, such as a queue), so that
    /// a hundred messages to one queue read it once. Never cache what a use case writes: a rolled-back
    /// savepoint would leave the cache wrong.
    /// </summary>
    public async Task<T> SharedAsync<T>(string key, Func<Task<T>> read) where T : class
    {
        if (_shared.TryGetValue(key, out var value)) return (T)value;
        var read1 = await read();
        _shared[key] = read1;
        return read1;
    }
}
