using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>A large seed builds its indexes after the load: every index is back, and the lookups use them.</summary>
public class LargeSeedIndexTests
{
    [Fact]
    public async Task ALoadLargeEnoughToDeferItsIndexesLeavesEveryIndexInPlaceAndUsable()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        var before = await IndexesAsync(test.ConnectionString);

        var result = new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(DemoDataSeeder.DeferIndexesFrom, DemoProfile.Benchmark), []);

        result.Cards.ShouldBe(DemoDataSeeder.DeferIndexesFrom);
        (await IndexesAsync(test.ConnectionString)).ShouldBe(before);
        await using var db = test.Factory.CreateDbContext();
        var some = await db.Identities.AsNoTracking().OrderBy(i => i.Id).Skip(1234).FirstAsync();
        (await db.Identities.CountAsync(i => i.Space == some.Space && i.NormalizedAddress == some.NormalizedAddress)).ShouldBe(1);
        // The unique index is back: the same address cannot be stored twice.
        var duplicate = async () =>
        {
            await using var again = test.Factory.CreateDbContext();
            await again.Database.ExecuteSqlRawAsync("INSERT INTO ChannelIdentities (CardId, Channel, Space, RawAddress, NormalizedAddress, FirstSeenAt, LastSeenAt, IsErased) SELECT CardId, Channel, Space, RawAddress, NormalizedAddress, FirstSeenAt, LastSeenAt, IsErased FROM ChannelIdentities WHERE Id = {0}", some.Id);
        };
        await Should.ThrowAsync<SqliteException>(duplicate);
    }

    [Fact]
    public async Task ALoadThatFailsHalfwayStopsWithTheDatabaseErrorKeepsTheChunksAlreadyWrittenAndRestoresTheIndexes()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        var before = await IndexesAsync(test.ConnectionString);
        await using (var db = test.Factory.CreateDbContext())
        {
            // The second chunk's messages hit a failing write (as a full disk would) while the generator is a chunk ahead.
            await db.Database.ExecuteSqlRawAsync("CREATE TRIGGER fail_load AFTER INSERT ON Messages WHEN NEW.Id = 150000 BEGIN SELECT RAISE(ABORT, 'simulated write failure'); END;");
        }

        var seeding = Task.Run(() => new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(DemoDataSeeder.DeferIndexesFrom, DemoProfile.Benchmark), []));

        var error = await Should.ThrowAsync<SqliteException>(seeding.WaitAsync(TimeSpan.FromMinutes(5)));
        error.Message.ShouldContain("simulated write failure");
        (await IndexesAsync(test.ConnectionString)).ShouldBe(before);
        await using var check = test.Factory.CreateDbContext();
        var cards = await check.Cards.CountAsync();
        (cards % 20_000).ShouldBe(0, "whole chunks only: the failing chunk is rolled back");
        cards.ShouldBe(20_000);
        (await check.Messages.CountAsync()).ShouldBe(cards * 5);
    }

    [Fact]
    public async Task ASeedPutsBackTheSettingsOfTheConnectionItBorrowed()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        async Task<string> SettingsAsync()
        {
            await using var db = test.Factory.CreateDbContext();
            var connection = db.Database.GetDbConnection();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT (SELECT synchronous FROM pragma_synchronous) || '/' || (SELECT cache_size FROM pragma_cache_size) || '/' || (SELECT temp_store FROM pragma_temp_store)";
            return (string)(await command.ExecuteScalarAsync())!;
        }
        var before = await SettingsAsync();

        new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(50, DemoProfile.Benchmark), []);

        // The next operation gets the connection the seed used (the most recently returned): writes on it stay fully durable.
        test.Factory.OpenConnections.ShouldBe(1);
        (await SettingsAsync()).ShouldBe(before);
        before.ShouldStartWith("2/");
    }

    private static async Task<List<string>> IndexesAsync(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name || ':' || sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
