using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// Creates one context per operation for the configured provider. Options are built once; each
/// call only allocates the context.
/// </summary>
public sealed class AgentWorkspaceDbContextFactory : IDbContextFactory<AgentWorkspaceDbContext>
{
    private readonly Func<AgentWorkspaceDbContext> _create;

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
                _create = () => new SqlServerAgentWorkspaceDbContext(ss);
                break;
            default:
                var lite = new DbContextOptionsBuilder<SqliteAgentWorkspaceDbContext>()
                    .UseSqlite(options.ConnectionString, o => o.CommandTimeout(60))
                    .Options;
                _create = () => new SqliteAgentWorkspaceDbContext(lite);
                break;
        }
    }

    public AgentWorkspaceDbContext CreateDbContext() => _create();
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
