// Circuit capacity (issue 20), run on demand, never in dotnet test:
//   dotnet run -c Release --project bench/Circuits -- <copy.db> [levels=0,100,500,1000] [seconds=30] [rate=20] [pages=inbox,card]
//   GCDUMP=0,100,300 (env): dotnet-gcdump of the server at those levels; then `-- dumpdiff a.txt b.txt <circuits>`
// Starts the app in a process of its own (this program with "server"), on a COPY of the benchmark database, signs in
// the demo agent, and holds real Blazor Server circuits without a browser (BlazorCircuit: the hub protocol over
// SignalR). At each level it reports, after a full GC in the server, managed heap and working set per idle circuit;
// then, while `rate` messages per second are posted to the agent's queues, the round trip of clicks on case tiles
// (event sent -> the render batch showing the case), the server's CPU per circuit per message, and circuits lost.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using AgentWorkspace.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
if (args.Length > 0 && args[0] == "server") return await ServerAsync(args[1]);
if (args.Length > 0 && args[0] == "dumpdiff") return DumpDiff(args[1], args[2], int.Parse(args[3], CultureInfo.InvariantCulture));

var file = Path.GetFullPath(args.Length > 0 ? args[0] : "/tmp/aw-circuits.db");
if (!File.Exists(file)) { Console.Error.WriteLine($"{file} does not exist: copy the benchmark database first (README, Benchmarks)."); return 1; }
var levels = (args.Length > 1 ? args[1] : "0,100,500,1000").Split(',').Select(int.Parse).ToArray();
var seconds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 30;
var rate = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 20;
var pages = (args.Length > 4 ? args[4] : "inbox,card").Split(',');
(int Circuits, double PerMessageMs)? _previous = null; // the last load window's figures (LoadAsync)

using var server = StartServer(file, out var baseUri);
Console.WriteLine($"server pid {server.Id} at {baseUri}; load average {Load()}");
var cookies = new CookieContainer();
using var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, MaxConnectionsPerServer = 256, AllowAutoRedirect = true }) { BaseAddress = baseUri, Timeout = TimeSpan.FromMinutes(10) };
await SignInAsync(http, "agent@demo.local", "Agent-Demo-2026!");
using var api = new HttpClient { BaseAddress = baseUri };
api.DefaultRequestHeaders.Add("X-Api-Key", "bench-key");

