// Agent scripts benchmark (issue 19), run on demand:
//   dotnet run -c Release --project bench/Scripts -- /tmp/aw-scripts.db [cards]
// Creates the database: migrated, reference data, `cards` cards of the benchmark profile (one case each), then 1,000
// scripts of 20 steps (text with placeholders, macros, sub-scripts) published through ScriptService, each queue and
// channel given one of them. Measures, at random cases:
//   1. opening a case's script (CaseScriptService.GetForCaseAsync: the tree, the version, the steps, the states, the
//      placeholders filled), what opening a case adds on the server;
//   2. a three-action macro with the built-in CRM (set the priority, add a note, create a CRM case prefilled from the
//      conversation), each action through its own use case, and the run recorded.
// 2,000 / 300 iterations after warm-up; prints p50/p95/p99 in milliseconds.
using System.Diagnostics;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

var file = args.Length > 0 ? args[0] : "/tmp/aw-scripts.db";
var cards = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000;
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
var fresh = !File.Exists(file);
await DatabaseStartup.MigrateAsync(factory);
await new ReferenceData(factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
var feed = new InProcessChangeFeed();
var runner = new UseCaseRunner(factory, feed, TimeProvider.System);
var builtIn = new BuiltInCrmConnector(factory, runner);
var crmSettings = new CrmSettingsService(factory, runner, new CrmConnectorFactory([new BuiltInCrmKind(builtIn)]), new EphemeralDataProtectionProvider());
var appSettings = new SettingsService(factory, runner, new SettingsDefaults());
var crm = new CrmService(factory, runner, crmSettings, appSettings);
var cases = new CaseCommands(runner, new ReplyDelivery(runner, new LoggingOutboundConnector()));
var scripts = new ScriptService(factory, runner, crmSettings);
var caseScripts = new CaseScriptService(factory, runner, cases, new CardEdits(factory, runner, appSettings, TimeProvider.System), crm, new QuickReplyService(factory, runner));
var admin = new Actor("bench-admin", "Bench Admin", Role.Admin);
var actor = new Actor("bench", "Bench", Role.Supervisor);

if (fresh)
{
    var watch = Stopwatch.StartNew();
    new DemoDataSeeder(factory, TimeProvider.System).SeedCards(new DemoSeedOptions(cards, DemoProfile.Benchmark), []);
    List<string> queues;
    await using (var db = factory.CreateDbContext()) queues = await db.Queues.Select(q => q.Name).ToListAsync();
    var places = queues.SelectMany(q => Channels.All.Select(c => (Queue: q, Channel: c.WireName()))).ToList();
    long? previous = null;
    for (var i = 0; i < 1_000; i++)
    {
        var steps = new List<ScriptStepInput>();
        for (var s = 0; s < 20; s++)
        {
            steps.Add((s % 5) switch
            {
                1 => new ScriptStepInput(ScriptStepKind.Macro, $"Macro {s}", "Sets the priority, notes, creates a CRM case",
                [
                    new MacroAction { Type = MacroActionType.SetPriority, Priority = "high" },
                    new MacroAction { Type = MacroActionType.AddNote, Text = "Checked for {{customer.lastName}} ({{case.queue}})" },
                    new MacroAction { Type = MacroActionType.CreateCrmRecord, RecordType = "case", Fields = new Dictionary<string, string?> { ["subject"] = "Dispute {{case.id}}" } },
                ]),
                4 when previous is not null => new ScriptStepInput(ScriptStepKind.SubScript, $"Sub {s}", null, null, previous),
                _ => new ScriptStepInput(ScriptStepKind.Text, $"Step {s}", $"Hello {{{{customer.firstName}}}}, order {{{{context.variables.orderNumber}}}} in {{{{case.queue}}}} ({s})."),
            });
        }
        var place = i < places.Count ? places[i] : default;
        var saved = await scripts.CreateAsync(admin, new ScriptInput($"Script {i:D4}", null, "en", place.Queue is null ? [] : [place.Queue],
            place.Channel is null ? [] : [place.Channel], steps));
        previous = saved.Id;
    }
    Console.WriteLine($"Seeded {cards:N0} cards and 1,000 scripts of 20 steps in {watch.Elapsed.TotalSeconds:0} s");
}

List<long> caseIds;
await using (var db = factory.CreateDbContext())
{
    var max = await db.Cases.MaxAsync(c => c.Id);
    var random = new Random(19);
    caseIds = Enumerable.Range(0, 3_000).Select(_ => (long)random.Next(1, (int)max + 1)).ToList();
    Console.WriteLine($"{file}: {await db.Cases.CountAsync():N0} cases, {await db.Scripts.CountAsync():N0} scripts, {await db.ScriptSteps.CountAsync():N0} steps");
}

// SQL commands sent, counted from EF Core's diagnostic events: unlike the times, the count does not depend on how busy the machine is.
var commands = new CommandCounter();
using var listening = DiagnosticListener.AllListeners.Subscribe(commands);

var open = new List<double>();
long openCommands = 0;
for (var i = 0; i < 2_500; i++)
{
    var before = commands.Count;
    var watch = Stopwatch.StartNew();
    _ = await caseScripts.GetForCaseAsync(actor, caseIds[i]);
    if (i >= 500)
    {
        open.Add(watch.Elapsed.TotalMilliseconds);
        openCommands += commands.Count - before;
    }
}
Report("Opening a case's script (GetForCaseAsync)", open);
Console.WriteLine($"  SQL commands per opening: {(double)openCommands / open.Count:0.0}");

var macro = new List<double>();
var runs = 0;
long macroCommands = 0;
for (var i = 0; runs < 350 && i < caseIds.Count; i++)
{
    var view = await caseScripts.GetForCaseAsync(actor, caseIds[i]);
    if (view?.Steps.FirstOrDefault(s => s.Kind == ScriptStepKind.Macro) is not { } step) continue;
    var before = commands.Count;
    var watch = Stopwatch.StartNew();
    var run = await caseScripts.RunMacroAsync(actor, caseIds[i], step.Id, confirmRerun: true);
    if (runs++ >= 50)
    {
        macro.Add(watch.Elapsed.TotalMilliseconds);
        macroCommands += commands.Count - before;
    }
    if (!run.Succeeded) Console.WriteLine($"case {caseIds[i]}: {string.Join("; ", run.Actions.Where(a => !a.Ok).Select(a => a.Message))}");
}
Report("Three-action macro with the built-in CRM (RunMacroAsync)", macro);
if (macro.Count > 0) Console.WriteLine($"  SQL commands per macro run: {(double)macroCommands / macro.Count:0.0}");
return 0;

static void Report(string what, List<double> ms)
{
    if (ms.Count == 0) { Console.WriteLine($"{what}: no sample"); return; }
    ms.Sort();
    double P(double p) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(p * ms.Count) - 1)];
    Console.WriteLine($"{what}: n={ms.Count} p50={P(0.50):0.00} ms p95={P(0.95):0.00} ms p99={P(0.99):0.00} ms");
}

/// <summary>Replies are not part of these measures; nothing is sent.</summary>
sealed class LoggingOutboundConnector : IOutboundConnector
{
    public Task<DeliveryStatus> SendAsync(OutboundRequest request, CancellationToken ct = default) => Task.FromResult(DeliveryStatus.Sent);
}

/// <summary>Counts the commands EF Core executes (its "CommandExecuted" diagnostic event), from every context.</summary>
sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
{
    private long _count;
    public long Count => Interlocked.Read(ref _count);

    public void OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name) listener.Subscribe(this, name => name == RelationalEventId.CommandExecuted.Name);
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (value.Key == RelationalEventId.CommandExecuted.Name) Interlocked.Increment(ref _count);
    }

    public void OnCompleted() { }
    public void OnError(Exception error) { }
}
