using System.Globalization;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>
/// A reply's way out: the outbound message written with the case's change, the address it goes to,
/// then, after commit, the channel's connector and its answer as the delivery status. Shared by the
/// agent's reply and the supervisor's approval of a draft.
/// </summary>
public sealed class ReplyDelivery(UseCaseRunner run, IOutboundConnector outbound, ILogger<ReplyDelivery>? logger = null)
{
    private readonly ILogger _log = (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;


    internal static DraftView ToView(ReplyDraft d) =>
        new(d.Id, d.CaseId, d.AuthorId, d.AuthorName, d.Text, d.Status, d.SubmittedAt, d.ReviewerName, d.ReviewComment, d.ReviewedAt);

    internal static async Task<Message> AddOutboundAsync(AgentWorkspaceDbContext db, Case c, ReplyRoute route, string authorId, string authorName, string body, DateTimeOffset now, CancellationToken ct)
    {
        var (kind, parent) = await ReplyKindAsync(db, c, route.Channel, ct);
        var subject = route.Channel == Channel.Email ? Text.Preview("Re: " + route.Title, 500) : null;
        var message = new Message(c.Id, c.CardId, route.Channel, null, Direction.Outbound, kind, authorName, authorId, subject, body, null, Sentiment.Neutral, now, parent);
        db.Messages.Add(message);
        c.MessageArrived(Direction.Outbound, body, now);
        var card = await db.Cards.FirstAsync(x => x.Id == c.CardId, ct);
        card.RecordMessage(Sentiment.Neutral, Direction.Outbound, now);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>A reply on a social post hangs under the post as a comment; elsewhere it is the channel's own kind.</summary>
    private static async Task<(MessageKind, long?)> ReplyKindAsync(AgentWorkspaceDbContext db, Case c, Channel channel, CancellationToken ct)
    {
        switch (channel)
        {
            case Channel.Sms: return (MessageKind.Sms, null);
            case Channel.Email: return (MessageKind.Email, null);
            case Channel.Chat or Channel.ChatMessaging: return (MessageKind.Chat, null);
            case Channel.Facebook or Channel.Twitter or Channel.LinkedIn:
                var last = await db.Messages.AsNoTracking().Where(m => m.CaseId == c.Id && m.Direction == Direction.Inbound && m.Channel == channel)
                    .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Select(m => new { m.Id, m.Kind, m.ParentMessageId }).FirstOrDefaultAsync(ct);
                if (last is { Kind: MessageKind.Post or MessageKind.Comment or MessageKind.Mention })
                    return (MessageKind.Comment, last.Kind == MessageKind.Post ? last.Id : last.ParentMessageId ?? last.Id);
                return (MessageKind.DirectMessage, null);
            default: return (MessageKind.DirectMessage, null);
        }
    }

    /// <summary>
    /// Where a reply goes: back on the case's channel to the identity the conversation came from. Cases from before
    /// that was recorded fall back to the card's most recent identity that the channel can reach (a chat visitor may be
    /// known by e-mail), then to the profile's e-mail or mobile.
    /// </summary>
    internal static async Task<OutboundRequest> RequestAsync(AgentWorkspaceDbContext db, Case c, ReplyRoute route, Message message, CancellationToken ct)
    {
        string? to = null;
        var channel = route.Channel;
        if (route.IdentityId is { } origin)
        {
            var identity = await db.Identities.AsNoTracking().Where(i => i.Id == origin)
                .Select(i => new { i.NormalizedAddress, i.IsErased }).FirstOrDefaultAsync(ct);
            if (identity is { IsErased: true })
                throw new DomainException("The address this conversation came from was erased; the reply cannot be delivered.", "text") { Code = "ReplyAddressErased" };
            to = identity?.NormalizedAddress;
        }
        if (to is null)
        {
            var spaces = ReachableSpaces(channel);
            to = await db.Identities.AsNoTracking().Where(i => i.CardId == c.CardId && spaces.Contains(i.Space) && !i.IsErased)
                .OrderByDescending(i => i.Channel == channel).ThenByDescending(i => i.LastSeenAt).Select(i => i.NormalizedAddress).FirstOrDefaultAsync(ct);
        }
        if (to is null)
        {
            var card = await db.Cards.AsNoTracking().FirstAsync(x => x.Id == c.CardId, ct);
            to = channel.DefaultSpace() switch
            {
                IdentitySpace.Email or IdentitySpace.Chat => card.PrimaryEmail,
                IdentitySpace.Phone => card.MobilePhone,
                _ => null,
            };
        }
        if (string.IsNullOrWhiteSpace(to))
            throw new DomainException($"The contact has no {channel.WireName()} address to reply to.", "text") { Code = "NoAddressToReplyTo", Args = [channel.WireName()] };
        return new OutboundRequest(message.Id, c.Id, channel, to.Length > 320 ? to[..320] : to, message.Subject, message.Text);
    }

    /// <summary>The identity spaces a channel can answer: its own, and e-mail for chats (a visitor who gave an e-mail is known by it).</summary>
    private static IdentitySpace[] ReachableSpaces(Channel channel) =>
        channel.DefaultSpace() == IdentitySpace.Chat ? [IdentitySpace.Chat, IdentitySpace.Email] : [channel.DefaultSpace()];

    /// <summary>Hands the committed reply to the connector, then records its answer as the delivery status.</summary>
    internal async Task<CaseTile> DeliverAsync(Actor actor, CaseTile tile, OutboundRequest request, CancellationToken ct)
    {
        DeliveryStatus status;
        try { status = await outbound.SendAsync(request, ct); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _log.LogError(ex, "The reply {MessageId} on case {CaseId} could not be handed to the {Channel} connector.", request.MessageId, request.CaseId, request.Channel);
            status = DeliveryStatus.Failed;
        }
        await run.RunAsync("Reply.RecordDelivery", actor, Role.Agent, async use =>
        {
            await use.Db.Messages.Where(m => m.Id == request.MessageId).ExecuteUpdateAsync(s => s.SetProperty(m => m.DeliveryStatus, status), use.Cancellation);
            use.Publish(CaseCommands.CaseChanged(ChangeKind.CaseChanged, tile));
        }, ct);
        return tile;
    }
}

/// <summary>
/// Where a reply on a case goes (ADR 021): a channel, the identity the conversation on it came from, and the title its
/// e-mail subject answers. A case has one route; a case that took in merged cases has one per channel of theirs too.
/// </summary>
internal sealed record ReplyRoute(Channel Channel, long? IdentityId, string Title)
{
    /// <summary>The channels the agent may reply on, the case's own first; voice channels are answered by calling back.</summary>
    internal static async Task<IReadOnlyList<ReplyRoute>> AllAsync(AgentWorkspaceDbContext db, Case c, CancellationToken ct)
    {
        var routes = new List<ReplyRoute> { new(c.Channel, c.IdentityId, c.Title) };
        var merged = await (from m in db.CaseMerges.AsNoTracking()
                            where m.SurvivorCaseId == c.Id && m.UndoneAt == null
                            join x in db.Cases.AsNoTracking() on m.MergedCaseId equals x.Id
                            orderby m.Id descending
                            select new { x.Channel, x.IdentityId, x.Title }).Take(50).ToListAsync(ct);
        // The latest merge of a channel answers it (a contact who wrote twice by e-mail: the later conversation's address).
        foreach (var m in merged)
            if (routes.All(r => r.Channel != m.Channel)) routes.Add(new ReplyRoute(m.Channel, m.IdentityId, m.Title));
        return routes;
    }

    /// <summary>
    /// The route of <paramref name="via"/>, refused when the case has no conversation on that channel; without one, the
    /// channel the contact last wrote on (among those that can be answered in writing), else the case's own.
    /// </summary>
    internal static async Task<ReplyRoute> ResolveAsync(AgentWorkspaceDbContext db, Case c, Channel? via, CancellationToken ct)
    {
        var routes = await AllAsync(db, c, ct);
        if (via is { } chosen)
            return routes.FirstOrDefault(r => r.Channel == chosen)
                ?? throw new DomainException($"This conversation has nothing on {chosen.WireName()}; reply on {string.Join(", ", routes.Select(r => r.Channel.WireName()))}.", "channel")
                { Code = "ReplyChannelNotInCase", Args = [chosen.WireName()] };
        return await DefaultAsync(db, c, routes, ct);
    }

    internal static async Task<ReplyRoute> DefaultAsync(AgentWorkspaceDbContext db, Case c, IReadOnlyList<ReplyRoute> routes, CancellationToken ct)
    {
        if (routes.Count == 1) return routes[0];
        var written = routes.Where(r => r.Channel is not (Channel.Voice or Channel.Voicemail)).Select(r => r.Channel).ToList();
        var last = await db.Messages.AsNoTracking().Where(m => m.CaseId == c.Id && m.Direction == Direction.Inbound && written.Contains(m.Channel))
            .OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).Select(m => (Channel?)m.Channel).FirstOrDefaultAsync(ct);
        return routes.FirstOrDefault(r => r.Channel == last) ?? routes.FirstOrDefault(r => written.Contains(r.Channel)) ?? routes[0];
    }
}
