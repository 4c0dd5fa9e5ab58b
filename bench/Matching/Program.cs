// Auto-merge preview benchmark (issue 21, ADR 023), run on demand on a COPY of the 1,000,000-card file:
//   cp /tmp/aw-1m.db /tmp/aw-match.db (and its -wal / -shm)
//   dotnet run -c Release --project bench/Matching -- /tmp/aw-match.db [runs]
// The first run on a file migrates it, plants duplicates (set-based SQL on the copy, see Plant) and creates the levels
// (e-mail; phone; name + company; name + city; customer number); every run then times whole previews
// (StartPreviewAsync → Ready) and prints the total, each phase the service logs, the pair and cluster counts and the
// peak working set. Goal: under 60 s on the 2-core machine.
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

if (args.Length < 1) { Console.Error.WriteLine("usage: <copy.db> [runs=3]"); return 2; }
var file = args[0];
if (Path.GetFullPath(file) == "/tmp/aw-1m.db") { Console.Error.WriteLine("Refused: work on a copy of /tmp/aw-1m.db, never on it."); return 2; }
var runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
var sw = Stopwatch.StartNew();
await DatabaseStartup.MigrateAsync(factory);
await new ReferenceData(factory, TimeProvider.System).EnsureDefaultQueueAsync();
Console.WriteLine($"migrated in {sw.Elapsed.TotalSeconds:0.0} s");
var feed = new InProcessChangeFeed();
var runner = new UseCaseRunner(factory, feed, TimeProvider.System);
var settings = new SettingsService(factory, runner, new SettingsDefaults());
var rules = new MatchingRuleService(factory, runner);
var sharedIds = new SharedIdentifierService(factory, runner, settings);
var admin = new Actor("bench-admin", "Bench Admin", Role.Admin);
var log = new ConsoleLog();
var service = new AutoMergeService(factory, runner, settings, TimeProvider.System, log);

long cards;
await using (var db = factory.CreateDbContext()) cards = await db.Cards.LongCountAsync();
Console.WriteLine($"{file}: {cards:N0} cards");
if ((await rules.ListAsync(admin)).Count == 0)
{
    sw.Restart();
    await Plant(factory);
    // Listed by an administrator: a number two cards hold, and an address three cards hold — neither may pair anyone.
    await sharedIds.AddAsync(admin, SharedKind.Phone, "+33 1 99 00 00 00", "bench: listed number");
    await sharedIds.AddAsync(admin, SharedKind.Email, "contact@listed.example", "bench: listed address");
    long fieldId;
    await using (var db = factory.CreateDbContext()) fieldId = await db.CustomFields.Where(f => f.Ident == "customer_number").Select(f => f.Id).SingleAsync();
    await rules.CreateAsync(admin, new MatchingRuleInput("Same e-mail", true, MatchAttributes.Email, null, 0.5));
    await rules.CreateAsync(admin, new MatchingRuleInput("Same phone", true, MatchAttributes.Phone, null, 0.5));
    await rules.CreateAsync(admin, new MatchingRuleInput("Same name and company", true, MatchAttributes.NameCompany, null, 0.6));
    await rules.CreateAsync(admin, new MatchingRuleInput("Same name and city", true, MatchAttributes.NameCity, null, 0.55));
    await rules.CreateAsync(admin, new MatchingRuleInput("Same customer number", true, MatchAttributes.CustomField, fieldId, 0.3));
    Console.WriteLine($"planted and created the levels in {sw.Elapsed.TotalSeconds:0.0} s");
}
foreach (var r in await rules.ListAsync(admin)) Console.WriteLine($"  level {r.Position}: {r.Name} ({r.Attributes}, min {r.MinScore})");

