using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

[Trait("Category", "Service")]
public class DemoSeedTests
{
    private static async Task<(TestDatabase Db, DemoSeedResult Result)> SeedAsync(int cards, DemoProfile profile = DemoProfile.Demo)
    {
        var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        long queueId;
        await using (var db = test.Factory.CreateDbContext()) queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var agents = new[] { new DemoAgent("agent-1", "Camille Laurent", [Queue.DefaultName, "Support", "Social Media"]) };
        var result = new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(cards, profile), agents);
        return (test, result);
    }

    [Fact]
    public async Task TheDemoCoversEveryChannelAndEveryStatus()
    {
        var (test, result) = await SeedAsync(400);
        await using var _ = test;
        await using var db = test.Factory.CreateDbContext();
        result.Cards.ShouldBe(400);
        var channels = await db.Cases.Select(c => c.Channel).Distinct().ToListAsync();
        channels.OrderBy(c => c).ShouldBe(Enum.GetValues<Channel>());
        var statuses = await db.Cases.Select(c => c.Status).Distinct().ToListAsync();
        // Merged is not a state a conversation arrives in: only an agent's merge gives it (issue 21), not the seed.
        statuses.OrderBy(s => s).ShouldBe(Enum.GetValues<CaseStatus>().Where(s => s != CaseStatus.Merged));
        (await db.Messages.Select(m => m.Sentiment).Distinct().CountAsync()).ShouldBe(3);
        (await db.Notes.CountAsync()).ShouldBeGreaterThan(0);
        (await db.Identities.GroupBy(i => i.CardId).CountAsync(g => g.Count() > 1)).ShouldBeGreaterThan(100);
    }

    [Fact]
    public async Task TheDemoPlantsDuplicatesOfTheSamePersonWithAnotherNumber()
    {
        var (test, _) = await SeedAsync(400);
        await using var _ = test;
        await using var db = test.Factory.CreateDbContext();
        var names = await db.Cards.Select(c => c.SearchName).ToListAsync();
        var duplicated = names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        duplicated.Count.ShouldBeGreaterThanOrEqualTo(5);
        var pair = await db.Cards.Where(c => c.SearchName == duplicated[0]).Select(c => c.Id).ToListAsync();
        var phones = await db.Identities.Where(i => pair.Contains(i.CardId) && i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress).Distinct().CountAsync();
        phones.ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task TheSameSeedGivesTheSameData()
    {
        var (a, _) = await SeedAsync(120);
        var (b, _) = await SeedAsync(120);
        await using var _a = a;
        await using var _b = b;
        await using var dbA = a.Factory.CreateDbContext();
        await using var dbB = b.Factory.CreateDbContext();
        var cardsA = await dbA.Cards.OrderBy(c => c.Id).Select(c => c.FirstName + " " + c.LastName + " " + c.City + " " + c.MobilePhone).ToListAsync();
        var cardsB = await dbB.Cards.OrderBy(c => c.Id).Select(c => c.FirstName + " " + c.LastName + " " + c.City + " " + c.MobilePhone).ToListAsync();
        cardsA.ShouldBe(cardsB);
        (await dbA.Messages.OrderBy(m => m.Id).Select(m => m.Text).ToListAsync()).ShouldBe(await dbB.Messages.OrderBy(m => m.Id).Select(m => m.Text).ToListAsync());
    }

    [Fact]
    public async Task IndicatorsMatchTheSeededMessages()
    {
        var (test, _) = await SeedAsync(150);
        await using var _ = test;
        await using var db = test.Factory.CreateDbContext();
        var counted = await db.Messages.Where(m => m.Direction == Direction.Inbound).GroupBy(m => m.CardId)
            .Select(g => new { CardId = g.Key, Pos = g.Count(m => m.Sentiment == Sentiment.Positive), Neg = g.Count(m => m.Sentiment == Sentiment.Negative) }).ToListAsync();
        var cards = await db.Cards.ToDictionaryAsync(c => c.Id);
        foreach (var c in counted)
        {
            cards[c.CardId].PositiveCount.ShouldBe(c.Pos);
            cards[c.CardId].NegativeCount.ShouldBe(c.Neg);
        }
    }

    [Fact]
    public async Task TheBenchmarkShapeIsOneIdentityAndFiveMessagesPerCard_AndASecondSeedAddsToTheFirst()
    {
        var (test, first) = await SeedAsync(300, DemoProfile.Benchmark);
        await using var _ = test;
        first.Identities.ShouldBe(300);
        first.Messages.ShouldBe(1500);
        var second = new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(200, DemoProfile.Benchmark), []);
        second.Cards.ShouldBe(200);
        await using var db = test.Factory.CreateDbContext();
        (await db.Cards.CountAsync()).ShouldBe(500);
        (await db.Identities.Select(i => i.NormalizedAddress).Distinct().CountAsync()).ShouldBe(500);
    }
}
