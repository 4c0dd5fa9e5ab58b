using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>A reply on its way out: the stored outbound message and where it goes.</summary>
public sealed record OutboundRequest(long MessageId, long CaseId, Channel Channel, string To, string? Subject, string Body);

/// <summary>
/// Hands replies to the channel (SMS gateway, mail server, social platform...). Called after the
/// reply is committed; the answer becomes the message's delivery status.
/// </summary>
public interface IOutboundConnector
{
    Task<DeliveryStatus> SendAsync(OutboundRequest request, CancellationToken ct = default);
}

/// <summary>
/// The built-in connector: no real channel is wired, so it records what it would send (an
/// <see cref="OutboundDelivery"/> row) and reports the message delivered.
/// </summary>
public sealed class RecordingOutboundConnector(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, TimeProvider clock) : IOutboundConnector
{
    public async Task<DeliveryStatus> SendAsync(OutboundRequest request, CancellationToken ct = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        db.OutboundDeliveries.Add(new OutboundDelivery(request.MessageId, request.Channel, request.To, request.Body, clock.GetUtcNow()));
        await db.SaveChangesAsync(ct);
        return DeliveryStatus.Delivered;
    }
}
