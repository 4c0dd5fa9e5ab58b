using AgentWorkspace.Core.Persistence.Sqlite;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Ingest;

/// <summary>Alone, so that no other test's writer records while this one listens.</summary>
[CollectionDefinition(nameof(IngestMetricsTests), DisableParallelization = true)]
public sealed class IngestMetricsCollection;

/// <summary>The group writer's phases as metrics (ADR 007, amendment 6).</summary>
[Collection(nameof(IngestMetricsTests))]
public sealed class IngestMetricsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task EachUseCaseRecordsItsWaitItsWriteAndItsSync_AndOneQueuedBehindAHeldWriterShowsItsWait()
    {
        await using var database = await TestDatabase.CreateAsync(wal: true);
        var commit = new GroupCommit<string>(database.Factory);
        var recorded = new ConcurrentDictionary<string, ConcurrentBag<double>>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == IngestMetrics.MeterName) l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) => recorded.GetOrAdd(instrument.Name, _ => []).Add(seconds));
        listener.Start();

        var (first, release) = GroupCommitTests.HoldTheWriter(commit);
        await Task.Delay(50, Ct);
        var queued = commit.RunAsync(GroupCommitTests.Write("queued"), CancellationToken.None);
        await Task.Delay(250, Ct);
        release.SetResult();
        (await first, await queued).ShouldBe(("first", "queued"));

        recorded.Keys.Order().ShouldBe(["agentworkspace.ingest.sync", "agentworkspace.ingest.wait", "agentworkspace.ingest.write"]);
        foreach (var (name, values) in recorded)
        {
            values.Count.ShouldBe(2, $"{name}: one per use case");
            values.ShouldAllBe(seconds => seconds >= 0 && seconds < 30);
        }
        recorded["agentworkspace.ingest.wait"].Max().ShouldBeGreaterThanOrEqualTo(0.2, "the second waited while the first held the writer");
        recorded["agentworkspace.ingest.write"].Max().ShouldBeGreaterThanOrEqualTo(0.2, "the first was being written while it held the writer");
        recorded["agentworkspace.ingest.sync"].Min().ShouldBeLessThan(0.2, "the sync is timed from the commit, not from the start");
    }
}
