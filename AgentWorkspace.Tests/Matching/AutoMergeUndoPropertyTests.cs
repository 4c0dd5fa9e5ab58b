using System.Text;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Tests.Infrastructure;
using Bogus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Data.Sqlite;

namespace AgentWorkspace.Tests.Matching;

/// <summary>
/// Property (issue 21): random cards (Bogus, seeded) → preview → run → undo of the run leaves every table as it was,
/// row for row, but for the audit, the commit markers and the auto-merge's own tables (previews, pairs, runs), and two
/// columns of the cards that count and date every change (<c>Version</c>, <c>UpdatedAt</c>: a merge and its undo are
/// two changes of the survivor; the concurrency token must move on, or a page holding the card would overwrite it).
/// The preview is also checked against the run: every listed pair, and only those, is merged.
/// </summary>
[Trait("Category", "Service")]
public class AutoMergeUndoPropertyTests
{
    private static readonly HashSet<string> Untouched = new(StringComparer.Ordinal)
    {
        "AuditEntries", "UseCaseCommits", "MatchPreviews", "MatchPreviewPairs", "MatchRuns", "MatchingRules",
    };

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(21)]
    [InlineData(2026)]
    public async Task PreviewRunThenUndoOfTheRunLeavesEveryTableAsItWas(int seed)
    {
        var kit = await AutoMergeKit.CreateAsync();
        await using var _ = kit.Test;
        await PlantAsync(kit, seed);
        await kit.RuleAsync("Phone", MatchAttributes.Phone);
        await kit.RuleAsync("E-mail", MatchAttributes.Email);
        await kit.RuleAsync("Name and company", MatchAttributes.NameCompany, 0.6);
        await kit.RuleAsync("Name and city", MatchAttributes.NameCity, 0.55);

        var before = await DumpAsync(kit);
        var preview = await kit.PreviewAsync();
        var pairs = await kit.PairsAsync(preview.Id);
        pairs.ShouldNotBeEmpty("the seed plants duplicates");
        var run = await kit.AutoMerge.StartRunAsync(AutoMergeKit.Admin, preview.Id);
        await kit.DrainAsync();
        var outcomes = await kit.PairsAsync(preview.Id);
        outcomes.Where(p => p.Outcome != MatchPairOutcome.Merged).Select(p => $"{p.SurvivorId}←{p.MergedId} via {p.LinkedToId}: {p.Outcome} {p.SkipCode}")
            .ShouldBeEmpty("every pair of the preview is merged");
        (await kit.MergesAsync()).ShouldBe(pairs.Select(p => (p.SurvivorId, p.MergedId)), ignoreOrder: true);
        (await kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id)).Merged.ShouldBe(pairs.Count);

        await kit.AutoMerge.UndoRunAsync(AutoMergeKit.Admin, run.Id);
        await kit.DrainAsync();
        var undone = await kit.AutoMerge.GetRunAsync(AutoMergeKit.Admin, run.Id);
        (undone.State, undone.Undone, undone.UndoFailed).ShouldBe((MatchRunState.Undone, pairs.Count, 0));
        var after = await DumpAsync(kit);
        // Merges stay in the ledger, marked undone: compared apart.
        foreach (var table in before.Keys.Where(t => t != "Merges"))
            after[table].ShouldBe(before[table], $"table {table} (seed {seed})");
        after["Merges"].Count.ShouldBe(pairs.Count);
    }

    private static async Task PlantAsync(AutoMergeKit kit, int seed)
    {
        var faker = new Faker("fr") { Random = new Randomizer(seed) };
        var names = Enumerable.Range(0, 8).Select(_ => (faker.Name.FirstName(), faker.Name.LastName())).ToList();
        var companies = Enumerable.Range(0, 4).Select(_ => faker.Company.CompanyName()).ToList();
        var cities = new[] { "Paris", "Lyon", "LYON ", "Nantes" };
        var phones = Enumerable.Range(0, 10).Select(i => "+3361234" + (5000 + i * 7)).ToList();
        var emails = Enumerable.Range(0, 10).Select(i => $"user{i}@{faker.Internet.DomainWord()}.test").ToList();
        var usedAddresses = new HashSet<string>();
        await using var db = kit.Test.Factory.CreateDbContext();
        var field = await db.CustomFields.AsNoTracking().OrderBy(f => f.Id).FirstAsync(f => !f.IsArchived && f.Type == CustomFieldType.Text);
        var t0 = new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);
        var cards = new List<CustomerCard>();
        for (var n = 0; n < 40; n++)
        {
            var (first, last) = faker.PickRandom(names);
            var card = new CustomerCard(new CardProfile
            {
                FirstName = first, LastName = last,
                Company = faker.Random.Bool(0.6f) ? faker.PickRandom(companies) : null,
                City = faker.Random.Bool(0.6f) ? faker.PickRandom(cities) : null,
                JobTitle = faker.Random.Bool(0.4f) ? faker.Name.JobTitle() : null,
                MobilePhone = faker.Random.Bool(0.4f) ? faker.PickRandom(phones) : null,
                PrimaryEmail = faker.Random.Bool(0.4f) ? faker.PickRandom(emails) : null,
            }, "FR", t0.AddMinutes(n));
            var phone = faker.PickRandom(phones);
            if (faker.Random.Bool(0.3f) && usedAddresses.Add(phone))
                card.AddIdentity(Channel.Sms, phone, IdentityAddress.Normalize(Channel.Sms, phone, "FR"), t0.AddMinutes(n));
            var email = faker.PickRandom(emails);
            if (faker.Random.Bool(0.3f) && usedAddresses.Add(email))
                card.AddIdentity(Channel.Email, email, IdentityAddress.Normalize(Channel.Email, email, "FR"), t0.AddMinutes(n));
            cards.Add(card);
        }
        db.Cards.AddRange(cards);
        await db.SaveChangesAsync();
        foreach (var card in cards.Where(_ => faker.Random.Bool(0.4f)))
            db.CustomFieldValues.Add(new CustomFieldValue(card.Id, field.Id, faker.PickRandom("Gold", "Silver", "Bronze"), t0));
        await db.SaveChangesAsync();
    }

    /// <summary>Every row of every table (but <see cref="Untouched"/>), as text, in primary-key order.</summary>
    private static async Task<Dictionary<string, List<string>>> DumpAsync(AutoMergeKit kit)
    {
        TestDatabase.RequireSqlite("a dump of every table through SQLite's catalogue");
        var dump = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await using var connection = new SqliteConnection(kit.Test.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__EF%' ORDER BY name";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        foreach (var table in tables.Where(t => !Untouched.Contains(t)))
        {
            var rows = new List<string>();
            await using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1";
            await using var reader = await cmd.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var sb = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var column = reader.GetName(i);
                    if (table == "Cards" && column is "Version" or "UpdatedAt") continue;
                    if (table == "Merges" && column is "UndoneAt" or "UndoneBy") continue;
                    sb.Append(column).Append('=').Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('|');
                }
                rows.Add(sb.ToString());
            }
            dump[table] = rows;
        }
        return dump;
    }
}
