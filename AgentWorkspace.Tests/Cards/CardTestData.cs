using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Cards;

/// <summary>Cards, cases and messages made directly in a test database, with unique names.</summary>
internal static class CardTestData
{
    public static readonly Actor Agent = new("agent-1", "Camille Laurent", Role.Agent);
    public static readonly Actor OtherAgent = new("agent-2", "Hugo Bernard", Role.Agent);
    public static readonly Actor Supervisor = new("sup-1", "Sophie Moreau", Role.Supervisor);

    public static async Task<(TestDatabase Db, CardKit Cards, InProcessChangeFeed Feed)> CreateAsync()
    {
        var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        // The agent works the default queue, where the test cases land: acting on a case needs it (ADR 014); OtherAgent does not.
        await using (var db = test.Factory.CreateDbContext())
        {
            db.QueueMembers.Add(new Core.Domain.Queues.QueueMember((await db.Queues.FirstAsync(q => q.IsDefault)).Id, Agent.UserId));
            await db.SaveChangesAsync();
        }
        var feed = new InProcessChangeFeed();
        var settings = new SettingsService(test.Factory, test.Runner(feed), new SettingsDefaults());
        return (test, CardKit.Over(test, feed, settings), feed);
    }

    /// <summary>A card with a phone identity and one open SMS case holding <paramref name="messages"/> messages (several share a time).</summary>
    public static async Task<(long CardId, long CaseId)> CardWithMessagesAsync(AgentWorkspaceDbContextFactory factory, int messages, string? lastName = null,
        string phone = "+33612345678", DateTimeOffset? start = null)
    {
        await using var db = factory.CreateDbContext();
        var queue = await db.Queues.FirstAsync(q => q.IsDefault);
        var t0 = start ?? new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        var card = new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = lastName ?? "Test" + Guid.NewGuid().ToString("N")[..8], Company = "Acme" }, "FR", t0);
        card.AddIdentity(Channel.Sms, phone, IdentityAddress.Normalize(Channel.Sms, phone, "FR"), t0);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var @case = new Case(card.Id, Channel.Sms, queue.Id, "Delivery question", t0);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        for (var i = 0; i < messages; i++)
        {
            // Every third message shares its time with the previous one: the keyset must break ties by id.
            var at = t0.AddMinutes(i - i / 3);
            var direction = i % 2 == 0 ? Direction.Inbound : Direction.Outbound;
            db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, $"ext-{card.Id}-{i}", direction, MessageKind.Sms,
                direction == Direction.Inbound ? "Zoé" : "Camille", null, null, $"Message {i}", null, Sentiment.Neutral, at));
            card.RecordMessage(Sentiment.Neutral, direction, at);
        }
        await db.SaveChangesAsync();
        return (card.Id, @case.Id);
    }
}

/// <summary>The card's three services over one test database, as the app registers them.</summary>
internal sealed record CardKit(CardReads Reads, CardSearch Search, CardEdits Edits)
{
    public static CardKit Over(TestDatabase test, InProcessChangeFeed feed, SettingsService settings) =>
        new(new CardReads(test.Factory, feed, TimeProvider.System), new CardSearch(test.Factory, settings), new CardEdits(test.Factory, test.Runner(feed), settings, TimeProvider.System));

    public static CardKit From(IServiceProvider services) =>
        new(services.GetRequiredService<CardReads>(), services.GetRequiredService<CardSearch>(), services.GetRequiredService<CardEdits>());
}
