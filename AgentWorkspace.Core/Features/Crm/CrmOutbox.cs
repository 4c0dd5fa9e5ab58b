using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>Wakes the push processor when a use case has put pushes in the outbox (it also looks by itself every few seconds).</summary>
public sealed class CrmPushSignal
{
    private readonly SemaphoreSlim _ready = new(0, 1);

    public void Pulse()
    {
        try { _ready.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    /// <summary>Returns when signalled or after <paramref name="max"/>.</summary>
    public Task WaitAsync(TimeSpan max, CancellationToken ct) => _ready.WaitAsync(max, ct);
}

/// <summary>
/// Puts an interaction's pushes in the outbox, inside the use case that finished it (wrap-up, transfer, unassign):
/// one row per record linked to the case, with the activity as it is now and an idempotency key of its own.
/// </summary>
internal static class CrmOutbox
{
    internal sealed record Payload(bool IsCall, string Subject, string Channel, string? ContactName, string? Queue, string? Agent,
        DateTimeOffset Start, DateTimeOffset? End, string? Disposition, string? Notes, string? CaseUrl);

    /// <summary>Whether <paramref name="trigger"/> pushes a case of <paramref name="channel"/> (seed 001): calls after the wrap-up, the rest on transfer or unassignment.</summary>
    public static bool Pushes(Channel channel, CrmPushTrigger trigger) =>
        channel == Channel.Voice ? trigger == CrmPushTrigger.WrapUp : trigger is CrmPushTrigger.Transfer or CrmPushTrigger.Unassign;

    /// <summary>Adds the pushes of <paramref name="case"/> to the use case; the number added (0 when nothing is linked).</summary>
    public static async Task<int> EnqueueAsync(UseCase use, Case @case, CrmPushTrigger trigger, CrmPushSignal? signal, CrmOptions? options)
    {
        if (!Pushes(@case.Channel, trigger)) return 0;
        var db = use.Db;
        var links = await db.CrmLinks.Where(l => l.CaseId == @case.Id && l.UnlinkedAt == null).OrderBy(l => l.Id).ToListAsync(use.Cancellation);
        if (links.Count == 0) return 0;
        var row = await db.CrmConnection.AsNoTracking().FirstOrDefaultAsync(use.Cancellation);
        var fields = row is null ? CrmPushedFields.All : (IReadOnlyList<string>)row.PushedFields.Split('|', StringSplitOptions.RemoveEmptyEntries);
        bool Sends(string field) => fields.Contains(field, StringComparer.Ordinal);
        var contact = await db.Cards.AsNoTracking().Where(c => c.Id == @case.CardId).Select(c => new { c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone }).FirstOrDefaultAsync(use.Cancellation);
        var contactName = contact is null ? null : CustomerCard.NameOf(contact.FirstName, contact.LastName, contact.ChannelName, contact.PrimaryEmail, contact.MobilePhone);
        var queue = await db.Queues.AsNoTracking().Where(q => q.Id == @case.QueueId).Select(q => q.Name).FirstOrDefaultAsync(use.Cancellation);
        var isCall = @case.Channel == Channel.Voice;
        var payload = new Payload(
            isCall,
            isCall ? $"Call: {@case.Title}" : $"{@case.Channel}: {@case.Title}",
            @case.Channel.WireName(),
            Sends(CrmPushedFields.ContactName) ? contactName : null,
            Sends(CrmPushedFields.Queue) ? queue : null,
            Sends(CrmPushedFields.Agent) ? use.Actor.DisplayName : null,
            @case.CreatedAt,
            Sends(CrmPushedFields.End) ? (isCall ? @case.CallEndedAt ?? use.Now : use.Now) : null,
            Sends(CrmPushedFields.Disposition) ? @case.Disposition : null,
            Sends(CrmPushedFields.Notes) ? @case.WrapUpNotes : null,
            Sends(CrmPushedFields.CaseUrl) ? (options ?? new CrmOptions()).CaseUrl(@case.Id, @case.CardId).ToString() : null);
        var json = JsonSerializer.Serialize(payload);
        foreach (var link in links)
            db.CrmPushes.Add(new CrmPush(link, trigger, json, "aw-" + Guid.NewGuid().ToString("N"), use.Now));
        use.Publish(new ChangeEvent(ChangeKind.CrmChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
        if (signal is not null) use.OnCommitted(signal.Pulse);
        return links.Count;
    }

    public static CrmActivity ToActivity(CrmPush push)
    {
        var p = JsonSerializer.Deserialize<Payload>(push.Payload) ?? throw new JsonException("Empty push payload.");
        return new CrmActivity(push.IdempotencyKey, p.IsCall, p.Subject, p.Channel, p.ContactName, p.Queue, p.Agent, p.Start, p.End, p.Disposition, p.Notes,
            p.CaseUrl is null ? null : new Uri(p.CaseUrl, UriKind.RelativeOrAbsolute));
    }
}
