using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Checkpoints a SQLite write-ahead log on a connection and thread of its own while one writer connection keeps
/// committing (ADR 007, amendment 4). SQLite's automatic checkpoint runs inside the writer's commit: every caller
/// of the group writer then waits while thousands of pages are copied into the file and the file is synced. Here
/// the writer's commit only notes how large the log has grown (SQLite's WAL hook, called after the commit with
/// the write lock released); once <see cref="Pages"/> pages of it are not yet copied it wakes this checkpointer,
/// which copies them into the file in PASSIVE mode (it never blocks the writer or a reader) while the writer adds
/// more behind it.
/// <para>
/// The log can only start again from its beginning once all of it is in the file when the writer begins a
/// transaction, which a concurrent copy never sees. So when the copy is at most <see cref="TailPages"/> behind, the
/// writer finishes it itself between two groups (<see cref="CheckpointOnWriterNow"/>, <see cref="CheckpointOnWriter"/>).
/// That pause includes two syncs (SQLite syncs the log before copying and the file after), which on a busy disk
/// take 10-50 ms; so the log starts again only once it is <see cref="RestartPages"/> long (eight times
/// <see cref="Pages"/>), while the copying goes on every <see cref="Pages"/> pages: one pause of the writer per
/// eight copies instead of one per copy.
/// If the checkpointer falls far behind (<see cref="HardLimitPages"/>), the writer checkpoints itself, as SQLite
/// would. <see cref="Detach"/> gives the writer SQLite's automatic checkpoint back.
/// </para>
/// </summary>
internal sealed class SqliteWalCheckpointer : IDisposable
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int WalHook(IntPtr arg, IntPtr db, IntPtr schema, int pages);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr SetWalHook(IntPtr db, WalHook? hook, IntPtr arg);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Checkpoint(IntPtr db, IntPtr schema);

    // The functions of the very library Microsoft.Data.Sqlite uses (SQLitePCLRaw's e_sqlite3): its C API has
    // the WAL hook, SQLitePCLRaw does not wrap it.
    private static readonly Lazy<(SetWalHook Set, Checkpoint Checkpoint)> Native = new(() =>
    {
        var library = NativeLibrary.Load("e_sqlite3", typeof(SQLitePCL.raw).Assembly, null);
        return (Marshal.GetDelegateForFunctionPointer<SetWalHook>(NativeLibrary.GetExport(library, "sqlite3_wal_hook")),
            Marshal.GetDelegateForFunctionPointer<Checkpoint>(NativeLibrary.GetExport(library, "sqlite3_wal_checkpoint")));
    });

    private readonly string _connectionString;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly WalHook _hook;
    private SqliteConnection? _writer;
    private volatile bool _stopping;
    private volatile bool _tailReady;
    private volatile int _log;
    // How far the last copy got (low 32 bits) in which log (high 32 bits: how many times the log started again).
    private long _copied;
    private volatile int _restarts;
    private readonly Lock _restart = new();
    private long _checkpoints;

    /// <param name="connectionString">The database's connection string (the checkpointer opens its own connection).</param>
    /// <param name="pages">The log size, in pages, from which the writer wakes the checkpointer.</param>
    /// <summary>Where the copier's failures go (it runs on a thread of its own, so nothing else would see them).</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    public SqliteWalCheckpointer(string connectionString, int pages)
    {
        _connectionString = connectionString;
        Pages = pages;
        RestartPages = pages * 8;
        HardLimitPages = pages * 16;
        _hook = OnCommit;
    }

    /// <summary>How many pages of log the writer adds before the checkpointer copies them into the file.</summary>
    public int Pages { get; }

    /// <summary>The log size from which the writer finishes the copy so that the log starts again (see the class).</summary>
    public int RestartPages { get; }

    /// <summary>The log size from which the writer checkpoints itself after a commit (the checkpointer is behind).</summary>
    public int HardLimitPages { get; }

    /// <summary>How far behind the log the copy may be for the writer to finish it.</summary>
    public int TailPages => Math.Max(64, Pages / 16);

    /// <summary>Whether the writer should checkpoint on its own connection before its next group (see the class).</summary>
    public bool CheckpointOnWriterNow => (_tailReady && _log >= RestartPages) || _log >= HardLimitPages;

    /// <summary>How many checkpoints this checkpointer ran (for tests and benchmarks).</summary>
    public long Checkpoints => Interlocked.Read(ref _checkpoints);

    /// <summary>The largest log, in pages, that a commit of the writer left (for tests and benchmarks).</summary>
    public int LargestLog { get; private set; }

    /// <summary>The log, in pages, as the writer's last commit left it.</summary>
    public int LogPages => _log;

    // Pages of the current log already in the file, as far as the last copy knows (0 once the log has started again).
    private int CopiedPages
    {
        get
        {
            var copied = Interlocked.Read(ref _copied);
            return (int)(copied >> 32) == _restarts ? (int)copied : 0;
        }
    }

    /// <summary>Takes over the automatic checkpoint of <paramref name="writer"/> (a WAL-mode connection) and starts the thread.</summary>
    public void Attach(SqliteConnection writer)
    {
        if (_writer is not null) throw new InvalidOperationException("The checkpointer already has a writer.");
        _writer = writer;
        Native.Value.Set(writer.Handle!.DangerousGetHandle(), _hook, IntPtr.Zero);
        new Thread(Run) { IsBackground = true, Name = "SQLite WAL checkpoint" }.Start();
    }

    /// <summary>
    /// Gives the writer SQLite's automatic checkpoint back (every <paramref name="autoCheckpointPages"/> pages) and
    /// lets the thread finish: one last checkpoint if the log has grown past <see cref="Pages"/>, so that the next
    /// writer starts with a short log (a shorter one is left to SQLite's own checkpoint).
    /// </summary>
    public void Detach(int autoCheckpointPages)
    {
        if (_writer is not { } writer) return;
        _writer = null;
        try
        {
            // A closed connection took its hook with it.
            if (writer.Handle is not { IsInvalid: false } handle) return;
            // Our hook goes first (nothing may call it once this object is gone), then SQLite's own comes back.
            Native.Value.Set(handle.DangerousGetHandle(), null, IntPtr.Zero);
            SqlitePragmas.Execute(writer, $"PRAGMA wal_autocheckpoint={autoCheckpointPages}");
        }
        finally
        {
            Stop();
        }
    }

    public void Dispose() => Stop();

    private void Stop()
    {
        _stopping = true;
        Wake();
    }

    /// <summary>
    /// Between two groups, on the writer's thread and connection: copies what is left of the log (its next
    /// transaction then starts the log again from its beginning, unless a reader still reads from it).
    /// </summary>
    public void CheckpointOnWriter(SqliteConnection writer)
    {
        _tailReady = false;
        SqlitePragmas.Execute(writer, "PRAGMA wal_checkpoint(PASSIVE)");
        Interlocked.Increment(ref _checkpoints);
    }

    // Called by SQLite after each commit of the writer; must not fail (an error here would be the COMMIT's).
    private int OnCommit(IntPtr arg, IntPtr db, IntPtr schema, int pages)
    {
        try
        {
            if (pages < _log)
            {
                // The log started again: what the copies knew about the old one no longer holds.
                lock (_restart)
                {
                    _restarts++;
                    _tailReady = false;
                }
            }
            _log = pages;
            if (pages > LargestLog) LargestLog = pages;
            if (!_tailReady && pages - CopiedPages >= Pages) Wake();
        }
        catch (Exception ex)
        {
            // Nothing may escape into SQLite's native frames (the process would end); the hard limit still holds.
            try { Logger.LogError(ex, "The WAL hook failed; the writer's hard limit still bounds the log."); }
            catch (Exception) { /* a failing logger must not reach native code either */ }
        }
        return 0;
    }

    private void Wake()
    {
        // At most one wake-up pending: commits that find the checkpointer already woken add nothing.
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private void Run()
    {
        SqliteConnection? connection = null;
        try
        {
            while (true)
            {
                _wake.Wait();
                var last = _stopping;
                // A writer that ran for a moment (a message now and then) leaves a short log to SQLite's own checkpoint.
                if (last && _log - CopiedPages < Pages) break;
                if (connection is null)
                {
                    connection = new SqliteConnection(_connectionString);
                    connection.Open();
                    SqliteSecureDelete.Apply(connection);
                }
                // The writer commits meanwhile: copy again until what is left is short enough for the writer to finish.
                for (var pass = 0; pass < 8; pass++)
                {
                    var restarts = _restarts;
                    using var command = connection.CreateCommand();
                    command.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                    using var reader = command.ExecuteReader();
                    reader.Read();
                    var (log, copied) = (reader.GetInt64(1), reader.GetInt64(2));
                    Interlocked.Increment(ref _checkpoints);
                    if (log < 0) break;
                    Interlocked.Exchange(ref _copied, ((long)restarts << 32) | (uint)copied);
                    if (log - copied > TailPages) continue;
                    // Nearly all in the file: a log long enough starts again (the writer finishes the copy between two
                    // groups); a shorter one grows on, copied every Pages pages.
                    if (log >= RestartPages)
                    {
                        // Unless the log started again meanwhile (then this copy was of the old one).
                        lock (_restart)
                        {
                            if (restarts == _restarts) _tailReady = true;
                        }
                    }
                    break;
                }
                if (last) break;
            }
        }
        catch (Exception ex)
        {
            // The file went away or is locked out. A thread of its own must not end the process: the writer then
            // checkpoints itself past the hard limit, as SQLite would.
            Logger.LogWarning(ex, "The WAL copier stopped; the ingest writer checkpoints the log itself past {HardLimit} pages.", HardLimitPages);
        }
        finally
        {
            connection?.Dispose();
            _wake.Dispose();
        }
    }
}
