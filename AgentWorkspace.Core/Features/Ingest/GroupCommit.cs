using System.Data;
using System.Threading.Channels;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// Group commit for one SQLite file (ADR 007): callers hand in the work of one use case; a single
/// writer takes every piece of work waiting at that moment into ONE immediate transaction, runs each
/// inside its own savepoint (a piece that throws rolls back alone, the others go on), commits once,
/// and only then completes each caller's task: with its result when the commit held, with the
/// exception its own work threw, or with the commit's exception (then nothing of anyone was written).
/// One fsync for many use cases instead of one each; each caller still sees one transaction.
/// <para>
/// The writer runs only while there is work (it starts on the first enqueue and stops once the
/// queue has stayed empty for a quarter of a second), so a service that is never disposed leaves no
/// thread behind.
/// </para>
/// </summary>
internal sealed class GroupCommit<TResult>(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, int maxBatch = 256, int lingerMilliseconds = GroupCommit.DefaultLingerMilliseconds)
{
    private sealed record Pending(Func<GroupCommitBatch, Task<TResult>> Work, TaskCompletionSource<TResult> Done, CancellationToken Ct);

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
        AgentWorkspaceDbContext? db = null;
        SqliteRowWriter? rows = null;
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
                    if (db is null)
                    {
                        db = await OpenWriterAsync();
                        rows = new SqliteRowWriter(db);
                    }
                    if (!await CommitAsync(db, rows!, batch))
                    {
                        await ReleaseWriterAsync(db, rows);
                        (db, rows) = (null, null);
                    }
                    continue;
                }
                // Idle: keep the connection, its page cache and the prepared statements a little longer, so that a
                // steady trickle (a message every few milliseconds) does not open, warm up and prepare a writer
                // per message. No transaction is open meanwhile: other connections write as usual.
                if (db is not null && await MoreWorkWithinAsync(lingerMilliseconds)) continue;
                // Stop, unless work arrived between the last read and the stop (its enqueuer saw us running).
                Volatile.Write(ref _running, 0);
                if (!_queue.Reader.TryPeek(out _) || Interlocked.CompareExchange(ref _running, 1, 0) != 0) return;
            }
        }
        catch (Exception ex)
        {
            // Only opening the writer's connection can end up here: the waiting callers get its error.
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            Volatile.Write(ref _running, 0);
            if (_queue.Reader.TryPeek(out _) && Interlocked.CompareExchange(ref _running, 1, 0) == 0) _ = Task.Run(DrainAsync, CancellationToken.None);
        }
        finally
        {
            if (db is not null) await ReleaseWriterAsync(db, rows);
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

    private async Task<AgentWorkspaceDbContext> OpenWriterAsync()
    {
        var db = await dbFactory.CreateDbContextAsync();
        // Our savepoint per use case replaces EF's own savepoint around each SaveChanges.
        db.Database.AutoSavepointsEnabled = false;
        try
        {
            await db.Database.OpenConnectionAsync();
            // The writer touches index pages all over a large file: a larger page cache than SQLite's 2 MB keeps
            // the inner pages of every index in memory from one group to the next (no other connection writes,
            // so nothing invalidates it).
            await db.Database.ExecuteSqlRawAsync(WriterCachePragma);
            return db;
        }
        catch
        {
            await ReleaseWriterAsync(db, null);
            throw;
        }
    }

    private static async ValueTask ReleaseWriterAsync(AgentWorkspaceDbContext db, SqliteRowWriter? rows)
    {
        // Its prepared statements are finalised before the connection goes back (ADR 005: nothing outlives the writer).
        rows?.Dispose();
        try
        {
            // The connection goes back to the factory's pool: the larger cache must not outlive the writer (ADR 005).
            await db.Database.ExecuteSqlRawAsync(DefaultCachePragma);
            await db.Database.CloseConnectionAsync();
        }
        catch (System.Data.Common.DbException)
        {
            // A broken connection: the pool throws it away on return.
        }
        db.Database.AutoSavepointsEnabled = true;
        await db.DisposeAsync();
    }

    /// <summary>Writes one group; false when its transaction was lost (every caller then has the error).</summary>
    private async Task<bool> CommitAsync(AgentWorkspaceDbContext db, SqliteRowWriter rows, List<Pending> batch)
    {
        var outcomes = new (TResult Result, Exception? Error)[batch.Count];
        var scope = new GroupCommitBatch(db, rows);
        try
        {
            // Serializable: on SQLite an immediate transaction (the write lock is taken at once, so every
            // lookup below sees the file as it will be committed, including this group's earlier work).
            await using var tx = await db.Database.BeginTransactionAsync(IsolationLevel.Serializable);
            for (var i = 0; i < batch.Count; i++)
            {
                // Savepoints as the writer's kept statements (EF Core would build and parse a command each time).
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
            foreach (var pending in batch) pending.Done.TrySetException(ex);
            return false;
        }
        Interlocked.Increment(ref _batches);
        Interlocked.Add(ref _items, batch.Count);
        for (var i = 0; i < batch.Count; i++)
        {
            if (outcomes[i].Error is { } error) batch[i].Done.TrySetException(error);
            else batch[i].Done.TrySetResult(outcomes[i].Result);
        }
        return true;
    }

    private const string Savepoint = "SAVEPOINT usecase";
    private const string RollbackToSavepoint = "ROLLBACK TO usecase";
    private const string ReleaseSavepoint = "RELEASE usecase";

    /// <summary>
    /// The writer connection's page cache (128 MB) and checkpoint interval, and SQLite's defaults (2 MB, 1,000
    /// pages) that the connection gets back. The writer checkpoints the WAL into the file itself, on its own
    /// thread, when a commit leaves more than that many pages in the WAL: every 1,000 pages meant several
    /// checkpoints a second under load, each copying the hot pages (index roots, the tables' right edges)
    /// again and syncing the file, while every caller waited. Every 10,000 pages (a WAL of about 40 MB)
    /// copies each of those pages once for ten times as many messages (ADR 007, amendment 2).
    /// </summary>
    internal const int WriterCheckpointPages = 10_000;
    private static readonly string WriterCachePragma = $"PRAGMA cache_size=-131072; PRAGMA wal_autocheckpoint={WriterCheckpointPages}";
    private const string DefaultCachePragma = "PRAGMA cache_size=-2000; PRAGMA wal_autocheckpoint=1000";
}

internal static class GroupCommit
{
    /// <summary>How long an idle writer keeps its connection, cache and statements for the next piece of work.</summary>
    public const int DefaultLingerMilliseconds = 250;
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
    private readonly HashSet<string> _done = new(StringComparer.Ordinal);

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

    /// <summary>Whether a use case of this group already stored <paramref name="key"/> (see <see cref="Stored"/>).</summary>
    public bool HasStored(string key) => _done.Contains(key);

    /// <summary>Notes that the current use case stored <paramref name="key"/>; call it as its last step (a failed use case never gets there).</summary>
    public void Stored(string key) => _done.Add(key);

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
