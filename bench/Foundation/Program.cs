// Foundation benchmarks (issue 2), run on demand:
//   dotnet run -c Release --project bench/Foundation -- [cards] [file] [--reuse]
// 1. Seeds `cards` cards (default 1,000,000) with one identity and five messages each, through the
//    same bulk seeder as `dotnet run --project AgentWorkspace.Web -- seed`, and reports the time.
// 2. Reads a card by id through EF Core (the way services do) and the same row with raw ADO.NET
//    (the floor), and prints p50/p95/p99 for both.
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

var positional = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
var cards = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 1_000_000;
var file = positional.Length > 1 ? positional[1] : Path.Combine(Path.GetTempPath(), $"aw-bench-foundation-{cards}.db");
var reuse = args.Contains("--reuse") && File.Exists(file);
if (!reuse) foreach (var f in new[] { file, file + "-wal", file + "-shm" }) if (File.Exists(f)) File.Delete(f);

var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
await DatabaseStartup.MigrateAsync(factory);
await new ReferenceData(factory, TimeProvider.System).EnsureDefaultQueueAsync();

if (!reuse)
{
Console.WriteLine($"Seeding {cards:N0} cards (1 identity, 1 case, 5 messages each) into {file}");
var seeder = new DemoDataSeeder(factory, TimeProvider.System);
var last = 0;
var result = seeder.SeedCards(new DemoSeedOptions(cards, DemoProfile.Benchmark), [], new Progress<int>(done =>
{
    if (done - last >= 100_000 || done == cards) { Console.WriteLine($"  {done:N0}"); last = done; }
}));
Console.WriteLine($"Seeded {result.Cards:N0} cards, {result.Identities:N0} identities, {result.Cases:N0} cases, {result.Messages:N0} messages in {result.Elapsed.TotalSeconds:0.0} s ({result.Cards / result.Elapsed.TotalSeconds:N0} cards/s)");
}

// Card by id: EF Core (no tracking, as services read) vs raw ADO.NET.
var random = new Random(42);
var ids = Enumerable.Range(0, 20_000).Select(_ => (long)random.Next(1, cards + 1)).ToArray();
const int warmup = 2_000;

// The paths read the same ids: touch every row once first, so that the first path measured does not
// pay the file's cold pages (read from disk) for the ones after it.
await using (var warm = new SqliteConnection($"Data Source={file}"))
{
    await warm.OpenAsync();
    await using var cmd = warm.CreateCommand();
    cmd.CommandText = "SELECT * FROM Cards WHERE Id = $id";
    var p = cmd.Parameters.Add("$id", SqliteType.Integer);
    foreach (var id in ids)
    {
        p.Value = id;
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) { }
    }
}

var compiled = EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id) => db.Cards.AsNoTracking().FirstOrDefault(c => c.Id == id));
// And run the EF path over every id once, untimed: a server that has been up for a while runs EF Core's
// code fully optimised (tiered JIT with PGO promotes it after some thousands of calls, in the background).
foreach (var id in ids)
{
    await using var db = factory.CreateDbContext();
    _ = await compiled(db, id);
}
await Task.Delay(1_000);

var ef = new List<double>(ids.Length);
for (var i = 0; i < ids.Length; i++)
{
    var sw = Stopwatch.StartNew();
    await using var db = factory.CreateDbContext();
    var card = await compiled(db, ids[i]) ?? throw new InvalidOperationException("missing card");
    sw.Stop();
    if (i >= warmup) ef.Add(sw.Elapsed.TotalMilliseconds);
}

var raw = new List<double>(ids.Length);
await using (var connection = new SqliteConnection($"Data Source={file}"))
{
    await connection.OpenAsync();
    await using var cmd = connection.CreateCommand();
    cmd.CommandText = "SELECT * FROM Cards WHERE Id = $id";
    var p = cmd.Parameters.Add("$id", SqliteType.Integer);
    cmd.Prepare();
    for (var i = 0; i < ids.Length; i++)
    {
        var sw = Stopwatch.StartNew();
        p.Value = ids[i];
        await using (var reader = await cmd.ExecuteReaderAsync())
        {
            if (!await reader.ReadAsync()) throw new InvalidOperationException("missing card");
            for (var c = 0; c < reader.FieldCount; c++) _ = reader.GetValue(c);
        }
        sw.Stop();
        if (i >= warmup) raw.Add(sw.Elapsed.TotalMilliseconds);
    }
}

// The same raw read, but opening a (pooled) connection per read as a service does per operation.
var rawOpen = new List<double>(ids.Length);
for (var i = 0; i < ids.Length; i++)
{
    var sw = Stopwatch.StartNew();
    await using (var connection = new SqliteConnection($"Data Source={file}"))
    {
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT * FROM Cards WHERE Id = $id";
        cmd.Parameters.AddWithValue("$id", ids[i]);
        await using var reader = await cmd.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) throw new InvalidOperationException("missing card");
        for (var c = 0; c < reader.FieldCount; c++) _ = reader.GetValue(c);
    }
    sw.Stop();
    if (i >= warmup) rawOpen.Add(sw.Elapsed.TotalMilliseconds);
}

Print("card by id, EF Core (context per read)", ef);
Print("card by id, raw ADO.NET, connection per read", rawOpen);
Print("card by id, raw ADO.NET (floor)", raw);
Console.WriteLine($"ratio p95 EF / raw: {Percentile(ef, 95) / Percentile(raw, 95):0.0}x");

static double Percentile(List<double> values, double p)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p / 100 * sorted.Count) - 1)];
}

static void Print(string name, List<double> values) =>
    Console.WriteLine($"{name,-42} p50 {Percentile(values, 50):0.000} ms  p95 {Percentile(values, 95):0.000} ms  p99 {Percentile(values, 99):0.000} ms  (n={values.Count:N0})");