var totals = new List<double>();
for (var i = 0; i < runs; i++)
{
    GC.Collect();
    var peak = 0L;
    using var cts = new CancellationTokenSource();
    var sampler = Task.Run(async () =>
    {
        while (!cts.IsCancellationRequested)
        {
            using (var p = Process.GetCurrentProcess()) peak = Math.Max(peak, p.WorkingSet64);
            try { await Task.Delay(100, cts.Token); } catch (OperationCanceledException) { }
        }
    });
    Console.WriteLine($"run {i + 1}: load {File.ReadAllText("/proc/loadavg").Trim()}");
    sw.Restart();
    var started = await service.StartPreviewAsync(admin);
    while (await service.WorkAsync()) { }
    var view = await service.GetPreviewAsync(admin, started.Id);
    sw.Stop();
    cts.Cancel();
    await sampler;
    totals.Add(sw.Elapsed.TotalSeconds);
    Console.WriteLine($"run {i + 1}: preview {view.Id} {view.State} in {sw.Elapsed.TotalSeconds:0.00} s — pairs {view.Counts.Pairs:N0}, clusters {view.Counts.Clusters:N0}, " +
                      $"cards {view.Counts.Cards:N0}, skipped groups {view.Counts.SkippedGroups:N0}; peak working set {peak / 1024.0 / 1024:0} MB" +
                      (view.Error is null ? "" : $"; error: {view.Error}"));
}
Console.WriteLine($"totals: {string.Join(", ", totals.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture) + " s"))}; goal < 60 s");
await using (var db = factory.CreateDbContext())
{
    var last = await db.MatchPreviews.OrderByDescending(p => p.Id).Select(p => p.Id).FirstAsync();
    var byRule = await db.MatchPreviewPairs.Where(p => p.PreviewId == last).GroupBy(p => p.RuleName).Select(g => new { g.Key, N = g.Count() }).ToListAsync();
    foreach (var g in byRule.OrderBy(g => g.Key)) Console.WriteLine($"  pairs by level: {g.Key}: {g.N:N0}");
    var sharedPairs = await db.MatchPreviewPairs.Where(p => p.PreviewId == last && (p.MatchedJson.Contains("+33140000000") || p.MatchedJson.Contains("noreply@shop.example")
        || p.MatchedJson.Contains("+33199000000") || p.MatchedJson.Contains("contact@listed.example"))).CountAsync();
    Console.WriteLine($"  pairs on a shared identifier (must be 0): {sharedPairs}");
}
return 0;

