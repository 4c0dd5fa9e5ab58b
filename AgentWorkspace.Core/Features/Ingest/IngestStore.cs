using AgentWorkspace.Core.Persistence.Sqlite;
using System.Data;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>
/// The lookups of the ingest use case, each written once for both ways of storing: EF Core's compiled
/// queries, or the SQLite group writer's kept statements (ADR 007) when the batch has them. Tests pin
/// that both forms find the same rows.
/// </summary>
internal static class IngestStore
{
    internal static IngestResult? FindStored(SqliteRowWriter rows, PreparedInteraction input) =>
        rows.First<Message>("ingest:stored", "\"Channel\" = $p0 AND \"ExternalId\" = $p1", (int)input.Channel, input.ExternalId) is { } m
            ? new IngestResult(m.CardId, m.CaseId, m.Id, false, false, true)
            : null;

    // The lookups of every interaction, compiled once (no expression tree to build and look up per call).
    internal sealed record StoredIds(long Id, long CaseId, long CardId);

    internal static readonly Func<AgentWorkspaceDbContext, Channel, string, CancellationToken, Task<StoredIds?>> StoredMessage =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, Channel channel, string externalId, CancellationToken ct) => db.Messages.AsNoTracking()
            .Where(m => m.Channel == channel && m.ExternalId == externalId)
            .Select(m => new StoredIds(m.Id, m.CaseId, m.CardId))
            .FirstOrDefault());

    private static readonly Func<AgentWorkspaceDbContext, IdentitySpace, string, string, CancellationToken, Task<ChannelIdentity?>> IdentityByAddress =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, IdentitySpace space, string normalized, string shareKey, CancellationToken ct) =>
            db.Identities.AsNoTracking().FirstOrDefault(i => i.Space == space && i.NormalizedAddress == normalized && i.ShareKey == shareKey));

    private static readonly Func<AgentWorkspaceDbContext, long, CancellationToken, Task<CustomerCard>> CardById =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long id, CancellationToken ct) => db.Cards.AsNoTracking().First(c => c.Id == id));

    private static readonly Func<AgentWorkspaceDbContext, long, Channel, CancellationToken, Task<Case?>> OpenCase =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long cardId, Channel channel, CancellationToken ct) => db.Cases.AsNoTracking()
            .Where(c => c.CardId == cardId && c.Channel == channel && (c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending))
            .OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .FirstOrDefault());

    // The same lookups as the group writer's kept prepared statements on SQLite (ADR 007, amendment 2). The
    // IngestTests pin that both forms find the same rows (the open case among closed, other-channel and older ones).
    /// <summary>The identity of an address: its one owner (<paramref name="shareKey"/> empty), or on a shared address the sender's (ADR 020).</summary>
    internal static Task<ChannelIdentity?> FindIdentityAsync(GroupCommitBatch batch, IdentityAddress address, string shareKey, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<ChannelIdentity>("ingest:identity", "\"Space\" = $p0 AND \"NormalizedAddress\" = $p1 AND \"ShareKey\" = $p2",
                (int)address.Space, address.Normalized, shareKey))
            : IdentityByAddress(batch.Db, address.Space, address.Normalized, shareKey, ct);

    internal static Task<CustomerCard> FindCardAsync(GroupCommitBatch batch, long id, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<CustomerCard>("ingest:card", "\"Id\" = $p0", id) ?? throw new InvalidOperationException($"Card {id} does not exist."))
            : CardById(batch.Db, id, ct);

    private static readonly string OpenStatusList = string.Join(", ", Enum.GetValues<CaseStatus>().Where(Case.IsOpenStatus).Select(s => (int)s));

    internal static Task<Case?> FindOpenCaseAsync(GroupCommitBatch batch, long cardId, Channel channel, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<Case>("ingest:open-case",
                $"\"CardId\" = $p0 AND \"Channel\" = $p1 AND \"Status\" IN ({OpenStatusList}) ORDER BY \"LastMessageAt\" DESC, \"Id\" DESC", cardId, (int)channel))
            : OpenCase(batch.Db, cardId, channel, ct);

    private static readonly Func<AgentWorkspaceDbContext, long, Channel, CancellationToken, Task<Case?>> SurvivorOfMerged =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, long cardId, Channel channel, CancellationToken ct) =>
            (from merged in db.Cases
             where merged.CardId == cardId && merged.Channel == channel && merged.Status == CaseStatus.Merged
             join s in db.Cases on merged.MergedIntoCaseId equals s.Id
             where s.Status == CaseStatus.New || s.Status == CaseStatus.Open || s.Status == CaseStatus.Pending
             orderby s.LastMessageAt descending, s.Id descending
             select s).AsNoTracking().FirstOrDefault());

    /// <summary>
    /// Without an open case on the channel: the open case that took in the card's conversation on that channel (ADR 021),
    /// so that the contact writing again by e-mail after their e-mail case was merged into the call lands in the merged thread.
    /// </summary>
    internal static Task<Case?> FindSurvivorOfMergedAsync(GroupCommitBatch batch, long cardId, Channel channel, CancellationToken ct) =>
        batch.Rows is { } rows
            ? Task.FromResult(rows.First<Case>("ingest:merged-survivor",
                $"\"Id\" IN (SELECT \"MergedIntoCaseId\" FROM \"Cases\" WHERE \"CardId\" = $p0 AND \"Channel\" = $p1 AND \"Status\" = {(int)CaseStatus.Merged}) " +
                $"AND \"Status\" IN ({OpenStatusList}) ORDER BY \"LastMessageAt\" DESC, \"Id\" DESC", cardId, (int)channel))
            : SurvivorOfMerged(batch.Db, cardId, channel, ct);

    internal static async Task<Domain.Queues.Queue> ResolveQueueAsync(GroupCommitBatch batch, string? name, CancellationToken ct)
    {
        var db = batch.Db;
        var rows = batch.Rows;
        if (name is null)
        {
            // On SQLite as the group writer's kept statements (once per group, but EF Core would translate the query each time).
            var queue = rows is not null
                ? rows.First<Domain.Queues.Queue>("ingest:default-queue", "\"IsDefault\" = 1 ORDER BY \"Id\"")
                    ?? rows.First<Domain.Queues.Queue>("ingest:first-queue", "1 = 1 ORDER BY \"Id\"")
                : await db.Queues.AsNoTracking().Where(q => q.IsDefault).OrderBy(q => q.Id).FirstOrDefaultAsync(ct)
                    ?? await db.Queues.AsNoTracking().OrderBy(q => q.Id).FirstOrDefaultAsync(ct);
            return queue ?? throw new DomainException("No queue exists yet: create one, or restart the app to create the default queue.", "queue");
        }
        var folded = Text.Fold(name);
        return (rows is not null
                ? rows.First<Domain.Queues.Queue>("ingest:queue-by-name", "\"NormalizedName\" = $p0", folded)
                : await db.Queues.AsNoTracking().FirstOrDefaultAsync(q => q.NormalizedName == folded, ct))
            ?? throw new DomainException($"There is no queue named '{name}'.", "queue");
    }
}
