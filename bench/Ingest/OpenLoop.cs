using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Ingest;

namespace AgentWorkspace.Bench.Ingest;

/// <summary>
/// The HTTP load of the ingest bench: the messages it posts, and the open-loop windows (a fixed schedule of
/// requests whatever the answers), run inside the bench's process (mode "rate") or as a client process of its
/// own on the same machine (mode "rate-apart", which starts this with "load").
/// </summary>
internal static class OpenLoop
{
    private static readonly string[] Bodies =
    [
        "Bonjour, je n'ai toujours pas reçu ma commande", "Merci beaucoup, parfait !", "Pouvez-vous me rappeler ?",
        "Hello, my parcel arrived damaged", "Super service 👍", "Quel est le statut de mon dossier 4521 ?",
    ];

    public static InteractionRequest Sms(string from, string externalId, int i) => new()
    {
        Channel = i % 4 == 0 ? Channel.WhatsApp : Channel.Sms,
        ExternalId = externalId,
        From = new InteractionSender { Address = i % 2 == 0 ? from : NationalForm(from), DisplayName = i % 3 == 0 ? "Camille Roux" : null },
        Body = Bodies[i % Bodies.Length],
    };

    /// <summary>80 % known senders (a random identity of the file: its open case or a new case), 20 % new ones.</summary>
    public static Func<int, string, InteractionRequest> Mixed(IReadOnlyList<string> known)
    {
        var freshNext = Random.Shared.Next(0, 8_000_000);
        return (i, prefix) => i % 5 == 0
            ? Sms(FreshNumber(Interlocked.Increment(ref freshNext)), $"{prefix}-{i}", i)
            : Sms(known[Random.Shared.Next(known.Count)], $"{prefix}-{i}", i);
    }

    /// <summary>The client process of mode "rate-apart": load url knownFile seconds rates.</summary>
    public static async Task<int> LoadAsync(string[] args)
    {
        var (url, known, seconds) = (args[0], await File.ReadAllLinesAsync(args[1]), int.Parse(args[2], CultureInfo.InvariantCulture));
        var rates = args[3].Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
        using var http = Client(url);
        var mixed = Mixed(known);
        var run = Guid.NewGuid().ToString("N")[..8];
        await WarmUpAsync(http, known, run);
        Console.WriteLine($"load client: process {Environment.ProcessId} of its own, {Environment.ProcessorCount} cores shared with the server");
        await RunAsync(http, mixed, run, seconds, rates);
        return 0;
    }

    /// <summary>How many requests <see cref="WarmUpAsync"/> posts before the windows.</summary>
    public const int WarmUpPosts = 1_000;

    /// <summary>Known senders posted one after the other: the JIT, the pools and the page cache warm up before any window.</summary>
    public static async Task WarmUpAsync(HttpClient http, IReadOnlyList<string> known, string run)
    {
        for (var i = 0; i < WarmUpPosts; i++) await Post(http, Sms(known[i % known.Count], $"{run}-hwarm-{i}", i));
    }