foreach (var page in pages)
{
    var path = page == "card" ? "cards/" + await CardIdAsync() : "inbox";
    Console.WriteLine($"\n== /{path} ==");
    var circuits = new List<BlazorCircuit>();
    var baseline = await MemoryAsync();
    Console.WriteLine($"0 circuits: heap {Mb(baseline.Heap)}, working set {Mb(baseline.WorkingSet)}, open circuits {baseline.Circuits}");
    if (baseline.Circuits > 0)
        Console.WriteLine($"warning: {baseline.Circuits} circuits of the page before are still held (disconnected circuits are retained 3 min): run one page per run for per-circuit figures");
    if (DumpAt(0)) GcDump(server.Id, $"/tmp/circuits-{page}-0.gcdump");
    foreach (var level in levels.Where(l => l > 0))
    {
        var sw = Stopwatch.StartNew();
        var failures = new ConcurrentBag<string>();
        var opened = new ConcurrentBag<BlazorCircuit>();
        await Parallel.ForEachAsync(Enumerable.Range(circuits.Count, level - circuits.Count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
        {
            try { opened.Add(await BlazorCircuit.OpenAsync(http, cookies, baseUri, path, ct)); }
            catch (Exception ex) { failures.Add(ex.Message); }
        });
        circuits.AddRange(opened);
        Console.WriteLine($"{circuits.Count} circuits open ({failures.Count} failed{(failures.IsEmpty ? "" : ": " + failures.First())}) in {sw.Elapsed.TotalSeconds:0.0} s");
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle = await MemoryAsync();
        Console.WriteLine($"{circuits.Count(c => !c.Closed)} idle: heap {Mb(idle.Heap)}, working set {Mb(idle.WorkingSet)}, open circuits in the server {idle.Circuits}; per open circuit: heap {Kb((idle.Heap - baseline.Heap) / Math.Max(1, idle.Circuits))}, working set {Kb((idle.WorkingSet - baseline.WorkingSet) / Math.Max(1, idle.Circuits))}");
        if (page == "inbox")
        {
            // A server runs for days: the figures are its steady state. The first window at a level warms it (tiered
            // compilation recompiles the code the flood makes hot: a fifth of the CPU of a first window, measured with
            // perf), WARMUP seconds (env, default 20; 0: none), and is reported but not counted.
            var warmup = int.TryParse(Environment.GetEnvironmentVariable("WARMUP"), CultureInfo.InvariantCulture, out var w) ? w : 20;
            if (warmup > 0 && seconds > 0)
            {
                Console.Write("warm-up: ");
                await LoadAsync(circuits, idle, warmup, counted: false);
            }
            await LoadAsync(circuits, idle, seconds, counted: true);
        }
        // After the load window: the dump freezes the server for a while.
        if (DumpAt(level))
            GcDump(server.Id, $"/tmp/circuits-{page}-{level}.gcdump");
        var lost = circuits.Count(c => c.Closed);
        Console.WriteLine($"circuits lost: {lost}{(lost > 0 ? " (" + circuits.First(c => c.Closed).Error + ")" : "")}; load average {Load()}");
    }
    foreach (var c in circuits) await c.DisposeAsync();
    await Task.Delay(TimeSpan.FromSeconds(3));
}
server.Kill(entireProcessTree: true);
return 0;

async Task LoadAsync(List<BlazorCircuit> circuits, Memory before, int seconds, bool counted)
{
    if (seconds == 0) return; // memory only
    // The clicking circuits: up to 20, each clicking its tiles in turn, one click a second.
    // CLICKERS=0 (env): no clicks, the CPU of the window is then the messages' alone (a click opens a case: reads and a render).
    var clickers = int.TryParse(Environment.GetEnvironmentVariable("CLICKERS"), CultureInfo.InvariantCulture, out var n) ? n : 20;
    var active = circuits.Where(c => !c.Closed && c.TileCaseIds.Count >= 2).Take(clickers).ToList();
    var trips = new ConcurrentBag<double>();
    var missed = 0;
    var posted = 0;
    var postFailures = 0;
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
    var start = await MemoryAsync(gc: false);
    var batchesBefore = circuits.Sum(c => c.Batches);
    var run = Guid.NewGuid().ToString("N")[..8];
    var posts = new ConcurrentBag<Task>();
    // News delay: idle circuits that watch for each posted message's contact on a tile (the inbox lists the newest
    // first): from the post sent to the render batch naming it. What the lane for live work (ADR 025) trades for clicks.
    var sentAt = new ConcurrentDictionary<int, long>();
    var news = new ConcurrentBag<double>();
    var prefix = $"Zoé {run} ";
    var watchers = circuits.Where(c => !c.Closed && !active.Contains(c)).Take(20).ToList();
    foreach (var watcher in watchers)
    {
        var seen = new HashSet<int>();
        watcher.Watch = strings =>
        {
            var now = Stopwatch.GetTimestamp();
            foreach (var text in strings)
            {
                if (!text.StartsWith(prefix, StringComparison.Ordinal) || !int.TryParse(text.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var i)) continue;
                lock (seen) if (!seen.Add(i)) continue;
                if (sentAt.TryGetValue(i, out var sent)) news.Add(Stopwatch.GetElapsedTime(sent, now).TotalMilliseconds);
            }
        };
    }
    var ingest = Task.Run(async () =>
    {
        var clock = Stopwatch.StartNew();
        for (var i = 0; !stop.IsCancellationRequested; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / rate);
            if (due > clock.Elapsed) { try { await Task.Delay(due - clock.Elapsed, stop.Token); } catch (OperationCanceledException) { break; } }
            posts.Add(PostAsync(i));
        }
        async Task PostAsync(int i)
        {
            try
            {
                sentAt[i] = Stopwatch.GetTimestamp();
                using var r = await api.PostAsJsonAsync("api/v1/interactions", new
                {
                    channel = "sms", externalId = $"circ-{run}-{i}",
                    from = new { address = "+3361" + (1_000_000 + Random.Shared.Next(8_999_999)).ToString(CultureInfo.InvariantCulture), displayName = prefix + i.ToString(CultureInfo.InvariantCulture) },
                    body = "Bonjour, où en est ma commande ?",
                });
                if (r.IsSuccessStatusCode) Interlocked.Increment(ref posted); else Interlocked.Increment(ref postFailures);
            }
            catch { Interlocked.Increment(ref postFailures); }
        }
    });
    var clicks = active.Select((c, n) => Task.Run(async () =>
    {
        await Task.Delay(TimeSpan.FromMilliseconds(1000.0 * n / Math.Max(1, active.Count)));
        while (!stop.IsCancellationRequested && !c.Closed)
        {
            // A case this circuit has not opened: its render names it (clicking an open case's tile again only switches
            // tabs, a batch that need not name the case, which the fifth session counted as a click without its render).
            var id = c.TileCaseIds.Where(id => !c.Clicked.Contains(id)).Take(3).DefaultIfEmpty(-1).First();
            if (id < 0) break;
            c.Clicked.Add(id);
            var next = Stopwatch.StartNew();
            var trip = await c.ClickTileAsync(id);
            if (trip is { } ms) trips.Add(ms); else Interlocked.Increment(ref missed);
            var rest = TimeSpan.FromSeconds(1) - next.Elapsed;
            if (rest > TimeSpan.Zero) { try { await Task.Delay(rest, stop.Token); } catch (OperationCanceledException) { } }
        }
    })).ToList();
    await ingest;
    // The CPU of the ingest window only (clicks and posts may end later).
    var end = await MemoryAsync(gc: false);
    await Task.WhenAll(clicks);
    await Task.WhenAny(Task.WhenAll(posts), Task.Delay(TimeSpan.FromSeconds(30)));
    // Late news still counts: the watchers listen until the clicks and posts are done.
    foreach (var watcher in watchers) watcher.Watch = null;
    var cpu = end.CpuMs - start.CpuMs;
    var sorted = trips.Order().ToList();
    var delays = news.Order().ToList();
    Console.WriteLine($"{circuits.Count} circuits, {posted} messages posted in {seconds} s ({postFailures} failed), {active.Count} circuits clicking: " +
                      $"round trip n={sorted.Count} p50 {P(sorted, 50):0.0} ms, p95 {P(sorted, 95):0.0} ms, p99 {P(sorted, 99):0.0} ms, max {(sorted.Count > 0 ? sorted[^1] : 0):0.0} ms, {missed} clicks without their render within 10 s");
    Console.WriteLine($"news delay (post sent -> a watching inbox's tile, {watchers.Count} watchers): n={delays.Count} of {posted * watchers.Count}, p50 {P(delays, 50):0.0} ms, p95 {P(delays, 95):0.0} ms, p99 {P(delays, 99):0.0} ms");
    Console.WriteLine($"GC in the window: {(end.Allocated - start.Allocated) / 1048576.0 / seconds:0} MB/s allocated, collections gen0 {end.Gen0 - start.Gen0} / gen1 {end.Gen1 - start.Gen1} / gen2 {end.Gen2 - start.Gen2}, paused {end.GcPauseMs - start.GcPauseMs} ms ({(end.GcPauseMs - start.GcPauseMs) / 10.0 / seconds:0.0} % of the window)");
    Console.WriteLine($"server CPU {cpu / 1000.0:0.0} s in {seconds} s ({cpu / 10.0 / seconds:0}% of one core); per message {cpu / Math.Max(1, posted):0.00} ms; per open circuit per message {cpu * 1000.0 / Math.Max(1, posted) / Math.Max(1, end.Circuits):0.0} µs; batches received {circuits.Sum(c => c.Batches) - batchesBefore}");
    // What one more circuit costs a message, the same for every level: the ingest, the board and the clicks cancel out.
    var perMessage = (double)cpu / Math.Max(1, posted);
    if (!counted) return;
    if (_previous is { } p && end.Circuits > p.Circuits)
        Console.WriteLine($"marginal: {(perMessage - p.PerMessageMs) * 1000.0 / (end.Circuits - p.Circuits):0.0} µs per circuit per message between {p.Circuits} and {end.Circuits} circuits");
    _previous = (end.Circuits, perMessage);
}

