using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>A fresh SQLite database with the demo queues, two agents, a supervisor, and helpers to make cases as ingest would.</summary>
public sealed class InboxWorld : IAsyncDisposable
{
    public static readonly Actor Camille = new("u-camille", "Camille Laurent", Role.Agent);
    public static readonly Actor Lucas = new("u-lucas", "Lucas Bernard", Role.Agent);
    public static readonly Actor Sophie = new("u-sophie", "Sophie Moreau", Role.Supervisor);

    public TestDatabase Db { get; private init; } = default!;
    public InProcessChangeFeed Feed { get; private init; } = default!;
    public InboxQueries Inbox { get; private init; } = default!;
    public CaseCommands Cases { get; private init; } = default!;
    public ApprovalService Approvals { get; private init; } = default!;
    public Dictionary<string, long> Queues { get; private set; } = [];
    public List<ChangeEvent> Published { get; } = [];

    public static async Task<InboxWorld> CreateAsync(IOutboundConnector? connector = null)
    {
        var db = await TestDatabase.CreateAsync();
        await new ReferenceData(db.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var feed = new InProcessChangeFeed();
        var runner = db.Runner(feed);
        var delivery = new ReplyDelivery(runner, connector ?? new RecordingOutboundConnector(db.Factory, TimeProvider.System));
        var cases = new CaseCommands(runner, delivery);
        var world = new InboxWorld { Db = db, Feed = feed, Inbox = new InboxQueries(db.Factory, cases, TimeProvider.System, feed), Cases = cases, Approvals = new ApprovalService(db.Factory, runner, delivery) };
        feed.Subscribe(e => { lock (world.Published) world.Published.Add(e); return Task.CompletedTask; });
        await using var ctx = db.Factory.CreateDbContext();
        world.Queues = await ctx.Queues.ToDictionaryAsync(q => q.Name, q => q.Id);
        foreach (var (actor, queues) in new[] { (Camille, new[] { Queue.DefaultName, "Support" }), (Lucas, new[] { Queue.DefaultName, "Sales" }), (Sophie, new[] { Queue.DefaultName }) })
        {
            ctx.Users.Add(new AppUser { Id = actor.UserId, UserName = actor.UserId, Email = actor.UserId + "@test", DisplayName = actor.DisplayName, Role = actor.Role });
            foreach (var q in queues) ctx.QueueMembers.Add(new QueueMember(world.Queues[q], actor.UserId));
        }
        await ctx.SaveChangesAsync();
        return world;
    }

    /// <summary>A contact's inbound message on a new case, as ingest stores it, and the change event ingest publishes.</summary>
    public async Task<(long CardId, long CaseId)> InboundAsync(string queue, Channel channel = Channel.Sms, string text = "Bonjour, ma commande n'est pas arrivée.",
        string firstName = "Zoé", string? address = null, DateTimeOffset? at = null, string? assignedTo = null)
    {
        var now = at ?? DateTimeOffset.UtcNow;
        await using var ctx = Db.Factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Le Gall" }, "FR", now);
        address ??= channel.DefaultSpace() switch
        {
            IdentitySpace.Phone => "+3361" + Random.Shared.Next(1_000_000, 9_999_999),
            IdentitySpace.Email => $"c{Guid.NewGuid():N}@example.com",
            _ => "user" + Guid.NewGuid().ToString("N")[..10],
        };
        card.AddIdentity(channel, address, IdentityAddress.Normalize(channel, address, "FR"), now);
        ctx.Cards.Add(card);
        await ctx.SaveChangesAsync();
        var @case = new Case(card.Id, channel, Queues[queue], "Commande", now);
        ctx.Cases.Add(@case);
        await ctx.SaveChangesAsync();
        await AddMessageAsync(ctx, @case, card, text, now);
        if (assignedTo is not null) @case.AssignTo(assignedTo);
        ctx.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await ctx.SaveChangesAsync();
        Feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, @case.QueueId));
        return (card.Id, @case.Id);
    }

    public async Task<long> MoreInboundAsync(long caseId, string text, DateTimeOffset? at = null, MessageKind? kind = null, long? parentId = null)
    {
        await using var ctx = Db.Factory.CreateDbContext();
        var @case = await ctx.Cases.FirstAsync(c => c.Id == caseId);
        var card = await ctx.Cards.FirstAsync(c => c.Id == @case.CardId);
        var m = await AddMessageAsync(ctx, @case, card, text, at ?? DateTimeOffset.UtcNow, kind, parentId);
        await ctx.SaveChangesAsync();
        Feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, @case.QueueId));
        return m.Id;
    }

    private static async Task<Message> AddMessageAsync(AgentWorkspaceDbContext ctx, Case @case, CustomerCard card, string text, DateTimeOffset at, MessageKind? kind = null, long? parentId = null)
    {
        var m = new Message(@case.Id, card.Id, @case.Channel, Guid.NewGuid().ToString("N"), Direction.Inbound, kind ?? DefaultKind(@case.Channel), card.DisplayName, null, null, text, null, Sentiment.Neutral, at, parentId);
        ctx.Messages.Add(m);
        @case.MessageArrived(Direction.Inbound, text, at);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, at);
        await ctx.SaveChangesAsync();
        return m;
    }

    private static MessageKind DefaultKind(Channel c) => c switch
    {
        Channel.Sms => MessageKind.Sms,
        Channel.Email => MessageKind.Email,
        Channel.Voice => MessageKind.Call,
        Channel.Facebook or Channel.Twitter or Channel.LinkedIn => MessageKind.Post,
        Channel.Chat => MessageKind.Chat,
        _ => MessageKind.DirectMessage,
    };

    public async Task<T> QueryAsync<T>(Func<AgentWorkspaceDbContext, Task<T>> query)
    {
        await using var ctx = Db.Factory.CreateDbContext();
        return await query(ctx);
    }

    public ValueTask DisposeAsync() => Db.DisposeAsync();
}
