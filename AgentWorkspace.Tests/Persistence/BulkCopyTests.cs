using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Persistence.SqlServer;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// The bulk load of demo and benchmark seeding: SQLite keeps its prepared row insert, SQL Server gets
/// SqlBulkCopy. What can be checked without a server is here; <see cref="SqlServerLiveTests"/> runs the
/// SQL Server path for real when a server is available.
/// </summary>
public class BulkCopyTests
{
    [Fact]
    public async Task SqliteSeedsThroughThePreparedInsertAndSqlServerThroughSqlBulkCopy()
    {
        await using var test = await TestDatabase.CreateAsync();
        await using (var sqlite = test.Factory.CreateDbContext())
            BulkInserter.PathFor(sqlite).ShouldBe(BulkPath.PreparedInsert);
        using var sqlServer = new SqlServerDesignTimeFactory().CreateDbContext([]);
        BulkInserter.PathFor(sqlServer).ShouldBe(BulkPath.SqlBulkCopy);
    }

    public static TheoryData<Type> SeededTypes() =>
    [
        typeof(CustomerCard), typeof(ChannelIdentity), typeof(Case), typeof(Message), typeof(MessageAttachment),
        typeof(CaseEvent), typeof(Note), typeof(CustomFieldValue),
    ];

    [Theory]
    [MemberData(nameof(SeededTypes))]
    public void TheBulkCopyWritesEveryColumnOfTheSqlServerTableButTheRowVersion(Type entity)
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var table = (BulkTable)typeof(BulkTable).GetMethod(nameof(BulkTable.For))!.MakeGenericMethod(entity).Invoke(null, [db])!;
        var created = ColumnsInCreateScript(db.Database.GenerateCreateScript(), table.Table);
        created.ShouldNotBeEmpty();
        // The key included (KeepIdentity keeps the seeder's ids); what the server computes left out.
        table.Columns.Select(c => c.Name).Order(StringComparer.Ordinal)
            .ShouldBe(created.Where(c => c.Type != "rowversion").Select(c => c.Name).Order(StringComparer.Ordinal));
        table.Columns.ShouldContain(c => c.Name == "Id");
        table.DelimitedName.ShouldBe($"[{table.Table}]");
    }

    /// <summary>The columns of one CREATE TABLE of the script, with their SQL type.</summary>
    private static List<(string Name, string Type)> ColumnsInCreateScript(string script, string table)
    {
        var start = script.IndexOf($"CREATE TABLE [{table}] (", StringComparison.Ordinal);
        start.ShouldBeGreaterThanOrEqualTo(0, $"no CREATE TABLE [{table}] in the SQL Server create script");
        var end = script.IndexOf("\n);", start, StringComparison.Ordinal);
        return [.. Regex.Matches(script[start..end], @"^\s+\[(?<name>[^\]]+)\] (?<type>[a-z]+)", RegexOptions.Multiline)
            .Select(m => (m.Groups["name"].Value, m.Groups["type"].Value))];
    }

    [Fact]
    public void TheRowsReachSqlBulkCopyAsSqlServerStoresThem()
    {
        using var db = new SqlServerDesignTimeFactory().CreateDbContext([]);
        var sentAt = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(1));
        var first = new Message(41, 7, Channel.Facebook, "fb-1", Direction.Inbound, MessageKind.Post, "Zoé", null, null, "Bonjour", null, Sentiment.Negative, sentAt, id: 1001);
        var second = new Message(41, 7, Channel.Facebook, null, Direction.Outbound, MessageKind.Comment, "Camille", "agent-1", null, "Réponse", null, Sentiment.Neutral, sentAt.AddMinutes(3), parentMessageId: 1001, id: 1002);
        var table = BulkTable.For<Message>(db);
        using var reader = new EntityDataReader<Message>(table, [first, second]);

        reader.FieldCount.ShouldBe(table.Columns.Count);
        int Column(string name) => reader.GetOrdinal(name);
        reader.Read().ShouldBeTrue();
        reader.GetValue(Column("Id")).ShouldBe(1001L);
        reader.GetValue(Column("Channel")).ShouldBe((int)Channel.Facebook, "enums go as their number");
        reader.GetFieldType(Column("Channel")).ShouldBe(typeof(int));
        reader.GetValue(Column("SentAt")).ShouldBe(sentAt, "datetimeoffset keeps its offset on SQL Server");
        reader.IsDBNull(Column("ParentMessageId")).ShouldBeTrue();
        reader.GetValue(Column("ParentMessageId")).ShouldBe(DBNull.Value);
        reader.Read().ShouldBeTrue();
        reader.GetValue(Column("ParentMessageId")).ShouldBe(1001L);
        reader.IsDBNull(Column("ExternalId")).ShouldBeTrue();
        reader.Read().ShouldBeFalse();
    }

    [Fact]
    public async Task TheSameEntityReadsForSqliteWithSqlitesConversions()
    {
        // The table and conversions come from the context's own model: UTC ticks on SQLite, datetimeoffset on SQL Server.
        await using var test = await TestDatabase.CreateAsync();
        await using var db = test.Factory.CreateDbContext();
        var sentAt = new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(1));
        var message = new Message(41, 7, Channel.Sms, "sms-1", Direction.Inbound, MessageKind.Sms, "Zoé", null, null, "Bonjour", null, Sentiment.Neutral, sentAt, id: 5);
        using var reader = new EntityDataReader<Message>(BulkTable.For<Message>(db), [message]);
        reader.Read().ShouldBeTrue();
        reader.GetValue(reader.GetOrdinal("SentAt")).ShouldBe(sentAt.UtcTicks);
    }
}
