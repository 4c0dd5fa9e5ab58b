// Customer card benchmarks (issue 4), run on demand:
//   cp /work/bench-data/aw-1m.db /tmp/aw-cards.db
//   dotnet run -c Release --project bench/Cards -- /tmp/aw-cards.db [service|browser|all]
// Adds (once) a contact with 5,000 messages to the database, then measures:
//   1. the detailed card's first view (profile, identities, indicators, custom fields, 50 newest messages)
//      through CardReads, and the same rows read with raw ADO.NET on one open connection;
//   2. each further keyset page of 50 messages, at random depths in the history;
//   3. in a real browser (Chromium, Playwright): from the click on a search result to the card visible.
// Prints p50/p95/p99 in milliseconds.
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

var file = args.Length > 0 ? args[0] : "/tmp/aw-cards.db";
var mode = args.Length > 1 ? args[1] : "all";
if (!File.Exists(file)) { Console.Error.WriteLine($"{file} does not exist: copy /work/bench-data/aw-1m.db there first."); return 1; }
var connectionString = $"Data Source={file}";
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", connectionString, Environment.CurrentDirectory));
await DatabaseStartup.MigrateAsync(factory);
await new AgentWorkspace.Core.Features.Demo.ReferenceData(factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
var (cardId, lastName) = await BigContactAsync(factory);
long cardCount;
await using (var db = factory.CreateDbContext()) cardCount = await db.Cards.LongCountAsync();
Console.WriteLine($"{file}: {cardCount:N0} cards; contact #{cardId} ({lastName}) has 5,000 messages");

if (mode is "service" or "all")
{
    var feed = new InProcessChangeFeed();
    var runner = new AgentWorkspace.Core.UseCases.UseCaseRunner(factory, feed, TimeProvider.System);
    var settings = new SettingsService(factory, runner, new SettingsDefaults());
    var cards = new CardReads(factory, feed, TimeProvider.System);
    var actor = new Actor("bench", "Bench", Role.Agent);

    var first = new List<double>();
    for (var i = 0; i < 6_000; i++)
    {
        var sw = Stopwatch.StartNew();
        var view = await cards.GetFirstViewAsync(actor, cardId);
        sw.Stop();
        if (view.Messages.Items.Count != 50) throw new InvalidOperationException("expected 50 messages");
        if (i >= 1_000) first.Add(sw.Elapsed.TotalMilliseconds);
    }
    Print("first view, CardReads (profile, identities, indicators, custom fields, 50 newest)", first);

    var raw = new List<double>();
    await using (var connection = new SqliteConnection(connectionString))
    {
        await connection.OpenAsync();
        var reader = new RawReader(connection);
        for (var i = 0; i < 6_000; i++)
        {
            var sw = Stopwatch.StartNew();
            var n = reader.FirstView(cardId);
            sw.Stop();
            if (n != 50) throw new InvalidOperationException("expected 50 messages");
            if (i >= 1_000) raw.Add(sw.Elapsed.TotalMilliseconds);
        }
    }
    Print("first view, raw ADO.NET (same rows, one open connection, prepared commands)", raw);
    Console.WriteLine($"  ratio p95 service/raw: {Percentile(first, 0.95) / Percentile(raw, 0.95):0.0}x");

    // Cursors spread over the whole history.
    var cursors = new List<MessageCursor>();
    MessageCursor? c = (await cards.GetFirstViewAsync(actor, cardId)).Messages.Next;
    while (c is not null) { cursors.Add(c); c = (await cards.GetMessagesAsync(actor, cardId, c)).Next; }
    var random = new Random(5);
    var pages = new List<double>();
    for (var i = 0; i < 6_000; i++)
    {
        var cursor = cursors[random.Next(cursors.Count)];
        var sw = Stopwatch.StartNew();
        await cards.GetMessagesAsync(actor, cardId, cursor);
        sw.Stop();
        if (i >= 1_000) pages.Add(sw.Elapsed.TotalMilliseconds);
    }
    Print($"further page of 50 messages at a random depth ({cursors.Count} cursors)", pages);
}

if (mode is "browser" or "all")
{
    var browser = await BrowserBench.RunAsync(file, lastName, cardId, 60);
    Print("browser: click on a search result to the detailed card visible (Chromium, Playwright)", browser.ClickToCard);
    Print("browser: the same click, the card looked for on every animation frame (Playwright raf polling)", browser.ClickToCardPerFrame);
    Print("  of which in the page: click event to the name and tabs in the DOM (diagnostic pass)", browser.InPage);
    Print("  Playwright's floor: click on static text of the card, then the same two waits (diagnostic pass)", browser.PlaywrightFloor);
}
return 0;

static void Print(string name, List<double> ms)
{
    ms.Sort();
    Console.WriteLine($"{name}\n  n={ms.Count}  p50={Percentile(ms, 0.50):0.000} ms  p95={Percentile(ms, 0.95):0.000} ms  p99={Percentile(ms, 0.99):0.000} ms  max={ms[^1]:0.000} ms");
}

static double Percentile(List<double> values, double p)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}

