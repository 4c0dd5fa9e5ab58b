using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Merge;

/// <summary>
/// A merge proposal as the queue and the card show it: both cards by name, who proposed it and why, and — while it
/// is pending — whether it can still be approved (<see cref="BlockedCode"/> names what refuses it: a card merged,
/// anonymized or locked since).
/// </summary>
public sealed record MergeRequestView(long Id, long SurvivorId, string SurvivorName, long MergedId, string MergedName,
    string ProposedById, string ProposedByName, string? Comment, DateTimeOffset CreatedAt, MergeRequestStatus Status,
    string? DecidedByName, string? DecisionComment, DateTimeOffset? DecidedAt, long? MergeId, string? BlockedCode = null, IReadOnlyList<object>? BlockedArgs = null);

/// <summary>What the reader may do about merging from a card: merge, or only propose (issue 21).</summary>
public enum MergeRight
{
    Merge,
    Propose,
}

/// <summary>
/// Merge requests (issue 21): where agents may not merge (<c>Merge:AgentsMayMerge</c> off), an agent proposes a merge
/// with a comment; a supervisor approves it — the merge is the merge use case's own work, in the same transaction as
/// the decision — or declines it with a comment. Each step is audited on both cards and told through the change feed,
/// so the proposing agent hears of the decision live.
/// </summary>
public sealed class MergeRequestService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings)
{
    /// <summary>Whether the actor merges or proposes: the UI offers one button or the other, never one that is refused.</summary>
    public async Task<MergeRight> RightAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        return actor.IsAtLeast(Role.Supervisor) || (await settings.GetAsync(ct)).AgentsMayMerge ? MergeRight.Merge : MergeRight.Propose;
    }

    public async Task<MergeRequestView> ProposeAsync(Actor actor, long survivorId, long mergedId, string? comment, CancellationToken ct = default)
    {
        var id = await run.RunAsync("MergeRequest.Propose", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var request = new MergeRequest(survivorId, mergedId, use.Actor.UserId, use.Actor.DisplayName, comment, use.Now);
            var survivor = await db.Cards.FirstOrDefaultAsync(c => c.Id == survivorId, use.Cancellation) ?? throw new NotFoundException($"Card {survivorId} does not exist.");
            var merged = await db.Cards.FirstOrDefaultAsync(c => c.Id == mergedId, use.Cancellation) ?? throw new NotFoundException($"Card {mergedId} does not exist.");
            CustomerCard.EnsureMergeable(survivor, merged);
            if (await db.MergeRequests.AnyAsync(r => r.Status == MergeRequestStatus.Pending
                    && ((r.SurvivorId == survivorId && r.MergedId == mergedId) || (r.SurvivorId == mergedId && r.MergedId == survivorId)), use.Cancellation))
                throw new ConflictException("A merge of these two cards is already proposed and waits for a supervisor.") { Code = "MergeRequestPending" };
            db.MergeRequests.Add(request);
            await use.SaveAsync();
            use.Audit("Card", Id(survivorId), "MergeProposed", "mergeRequest", null, Id(request.Id));
            use.Audit("Card", Id(mergedId), "MergeProposed", "mergeRequest", null, Id(request.Id));
            use.Publish(new ChangeEvent(ChangeKind.MergeRequestChanged, CardId: survivorId, AgentId: use.Actor.UserId) { SurvivorId = survivorId });
            return request.Id;
        }, ct);
        return await GetAsync(actor, id, ct);
    }

    /// <summary>The pending proposals, oldest first, for supervisors (and whoever may merge).</summary>
    public async Task<IReadOnlyList<MergeRequestView>> PendingAsync(Actor actor, int limit = 50, CancellationToken ct = default)
    {
        await RequireMayDecideAsync(actor, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.MergeRequests.AsNoTracking().Where(r => r.Status == MergeRequestStatus.Pending)
            .OrderBy(r => r.Id).Take(Math.Clamp(limit, 1, 200)).ToListAsync(ct);
        return await ViewsAsync(db, rows, ct);
    }

    /// <summary>The proposals that involve a card (pending first, then the newest), for its page and its timeline.</summary>
    public async Task<IReadOnlyList<MergeRequestView>> ForCardAsync(Actor actor, long cardId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var rows = await db.MergeRequests.AsNoTracking().Where(r => r.SurvivorId == cardId || r.MergedId == cardId)
            .OrderByDescending(r => r.Id).Take(50).ToListAsync(ct);
        return (await ViewsAsync(db, rows, ct)).OrderBy(v => v.Status == MergeRequestStatus.Pending ? 0 : 1).ThenByDescending(v => v.Id).ToList();
    }

    public async Task<MergeRequestView> GetAsync(Actor actor, long requestId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var row = await db.MergeRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct)
            ?? throw new NotFoundException($"Merge proposal {requestId} does not exist.");
        return (await ViewsAsync(db, [row], ct))[0];
    }

    /// <summary>
    /// Approves a proposal: the merge (with <paramref name="choices"/>, as in the merge dialog) and the decision are one
    /// use case, so a refused merge leaves the proposal pending and an approved one always has its merge.
    /// <paramref name="survivorId"/> is the card that stays when the supervisor swapped the proposal's sides in the
    /// merge dialog (one of its two cards; by default the proposal's survivor).
    /// </summary>
    public async Task<MergeResult> ApproveAsync(Actor actor, long requestId, IReadOnlyDictionary<string, MergeChoice>? choices = null, string? comment = null,
        long? survivorId = null, CancellationToken ct = default)
    {
        await RequireMayDecideAsync(actor, ct);
        var region = await settings.DefaultRegionAsync(ct);
        try
        {
            return await run.RunAsync("MergeRequest.Approve", actor, Role.Agent, async use =>
            {
                var request = await use.Db.MergeRequests.FirstOrDefaultAsync(r => r.Id == requestId, use.Cancellation)
                    ?? throw new NotFoundException($"Merge proposal {requestId} does not exist.");
                request.EnsurePending();
                var (keep, go) = survivorId is null || survivorId == request.SurvivorId ? (request.SurvivorId, request.MergedId)
                    : survivorId == request.MergedId ? (request.MergedId, request.SurvivorId)
                    : throw new DomainException($"Card {survivorId} is not one of this proposal's cards.", "survivorId");
                var result = await MergeService.MergeCoreAsync(use, keep, go, choices ?? new Dictionary<string, MergeChoice>(), region);
                request.Approve(use.Actor.UserId, use.Actor.DisplayName, comment, result.MergeId, use.Now);
                use.Audit("Card", Id(request.SurvivorId), "MergeApproved", "mergeRequest", null, Id(request.Id));
                use.Publish(new ChangeEvent(ChangeKind.MergeRequestChanged, CardId: request.SurvivorId, AgentId: request.ProposedById) { SurvivorId = request.SurvivorId });
                return result;
            }, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cards changed while merging (another merge or an edit). Reload and try again.");
        }
    }

    public async Task<MergeRequestView> DeclineAsync(Actor actor, long requestId, string? comment, CancellationToken ct = default)
    {
        await RequireMayDecideAsync(actor, ct);
        await run.RunAsync("MergeRequest.Decline", actor, Role.Agent, async use =>
        {
            var request = await use.Db.MergeRequests.FirstOrDefaultAsync(r => r.Id == requestId, use.Cancellation)
                ?? throw new NotFoundException($"Merge proposal {requestId} does not exist.");
            request.Decline(use.Actor.UserId, use.Actor.DisplayName, comment, use.Now);
            use.Audit("Card", Id(request.SurvivorId), "MergeDeclined", "mergeRequest", null, Id(request.Id));
            use.Audit("Card", Id(request.MergedId), "MergeDeclined", "mergeRequest", null, Id(request.Id));
            use.Publish(new ChangeEvent(ChangeKind.MergeRequestChanged, CardId: request.SurvivorId, AgentId: request.ProposedById) { SurvivorId = request.SurvivorId });
        }, ct);
        return await GetAsync(actor, requestId, ct);
    }

    /// <summary>Deciding needs the right to merge: a supervisor, or anyone while agents may merge.</summary>
    private async Task RequireMayDecideAsync(Actor actor, CancellationToken ct)
    {
        if (await RightAsync(actor, ct) != MergeRight.Merge)
            throw new ForbiddenException("Deciding on merge proposals needs the Supervisor role.") { Code = "MergeRequestNeedsSupervisor" };
    }

    private static async Task<IReadOnlyList<MergeRequestView>> ViewsAsync(AgentWorkspaceDbContext db, IReadOnlyList<MergeRequest> rows, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var ids = rows.SelectMany(r => new[] { r.SurvivorId, r.MergedId }).Distinct().ToList();
        var cards = await db.Cards.AsNoTracking().Include(c => c.Identities).Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        return rows.Select(r =>
        {
            var s = cards.GetValueOrDefault(r.SurvivorId);
            var m = cards.GetValueOrDefault(r.MergedId);
            string? code = null;
            IReadOnlyList<object>? args = null;
            if (r.Status == MergeRequestStatus.Pending && s is not null && m is not null)
            {
                try { CustomerCard.EnsureMergeable(s, m); }
                catch (DomainException e) { (code, args) = (e.Code, e.Args); }
            }
            return new MergeRequestView(r.Id, r.SurvivorId, s?.DisplayName ?? $"#{r.SurvivorId}", r.MergedId, m?.DisplayName ?? $"#{r.MergedId}",
                r.ProposedById, r.ProposedByName, r.Comment, r.CreatedAt, r.Status, r.DecidedByName, r.DecisionComment, r.DecidedAt, r.MergeId, code, args);
        }).ToList();
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