// dumpdiff <report at a>.txt <report at b>.txt <circuits between them>: per type, the bytes and objects one circuit
// adds (the report's first column times its count; the largest first), from two `dotnet-gcdump report` texts.
static int DumpDiff(string before, string after, int circuits)
{
    static Dictionary<string, (long Bytes, long Count)> Read(string file)
    {
        var rows = new Dictionary<string, (long Bytes, long Count)>();
        foreach (var line in File.ReadLines(file))
        {
            var m = Regex.Match(line, @"^\s*([\d,]+)\s+([\d,]+)\s+(.+)$");
            if (!m.Success) continue;
            var size = long.Parse(m.Groups[1].Value.Replace(",", ""), CultureInfo.InvariantCulture);
            var count = long.Parse(m.Groups[2].Value.Replace(",", ""), CultureInfo.InvariantCulture);
            var name = m.Groups[3].Value.Trim();
            rows[name] = rows.TryGetValue(name, out var r) ? (r.Bytes + size * count, r.Count + count) : (size * count, count);
        }
        return rows;
    }
    var a = Read(before);
    var b = Read(after);
    var diff = b.Keys.Union(a.Keys).Select(k => (Type: k,
        Bytes: (b.GetValueOrDefault(k).Bytes - a.GetValueOrDefault(k).Bytes) / (double)circuits,
        Count: (b.GetValueOrDefault(k).Count - a.GetValueOrDefault(k).Count) / (double)circuits)).OrderByDescending(d => d.Bytes).ToList();
    Console.WriteLine($"per circuit: {diff.Sum(d => d.Bytes) / 1024:0.0} KB in {diff.Sum(d => d.Count):0} objects");
    foreach (var d in diff.Take(60)) Console.WriteLine($"{d.Bytes / 1024,9:0.0} KB {d.Count,8:0.0}  {d.Type}");
    return 0;
}

