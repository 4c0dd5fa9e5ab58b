using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>
/// The CRM push outbox (issue 18): sends each due push to its record, retries transient failures with a delay that
/// doubles (2 s, 4 s, ... at most 10 min, <see cref="CrmPush.MaxAttempts"/> tries), records the CRM's reason when it
/// refuses, and lets administrators list failures and retry them. Rows survive a restart: a push taken by a
/// processor that died is due again once its lease ends, and its idempotency key makes the second send harmless.
/// </summary>
public sealed class CrmPushService(
    IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, CrmSettingsService settings, CrmPushSignal signal, TimeProvider clock,
    ILogger<CrmPushService>? logger = null)
{
    /// <summary>How long a processor holds a push it is sending before another may take it.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(2);
    public const int Batch = 20;

    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>Sends the pushes that are due now (at most <see cref="Batch"/>); returns how many it took.</summary>
    public async Task<int> ProcessDueAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        List<long> due;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
            due = await db.CrmPushes.AsNoTracking().Where(p => p.State == CrmPushState.Pending && p.NextAttemptAt <= now)
                .OrderBy(p => p.NextAttemptAt).ThenBy(p => p.Id).Select(p => p.Id).Take(Batch).ToListAsync(ct);
        var taken = 0;
        foreach (var id in due)
        {
            if (await ClaimAsync(id, ct) is not { } push) continue;
            taken++;
            await SendAsync(push, ct);
        }
        return taken;
    }

    /// <summary>Takes a due push for <see cref="Lease"/>; null when another processor has it, or when its link is gone (then it is skipped).</summary>
    private async Task<CrmPush?> ClaimAsync(long id, CancellationToken ct)
    {
        try
        {
            return await run.RunAsync("Crm.ClaimPush", Actor.System, Role.Admin, async use =>
            {
                var push = await use.Db.CrmPushes.FirstOrDefaultAsync(p => p.Id == id, use.Cancellation);
                if (push is null || push.State != CrmPushState.Pending || push.NextAttemptAt > use.Now) return null;
                var link = await use.Db.CrmLinks.AsNoTracking().FirstAsync(l => l.Id == push.LinkId, use.Cancellation);
                if (!link.IsActive)
                {
                    push.Skip("The record was unlinked before the push.");
                    return null;
                }
                push.Claim(use.Now, Lease);
                return push;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null; // another processor took it first
        }
    }

    private async Task SendAsync(CrmPush push, CancellationToken ct)
    {
        try
        {
            var active = await settings.ActiveAsync(ct);
            if (!string.Equals(active.Kind, push.ConnectorKind, StringComparison.OrdinalIgnoreCase))
            {
                await CompleteAsync(push.Id, p => p.Failed($"The CRM connection is now '{active.Kind}'; this record is in '{push.ConnectorKind}'."), ct);
                return;
            }
            var activity = CrmOutbox.ToActivity(push);
            var external = await CrmCalls.BoundedAsync(active.Timeout, "push", _logger,
                token => active.Connector.PushAsync(new CrmRecordRef(push.RecordType, push.RecordId), activity, token), ct);
            await CompleteAsync(push.Id, p => p.Sent(external, clock.GetUtcNow()), ct);
        }
        catch (CrmException ex) when (ex.IsTransient)
        {
            _logger.LogWarning("Push {PushId} to {Type} {RecordId} failed (try {Attempt}); it is tried again later: {Reason}", push.Id, push.RecordType, push.RecordId, push.Attempts, ex.Message);
            await CompleteAsync(push.Id, p => p.FailedTransiently(Reason(ex), clock.GetUtcNow()), ct);
        }
        catch (CrmException ex)
        {
            _logger.LogWarning("Push {PushId} to {Type} {RecordId} was refused: {Reason}", push.Id, push.RecordType, push.RecordId, ex.Message);
            await CompleteAsync(push.Id, p => p.Failed(Reason(ex)), ct);
        }
        catch (System.Text.Json.JsonException ex)
        {
            _logger.LogError(ex, "Push {PushId} has a payload that cannot be read.", push.Id);
            await CompleteAsync(push.Id, p => p.Failed("The push's content could not be read; the error was logged."), ct);
        }
    }

    private static string Reason(CrmException ex) =>
        ex.VendorMessage is { Length: > 0 } vendor && vendor != ex.Message ? $"{ex.Message} ({vendor})" : ex.Message;

    /// <summary>Records the outcome of a try; a push that ended (sent, or failed for good) goes in the case's history and the card's timeline.</summary>
    private Task CompleteAsync(long id, Action<CrmPush> outcome, CancellationToken ct) =>
        run.RunAsync("Crm.CompletePush", Actor.System, Role.Admin, async use =>
        {
            var push = await use.Db.CrmPushes.FirstOrDefaultAsync(p => p.Id == id, use.Cancellation);
            // Unlinked (skipped) meanwhile: the outcome changes nothing any more.
            if (push is null || push.State != CrmPushState.Pending) return;
            outcome(push);
            var @case = await use.Db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == push.CaseId, use.Cancellation);
            var title = await use.Db.CrmLinks.AsNoTracking().Where(l => l.Id == push.LinkId).Select(l => l.Title).FirstOrDefaultAsync(use.Cancellation) ?? push.RecordId;
            if (@case is not null && push.State is CrmPushState.Sent or CrmPushState.Failed)
            {
                var sent = push.State == CrmPushState.Sent;
                use.Db.CaseEvents.Add(new CaseEvent(@case.Id, @case.CardId, sent ? CaseEventType.CrmPushed : CaseEventType.CrmPushFailed, use.Actor.UserId, "CRM",
                    sent ? $"{push.RecordType} · {title}" : $"{push.RecordType} · {title}: {push.LastError}", use.Now));
                use.Audit("CrmPush", push.Id.ToString(CultureInfo.InvariantCulture), sent ? "Sent" : "Failed", null, null, sent ? push.ExternalId : push.LastError);
            }
            if (@case is not null) use.Publish(new ChangeEvent(ChangeKind.CrmChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
        }, ct);

    /// <summary>The pushes that failed for good, newest first (admin): what was to be pushed where, and the CRM's reason.</summary>
    public async Task<CrmPushFailurePage> ListFailedAsync(Actor actor, CrmPushCursor? after = null, int pageSize = 50, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.CrmPushes.AsNoTracking().Where(p => p.State == CrmPushState.Failed);
        if (after is not null) q = q.Where(p => p.Id < after.Id);
        var rows = await q.OrderByDescending(p => p.Id).Take(pageSize + 1)
            .Join(db.CrmLinks.AsNoTracking(), p => p.LinkId, l => l.Id, (p, l) => new CrmPushFailure(p.Id, p.LinkId, p.CaseId, p.ConnectorKind, p.RecordType, p.RecordId,
                l.Title, p.Trigger, p.Attempts, p.LastError, p.CreatedAt))
            .ToListAsync(ct);
        rows = rows.OrderByDescending(r => r.PushId).ToList();
        if (rows.Count <= pageSize) return new CrmPushFailurePage(rows, null);
        rows.RemoveAt(pageSize);
        return new CrmPushFailurePage(rows, new CrmPushCursor(rows[^1].PushId));
    }

    /// <summary>"Retry" on a failed push (admin): pending again, now, with the same idempotency key; its link must still be there.</summary>
    public async Task RetryAsync(Actor actor, long pushId, CancellationToken ct = default)
    {
        await run.RunAsync("Crm.RetryPush", actor, Role.Admin, async use =>
        {
            var push = await use.Db.CrmPushes.FirstOrDefaultAsync(p => p.Id == pushId, use.Cancellation)
                ?? throw new Domain.Common.NotFoundException($"Push {pushId} does not exist.");
            var link = await use.Db.CrmLinks.AsNoTracking().FirstAsync(l => l.Id == push.LinkId, use.Cancellation);
            if (!link.IsActive)
                throw new Domain.Common.DomainException("The record was unlinked since; nothing is pushed to it any more.", "pushId") { Code = "CrmPushUnlinked" };
            push.Retry(use.Now);
            use.Audit("CrmPush", pushId.ToString(CultureInfo.InvariantCulture), "Retried");
            var @case = await use.Db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == push.CaseId, use.Cancellation);
            if (@case is not null) use.Publish(new ChangeEvent(ChangeKind.CrmChanged, @case.CardId, @case.Id, @case.QueueId, AgentId: @case.AssignedAgentId));
            use.OnCommitted(signal.Pulse);
        }, ct);
    }
}
