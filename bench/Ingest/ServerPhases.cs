using System.Diagnostics.Metrics;
using AgentWorkspace.Core.Features.Ingest;

namespace AgentWorkspace.Bench.Ingest;

/// <summary>
/// The server's own view of a window when it runs in this process: the group writer's phases (IngestMetrics: waiting
/// for the writer, writing and committing the group, the log's sync until the answer) and ASP.NET Core's request
/// duration (from the request's headers to its answer), as percentiles in milliseconds.
/// </summary>
internal sealed class ServerPhases : IDisposable
{
    private const string RequestDuration = "http.server.request.duration";
    private static readonly string[] Order = ["agentworkspace.ingest.wait", "agentworkspace.ingest.write", "agentworkspace.ingest.sync", RequestDuration];
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, List<double>> _values = [];

    public ServerPhases()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IngestMetrics.MeterName || instrument.Name == RequestDuration) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((instrument, seconds, _, _) =>
        {
            lock (_values)
            {
                if (!_values.TryGetValue(instrument.Name, out var list)) _values[instrument.Name] = list = [];
                list.Add(seconds * 1000);
            }
        });
        _listener.Start();
    }

    /// <summary>The percentiles of what was recorded since the last call (empty when the server is another process).</summary>
    public string Take()
    {
        lock (_values)
        {
            var parts = Order.Where(name => _values.TryGetValue(name, out var v) && v.Count > 0).Select(name =>
            {
                var v = _values[name];
                var label = name == RequestDuration ? "request" : name["agentworkspace.ingest.".Length..];
                return $"{label} p50 {OpenLoop.Percentile(v, 50):0.0} p99 {OpenLoop.Percentile(v, 99):0.0} max {v.Max():0}";
            }).ToList();
            _values.Clear();
            return parts.Count == 0 ? "" : "  server (ms): " + string.Join(" | ", parts);
        }
    }

    public void Dispose() => _listener.Dispose();
}
