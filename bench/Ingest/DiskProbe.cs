using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AgentWorkspace.Bench.Ingest;

/// <summary>
/// Mode "disk": what the disk alone allows a server that answers only once a message is synced. It writes 4 KB and
/// syncs it (fdatasync, as the ingest writer's syncer does) every 2 ms for the given seconds, with nothing else
/// running, and prints the sync latencies and the share of time spent inside a sync that has already lasted
/// 20 ms: a request arriving then waits over 20 ms however fast the server is, so that share is a lower bound
/// for the requests over 20 ms at any rate (p99 under 20 ms needs it well under 1 %).
/// </summary>
internal static class DiskProbe
{
    [DllImport("libc", SetLastError = true)]
    private static extern int fdatasync(int fd);

    public static int Run(string path, int seconds)
    {
        var latencies = new List<double>();
        var block = new byte[4096];
        Array.Fill(block, (byte)'x');
        try
        {
            using var file = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite);
            var total = Stopwatch.StartNew();
            for (var i = 0; total.Elapsed.TotalSeconds < seconds; i++)
            {
                RandomAccess.Write(file, block, i % 256 * 4096L);
                var sync = Stopwatch.StartNew();
                if (OperatingSystem.IsLinux()) { if (fdatasync((int)file.DangerousGetHandle()) != 0) throw new IOException($"fdatasync failed ({Marshal.GetLastPInvokeError()})"); }
                else RandomAccess.FlushToDisk(file);
                latencies.Add(sync.Elapsed.TotalMilliseconds);
                Thread.Sleep(2);
            }
            var stalled = latencies.Sum(l => Math.Max(0, l - 20)) / total.Elapsed.TotalMilliseconds;
            latencies.Sort();
            double At(double p) => latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)];
            Console.WriteLine($"disk: {latencies.Count:N0} syncs of 4 KB in {seconds} s: p50 {At(0.5):0.00} ms, p99 {At(0.99):0.00} ms, p99.9 {At(0.999):0.0} ms, " +
                $"max {latencies[^1]:0.0} ms; {latencies.Count(l => l > 20)} over 20 ms; time inside a sync older than 20 ms: {stalled:0.00%}");
            return 0;
        }
        finally
        {
            File.Delete(path);
        }
    }
}