// GCDUMP=100 or GCDUMP=0,100,300: a dotnet-gcdump of the server at those levels (0: before any circuit); the
// difference of two dumps divided by the circuits between them is what one circuit holds.
static bool DumpAt(int level) => (Environment.GetEnvironmentVariable("GCDUMP") ?? "").Split(',').Contains(level.ToString(CultureInfo.InvariantCulture));
static double P(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
static string Mb(long bytes) => $"{bytes / 1048576.0:0.0} MB";
static string Kb(long bytes) => $"{bytes / 1024.0:0} KB";
static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

async Task<Memory> MemoryAsync(bool gc = true) =>
    (await http.GetFromJsonAsync<Memory>("bench/memory?gc=" + (gc ? "1" : "0")))!;

async Task<long> CardIdAsync() => (await http.GetFromJsonAsync<long>("bench/card"));

static void GcDump(int pid, string output)
{
    var tool = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump");
    if (!File.Exists(tool)) { Console.WriteLine("(dotnet-gcdump is not installed: dotnet tool install -g dotnet-gcdump)"); return; }
    Run(tool, $"collect -p {pid} -o {output}");
    Run(tool, $"report {output}", output + ".txt");
    Console.WriteLine($"gcdump: {output}, top types in {output}.txt");
    static void Run(string tool, string arguments, string? to = null)
    {
        using var p = Process.Start(new ProcessStartInfo(tool, arguments) { RedirectStandardOutput = true })!;
        var text = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (to is not null) File.WriteAllText(to, text);
    }
}

static async Task SignInAsync(HttpClient http, string email, string password)
{
    var form = await http.GetStringAsync("account/login");
    var fields = Regex.Matches(form, "<input[^>]*type=\"hidden\"[^>]*>").Select(m => m.Value)
        .Select(tag => (Name: Regex.Match(tag, "name=\"([^\"]*)\"").Groups[1].Value, Value: WebUtility.HtmlDecode(Regex.Match(tag, "value=\"([^\"]*)\"").Groups[1].Value)))
        .Where(f => f.Name.Length > 0).ToList();
    fields.Add(("Input.Email", email));
    fields.Add(("Input.Password", password));
    using var response = await http.PostAsync("account/login", new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));
    var inbox = await http.GetStringAsync("inbox");
    if (!inbox.Contains("<!--Blazor:", StringComparison.Ordinal) || inbox.Contains("id=\"password\"", StringComparison.Ordinal))
        throw new InvalidOperationException($"Signing in as {email} failed ({(int)response.StatusCode}).");
}

