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

    internal static async Task<Message> AddOutboundAsync(AgentWorkspaceDbContext db, Case c, string authorId, string authorName, string body, DateTimeOffset now, CancellationToken ct)
    {
        var (kind, parent) = await ReplyKindAsync(db, c, ct);
        var subject = c.Channel == Channel.Email ? Text.Preview("Re: " + c.Title, 500) : null;
        var message = new Message(c.Id, c.CardId, c.Channel, null, Direction.Outbound, kind, authorName, authorId, subject, body, null, Sentiment.Neutral, now, parent);
        db.Messages.Add(message);
        c.MessageArrived(Direction.Outbound, body, now);
        var card = await db.Cards.FirstAsync(x => x.Id == c.CardId, ct);
        card.RecordMessage(Sentiment.Neutral, Direction.Outbound, now);
        await db.SaveChangesAsync(ct);
        return message;
    }

    /// <summary>A reply on a social post hangs under the post as a comment; elsewhere it is the channel's own kind.</summary>
    private static async Task<(MessageKind, long?)> ReplyKindAsync(AgentWorkspaceDbContext db, Case c, CancellationToken ct)
    {
        switch (c.Channel)
        {
            case Channel.Sms: return (MessageKind.Sms, null);
            case Channel.Email: return (MessageKind.Email, null);
            case Channel.Chat or Channel.ChatMessaging: return (MessageKind.Chat, null);
            case Channel.Facebook or Channel.Twitter or Channel.LinkedIn:
                var last = await db.Messages.AsNoTracking().Where(m => m.CaseId == c.Id && m.Direction == Direction.Inbound)
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
    internal static async Task<OutboundRequest> RequestAsync(AgentWorkspaceDbContext db, Case c, Message message, CancellationToken ct)
    {
        string? to = null;
        if (c.IdentityId is { } origin)
        {
            var identity = await db.Identities.AsNoTracking().Where(i => i.Id == origin)
                .Select(i => new { i.NormalizedAddress, i.IsErased }).FirstOrDefaultAsync(ct);
            if (identity is { IsErased: true })
                throw new DomainException("The address this conversation came from was erased; the reply cannot be delivered.", "text") { Code = "ReplyAddressErased" };
            to = identity?.NormalizedAddress;
        }
        if (to is null)
        {
            var spaces = ReachableSpaces(c.Channel);
            to = await db.Identities.AsNoTracking().Where(i => i.CardId == c.CardId && spaces.Contains(i.Space) && !i.IsErased)
                .OrderByDescending(i => i.Channel == c.Channel).ThenByDescending(i => i.LastSeenAt).Select(i => i.NormalizedAddress).FirstOrDefaultAsync(ct);
        }
        if (to is null)
        {
            var card = await db.Cards.AsNoTracking().FirstAsync(x => x.Id == c.CardId, ct);
            to = c.Channel.DefaultSpace() switch
            {
                IdentitySpace.Email or IdentitySpace.Chat => card.PrimaryEmail,
                IdentitySpace.Phone => card.MobilePhone,
                _ => null,
            };
        }
        if (string.IsNullOrWhiteSpace(to))
            throw new DomainException($"The contact has no {c.Channel.WireName()} address to reply to.", "text") { Code = "NoAddressToReplyTo", Args = [c.Channel.WireName()] };
        return new OutboundRequest(message.Id, c.Id, c.Channel, to.Length > 320 ? to[..320] : to, message.Subject, message.Text);
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
