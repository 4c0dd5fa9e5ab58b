using DotNet.Testcontainers.Builders;
using Microsoft.Data.SqlClient;
using Testcontainers.MsSql;

[assembly: AssemblyFixture(typeof(AgentWorkspace.Tests.Infrastructure.SqlServerInstance))]

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// The SQL Server the live tests use, when there is one: the server named by the connection string in
/// <c>AGENTWORKSPACE_SQLSERVER</c> (a login that may create and drop databases), else a throwaway one in
/// a container when a Docker engine answers (Testcontainers, started once on first use and removed at
/// the end of the run). Without either, the tests that need it report themselves skipped with the reason.
/// </summary>
public sealed class SqlServerInstance : IAsyncLifetime
{
    public const string Variable = "AGENTWORKSPACE_SQLSERVER";
    public const string Image = "mcr.microsoft.com/mssql/server:2022-CU14-ubuntu-22.04";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (string? ConnectionString, string? Unavailable)? _found;
    private static MsSqlContainer? _container;

    /// <summary>A connection string to the server (its default database), or why there is none.</summary>
    public static async Task<(string? ConnectionString, string? Unavailable)> FindAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _found ??= await LocateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>The server's connection string; the calling test is reported skipped, with the reason, when there is none.</summary>
    public static async Task<string> RequireAsync()
    {
        var (connectionString, unavailable) = await FindAsync();
        if (connectionString is null) Assert.Skip(unavailable!);
        return connectionString;
    }

    /// <summary>The same server with a database name of its own (created by the migrations, dropped by the test).</summary>
    public static string NewDatabase(string connectionString, string prefix = "aw_test_") =>
        new SqlConnectionStringBuilder(connectionString) { InitialCatalog = prefix + Guid.NewGuid().ToString("N")[..12] }.ToString();

    private static async Task<(string?, string?)> LocateAsync()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(configured)) return (configured, null);

        MsSqlContainer container;
        try
        {
            container = new MsSqlBuilder(Image).Build();
        }
        catch (DockerUnavailableException ex)
        {
            return (null, $"No SQL Server: {Variable} is not set and no Docker engine answers ({ex.Message.Split('\n')[0].Trim()}). The live SQL Server tests were not run.");
        }
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await container.StartAsync(timeout.Token);
        }
        catch (Exception ex)
        {
            await container.DisposeAsync();
            return (null, $"No SQL Server: {Variable} is not set and the SQL Server container ({Image}) did not start: {ex.GetBaseException().Message.Split('\n')[0].Trim()}. The live SQL Server tests were not run.");
        }
        _container = container;
        return (container.GetConnectionString(), null);
    }

    ValueTask IAsyncLifetime.InitializeAsync() => ValueTask.CompletedTask;

    /// <summary>At the end of the run: the container goes (a server named by the variable is left alone).</summary>
    public async ValueTask DisposeAsync()
    {
        if (_container is { } container) await container.DisposeAsync();
    }
}