static Process StartServer(string file, out Uri baseUri)
{
    var p = Process.Start(new ProcessStartInfo("dotnet", [typeof(BlazorCircuit).Assembly.Location, "server", file])
    {
        RedirectStandardOutput = true, RedirectStandardError = false,
    })!;
    while (p.StandardOutput.ReadLine() is { } line)
    {
        if (!line.StartsWith("LISTENING ", StringComparison.Ordinal)) continue;
        baseUri = new Uri(line["LISTENING ".Length..].TrimEnd('/') + "/");
        _ = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is { } rest) Console.WriteLine("  [server] " + rest); });
        return p;
    }
    throw new InvalidOperationException("The server did not start.");
}

// ------------------------------------------------------------------ the server half

static async Task<int> ServerAsync(string file)
{
    var app = AgentWorkspaceApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Development"], builder =>
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={file}",
            ["Demo:Seed"] = "false",
            ["Demo:Accounts"] = "true",
            ["Api:Keys:0"] = "bench-key",
            ["DetailedErrors"] = "false",
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<CircuitHandler, CountingCircuits>());
    });
    Console.WriteLine("initializing (migrations, demo accounts) ...");
    await AgentWorkspaceApp.InitializeAsync(app, output: null);
    Console.WriteLine("initialized");
    // Bench only, on loopback, in this process: the server's memory after a full GC, its CPU, its open circuits.
    app.MapGet("/bench/memory", (HttpRequest request) =>
    {
        if (request.Query["gc"] != "0")
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
        using var self = Process.GetCurrentProcess();
        return new Memory(GC.GetTotalMemory(false), self.WorkingSet64, CountingCircuits.Open, (long)self.TotalProcessorTime.TotalMilliseconds,
            GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), (long)GC.GetTotalPauseDuration().TotalMilliseconds, GC.GetTotalAllocatedBytes());
    });
    app.MapGet("/bench/card", async (Microsoft.EntityFrameworkCore.IDbContextFactory<AgentWorkspace.Core.Persistence.AgentWorkspaceDbContext> f) =>
    {
        await using var db = await f.CreateDbContextAsync();
        // A card with a case open in the agent's queues, as an agent opens from the inbox.
        return await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.FirstAsync(
            db.Cases.Where(c => c.Status == AgentWorkspace.Core.Domain.Cases.CaseStatus.Open).OrderByDescending(c => c.LastMessageAt).Select(c => c.CardId));
    });
    await app.StartAsync();
    Console.WriteLine("LISTENING " + app.Urls.First());
    await Microsoft.Extensions.Hosting.HostingAbstractionsHostExtensions.WaitForShutdownAsync(app);
    return 0;
}

internal sealed record Memory(long Heap, long WorkingSet, int Circuits, long CpuMs, int Gen0 = 0, int Gen1 = 0, int Gen2 = 0, long GcPauseMs = 0, long Allocated = 0);

internal sealed class CountingCircuits : CircuitHandler
{
    private static int _open;
    public static int Open => Volatile.Read(ref _open);
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken ct) { Interlocked.Increment(ref _open); return Task.CompletedTask; }
    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken ct) { Interlocked.Decrement(ref _open); return Task.CompletedTask; }
}
