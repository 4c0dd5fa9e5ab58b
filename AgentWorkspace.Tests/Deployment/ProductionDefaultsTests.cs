using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Hosting;

namespace AgentWorkspace.Tests.Deployment;

/// <summary>
/// Outside Development nothing published opens the door (issue 17): the real app, started as its own
/// process in the Production environment, refuses each with one line and a non-zero exit code.
/// </summary>
public class ProductionDefaultsTests
{
    private const string GoodKey = "k7S9-production-key-0123456789abcdef";

    private static async Task<(int Code, string Out, string Err)> StartAsync(string database, params string[] settings)
    {
        var bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = bin,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { Path.Combine(bin, "AgentWorkspace.Web.dll"), "--environment", "Production", "--urls", "http://127.0.0.1:0",
                     "--Database:Provider=Sqlite", $"--ConnectionStrings:AgentWorkspace=Data Source={database}" }.Concat(settings))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The app did not stop within 60 s; it was expected to refuse to start. Output: {await stdout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    private static void ShouldRefuseInOneLine((int Code, string Out, string Err) run, string naming)
    {
        run.Code.ShouldNotBe(0);
        var lines = run.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(1, "one line saying why: " + run.Err);
        lines[0].ShouldStartWith("AgentWorkspace cannot start:");
        lines[0].ShouldContain(naming);
    }

    [Fact]
    public async Task ThePublishedApiKeyIsRefused() =>
        ShouldRefuseInOneLine(await StartAsync(TestDatabase.NewFilePath()), "Api:Keys");

    [Fact]
    public async Task AShortApiKeyIsRefused()
    {
        var run = await StartAsync(TestDatabase.NewFilePath(), "--Api:Keys:0=only-twenty-chars-xx");
        ShouldRefuseInOneLine(run, "at least 32");
    }

    [Fact]
    public async Task AskingForTheDemoAccountsIsRefused()
    {
        var run = await StartAsync(TestDatabase.NewFilePath(), $"--Api:Keys:0={GoodKey}", "--Demo:Accounts=true");
        ShouldRefuseInOneLine(run, "Demo:Accounts");
    }

    [Fact]
    public async Task ADemoAccountLeftWithItsPublishedPasswordIsRefused()
    {
        // A database that was demo-seeded in Development, then taken to production as it was.
        await using var app = await AppHost.StartAsync(demoCards: 0);
        var file = app.DatabaseFile;
        await app.DisposeAsync();
        var run = await StartAsync(file, $"--Api:Keys:0={GoodKey}");
        ShouldRefuseInOneLine(run, "published password");
    }

    [Fact]
    public async Task TheFirstAdministratorComesFromTheCommandLineAndDisablingEndsTheRefusal()
    {
        var file = TestDatabase.NewFilePath();
        string[] config = ["--environment", "Production", "--Database:Provider=Sqlite", $"--ConnectionStrings:AgentWorkspace=Data Source={file}", $"--Api:Keys:0={GoodKey}"];
        var output = new StringWriter();
        var error = new StringWriter();

        var code = await UsersCommand.RunAsync(["add", "--email", "boss@example.com", "--role", "Admin", "--name", "Bea Boss", .. config], new StringReader(""), output, error);
        code.ShouldBe(0, error.ToString());
        output.ToString().ShouldContain("Created boss@example.com (Admin).");
        var password = Regex.Match(output.ToString(), "shown once, keep it safe\\): (\\S+)").Groups[1].Value;
        password.Length.ShouldBe(20);

        var piped = new StringWriter();
        (await UsersCommand.RunAsync(["add", "--email", "agent@example.com", "--role", "Agent", .. config], new StringReader("a-long-chosen-password\n"), piped, error)).ShouldBe(0);
        piped.ToString().ShouldNotContain("shown once");

        var list = new StringWriter();
        (await UsersCommand.RunAsync(["list", .. config], new StringReader(""), list, error)).ShouldBe(0);
        list.ToString().ShouldContain("boss@example.com");
        list.ToString().ShouldContain("agent@example.com");

        (await UsersCommand.RunAsync(["disable", "--email", "agent@example.com", .. config], new StringReader(""), new StringWriter(), error)).ShouldBe(0);
        var after = new StringWriter();
        await UsersCommand.RunAsync(["list", .. config], new StringReader(""), after, error);
        after.ToString().Split('\n').Single(l => l.StartsWith("agent@example.com", StringComparison.Ordinal)).ShouldContain("disabled");

        var unknown = new StringWriter();
        (await UsersCommand.RunAsync(["disable", "--email", "nobody@example.com", .. config], new StringReader(""), new StringWriter(), unknown)).ShouldBe(1);
        unknown.ToString().ShouldContain("there is no user nobody@example.com");
        (await UsersCommand.RunAsync(["add", "--role", "Admin", .. config], new StringReader(""), new StringWriter(), new StringWriter())).ShouldBe(2);
    }

    [Fact]
    public async Task WithAKeyOfItsOwnAndNoDemo_ProductionStartsWithoutDemoDataAndPrintsNoPassword()
    {
        var file = TestDatabase.NewFilePath();
        var bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = bin, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(bin, "AgentWorkspace.Web.dll"), "--environment", "Production", "--urls", "http://127.0.0.1:0",
                     "--Database:Provider=Sqlite", $"--ConnectionStrings:AgentWorkspace=Data Source={file}", $"--Api:Keys:0={GoodKey}" })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        // Both pipes are drained all along: a child blocked on a full pipe would never answer.
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lines.Enqueue("stderr: " + e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            const string running = "AgentWorkspace is running at ";
            var deadline = DateTime.UtcNow.AddSeconds(60);
            string? line = null;
            while (line is null && !process.HasExited && DateTime.UtcNow < deadline)
            {
                line = lines.FirstOrDefault(l => l.StartsWith(running, StringComparison.Ordinal));
                if (line is null) await Task.Delay(200);
            }
            line.ShouldNotBeNull("the app did not start: " + string.Join('\n', lines));
            var url = line[running.Length..].Split(',')[0].Trim();

            using var http = new HttpClient { BaseAddress = new Uri(url) };
            var health = await http.GetAsync("health");
            health.StatusCode.ShouldBe(HttpStatusCode.OK);
            health.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
            http.DefaultRequestHeaders.Add("X-Api-Key", GoodKey);
            var search = await http.GetStringAsync("api/v1/cards?q=a");
            search.ShouldContain("\"items\":[]");

            var printed = string.Join('\n', lines);
            printed.ShouldNotContain("Demo");
            printed.ShouldNotContain("-Demo-2026!");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
