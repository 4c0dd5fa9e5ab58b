using System.Globalization;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using Spectre.Console;

namespace AgentWorkspace.Web.Hosting;

/// <summary><c>dotnet run --project AgentWorkspace.Web -- seed --cards N [--profile demo|benchmark]</c></summary>
public static class SeedCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var cards = 1000;
        var profile = DemoProfile.Demo;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--cards" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 0:
                    cards = n; i++; break;
                case "--cards":
                    Console.Error.WriteLine("seed: --cards needs a positive whole number, e.g. seed --cards 100000");
                    return 2;
                case "--profile" when i + 1 < args.Length && Enum.TryParse<DemoProfile>(args[i + 1], true, out var p):
                    profile = p; i++; break;
                case "--profile":
                    Console.Error.WriteLine("seed: --profile is demo or benchmark");
                    return 2;
                default:
                    rest.Add(args[i]); break;
            }
        }

        var app = AgentWorkspaceApp.Build([.. rest]);
        var factory = app.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await DatabaseStartup.MigrateAsync(factory);
        var reference = app.Services.GetRequiredService<ReferenceData>();
        await reference.EnsureDemoReferenceDataAsync();
        await reference.EnsureDemoScriptsAsync();
        var agents = await DemoUsers.EnsureAsync(app.Services);
        var seeder = app.Services.GetRequiredService<DemoDataSeeder>();

        DemoSeedResult? result = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask($"Seeding {cards:N0} cards", maxValue: cards);
                var progress = new Progress<int>(done => task.Value = done);
                result = await Task.Run(() => seeder.SeedCards(new DemoSeedOptions(cards, profile, Seed: 20261122), agents, new SyncProgress(task)));
                _ = progress;
            });
        AnsiConsole.MarkupLineInterpolated($"[green]Seeded[/] {result!.Cards:N0} cards, {result.Identities:N0} identities, {result.Cases:N0} cases, {result.Messages:N0} messages, {result.CrmRecords:N0} CRM records in {result.Elapsed.TotalSeconds:0.0} s into {DatabaseStartup.Describe(factory.Options)}.");
        return 0;
    }

    private sealed class SyncProgress(ProgressTask task) : IProgress<int>
    {
        public void Report(int value) => task.Value = value;
    }
}
