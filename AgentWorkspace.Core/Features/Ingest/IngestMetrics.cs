using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// Where an ingested message's time goes in the SQLite group writer (ADR 007, amendment 6), as histograms in seconds
/// on the meter <see cref="MeterName"/>: waiting for the writer, its use case and the rest of its group being written
/// and committed, and the log's sync until the caller is answered. An operator reads them with dotnet-counters or
/// OpenTelemetry; the ingest bench prints their percentiles per window. Nothing is recorded while nobody listens.
/// </summary>
public static class IngestMetrics
{
    public const string MeterName = "AgentWorkspace.Ingest";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>From the moment a message is handed to the writer until its use case starts.</summary>
    public static readonly Histogram<double> Wait = Meter.CreateHistogram<double>(
        "agentworkspace.ingest.wait", "s", "Time a message waited for the group writer");

    /// <summary>From the start of its use case until its group's transaction is committed.</summary>
    public static readonly Histogram<double> Write = Meter.CreateHistogram<double>(
        "agentworkspace.ingest.write", "s", "Time from the start of a message's use case until its group was committed");

    /// <summary>From its group's commit until the log is on disk and the caller is answered.</summary>
    public static readonly Histogram<double> Sync = Meter.CreateHistogram<double>(
        "agentworkspace.ingest.sync", "s", "Time from a group's commit until its log was on disk and its callers answered");

    internal static bool Enabled => Wait.Enabled || Write.Enabled || Sync.Enabled;

    /// <summary>Records one message's three phases from <see cref="Stopwatch"/> timestamps.</summary>
    internal static void Record(long enqueued, long started, long committed, long synced)
    {
        Wait.Record(Stopwatch.GetElapsedTime(enqueued, started).TotalSeconds);
        Write.Record(Stopwatch.GetElapsedTime(started, committed).TotalSeconds);
        Sync.Record(Stopwatch.GetElapsedTime(committed, synced).TotalSeconds);
    }
}
