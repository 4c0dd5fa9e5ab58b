// Built-in CRM benchmark (issue 18), run on demand:
//   dotnet run -c Release --project bench/Crm -- /tmp/aw-crm.db [cards]
// Creates the database when it does not exist: migrated, reference data, and `cards` cards of the benchmark
// profile (one phone identity, one case per card, and about one CRM record per card: a contact, a CRM case for
// one card in ten), written in bulk as `seed --profile benchmark` does. Then measures, at random cases:
//   1. the card's two CRM sections of a case (CrmService.GetForCaseAsync: case, card look-up, built-in FindAsync,
//      associated records of the match), what the card shows after its first view;
//   2. the built-in connector's look-up alone (FindAsync by phone, e-mail and name).
// 5,000 iterations after 1,000 warm-up ones; prints p50/p95/p99 in milliseconds.
using System.Diagnostics;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

var file = args.Length > 0 ? args[0] : "/tmp/aw-crm.db";
var cards = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
// `push [rounds]` after the file and size: the push's delay after a wrap-up, through the real app (PushBench.cs).
if (args.Length > 2 && args[2] == "push")
{
    if (!File.Exists(file)) { Console.Error.WriteLine($"{file} does not exist: run the sections bench first (it seeds the file)."); return 2; }
    await PushBench.RunAsync(file, args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 200);
    return 0;
}
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
var fresh = !File.Exists(file);
await DatabaseStartup.MigrateAsync(factory);
var reference = new ReferenceData(factory, TimeProvider.System);
await reference.EnsureDemoReferenceDataAsync();
if (fresh)
{
    var watch = Stopwatch.StartNew();
    var result = new DemoDataSeeder(factory, TimeProvider.System).SeedCards(new DemoSeedOptions(cards, DemoProfile.Benchmark), []);
    Console.WriteLine($"Seeded {result.Cards:N0} cards, {result.CrmRecords:N0} CRM records in {watch.Elapsed.TotalSeconds:0} s");
}
long cardCount, contactCount, crmCount;
List<long> caseIds;
await using (var db = factory.CreateDbContext())
{
    cardCount = await db.Cards.LongCountAsync();
    contactCount = await db.CrmContacts.LongCountAsync();
    crmCount = contactCount + await db.CrmCases.LongCountAsync() + await db.CrmAccounts.LongCountAsync() + await db.CrmLeads.LongCountAsync();
    var max = await db.Cases.MaxAsync(c => c.Id);
    var random = new Random(18);
    caseIds = Enumerable.Range(0, 6_000).Select(_ => (long)random.Next(1, (int)max + 1)).ToList();
}
Console.WriteLine($"{file}: {cardCount:N0} cards, {crmCount:N0} CRM records ({contactCount:N0} contacts)");

var feed = new InProcessChangeFeed();
var runner = new UseCaseRunner(factory, feed, TimeProvider.System);
var builtIn = new BuiltInCrmConnector(factory, runner);
var settings = new CrmSettingsService(factory, runner, new CrmConnectorFactory([new BuiltInCrmKind(builtIn)]), new EphemeralDataProtectionProvider());
var crm = new CrmService(factory, runner, settings, new SettingsService(factory, runner, new SettingsDefaults()));
var actor = new Actor("bench", "Bench", Role.Supervisor);

var sections = new List<double>();
var found = 0;
for (var i = 0; i < caseIds.Count; i++)
{
    var sw = Stopwatch.StartNew();
    var s = await crm.GetForCaseAsync(actor, caseIds[i]);
    sw.Stop();
    if (s.Current.Count > 0) found++;
    if (i >= 1_000) sections.Add(sw.Elapsed.TotalMilliseconds);
}
Print($"CRM sections of a case (CrmService.GetForCaseAsync), {found * 100 / caseIds.Count}% with a match", sections);

var lookups = new List<(string Phone, string First, string Last)>();
await using (var db = factory.CreateDbContext())
{
    var random = new Random(19);
    var max = await db.CrmContacts.MaxAsync(c => c.Id);
    for (var i = 0; i < 6_000; i++)
    {
        var id = (long)random.Next(1, (int)max + 1);
        var c = await db.CrmContacts.AsNoTracking().Where(x => x.Id == id).Select(x => new { x.Phone, x.FirstName, x.LastName }).FirstOrDefaultAsync();
        if (c?.Phone is not null) lookups.Add((c.Phone, c.FirstName ?? "", c.LastName));
    }
}
var finds = new List<double>();
for (var i = 0; i < lookups.Count; i++)
{
    var (phone, first, last) = lookups[i];
    var sw = Stopwatch.StartNew();
    var r = await builtIn.FindAsync(new CrmLookup([phone], [$"{first}.{last}@example.com".ToLowerInvariant()], first, last, null), CancellationToken.None);
    sw.Stop();
    if (r.Count == 0) throw new InvalidOperationException("expected a match");
    if (i >= 1_000) finds.Add(sw.Elapsed.TotalMilliseconds);
}
Print("built-in FindAsync (phone, e-mail, name)", finds);
return 0;

static void Print(string name, List<double> ms)
{
    ms.Sort();
    Console.WriteLine($"{name}\n  n={ms.Count}  p50={P(ms, 0.50):0.000} ms  p95={P(ms, 0.95):0.000} ms  p99={P(ms, 0.99):0.000} ms  max={ms[^1]:0.000} ms");
    static double P(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
