// Ingest benchmarks (issue 3, part A), run on demand:
//   cp /work/bench-data/aw-1m.db /tmp/aw-ingest.db
//   dotnet run -c Release --project bench/Ingest -- [file] [count] [all|service|match|http] [seconds] [in-flight,...]
//   dotnet run -c Release --project bench/Ingest -- [file] [count] rate [seconds] [requests per second,...]   (open loop)
//   dotnet run -c Release --project bench/Ingest -- [file] [count] rate-apart [seconds] [requests per second,...]   (load client in its own process)
//   dotnet run -c Release --project bench/Ingest -- [dir/probe] 0 disk [seconds]   (what the disk alone allows: DiskProbe)
// On a copy of the 1,000,000-card database (never the shared file), measures per interaction at the
// service level (IngestService.IngestAsync: validate, match, case, message, indicators, change event):
// a phone match alone, a new sender, a known sender (first message: new case; second: its open case),
// a repeated externalId; then throughput with concurrent callers, and the same through HTTP
// (POST /api/v1/interactions on the real app, Kestrel on loopback, load client in this process or, with
// rate-apart, in a process of its own: OpenLoop).
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using AgentWorkspace.Bench.Ingest;
using static AgentWorkspace.Bench.Ingest.OpenLoop;

if (args is ["load", ..]) return await LoadAsync(args[1..]);

var file = args.Length > 0 ? args[0] : Path.Combine(Path.GetTempPath(), "aw-ingest.db");
var count = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5_000;
var mode = args.Length > 2 ? args[2] : "all";
var seconds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 30;
var inFlight = args.Length > 4 ? args[4].Split(',').Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [64, 256];
if (mode == "disk") return DiskProbe.Run(file + ".probe", seconds);
if (Path.GetFullPath(file) == "/work/bench-data/aw-1m.db")
{
    Console.Error.WriteLine("Never write to the shared database: copy it first (cp /work/bench-data/aw-1m.db /tmp/aw-ingest.db).");
    return 1;
}
if (!File.Exists(file) && !file.EndsWith("-empty.db", StringComparison.Ordinal))
{
    Console.Error.WriteLine($"{file} does not exist: cp /work/bench-data/aw-1m.db {file}");
    return 1;
}

var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
await DatabaseStartup.MigrateAsync(factory);
await new ReferenceData(factory, TimeProvider.System).EnsureDefaultQueueAsync();
// A/B for docs/decisions/010: AW_BENCH_SECURE_DELETE=off turns secure_delete off on every connection the factory keeps
// (the app turns it on as each opens; leasing them all at once and switching them off leaves them off for the run).
if (Environment.GetEnvironmentVariable("AW_BENCH_SECURE_DELETE") == "off")
{
    var held = new List<AgentWorkspaceDbContext>();
    for (var i = 0; i < 16; i++) held.Add(factory.CreateDbContext());
    foreach (var db in held) await db.Database.ExecuteSqlRawAsync("PRAGMA secure_delete=OFF");
    foreach (var db in held) await db.DisposeAsync();
}
await using (var db = factory.CreateDbContext())
    Console.WriteLine($"secure_delete on the factory's connections: {await db.Database.SqlQueryRaw<long>("SELECT secure_delete AS Value FROM pragma_secure_delete").SingleAsync()}");
await using (var db = factory.CreateDbContext())
    Console.WriteLine($"{file}: {await db.Cards.CountAsync():N0} cards, {await db.Identities.CountAsync():N0} identities, {await db.Messages.CountAsync():N0} messages");
Console.WriteLine($"{Environment.ProcessorCount} cores, {count:N0} interactions per scenario");

