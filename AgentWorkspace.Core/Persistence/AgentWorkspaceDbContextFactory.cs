using AgentWorkspace.Core.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// Creates one context per operation for the configured provider, from a pool: options and the
/// model are built once and a returned context is reset and reused, which is most of the cost of a
/// short read. On SQLite each pooled context also keeps its connection open across leases
/// (<see cref="SqliteContextPool"/>, docs/decisions/005), so an operation does not pay for opening
/// one; dispose the factory to close them.
/// </summary>
public sealed class AgentWorkspaceDbContextFactory : IDbContextFactory<AgentWorkspaceDbContext>, IDisposable
{
    private readonly Func<AgentWorkspaceDbContext> _create;
    private readonly SqliteContextPool? _sqlite;

    public DatabaseOptions Options { get; }

    public AgentWorkspaceDbContextFactory(DatabaseOptions options)
    {
        Options = options;
        switch (options.Provider)
        {
            case DatabaseProvider.SqlServer:
                var ss = new DbContextOptionsBuilder<SqlServerAgentWorkspaceDbContext>()
                    .UseSqlServer(options.ConnectionString, o => o.EnableRetryOnFailure(3, TimeSpan.FromSeconds(2), null).CommandTimeout(60))
                    .Options;
                var ssPool = new PooledDbContextFactory<SqlServerAgentWorkspaceDbContext>(ss);
                _create = ssPool.CreateDbContext;
                break;
            default:
                _sqlite = new SqliteContextPool(options.ConnectionString, o => o.CommandTimeout(60).ExecutionStrategy(d => new SqliteRetryingExecutionStrategy(d)));
                _create = _sqlite.Lease;
                break;
        }
    }

    public AgentWorkspaceDbContext CreateDbContext() => _create();

    /// <summary>SQLite connections the factory holds open now (0 on SQL Server, whose client pools its own).</summary>
    public int OpenConnections => _sqlite?.OpenConnections ?? 0;

    public void Dispose() => _sqlite?.Dispose();
}

/// <summary>Design-time factories so that `dotnet ef` can build each provider's migration set.</summary>
public sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAgentWorkspaceDbContext>
{
    public SqliteAgentWorkspaceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteAgentWorkspaceDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class SqlServerDesignTimeFactory : IDesignTimeDbContextFactory<SqlServerAgentWorkspaceDbContext>
{
    public SqlServerAgentWorkspaceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlServerAgentWorkspaceDbContext>().UseSqlServer("Server=.;Database=AgentWorkspace;Trusted_Connection=True;TrustServerCertificate=True").Options);
}
