using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// Runs against a real SQL Server when AGENTWORKSPACE_SQLSERVER holds a connection string (a
/// database the test may create and drop); reported as skipped, with the reason, otherwise.
/// </summary>
public class SqlServerLiveTests
{
    private static string RequireServer()
    {
        var cs = Environment.GetEnvironmentVariable("AGENTWORKSPACE_SQLSERVER");
        if (string.IsNullOrWhiteSpace(cs)) Assert.Skip("AGENTWORKSPACE_SQLSERVER is not set: the live SQL Server tests were not run.");
        var builder = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(cs) { InitialCatalog = "aw_test_" + Guid.NewGuid().ToString("N")[..8] };
        return builder.ToString();
    }

    [Fact]
    public async Task TheSqlServerMigrationsApplyAndTheDemoSeedsAndConcurrencyIsChecked()
    {
        var cs = RequireServer();
        var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("SqlServer", cs, Path.GetTempPath()));
        try
        {
            await DatabaseStartup.MigrateAsync(factory);
            await new ReferenceData(factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
            var result = new DemoDataSeeder(factory, TimeProvider.System).SeedCards(new DemoSeedOptions(50), []);
            result.Cards.ShouldBe(50);

            await using var first = factory.CreateDbContext();
            await using var second = factory.CreateDbContext();
            var id = await first.Cards.Select(c => c.Id).FirstAsync();
            var a = await first.Cards.SingleAsync(c => c.Id == id);
            var b = await second.Cards.SingleAsync(c => c.Id == id);
            a.UpdateProfile(a.Profile with { City = "Lyon" }, "FR", DateTimeOffset.UtcNow);
            b.UpdateProfile(b.Profile with { City = "Nantes" }, "FR", DateTimeOffset.UtcNow);
            await first.SaveChangesAsync();
            await Should.ThrowAsync<DbUpdateConcurrencyException>(() => second.SaveChangesAsync());
        }
        finally
        {
            await using var db = factory.CreateDbContext();
            await db.Database.EnsureDeletedAsync();
        }
    }
}