var feed = new InProcessChangeFeed();
var runner = new AgentWorkspace.Core.UseCases.UseCaseRunner(factory, feed, TimeProvider.System);
var settings = new SettingsService(factory, runner, new SettingsDefaults("FR"));
var ingest = new IngestService(factory, runner, settings, new LexiconSentimentAnalyzer(), new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
var actor = new Actor("bench", "Bench", Role.Admin);
var IdentityQuery = EF.CompileAsyncQuery((AgentWorkspaceDbContext db, IdentitySpace space, string normalized) =>
    db.Identities.FirstOrDefault(i => i.Space == space && i.NormalizedAddress == normalized));
var run = Guid.NewGuid().ToString("N")[..8];
var random = new Random(7);

// Known senders: existing phone identities, picked at random over the whole table.
List<string> known;
await using (var db = factory.CreateDbContext())
{
    var max = await db.Identities.MaxAsync(i => (long?)i.Id) ?? 0;
    var ids = Enumerable.Range(0, count * 2).Select(_ => (long)random.Next(1, (int)max + 1)).Distinct().Take(count).ToList();
    known = await db.Identities.AsNoTracking().Where(i => ids.Contains(i.Id) && i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress).ToListAsync();
}
var fresh = new HashSet<string>();
while (fresh.Count < count * 3) fresh.Add("+3378" + random.Next(0, 10_000_000).ToString("D7", CultureInfo.InvariantCulture));
var freshNumbers = fresh.ToList();
// On an empty database (for comparison), the senders of scenario 1 are the known ones afterwards.
if (known.Count == 0) known = freshNumbers.Take(count).ToList();
if (mode is "all" or "service" or "match")
{
    // Warm-up (JIT, query caches, page cache).
    for (var i = 0; i < 300; i++) await ingest.IngestAsync(actor, Sms(freshNumbers[^(i + 1)], $"{run}-warm-{i}", i));

    // 0. Phone match alone: normalise + identity lookup, as ingest does it (the same compiled, tracked query).
    var (normalise, lookup, match) = (new List<double>(), new List<double>(), new List<double>());
    for (var i = 0; i < count; i++)
    {
        var number = NationalForm(known[i % known.Count]);
        var sw = Stopwatch.StartNew();
        var address = IdentityResolver.Normalize(Channel.Sms, number, "FR");
        var normalised = sw.Elapsed.TotalMilliseconds;
        await using (var db = factory.CreateDbContext())
            _ = await IdentityQuery(db, address.Space, address.Normalized);
        match.Add(sw.Elapsed.TotalMilliseconds);
        normalise.Add(normalised);
        lookup.Add(sw.Elapsed.TotalMilliseconds - normalised);
    }
    Print("phone match: normalise (libphonenumber)", normalise);
    Print("phone match: lookup (lease + query)", lookup);
    Print("phone match (normalise + lookup)", match, $"load {LoadAverage()}");
    // For comparison: the lookup as a LINQ query translated on each call (how ingest read it before).
    var linq = new List<double>();
    for (var i = 0; i < count; i++)
    {
        var number = NationalForm(known[i % known.Count]);
        var sw = Stopwatch.StartNew();
        var address = IdentityResolver.Normalize(Channel.Sms, number, "FR");
        await using (var db = factory.CreateDbContext())
            _ = await db.Identities.FirstOrDefaultAsync(x => x.Space == address.Space && x.NormalizedAddress == address.Normalized);
        linq.Add(sw.Elapsed.TotalMilliseconds);
    }
    Print("phone match, LINQ query each time", linq, $"load {LoadAverage()}");
    if (mode == "match") return 0;

    // 1. New sender: new card, identity, case, message.
    var newSender = await Measure(count, i => Sms(freshNumbers[i], $"{run}-new-{i}", i));
    Print("new sender (card + case + message)", newSender);

    // 2. Known sender, first message: new case on an existing card.
    var knownFirst = await Measure(known.Count, i => Sms(known[i], $"{run}-known-{i}", i));
    Print("known sender, new case", knownFirst);

    // 3. Known sender again: the open case takes the message.
    var knownAgain = await Measure(known.Count, i => Sms(known[i], $"{run}-again-{i}", i));
    Print("known sender, open case", knownAgain);

    // 4. Repeated externalId: answered from the index, nothing stored.
    var repeated = await Measure(known.Count, i => Sms(known[i], $"{run}-again-{i}", i));
    Print("repeated externalId", repeated);

    // 5. Throughput: concurrent callers, a mix of known senders (open case) and new senders.
    foreach (var callers in new[] { 1, 16, 64 })
    {
        var (latencies, elapsed) = await Concurrent(callers, count, i => i % 5 == 0
            ? Sms(freshNumbers[count + (callers * count / 5 + i) % (count * 2)], $"{run}-c{callers}-{i}", i)
            : Sms(known[i % known.Count], $"{run}-c{callers}-{i}", i));
        Print($"service, {callers} concurrent callers", latencies, $"{latencies.Count / elapsed.TotalSeconds:N0}/s");
    }

}

// 6. Through HTTP, sustained: the real app (its configuration, its logging) on a real Kestrel port, the
// load client in this process on the same two cores, a fixed number of requests in flight for a fixed
// time; 80 % known senders (a random identity of the file: the open case or a new case), 20 % new ones.
if (mode is "all" or "http" or "rate" or "rate-apart")
{
    SqliteConnection.ClearAllPools();
    var app = AgentWorkspaceApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
    {
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["ConnectionStrings:AgentWorkspace"] = $"Data Source={file}",
            ["Demo:Seed"] = "false",
            ["Api:Keys:0"] = "bench-key",
            // The load is one key by design: its allowance (Api:RateLimit) would measure the limiter, not ingest.
            ["Api:RateLimit:PermitLimit"] = "0",
        });
    });
    await AgentWorkspaceApp.InitializeAsync(app, output: null);
    await app.StartAsync();
    using var http = Client(app.Urls.First());
    if (mode != "rate-apart") await WarmUpAsync(http, known, run);
    var mixed = OpenLoop.Mixed(known);
    // Open loop (mode "rate", the last argument is then the rates): see OpenLoop.RunAsync. In mode "rate-apart"
    // the load client is a process of its own on the same machine (as a channel connector or a load tool would
    // be), so the server's thread pool carries only the server's work.
    if (mode == "rate") await OpenLoop.RunAsync(http, mixed, run, seconds, inFlight);
    if (mode == "rate-apart")
    {
        var knownFile = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(knownFile, known);
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            using var client = Process.Start("dotnet", [typeof(OpenLoop).Assembly.Location, "load", app.Urls.First(), knownFile, seconds.ToString(CultureInfo.InvariantCulture), string.Join(',', inFlight)]);
            await client.WaitForExitAsync();
            if (client.ExitCode != 0) Console.Error.WriteLine($"the load client ended with {client.ExitCode}");
            var posted = inFlight.Sum(r => (long)r * seconds) + WarmUpPosts;
            Console.WriteLine($"server process: {(Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / posted:0.000} ms CPU/message over the client's run (warm-up included)");
        }
        finally
        {
            File.Delete(knownFile);
        }
    }
    for (var window = 0; mode is not ("rate" or "rate-apart") && window < inFlight.Length; window++)
    {
        // The window's number is in every externalId: an in-flight count given twice must not post repeats.
        var (callers, prefix) = (inFlight[window], $"{run}-h{inFlight[window]}-w{window}");
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var failures = 0;
        var before = LoadAverage();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var total = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(seconds);
        await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (total.Elapsed < deadline)
            {
                var i = Interlocked.Increment(ref next);
                var request = mixed(i, prefix);
                var sw = Stopwatch.StartNew();
                try
                {
                    await Post(http, request);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Increment(ref failures);
                }
                latencies.Add(sw.Elapsed.TotalMilliseconds);
            }
        })));
        total.Stop();
        // CPU of this process (server and load client) per message: what two cores allow, whatever the load of the machine.
        var cpuPerMessage = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / latencies.Count;
        Print($"HTTP, {callers} in flight, {seconds} s", latencies.ToList(),
            $"{latencies.Count / total.Elapsed.TotalSeconds:N0}/s, {failures} failed, {cpuPerMessage:0.000} ms CPU/message, load {before} -> {LoadAverage()}");
    }
    await app.StopAsync();
}
return 0;


async Task<List<double>> Measure(int n, Func<int, InteractionRequest> make)
{
    var result = new List<double>(n);
    for (var i = 0; i < n; i++)
    {
        var request = make(i);
        var sw = Stopwatch.StartNew();
        await ingest.IngestAsync(actor, request);
        result.Add(sw.Elapsed.TotalMilliseconds);
    }
    return result;
}

async Task<(List<double>, TimeSpan)> Concurrent(int callers, int n, Func<int, InteractionRequest> make)
{
    var latencies = new ConcurrentBag<double>();
    var next = -1;
    var total = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < n)
        {
            var request = make(i);
            var sw = Stopwatch.StartNew();
            await ingest.IngestAsync(actor, request);
            latencies.Add(sw.Elapsed.TotalMilliseconds);
        }
    })));
    total.Stop();
    return (latencies.ToList(), total.Elapsed);
}

