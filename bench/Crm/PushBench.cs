// The push's delay (issue 18: "a push leaves the outbox within 1 s of the wrap-up when the CRM answers"), measured
// through the real app on the benchmark file: a call arrives (ingest API), a CRM contact is created from the card and
// linked to the case, the call ends, the wrap-up is completed; the clock runs from the wrap-up's answer until the
// outbox row is Sent (the built-in CRM answers at once). Each round is one call, one after the other.
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

internal static class PushBench
{
    private const string Key = "bench-push-key-0123456789abcdef0123456789";

    public static async Task RunAsync(string file, int rounds)
    {
        var app = AgentWorkspaceApp.Build(["--urls", "http://127.0.0.1:0", "--environment", "Production"], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = "Sqlite",
                ["ConnectionStrings:AgentWorkspace"] = $"Data Source={file}",
                ["Demo:Seed"] = "false",
                ["Demo:Accounts"] = "false",
                ["Api:Keys:0"] = Key,
                ["Api:RateLimit:PermitLimit"] = "0",
            });
            builder.Logging.ClearProviders();
        });
        await AgentWorkspaceApp.InitializeAsync(app, output: null);
        await app.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First().TrimEnd('/') + "/api/v1/") };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        var factory = app.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        string? disposition;
        await using (var db = factory.CreateDbContext())
            disposition = await db.Dispositions.Where(d => d.IsActive).OrderBy(d => d.DisplayOrder).Select(d => d.Label).FirstOrDefaultAsync();

        var delays = new List<double>();
        for (var i = 0; i < rounds + 20; i++)
        {
            var number = $"+3361{Random.Shared.Next(1_000_000, 9_999_999)}";
            var arrived = await Post("interactions", new { channel = "voice", externalId = "push-bench-" + Guid.NewGuid().ToString("N"), kind = "call",
                from = new { address = number, displayName = "Bench Caller" }, body = "Appel entrant" });
            var caseId = arrived.GetProperty("caseId").GetInt64();
            var cardId = arrived.GetProperty("cardId").GetInt64();
            await Post($"cards/{cardId}/crm/records", new { type = "contact", fields = new { lastName = "Caller", firstName = "Bench" }, linkToCaseId = caseId });
            await Post($"cases/{caseId}/call-ended", null);
            await Post($"cases/{caseId}/wrap-up", new { disposition, notes = "Bench wrap-up " + i });
            var clock = Stopwatch.StartNew();
            while (true)
            {
                await using var db = factory.CreateDbContext();
                var states = await db.CrmPushes.Where(p => p.CaseId == caseId).Select(p => p.State).ToListAsync();
                if (states.Count > 0 && states.All(s => s == CrmPushState.Sent)) break;
                if (states.Any(s => s == CrmPushState.Failed)) throw new InvalidOperationException($"Push of case {caseId} failed.");
                if (clock.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"Push of case {caseId} not sent in 30 s ({string.Join(",", states)}).");
                await Task.Delay(2);
            }
            if (i >= 20) delays.Add(clock.Elapsed.TotalMilliseconds);
        }
        await app.StopAsync();
        Console.WriteLine($"wrap-up answered → push Sent (built-in CRM), {rounds} calls after 20 warm-up ones");
        delays.Sort();
        static double P(List<double> s, double p) => s[Math.Clamp((int)Math.Ceiling(p * s.Count) - 1, 0, s.Count - 1)];
        Console.WriteLine($"  n={delays.Count}  p50={P(delays, 0.5):0.0} ms  p95={P(delays, 0.95):0.0} ms  p99={P(delays, 0.99):0.0} ms  max={delays[^1]:0.0} ms");

        async Task<JsonElement> Post(string path, object? body)
        {
            using var response = await http.PostAsync(path, new StringContent(body is null ? "{}" : JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {text}");
            return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        }
    }
}
