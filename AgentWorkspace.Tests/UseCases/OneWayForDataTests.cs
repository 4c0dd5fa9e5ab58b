using System.Text.RegularExpressions;

namespace AgentWorkspace.Tests.UseCases;

/// <summary>
/// Nothing opens a transaction but the use-case runner, the SQLite ingest writer and the seeding bulk loader (ADR 007, 008). The
/// retrying strategy catches it at run time on the paths the suite exercises; this reads every source file.
/// </summary>
public partial class OneWayForDataTests
{
    private static readonly string[] Allowed =
    [
        "AgentWorkspace.Core/UseCases/UseCaseRunner.cs",
        "AgentWorkspace.Core/Persistence/Sqlite/",
        // Bulk loading for demo and benchmark seeding, on the raw connection: not a use case (ADR 008).
        "AgentWorkspace.Core/Persistence/BulkInserter.cs",
    ];

    [GeneratedRegex(@"\bBeginTransaction(Async)?\s*\(")]
    private static partial Regex BeginTransaction();

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (AgentWorkspace.sln) was not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public void NoProductCodeOpensATransactionOutsideTheRunnerOrTheIngestWriter()
    {
        var root = RepositoryRoot();
        var offenders = new List<string>();
        foreach (var project in new[] { "AgentWorkspace.Core", "AgentWorkspace.Web" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(root, project), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(root, file).Replace('\\', '/');
                if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
                if (Allowed.Any(a => relative.StartsWith(a, StringComparison.Ordinal))) continue;
                var lines = File.ReadAllLines(file);
                for (var i = 0; i < lines.Length; i++)
                    if (BeginTransaction().IsMatch(lines[i]) && !lines[i].TrimStart().StartsWith("//", StringComparison.Ordinal))
                        offenders.Add($"{relative}:{i + 1}: {lines[i].Trim()}");
            }
        }
        offenders.ShouldBeEmpty("Run the change through UseCaseRunner (docs/decisions/008-use-case-runner.md)");
    }

    [Fact]
    public void TheScanFindsATransactionWhereThereIsOne() =>
        BeginTransaction().IsMatch("await using var tx = await db.Database.BeginTransactionAsync(ct);").ShouldBeTrue();
}
