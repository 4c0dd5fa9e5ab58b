using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Empties a SQLite write-ahead log after an erasure (docs/decisions/010). The log keeps the images of every page
/// written since it last started again, the erased values among them; a checkpoint that only copies them into the
/// file, or a log that starts again from its beginning, leaves those bytes in the <c>-wal</c> file. A TRUNCATE
/// checkpoint copies the whole log into the file and cuts the log to zero bytes, but only when no reader still
/// reads an older snapshot from the log and no writer holds it: it then answers "busy" and changes nothing that
/// matters here. So it is tried again with growing pauses until it succeeds, and a failure is logged with what the
/// administrator can do.
/// </summary>
internal static class SqliteLogTruncation
{
    /// <summary>
    /// Checkpoints with TRUNCATE on <paramref name="connection"/> (open, outside a transaction) until SQLite reports the
    /// whole log copied and the log emptied; at most <paramref name="attempts"/> times, pausing <paramref name="firstPause"/>,
    /// then twice as long each time, up to two seconds. True once done; false (and a warning) if readers or writers kept
    /// it busy throughout. A database not in WAL mode has no log to empty: true.
    /// </summary>
    public static async Task<bool> TruncateAsync(DbConnection connection, ILogger logger, CancellationToken ct,
        int attempts = 10, TimeSpan? firstPause = null)
    {
        var pause = firstPause ?? TimeSpan.FromMilliseconds(20);
        var last = "";
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
                await using var reader = await command.ExecuteReaderAsync(ct);
                await reader.ReadAsync(ct);
                var (busy, log, copied) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
                // -1: not in WAL mode. 0 frames left after a TRUNCATE that was not busy: the log is empty and cut.
                if (log < 0 || (busy == 0 && log == 0)) return true;
                last = string.Create(CultureInfo.InvariantCulture, $"busy={busy}, log={log} frames, copied={copied}");
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode is 5 /*BUSY*/ or 6 /*LOCKED*/)
            {
                last = ex.Message;
            }
            if (attempt == attempts) break;
            await Task.Delay(pause, ct);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(2).Ticks));
        }
        logger.LogWarning(
            "The SQLite write-ahead log of {DataSource} could not be emptied after an erasure ({Attempts} attempts; last: {Last}): erased values stay in its -wal file until a TRUNCATE checkpoint succeeds. Run `PRAGMA wal_checkpoint(TRUNCATE);` when the app is quiet, or stop the app (closing the last connection checkpoints and removes the log).",
            connection.DataSource, attempts, last);
        return false;
    }
}