// Duplicates on the copy, set-based. The benchmark profile gives every card a name, a city and one phone identity;
// around them: 30 % of cards get an e-mail, 20 % a company (40,000 companies), 10 % a customer number. Then pairs:
// 12,500 cards take another card's phone number as their mobile, 12,500 another's e-mail (a third in upper case),
// 3,000 copy another's name and company, 3,000 another's name and city, 500 another's customer number (2.5 % of
// 1,000,000 by phone or e-mail). Shared, never a pair: a switchboard number on 40 cards and a noreply@ address on 150
// (over the shared threshold), a listed number on 2 cards, a listed address on 3 (listed by the caller).
static async Task Plant(AgentWorkspaceDbContextFactory factory)
{
    await using var db = factory.CreateDbContext();
    db.Database.SetCommandTimeout(TimeSpan.FromMinutes(20));
    var max = await db.Cards.MaxAsync(c => c.Id);
    var fieldId = await db.CustomFields.Where(f => f.Ident == "customer_number").Select(f => f.Id).SingleAsync();
    var rnd = new Random(21);
    var used = new HashSet<long>();
    long Pick() { while (true) { var id = rnd.NextInt64(1, max + 1); if (used.Add(id)) return id; } }
    List<(long X, long Y)> Pairs(int n) => Enumerable.Range(0, n).Select(_ => (Pick(), Pick())).ToList();
    var sql = new List<string>
    {
        "UPDATE Cards SET PrimaryEmail = 'c' || Id || '@mail.example' WHERE Id % 10 < 3",
        "UPDATE Cards SET Company = 'Company ' || (Id % 40000), SearchCompany = 'company ' || (Id % 40000) WHERE Id % 5 = 1",
        $"INSERT INTO CustomFieldValues (CardId, FieldId, Value, UpdatedAt) SELECT Id, {fieldId}, 'CN' || Id, 0 FROM Cards WHERE Id % 10 = 7",
    };
    foreach (var (x, y) in Pairs(12_500))
        sql.Add($"UPDATE Cards SET MobilePhone = (SELECT NormalizedAddress FROM ChannelIdentities WHERE CardId = {y} AND Space = 1 LIMIT 1) WHERE Id = {x}");
    var k = 0;
    foreach (var (x, y) in Pairs(12_500))
    {
        sql.Add($"UPDATE Cards SET PrimaryEmail = COALESCE(PrimaryEmail, 'dup{y}@mail.example') WHERE Id = {y}");
        sql.Add($"UPDATE Cards SET PrimaryEmail = (SELECT {(k++ % 3 == 0 ? "UPPER(PrimaryEmail)" : "PrimaryEmail")} FROM Cards WHERE Id = {y}) WHERE Id = {x}");
    }
    foreach (var (x, y) in Pairs(3_000))
        sql.Add($"UPDATE Cards SET (FirstName, LastName, SearchName, SearchLastName, NameKey, Company, SearchCompany) = " +
                $"(SELECT FirstName, LastName, SearchName, SearchLastName, NameKey, COALESCE(Company, 'Dup Company {y}'), CASE WHEN SearchCompany = '' THEN 'dup company {y}' ELSE SearchCompany END FROM Cards WHERE Id = {y}) WHERE Id IN ({x}, {y})");
    foreach (var (x, y) in Pairs(3_000))
        sql.Add($"UPDATE Cards SET (FirstName, LastName, SearchName, SearchLastName, NameKey, City) = (SELECT FirstName, LastName, SearchName, SearchLastName, NameKey, City FROM Cards WHERE Id = {y}) WHERE Id = {x}");
    foreach (var (x, y) in Pairs(500))
    {
        sql.Add($"INSERT INTO CustomFieldValues (CardId, FieldId, Value, UpdatedAt) SELECT {y}, {fieldId}, 'CN' || {y}, 0 WHERE NOT EXISTS (SELECT 1 FROM CustomFieldValues WHERE CardId = {y} AND FieldId = {fieldId})");
        sql.Add($"DELETE FROM CustomFieldValues WHERE CardId = {x} AND FieldId = {fieldId}");
        sql.Add($"INSERT INTO CustomFieldValues (CardId, FieldId, Value, UpdatedAt) SELECT {x}, {fieldId}, ' ' || LOWER(Value), 0 FROM CustomFieldValues WHERE CardId = {y} AND FieldId = {fieldId}");
    }
    for (var i = 0; i < 40; i++) sql.Add($"UPDATE Cards SET MobilePhone = '+33140000000' WHERE Id = {Pick()}");
    for (var i = 0; i < 150; i++) sql.Add($"UPDATE Cards SET PrimaryEmail = 'noreply@shop.example' WHERE Id = {Pick()}");
    for (var i = 0; i < 2; i++) sql.Add($"UPDATE Cards SET MobilePhone = '+33199000000' WHERE Id = {Pick()}");
    for (var i = 0; i < 3; i++) sql.Add($"UPDATE Cards SET PrimaryEmail = 'contact@listed.example' WHERE Id = {Pick()}");
    // One transaction under the provider's execution strategy, as the product's use cases run (ADR 008): a retry
    // starts the whole plant again on a rolled-back database.
    await db.Database.CreateExecutionStrategy().ExecuteAsync(async () =>
    {
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var tx = await connection.BeginTransactionAsync();
        foreach (var s in sql)
        {
            await using var cmd = connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = s;
            cmd.CommandTimeout = 1200;
            await cmd.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
    });
    Console.WriteLine($"planted: {sql.Count:N0} statements");
}

sealed class ConsoleLog : ILogger<AutoMergeService>
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
    public bool IsEnabled(LogLevel logLevel) => true;
    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Console.WriteLine($"  [{logLevel}] {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
}