static async Task<(long Id, string LastName)> BigContactAsync(AgentWorkspaceDbContextFactory factory)
{
    const string lastName = "Benchmarkova";
    await using var db = factory.CreateDbContext();
    var existing = await db.Cards.Where(c => c.LastName == lastName).Select(c => (long?)c.Id).FirstOrDefaultAsync();
    if (existing is { } id) return (id, lastName);
    var queue = await db.Queues.FirstAsync(q => q.IsDefault);
    var now = DateTimeOffset.UtcNow;
    var card = new CustomerCard(new CardProfile { FirstName = "Olga", LastName = lastName, Company = "Bench Industries", City = "Lille", PrimaryEmail = "olga.benchmarkova@example.com" }, "FR", now.AddYears(-2));
    card.AddIdentity(Channel.Sms, "+33699887766", IdentityAddress.Normalize(Channel.Sms, "+33699887766", "FR"), now.AddYears(-2));
    card.AddIdentity(Channel.Twitter, "@olga_bench", IdentityAddress.Normalize(Channel.Twitter, "@olga_bench", "FR"), now.AddYears(-2), "Olga B.", "https://x.com/olga_bench", 1200, 80);
    db.Cards.Add(card);
    await db.SaveChangesAsync();
    var channels = new[] { Channel.Sms, Channel.Email, Channel.Twitter, Channel.Chat, Channel.WhatsApp };
    var cases = new List<Case>();
    for (var k = 0; k < 50; k++)
    {
        var @case = new Case(card.Id, channels[k % channels.Length], queue.Id, $"Bench case {k}", now.AddDays(-700 + k * 14));
        cases.Add(@case);
        db.Cases.Add(@case);
    }
    await db.SaveChangesAsync();
    var sentiments = new[] { Sentiment.Neutral, Sentiment.Positive, Sentiment.Negative };
    for (var i = 0; i < 5_000; i++)
    {
        var @case = cases[i / 100];
        var direction = i % 3 == 0 ? Direction.Outbound : Direction.Inbound;
        var at = @case.CreatedAt.AddMinutes(i % 100 * 7);
        var sentiment = sentiments[i % 3];
        db.Messages.Add(new Message(@case.Id, card.Id, @case.Channel, $"bench-cards-{i}", direction, MessageKind.Sms, direction == Direction.Inbound ? "Olga" : "Agent",
            null, null, $"Bench message {i}: the parcel, the invoice and the refund.", null, sentiment, at));
        card.RecordMessage(sentiment, direction, at);
    }
    await db.SaveChangesAsync();
    return (card.Id, lastName);
}

/// <summary>The first view's rows read with plain ADO.NET: the floor the service is compared to.</summary>
internal sealed class RawReader
{
    private readonly SqliteCommand _card, _identities, _fields, _values, _messages;

    public RawReader(SqliteConnection connection)
    {
        _card = Prepare(connection, "SELECT Id, Version, Status, MergedIntoId, IsLocked, FirstName, LastName, Company, Gender, JobTitle, City, Category, RelationshipType, PreferredChannel, Tags, AvatarUrl, PrimaryEmail, SecondaryEmail, MobilePhone, HomePhone, PositiveCount, NeutralCount, NegativeCount, Followers, Following, CreatedAt, UpdatedAt, LastContactAt FROM Cards WHERE Id = $id");
        _identities = Prepare(connection, "SELECT Id, Channel, RawAddress, NormalizedAddress, DisplayName, ProfileUrl, Followers, Following, FirstSeenAt, LastSeenAt FROM ChannelIdentities WHERE CardId = $id AND IsErased = 0 ORDER BY Id");
        _fields = Prepare(connection, "SELECT Id, Ident, Label, LabelFr, LabelEn, Type, OptionsJson, Editable, VisibleInRightPanel, VisibleInCard FROM CustomFieldDefinitions WHERE IsArchived = 0 ORDER BY DisplayOrder, Id");
        _values = Prepare(connection, "SELECT FieldId, Value FROM CustomFieldValues WHERE CardId = $id");
        _messages = Prepare(connection, "SELECT Id, CaseId, Channel, Direction, Kind, AuthorName, Subject, Text, Sentiment, SentAt, AttachmentCount FROM Messages WHERE CardId = $id ORDER BY SentAt DESC, Id DESC LIMIT 51");
    }

    private static SqliteCommand Prepare(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        if (sql.Contains("$id", StringComparison.Ordinal)) command.Parameters.Add("$id", SqliteType.Integer);
        command.Prepare();
        return command;
    }

    public int FirstView(long id)
    {
        Read(_card, id);
        Read(_identities, id);
        Read(_fields, id);
        Read(_values, id);
        return Math.Min(50, Read(_messages, id));
    }

    private static int Read(SqliteCommand command, long id)
    {
        if (command.Parameters.Count > 0) command.Parameters[0].Value = id;
        using var reader = command.ExecuteReader();
        var rows = 0;
        var values = new object[reader.FieldCount];
        while (reader.Read()) { reader.GetValues(values); rows++; }
        return rows;
    }
}
