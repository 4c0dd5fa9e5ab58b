// Merge benchmarks (issue 6), run on demand:
//   dotnet run -c Release --project bench/Merge -- [cards] [file]
// Uses (or creates) a SQLite file with `cards` cards (default 1,000,000; the foundation bench's file is
// reused when present), then measures: duplicate suggestions for one card; merging two cards of 1,000
// messages each; and undoing that merge. Prints p50/p95/p99.
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

var cards = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
var file = args.Length > 1 ? args[1] : Path.Combine(Path.GetTempPath(), $"aw-bench-foundation-{cards}.db");
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
await DatabaseStartup.MigrateAsync(factory);
await new ReferenceData(factory, TimeProvider.System).EnsureDefaultQueueAsync();
int existing;
await using (var db = factory.CreateDbContext()) existing = await db.Cards.CountAsync();
if (existing < cards)
{
    Console.WriteLine($"Seeding {cards - existing:N0} cards into {file} ...");
    var r = new DemoDataSeeder(factory, TimeProvider.System).SeedCards(new DemoSeedOptions(cards - existing, DemoProfile.Benchmark), []);
    Console.WriteLine($"  {r.Elapsed.TotalSeconds:0.0} s");
}
Console.WriteLine($"{file}: {Math.Max(existing, cards):N0} cards");

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
var feed = new InProcessChangeFeed();
var runner = new AgentWorkspace.Core.UseCases.UseCaseRunner(factory, feed, TimeProvider.System);
var settings = new SettingsService(factory, runner, new SettingsDefaults());
var duplicates = new DuplicateService(factory, runner);
var merges = new MergeService(factory, runner, settings);
var actor = new Actor("bench", "Bench", Role.Supervisor);
var random = new Random(3);

// 1. Suggestions for random cards.
var suggest = new List<double>();
for (var i = 0; i < 1_200; i++)
{
    var id = random.Next(1, cards + 1);
    var sw = Stopwatch.StartNew();
    await duplicates.SuggestAsync(actor, id);
    sw.Stop();
    if (i >= 200) suggest.Add(sw.Elapsed.TotalMilliseconds);
}
Print("duplicate suggestions for one card", suggest);

// 2. Merge and undo two cards of 1,000 messages each.
var (a, b) = await TwoBigCardsAsync(factory);
var merge = new List<double>();
var undo = new List<double>();
for (var i = 0; i < 60; i++)
{
    var sw = Stopwatch.StartNew();
    var result = await merges.MergeAsync(actor, a, b);
    sw.Stop();
    if (i >= 10) merge.Add(sw.Elapsed.TotalMilliseconds);
    sw.Restart();
    await merges.UndoAsync(actor, result.MergeId);
    sw.Stop();
    if (i >= 10) undo.Add(sw.Elapsed.TotalMilliseconds);
}
Print("merge two cards of 1,000 messages each", merge);
Print("undo that merge", undo);

// 3. The search behind the Identities tab: name prefix, e-mail, phone in national form, phone prefix.
var cardSearch = new CardSearch(factory, settings);
var samples = new List<(string Name, string? Email, string? Phone)>();
await using (var db = factory.CreateDbContext())
{
    for (var i = 0; i < 300; i++)
    {
        var id = random.Next(1, cards + 1);
        var row = await db.Cards.AsNoTracking().Where(c => c.Id == id && c.Status == AgentWorkspace.Core.Domain.Cards.CardStatus.Active)
            .Select(c => new { c.LastName, c.PrimaryEmail, Phone = c.Identities.Where(x => x.Space == IdentitySpace.Phone).Select(x => x.NormalizedAddress).FirstOrDefault() })
            .FirstOrDefaultAsync();
        if (row is not null) samples.Add((row.LastName ?? "a", row.PrimaryEmail, row.Phone));
    }
}
var byKind = new Dictionary<string, List<double>> { ["name prefix (3 letters)"] = [], ["e-mail"] = [], ["phone, national form"] = [], ["phone prefix (national, 7 digits)"] = [] };
for (var round = 0; round < 4; round++)
{
    foreach (var (name, email, phone) in samples)
    {
        var queries = new List<(string Kind, string Q)> { ("name prefix (3 letters)", name.Length >= 3 ? name[..3] : name) };
        if (email is not null) queries.Add(("e-mail", email.ToUpperInvariant()));
        if (phone is { Length: > 8 } && phone.StartsWith("+33", StringComparison.Ordinal))
        {
            var national = "0" + phone[3..];
            queries.Add(("phone, national form", string.Join(' ', national.Chunk(2).Select(c => new string(c)))));
            queries.Add(("phone prefix (national, 7 digits)", national[..7]));
        }
        foreach (var (kind, q) in queries)
        {
            var sw = Stopwatch.StartNew();
            var page = await cardSearch.SearchAsync(actor, q);
            sw.Stop();
            if (round > 0) byKind[kind].Add(sw.Elapsed.TotalMilliseconds);
            if (round == 0 && kind.StartsWith("phone, national", StringComparison.Ordinal) && page.Items.Count == 0) Console.WriteLine($"  no hit for {q}");
        }
    }
}
foreach (var (kind, values) in byKind) if (values.Count > 0) Print("identities search: " + kind, values);

static async Task<(long, long)> TwoBigCardsAsync(AgentWorkspaceDbContextFactory factory)
{
    await using var db = factory.CreateDbContext();
    var queue = await db.Queues.FirstAsync();
    var now = DateTimeOffset.UtcNow;
    var ids = new List<long>();
    foreach (var name in new[] { "Bench Alpha", "Bench Beta" })
    {
        var card = new CustomerCard(new CardProfile { FirstName = name.Split(' ')[0], LastName = name.Split(' ')[1] + Guid.NewGuid().ToString("N")[..6] }, "FR", now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var phone = "+3375" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        card.AddIdentity(Channel.Sms, phone, new IdentityAddress(IdentitySpace.Phone, phone), now);
        var @case = new Case(card.Id, Channel.Sms, queue.Id, "Bench", now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        for (var m = 0; m < 1_000; m++)
            db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, null, m % 2 == 0 ? Direction.Inbound : Direction.Outbound, MessageKind.Sms, name, null, null, "message " + m, null, Sentiment.Neutral, now.AddMinutes(-m)));
        await db.SaveChangesAsync();
        ids.Add(card.Id);
    }
    return (ids[0], ids[1]);
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p / 100 * sorted.Count) - 1)];
}

static void Print(string name, List<double> values) =>
    Console.WriteLine($"{name,-40} p50 {Percentile(values, 50):0.00} ms  p95 {Percentile(values, 95):0.00} ms  p99 {Percentile(values, 99):0.00} ms  (n={values.Count:N0})");