    public static HttpClient Client(string url)
    {
        var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1024 }) { BaseAddress = new Uri(url.TrimEnd('/') + "/") };
        http.DefaultRequestHeaders.Add("X-Api-Key", "bench-key");
        return http;
    }

    /// <summary>
    /// Open loop: requests leave on a fixed schedule, whatever the answers, and each latency counts from the moment
    /// its request was DUE, so a server that falls behind shows it in the percentiles instead of slowing the client
    /// down (no coordinated omission). One window per rate; the CPU per message is this process's. Each window also
    /// prints how late the client started its requests (due -> started), and, with the server in this process, the
    /// server's own view (<see cref="ServerPhases"/>).
    /// </summary>
    public static async Task RunAsync(HttpClient http, Func<int, string, InteractionRequest> mixed, string run, int seconds, int[] rates)
    {
        using var phases = new ServerPhases();
        for (var window = 0; window < rates.Length; window++)
        {
            var (rate, prefix) = (rates[window], $"{run}-r{rates[window]}-w{window}");
            var latencies = new ConcurrentBag<double>();
            var byDue = new ConcurrentBag<(double At, double Latency)>();
            var lags = new ConcurrentBag<double>();
            var failures = 0;
            var outstanding = 0;
            var (gcPause, allocated, gen0, gen1, gen2, maxThreads) = (GC.GetTotalPauseDuration(), GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), 0);
            var maxOutstanding = 0;
            var sends = new List<Task>();
            var before = LoadAverage();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var written = BytesWritten();
            phases.Take();
            var started = DateTimeOffset.UtcNow;
            var total = Stopwatch.StartNew();
            var due = rate * seconds;
            async Task Send(InteractionRequest request, TimeSpan at)
            {
                lags.Add((total.Elapsed - at).TotalMilliseconds);
                try { await Post(http, request); }
                catch (InvalidOperationException) { Interlocked.Increment(ref failures); }
                var latency = (total.Elapsed - at).TotalMilliseconds;
                latencies.Add(latency);
                byDue.Add((at.TotalMilliseconds, latency));
                Interlocked.Decrement(ref outstanding);
            }
            // The schedule is kept by a thread of its own, which starts each request itself (up to its first wait for
            // the network), so a request leaves when it is due instead of waiting for the pool behind the answers.
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var sender = new Thread(() =>
            {
                try
                {
                    Schedule();
                    sent.SetResult();
                }
                catch (Exception ex)
                {
                    // Reported by the window's await instead of ending the process from a thread of its own.
                    sent.SetException(ex);
                }
            }) { IsBackground = true, Name = "Open-loop sender" };
            void Schedule()
            {
                for (var i = 0; i < due;)
                {
                    // Send every request due by now, then sleep until the next millisecond.
                    var dueNow = Math.Min(due, (int)(total.Elapsed.TotalSeconds * rate) + 1);
                    for (; i < dueNow; i++)
                    {
                        var at = TimeSpan.FromSeconds((double)i / rate);
                        var request = mixed(i, prefix);
                        var inFlightNow = Interlocked.Increment(ref outstanding);
                        if (inFlightNow > maxOutstanding) maxOutstanding = inFlightNow;
                        sends.Add(Send(request, at));
                    }
                    maxThreads = Math.Max(maxThreads, ThreadPool.ThreadCount);
                    Thread.Sleep(1);
                }
            }
            sender.Start();
            await sent.Task;
            await Task.WhenAll(sends);
            total.Stop();
            var cpuPerMessage = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / latencies.Count;
            // Where the tail is: the 100-ms slices of the schedule whose requests waited longest, and what the runtime did.
            var slow = byDue.GroupBy(x => (int)(x.At / 100)).Select(g => (Slice: g.Key, Max: g.Max(x => x.Latency), Over20: g.Count(x => x.Latency > 20)))
                .OrderByDescending(x => x.Max).ToList();
            Print("  client: due -> request started", lags.ToList());
            if (written >= 0) Console.WriteLine($"  written by this process: {(BytesWritten() - written) / 1024.0 / latencies.Count:0.0} KB per message (log, checkpoints, the client's requests)");
            if (phases.Take() is { Length: > 0 } server) Console.WriteLine(server);
            Console.WriteLine($"  window from {started.ToUnixTimeMilliseconds() / 1000.0:0.000} (Unix time)");
            Console.WriteLine($"  slices with a request over 20 ms: {slow.Count(x => x.Over20 > 0)} of {slow.Count}; worst: {string.Join(", ", slow.Take(8).Select(x => $"{x.Slice / 10.0:0.0}s {x.Max:0} ms ({x.Over20})"))}");
            Console.WriteLine($"  GC: {(GC.GetTotalPauseDuration() - gcPause).TotalMilliseconds:0} ms paused, gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, {(GC.GetTotalAllocatedBytes() - allocated) / 1024.0 / latencies.Count:0} KB allocated per message; pool threads at most {maxThreads}");
            Print($"HTTP, open loop {rate:N0}/s, {seconds} s", latencies.ToList(),
                $"{latencies.Count / total.Elapsed.TotalSeconds:N0}/s done, at most {maxOutstanding} in flight, {failures} failed, {cpuPerMessage:0.000} ms CPU/message, load {before} -> {LoadAverage()}");
        }
    }

    public static async Task Post(HttpClient http, InteractionRequest r)
    {
        var response = await http.PostAsJsonAsync("api/v1/interactions", new
        {
            channel = r.Channel.WireName(), externalId = r.ExternalId, from = new { address = r.From!.Address, displayName = r.From.DisplayName }, body = r.Body,
        });
        if ((int)response.StatusCode >= 300) throw new InvalidOperationException($"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static string FreshNumber(int n) => "+3379" + (n % 10_000_000).ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Bytes this process has handed to write system calls (Linux /proc/self/io "wchar"; -1 elsewhere).</summary>
    public static long BytesWritten()
    {
        if (!File.Exists("/proc/self/io")) return -1;
        var line = File.ReadLines("/proc/self/io").FirstOrDefault(l => l.StartsWith("wchar:", StringComparison.Ordinal));
        return line is null ? -1 : long.Parse(line["wchar:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    public static string NationalForm(string e164) => e164.StartsWith("+33", StringComparison.Ordinal)
        ? "0" + string.Join(' ', Enumerable.Range(0, 5).Select(k => e164[(3 + Math.Max(0, 2 * k - 1))..(3 + 2 * k + 1)]))
        : e164;

    public static double Percentile(List<double> values, double p)
    {
        var sorted = values.OrderBy(v => v).ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p / 100 * sorted.Count) - 1)];
    }

    public static void Print(string name, List<double> values, string? extra = null) =>
        Console.WriteLine($"{name,-38} p50 {Percentile(values, 50):0.00} ms  p95 {Percentile(values, 95):0.00} ms  p99 {Percentile(values, 99):0.00} ms  (n={values.Count:N0}){(extra is null ? "" : "  " + extra)}");
}
