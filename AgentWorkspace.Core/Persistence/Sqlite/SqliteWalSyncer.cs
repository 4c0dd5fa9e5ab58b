using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Makes a writer's commits durable on a thread of its own (ADR 007, amendment 4): the writer connection runs with
/// <c>synchronous=NORMAL</c>, so a commit only appends its pages to the write-ahead log; it hands the
/// acknowledgement of that commit to this syncer and goes on with its next transaction while the syncer syncs the
/// log file (one <c>fdatasync</c> for every commit handed in meanwhile) and only then acknowledges. Nobody is told
/// "stored" before the log holding it is on disk, as with <c>synchronous=FULL</c>; the disk's wait simply no
/// longer stops the writer. A power cut between a commit and its sync loses only commits nobody was told about
/// (SQLite's log checksums drop a partly written one whole), so a sender that sends again is stored again.
/// </summary>
internal sealed class SqliteWalSyncer : IDisposable
{
    private readonly BlockingCollection<Action<Exception?>> _pending = new();
    private readonly SafeFileHandle _log;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _syncs;

    /// <param name="logPath">The database's write-ahead log (its file name followed by <c>-wal</c>), which must exist.</param>
    public SqliteWalSyncer(string logPath)
    {
        // Only the log is opened (SQLite holds no POSIX lock on it, which closing another descriptor of the file would drop).
        _log = File.OpenHandle(logPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        new Thread(Run) { IsBackground = true, Name = "SQLite WAL sync" }.Start();
    }

    /// <summary>How many times the log was synced (for tests and benchmarks).</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>
    /// Once everything committed so far is on disk, calls <paramref name="acknowledge"/> with null (or with the sync's
    /// error: the commit is in the file, but nobody can say it would survive a power cut).
    /// </summary>
    public void AfterSync(Action<Exception?> acknowledge) => _pending.Add(acknowledge);

    /// <summary>Syncs and acknowledges what was handed in, then stops; completes when the last acknowledgement is made.</summary>
    public Task StopAsync()
    {
        Dispose();
        return _finished.Task;
    }

    /// <summary>Lets the thread sync and acknowledge what was handed in, then end (it closes the log's handle).</summary>
    public void Dispose()
    {
        try
        {
            _pending.CompleteAdding();
        }
        catch (ObjectDisposedException)
        {
            // Already stopped.
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    private void Sync()
    {
        // The log's data, not its times: SQLite syncs its log the same way (fdatasync) where it can.
        if (OperatingSystem.IsLinux())
        {
            if (fdatasync((int)_log.DangerousGetHandle()) != 0)
                throw new IOException($"Syncing the write-ahead log failed (errno {Marshal.GetLastPInvokeError()}).");
        }
        else RandomAccess.FlushToDisk(_log);
    }

    private void Run()
    {
        var batch = new List<Action<Exception?>>();
        try
        {
            foreach (var first in _pending.GetConsumingEnumerable())
            {
                batch.Add(first);
                while (_pending.TryTake(out var next)) batch.Add(next);
                Exception? error = null;
                try
                {
                    Sync();
                    Interlocked.Increment(ref _syncs);
                }
                catch (IOException ex)
                {
                    error = ex;
                }
                foreach (var acknowledge in batch) acknowledge(error);
                batch.Clear();
            }
        }
        finally
        {
            _log.Dispose();
            _pending.Dispose();
            _finished.TrySetResult();
        }
    }
}
