using System.Text;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Merge;

[Trait("Category", "Service")]
public class MergeServiceTests
{
    private static readonly Actor Supervisor = new("sup", "Sophie Moreau", Role.Supervisor);
    private static readonly Actor Agent = new("agent", "Camille Laurent", Role.Agent);

    private static async Task<(TestDatabase Db, MergeService Merge, DuplicateService Duplicates, SettingsService Settings)> SeededAsync(int cards = 60)
    {
        var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(cards), [new DemoAgent("agent", "Camille Laurent", [Queue.DefaultName, "Support"])]);
        var feed = new InProcessChangeFeed();
        var settings = new SettingsService(test.Factory, test.Runner(feed), new SettingsDefaults());
        return (test, new MergeService(test.Factory, test.Runner(feed), settings), new DuplicateService(test.Factory, test.Runner(feed)), settings);
    }

    /// <summary>Every row of every table but the merge ledger and the audit, without the version and update-time columns.</summary>
    private static string Dump(TestDatabase test)
    {
        TestDatabase.RequireSqlite("the comparison reads every table of the file");
        using var connection = new SqliteConnection(test.ConnectionString);
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('Merges','AuditEntries','UseCaseCommits','__EFMigrationsHistory') ORDER BY name";
            using var r = list.ExecuteReader();
            while (r.Read()) tables.Add(r.GetString(0));
        }
        var sb = new StringBuilder();
        foreach (var table in tables)
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                sb.Append(table).Append(':');
                for (var i = 0; i < r.FieldCount; i++)
                {
                    var name = r.GetName(i);
                    if (name is "Version" or "UpdatedAt") continue;
                    sb.Append(name).Append('=').Append(r.IsDBNull(i) ? "∅" : Convert.ToString(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }
                sb.AppendLine();
            }
        }
        return sb.ToString();
    }

    [Fact]
    public async Task ForRandomPairs_MergeThenUnmergeLeavesEveryTableAsItWasRowByRow()
    {
        var (test, merge, _, _) = await SeededAsync();
        await using var _ = test;
        List<long> ids;
        await using (var db = test.Factory.CreateDbContext()) ids = await db.Cards.Select(c => c.Id).ToListAsync();
        var random = new Random(7);
        var fields = new[] { "firstName", "lastName", "company", "city", "primaryEmail", "mobilePhone", "tags", "cf:loyalty-tier", "cf:customer_number" };
        for (var round = 0; round < 8; round++)
        {
            var a = ids[random.Next(ids.Count)];
            var b = ids[random.Next(ids.Count)];
            if (a == b) continue;
            var choices = fields.Where(_ => random.Next(2) == 0).ToDictionary(f => f, _ => random.Next(2) == 0 ? MergeChoice.Merged : MergeChoice.Survivor);
            var before = Dump(test);
            var result = await merge.MergeAsync(Supervisor, a, b, choices);
            Dump(test).ShouldNotBe(before);
            await merge.UndoAsync(Supervisor, result.MergeId);
            Dump(test).ShouldBe(before, $"round {round}: merge {b} into {a} then undo");
        }
    }

    [Fact]
    public async Task AMergeConservesMessagesNotesIdentitiesAndCases()
    {
        var (test, merge, _, _) = await SeededAsync();
        await using var _ = test;
        await using var db = test.Factory.CreateDbContext();
        var pair = await db.Cards.OrderByDescending(c => c.PositiveCount + c.NegativeCount + c.NeutralCount).Select(c => c.Id).Take(2).ToListAsync();
        var (s, m) = (pair[0], pair[1]);
        async Task<(int Messages, int Notes, int Identities, int Cases)> Counts(long id) => (
            await db.Messages.CountAsync(x => x.CardId == id), await db.Notes.CountAsync(x => x.CardId == id),
            await db.Identities.CountAsync(x => x.CardId == id), await db.Cases.CountAsync(x => x.CardId == id));
        var cs = await Counts(s);
        var cm = await Counts(m);
        var totalMessages = await db.Messages.CountAsync();
        var survivorBefore = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == s);
        var mergedBefore = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == m);

        var result = await merge.MergeAsync(Supervisor, s, m);

        (await Counts(s)).ShouldBe((cs.Messages + cm.Messages, cs.Notes + cm.Notes, cs.Identities + cm.Identities, cs.Cases + cm.Cases));
        (await Counts(m)).ShouldBe((0, 0, 0, 0));
        (await db.Messages.CountAsync()).ShouldBe(totalMessages);
        result.MovedMessages.ShouldBe(cm.Messages);
        var survivor = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == s);
        survivor.PositiveCount.ShouldBe(survivorBefore.PositiveCount + mergedBefore.PositiveCount);
        survivor.NegativeCount.ShouldBe(survivorBefore.NegativeCount + mergedBefore.NegativeCount);
        var tombstone = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == m);
        tombstone.Status.ShouldBe(CardStatus.Merged);
        tombstone.MergedIntoId.ShouldBe(s);
        (await db.Audit.CountAsync(a => a.Action == "Merged" && a.EntityId == s.ToString())).ShouldBe(1);
    }

    [Fact]
    public async Task AChosenFieldTakesTheMergedCardsValue()
    {
        var (test, merge, _, _) = await SeededAsync(30);
        await using var _ = test;
        await using var db = test.Factory.CreateDbContext();
        var ids = await db.Cards.OrderBy(c => c.Id).Select(c => c.Id).Take(2).ToListAsync();
        var mergedCity = await db.Cards.Where(c => c.Id == ids[1]).Select(c => c.City).SingleAsync();
        await merge.MergeAsync(Supervisor, ids[0], ids[1], new Dictionary<string, MergeChoice> { ["city"] = MergeChoice.Merged });
        (await db.Cards.AsNoTracking().SingleAsync(c => c.Id == ids[0])).City.ShouldBe(mergedCity);
    }

    [Fact]
    public async Task MergingACardWithItselfALockedCardOrATombstoneIsRefusedClearly()
    {
        var (test, merge, _, _) = await SeededAsync(30);
        await using var _ = test;
        long a, b, c;
        await using (var db = test.Factory.CreateDbContext())
        {
            var ids = await db.Cards.OrderBy(x => x.Id).Select(x => x.Id).Take(3).ToListAsync();
            (a, b, c) = (ids[0], ids[1], ids[2]);
            (await db.Cards.SingleAsync(x => x.Id == c)).Lock();
            await db.SaveChangesAsync();
        }
        (await Should.ThrowAsync<DomainException>(() => merge.MergeAsync(Supervisor, a, a))).Message.ShouldContain("itself");
        (await Should.ThrowAsync<DomainException>(() => merge.MergeAsync(Supervisor, a, c))).Message.ShouldContain("locked");
        await merge.MergeAsync(Supervisor, a, b);
        (await Should.ThrowAsync<DomainException>(() => merge.MergeAsync(Supervisor, a, b))).Message.ShouldContain("already merged");
        (await Should.ThrowAsync<DomainException>(() => merge.MergeAsync(Supervisor, b, a))).Message.ShouldContain("already merged");
    }

    [Theory]
    [InlineData("shoeSize")]
    [InlineData("City")]
    [InlineData("cf:no-such-field")]
    [InlineData("cf:")]
    public async Task AChoiceForAFieldTheCardsDoNotHaveIsRefusedNamingIt_AndNothingIsMerged(string field)
    {
        var (test, merge, _, _) = await SeededAsync(20);
        await using var _ = test;
        List<long> ids;
        await using (var db = test.Factory.CreateDbContext()) ids = await db.Cards.OrderBy(x => x.Id).Select(x => x.Id).Take(2).ToListAsync();
        var choices = new Dictionary<string, MergeChoice> { ["city"] = MergeChoice.Merged, [field] = MergeChoice.Merged };

        var refused = await Should.ThrowAsync<DomainException>(() => merge.MergeAsync(Supervisor, ids[0], ids[1], choices));
        (refused.Field, refused.Code).ShouldBe(("choices." + field, "MergeChoiceUnknown"));
        await using var check = test.Factory.CreateDbContext();
        (await check.Cards.CountAsync(c => ids.Contains(c.Id) && c.Status == CardStatus.Active)).ShouldBe(2);
        (await check.Merges.CountAsync()).ShouldBe(0);
        // The same choices without the unknown one merge.
        await merge.MergeAsync(Supervisor, ids[0], ids[1], new Dictionary<string, MergeChoice> { ["city"] = MergeChoice.Merged, ["cf:loyalty-tier"] = MergeChoice.Survivor });
    }

    [Fact]
    public async Task AgentsMayMergeOnlyWhenTheSettingAllowsIt()
    {
        var (test, merge, _, settings) = await SeededAsync(30);
        await using var _ = test;
        List<long> ids;
        await using (var db = test.Factory.CreateDbContext()) ids = await db.Cards.OrderBy(x => x.Id).Select(x => x.Id).Take(2).ToListAsync();
        await Should.ThrowAsync<ForbiddenException>(() => merge.MergeAsync(Agent, ids[0], ids[1]));
        await settings.UpdateAsync(new Actor("admin", "Admin", Role.Admin), "FR", agentsMayMerge: true);
        (await merge.MergeAsync(Agent, ids[0], ids[1])).SurvivorId.ShouldBe(ids[0]);
    }

    [Fact]
    public async Task AnUndoIsRefusedOnceTheSurvivorWasMergedAgain()
    {
        var (test, merge, _, _) = await SeededAsync(30);
        await using var _ = test;
        List<long> ids;
        await using (var db = test.Factory.CreateDbContext()) ids = await db.Cards.OrderBy(x => x.Id).Select(x => x.Id).Take(3).ToListAsync();
        var first = await merge.MergeAsync(Supervisor, ids[0], ids[1]);
        await merge.MergeAsync(Supervisor, ids[2], ids[0]);
        (await Should.ThrowAsync<DomainException>(() => merge.UndoAsync(Supervisor, first.MergeId))).Message.ShouldContain("merged again");
    }

    [Fact]
    public async Task FiftyParallelMergesOverOverlappingCardsLoseNoRowAndLeaveNoOrphan()
    {
        var (test, merge, _, _) = await SeededAsync(40);
        await using var _ = test;
        List<long> ids;
        int messages, identities, cases, notes;
        await using (var db = test.Factory.CreateDbContext())
        {
            ids = await db.Cards.OrderBy(x => x.Id).Select(x => x.Id).Take(15).ToListAsync();
            (messages, identities, cases, notes) = (await db.Messages.CountAsync(), await db.Identities.CountAsync(), await db.Cases.CountAsync(), await db.Notes.CountAsync());
        }
        var random = new Random(11);
        var pairs = Enumerable.Range(0, 50).Select(_ => (ids[random.Next(ids.Count)], ids[random.Next(ids.Count)])).ToList();
        var outcomes = await Task.WhenAll(pairs.Select(p => Task.Run(async () =>
        {
            try { await merge.MergeAsync(Supervisor, p.Item1, p.Item2); return "merged"; }
            catch (DomainException) { return "refused"; }
        })));
        outcomes.Count(o => o == "merged").ShouldBeGreaterThan(0);

        await using var check = test.Factory.CreateDbContext();
        (await check.Messages.CountAsync()).ShouldBe(messages);
        (await check.Identities.CountAsync()).ShouldBe(identities);
        (await check.Cases.CountAsync()).ShouldBe(cases);
        (await check.Notes.CountAsync()).ShouldBe(notes);
        var active = await check.Cards.Where(c => c.Status == CardStatus.Active).Select(c => c.Id).ToListAsync();
        (await check.Messages.CountAsync(m => !active.Contains(m.CardId))).ShouldBe(0);
        (await check.Identities.CountAsync(m => !active.Contains(m.CardId))).ShouldBe(0);
        (await check.Cases.CountAsync(m => !active.Contains(m.CardId))).ShouldBe(0);
        (await check.Notes.CountAsync(m => !active.Contains(m.CardId))).ShouldBe(0);
        (await check.Merges.CountAsync()).ShouldBe(outcomes.Count(o => o == "merged"));
    }

    [Fact]
    public async Task APlantedDuplicateIsSuggestedWithItsReasons_AndNotAgainOnceDismissed()
    {
        var (test, _, duplicates, _) = await SeededAsync(400);
        await using var _ = test;
        long cardId;
        await using (var db = test.Factory.CreateDbContext())
        {
            var name = await db.Cards.GroupBy(c => c.SearchName).Where(g => g.Count() > 1).Select(g => g.Key).FirstAsync();
            cardId = await db.Cards.Where(c => c.SearchName == name).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        }
        var suggestions = await duplicates.SuggestAsync(Supervisor, cardId);
        suggestions.ShouldNotBeEmpty();
        var best = suggestions[0];
        best.Reasons.ShouldContain(r => r.Kind == DuplicateReasonKind.SimilarName);
        best.Score.ShouldBeGreaterThanOrEqualTo(DuplicateService.Threshold);

        await duplicates.DismissAsync(Supervisor, cardId, best.CardId);
        (await duplicates.SuggestAsync(Supervisor, cardId)).ShouldNotContain(c => c.CardId == best.CardId);
        (await duplicates.TopPairsAsync(Supervisor)).ShouldNotBeEmpty();
    }

    [Fact]
    public void TwoCardsSharingANumberScoreHigh()
    {
        var now = DateTimeOffset.UtcNow;
        var a = new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = "Martin", MobilePhone = "0612345678" }, "FR", now, 1);
        var b = new CustomerCard(new CardProfile { FirstName = "Zoe", LastName = "Martin", MobilePhone = "+33 6 12 34 56 78" }, "FR", now, 2);
        var scored = DuplicateService.Score(a, ["+33612345678"], [], b);
        scored.Reasons.Select(r => r.Kind).ShouldBe([DuplicateReasonKind.SamePhone, DuplicateReasonKind.SimilarName], ignoreOrder: true);
        scored.Score.ShouldBeGreaterThan(0.9);
    }
}
