using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Matching;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Matching;

/// <summary>
/// The auto-merge (issue 21, ADR 023): a preview lists exactly the pairs (survivor, merged) a run would merge, with
/// reasons; a run merges them one use case each through the merge ledger (each merge undoable on its own) and can be
/// undone as a whole. Previews and runs are worked in the background (<see cref="WorkAsync"/>, called by a hosted
/// service) and taken up again after a restart. Administrators only.
/// <para>
/// A page: <see cref="StartPreviewAsync"/>, then <see cref="GetPreviewAsync"/> / <see cref="GetPairsAsync"/> (keyset pages)
/// while <see cref="ChangeKind.MatchingChanged"/> events come, <see cref="SetPairExcludedAsync"/>, <see cref="ExportCsvAsync"/>,
/// <see cref="StartRunAsync"/>, <see cref="GetRunAsync"/>, <see cref="UndoRunAsync"/>; <see cref="LatestAsync"/> on opening.
/// </para>
/// </summary>
public sealed class AutoMergeService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings, TimeProvider clock,
    ILogger<AutoMergeService>? logger = null)
{
    /// <summary>A preview older than this is not run: the cards have moved on since.</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(60);
    /// <summary>A name, company, city or custom value on more cards than this is not evidence (a group that large is skipped).</summary>
    public const int MaxGroup = 20;
    public const int MaxPage = 500;
    private const int WriteChunk = 2000;
    private const int RunBatch = 20;
    private static readonly JsonSerializerOptions Json = new();
    private readonly SemaphoreSlim _wake = new(0);

    private static readonly (MatchAttributes Attribute, double Weight)[] Weights =
    [
        (MatchAttributes.Phone, 0.55), (MatchAttributes.Email, 0.55), (MatchAttributes.SocialId, 0.5),
        (MatchAttributes.NameCompany, 0.6), (MatchAttributes.NameCity, 0.55), (MatchAttributes.CustomField, 0.3),
    ];

    internal static double WeightOf(MatchAttributes attribute) => Weights.First(w => w.Attribute == attribute).Weight;

    // ---------------------------------------------------------------- preview

    /// <summary>Starts a preview over the levels in force; computed in the background. Refused while another is computing.</summary>
    public async Task<MatchPreviewView> StartPreviewAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var id = await run.RunAsync("Matching.Preview", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            if (await db.MatchPreviews.AnyAsync(p => p.State == MatchPreviewState.Computing, use.Cancellation))
                throw new ConflictException("A preview is already being computed; wait for it.") { Code = "MatchPreviewBusy" };
            if (!await db.MatchingRules.AnyAsync(r => r.IsEnabled, use.Cancellation))
                throw new DomainException("No level is enabled: add or enable one first.", "rules") { Code = "MatchingNoRule" };
            var preview = new MatchPreview(use.Actor.UserId, use.Actor.DisplayName, use.Now);
            db.MatchPreviews.Add(preview);
            await use.SaveAsync();
            use.Audit("MatchPreview", Id(preview.Id), "Created");
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return preview.Id;
        }, ct);
        Wake();
        return await GetPreviewAsync(actor, id, ct);
    }

    public async Task<MatchPreviewView> GetPreviewAsync(Actor actor, long previewId, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var p = await db.MatchPreviews.AsNoTracking().FirstOrDefaultAsync(x => x.Id == previewId, ct) ?? throw PreviewNotFound(previewId);
        return View(p);
    }

    /// <summary>The latest preview and the latest run, for a page that opens (either may be null).</summary>
    public async Task<(MatchPreviewView? Preview, MatchRunView? Run)> LatestAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var p = await db.MatchPreviews.AsNoTracking().OrderByDescending(x => x.Id).FirstOrDefaultAsync(ct);
        var r = await db.MatchRuns.AsNoTracking().OrderByDescending(x => x.Id).FirstOrDefaultAsync(ct);
        return (p is null ? null : View(p), r is null ? null : MatchRunView.Of(r));
    }

    /// <summary>A page of the preview's pairs after pair <paramref name="after"/> (keyset), at most <see cref="MaxPage"/>.</summary>
    public async Task<MatchPairPage> GetPairsAsync(Actor actor, long previewId, long? after = null, int limit = 100, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (limit is < 1 or > MaxPage) throw new DomainException($"limit is 1 to {MaxPage}.", "limit") { Code = "MatchPageLimit", Args = [MaxPage] };
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var p = await db.MatchPreviews.AsNoTracking().FirstOrDefaultAsync(x => x.Id == previewId, ct) ?? throw PreviewNotFound(previewId);
        var from = after ?? 0;
        var rows = await db.MatchPreviewPairs.AsNoTracking().Where(x => x.PreviewId == previewId && x.Id > from).OrderBy(x => x.Id).Take(limit + 1).ToListAsync(ct);
        var page = rows.Take(limit).Select(PairView).ToList();
        return new MatchPairPage(View(p), page, rows.Count > limit ? page[^1].Id : null);
    }

    /// <summary>The names of the cards a page of pairs shows (at most <see cref="MaxPage"/> × 2 ids); an unknown id has none.</summary>
    public async Task<IReadOnlyDictionary<long, string>> CardNamesAsync(Actor actor, IReadOnlyCollection<long> cardIds, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (cardIds.Count > MaxPage * 2) throw new DomainException($"At most {MaxPage * 2} cards.", "cardIds") { Code = "MatchPageLimit", Args = [MaxPage] };
        if (cardIds.Count == 0) return new Dictionary<long, string>();
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var ids = cardIds.Distinct().ToList();
        var rows = await db.Cards.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.FirstName, c.LastName, c.ChannelName, c.PrimaryEmail, c.MobilePhone }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => CustomerCard.NameOf(r.FirstName, r.LastName, r.ChannelName, r.PrimaryEmail, r.MobilePhone) ?? $"#{r.Id}");
    }

    /// <summary>
    /// Writes every pair of the preview as CSV (UTF-8, a header row). A cell that a spreadsheet would read as a formula
    /// (starting with = + - @, a tab or a carriage return) is written with a leading apostrophe.
    /// </summary>
    public async Task ExportCsvAsync(Actor actor, long previewId, TextWriter output, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        ArgumentNullException.ThrowIfNull(output);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        if (!await db.MatchPreviews.AnyAsync(x => x.Id == previewId, ct)) throw PreviewNotFound(previewId);
        await using var csv = new CsvHelper.CsvWriter(output, CultureInfo.InvariantCulture, leaveOpen: true);
        foreach (var h in new[] { "pair", "survivor", "merged", "linkedTo", "level", "attributes", "matched", "score", "excluded", "outcome", "mergeId", "skipped" })
            csv.WriteField(h);
        await csv.NextRecordAsync();
        long last = 0;
        while (true)
        {
            var rows = await db.MatchPreviewPairs.AsNoTracking().Where(x => x.PreviewId == previewId && x.Id > last).OrderBy(x => x.Id).Take(1000).ToListAsync(ct);
            if (rows.Count == 0) break;
            foreach (var r in rows)
            {
                var v = PairView(r);
                csv.WriteField(Id(v.Id));
                csv.WriteField(Id(v.SurvivorId));
                csv.WriteField(Id(v.MergedId));
                csv.WriteField(Id(v.LinkedToId));
                csv.WriteField(Safe(v.RuleName));
                csv.WriteField(v.Attributes.ToString());
                csv.WriteField(Safe(string.Join("; ", v.Matched.Select(m => m.Attribute + ": " + m.Value))));
                csv.WriteField(v.Score.ToString("0.###", CultureInfo.InvariantCulture));
                csv.WriteField(v.Excluded ? "yes" : "no");
                csv.WriteField(v.Outcome.ToString());
                csv.WriteField(v.MergeId is { } mid ? Id(mid) : string.Empty);
                csv.WriteField(v.SkipCode ?? string.Empty);
                await csv.NextRecordAsync();
            }
            last = rows[^1].Id;
        }
        await csv.FlushAsync();
    }

    /// <summary>A cell that could start a formula in a spreadsheet gets a leading apostrophe.</summary>
    internal static string Safe(string value) =>
        value.Length > 0 && value[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + value : value;

    /// <summary>Excludes a pair from the run (or includes it again); refused once the preview has been run.</summary>
    public Task<MatchPairView> SetPairExcludedAsync(Actor actor, long previewId, long pairId, bool excluded, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        return run.RunAsync(excluded ? "Matching.ExcludePair" : "Matching.IncludePair", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var preview = await db.MatchPreviews.FirstOrDefaultAsync(x => x.Id == previewId, use.Cancellation) ?? throw PreviewNotFound(previewId);
            if (preview.RunId is not null) throw new ConflictException("This preview has been run: its pairs can no longer change.") { Code = "MatchPreviewAlreadyRun" };
            var pair = await db.MatchPreviewPairs.FirstOrDefaultAsync(x => x.Id == pairId && x.PreviewId == previewId, use.Cancellation)
                ?? throw new NotFoundException($"Pair {pairId} is not in preview {previewId}.");
            if (pair.IsExcluded != excluded)
            {
                pair.Exclude(excluded);
                preview.Excluded(excluded ? 1 : -1);
                use.Audit("MatchPreview", Id(previewId), excluded ? "PairExcluded" : "PairIncluded", "pair", null, $"{pair.SurvivorId} ← {pair.MergedId}");
                use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            }
            return PairView(pair);
        }, ct);
    }

    // ---------------------------------------------------------------- run

    /// <summary>
    /// Runs a ready preview: its non-excluded pairs are merged in the background. Refused: a preview still computing or
    /// failed (<c>MatchPreviewNotReady</c>), older than <see cref="StaleAfter"/> (<c>MatchPreviewStale</c>), already run
    /// (<c>MatchPreviewAlreadyRun</c>), or while another run is going (<c>MatchRunBusy</c>).
    /// </summary>
    public async Task<MatchRunView> StartRunAsync(Actor actor, long previewId, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var view = await run.RunAsync("Matching.Run", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var preview = await db.MatchPreviews.FirstOrDefaultAsync(x => x.Id == previewId, use.Cancellation) ?? throw PreviewNotFound(previewId);
            if (preview.State != MatchPreviewState.Ready)
                throw new ConflictException("This preview is not ready (still computing, or failed).") { Code = "MatchPreviewNotReady", Args = [preview.State.ToString()] };
            if (preview.RunId is not null) throw new ConflictException("This preview has already been run.") { Code = "MatchPreviewAlreadyRun" };
            if (use.Now - (preview.FinishedAt ?? preview.CreatedAt) > StaleAfter)
                throw new ConflictException($"This preview is older than {StaleAfter.TotalMinutes:0} minutes: make a new one.") { Code = "MatchPreviewStale", Args = [(int)StaleAfter.TotalMinutes] };
            if (await db.MatchRuns.AnyAsync(r => r.State == MatchRunState.Running || r.State == MatchRunState.Undoing, use.Cancellation))
                throw new ConflictException("Another run is going; wait for it to finish.") { Code = "MatchRunBusy" };
            var r = new MatchRun(previewId, use.Actor.UserId, use.Actor.DisplayName, preview.PairCount, use.Now);
            db.MatchRuns.Add(r);
            await use.SaveAsync();
            preview.RunAs(r.Id);
            use.Audit("MatchRun", Id(r.Id), "Started", "pairs", null, preview.PairCount.ToString(CultureInfo.InvariantCulture));
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return MatchRunView.Of(r);
        }, ct);
        Wake();
        return view;
    }

    public async Task<MatchRunView> GetRunAsync(Actor actor, long runId, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var r = await db.MatchRuns.AsNoTracking().FirstOrDefaultAsync(x => x.Id == runId, ct) ?? throw RunNotFound(runId);
        return MatchRunView.Of(r);
    }

    /// <summary>
    /// Undoes a finished run: its merges, newest first, each through the merge undo, in the background. A merge that
    /// cannot be undone is reported on its pair (<see cref="MatchPairView.UndoCode"/>) and counted, never skipped silently.
    /// </summary>
    public async Task<MatchRunView> UndoRunAsync(Actor actor, long runId, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var view = await run.RunAsync("Matching.UndoRun", actor, Role.Admin, async use =>
        {
            var r = await use.Db.MatchRuns.FirstOrDefaultAsync(x => x.Id == runId, use.Cancellation) ?? throw RunNotFound(runId);
            r.StartUndo(use.Actor.UserId, use.Actor.DisplayName);
            use.Audit("MatchRun", Id(r.Id), "UndoStarted", "merged", null, r.Merged.ToString(CultureInfo.InvariantCulture));
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            return MatchRunView.Of(r);
        }, ct);
        Wake();
        return view;
    }

    // ---------------------------------------------------------------- background work

    /// <summary>Wakes the background worker (a preview or a run was started).</summary>
    public void Wake() => _wake.Release();

    /// <summary>Waits until <see cref="Wake"/> or <paramref name="poll"/> passes (other servers' work, a restart's leftovers).</summary>
    public async Task WaitForWorkAsync(TimeSpan poll, CancellationToken ct)
    {
        await _wake.WaitAsync(poll, ct);
        while (_wake.CurrentCount > 0) await _wake.WaitAsync(0, ct);
    }

    /// <summary>
    /// One round of background work: computes a preview left computing (from the start), or merges the next pairs of a
    /// running run, or undoes the next merges of an undoing run. True when there was work (call again).
    /// </summary>
    public async Task<bool> WorkAsync(CancellationToken ct = default)
    {
        long? previewId, runId;
        MatchRunState runState = MatchRunState.Pending;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            previewId = await db.MatchPreviews.Where(p => p.State == MatchPreviewState.Computing).OrderBy(p => p.Id).Select(p => (long?)p.Id).FirstOrDefaultAsync(ct);
            var r = await db.MatchRuns.Where(x => x.State == MatchRunState.Running || x.State == MatchRunState.Undoing).OrderBy(x => x.Id)
                .Select(x => new { x.Id, x.State }).FirstOrDefaultAsync(ct);
            runId = r?.Id;
            if (r is not null) runState = r.State;
        }
        if (previewId is { } pid)
        {
            try
            {
                await ComputeAsync(pid, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger?.LogError(ex, "Auto-merge preview {PreviewId} failed.", pid);
                await run.RunAsync("Matching.PreviewFailed", Actor.System, Role.Admin, async use =>
                {
                    var p = await use.Db.MatchPreviews.FirstAsync(x => x.Id == pid, use.Cancellation);
                    p.Fail(ex is DomainException ? ex.Message : "The computation failed: " + ex.GetType().Name + ". The log has the details.", use.Now);
                    use.Audit("MatchPreview", Id(pid), "Failed");
                    use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
                }, ct);
            }
            return true;
        }
        if (runId is { } rid)
        {
            try
            {
                if (runState == MatchRunState.Running) await RunBatchAsync(rid, ct);
                else await UndoBatchAsync(rid, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger?.LogError(ex, "Auto-merge run {RunId} failed.", rid);
                await run.RunAsync("Matching.RunFailed", Actor.System, Role.Admin, async use =>
                {
                    var r = await use.Db.MatchRuns.FirstAsync(x => x.Id == rid, use.Cancellation);
                    r.Fail("The run stopped: " + ex.GetType().Name + ". The log has the details; the merges made stay (each can be undone).", use.Now);
                    use.Audit("MatchRun", Id(rid), "Failed");
                    use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
                }, ct);
            }
            return true;
        }
        return false;
    }

    private async Task RunBatchAsync(long runId, CancellationToken ct)
    {
        MatchRun r;
        List<long> next;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            r = await db.MatchRuns.AsNoTracking().FirstAsync(x => x.Id == runId, ct);
            var previewId = r.PreviewId;
            next = await db.MatchPreviewPairs.Where(p => p.PreviewId == previewId && p.Outcome == MatchPairOutcome.Pending).OrderBy(p => p.Id)
                .Select(p => p.Id).Take(RunBatch).ToListAsync(ct);
        }
        var actor = new Actor(r.ActorId, r.ActorName, Role.Admin);
        if (next.Count == 0)
        {
            await run.RunAsync("Matching.RunFinished", actor, Role.Admin, async use =>
            {
                var row = await use.Db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
                if (row.State != MatchRunState.Running) return;
                row.Finish(use.Now);
                use.Audit("MatchRun", Id(runId), "Finished", "merged", null, $"{row.Merged} merged, {row.Skipped} skipped of {row.Total}");
                use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            }, ct);
            return;
        }
        var region = await settings.DefaultRegionAsync(ct);
        foreach (var pairId in next) await MergePairAsync(actor, runId, pairId, region, ct);
    }

    private async Task MergePairAsync(Actor actor, long runId, long pairId, string region, CancellationToken ct)
    {
        string? skip;
        try
        {
            skip = await run.RunAsync<string?>("Matching.RunPair", actor, Role.Admin, async use =>
            {
                var db = use.Db;
                var pair = await db.MatchPreviewPairs.FirstAsync(p => p.Id == pairId, use.Cancellation);
                if (pair.Outcome != MatchPairOutcome.Pending) return null;
                var r = await db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
                var reason = pair.IsExcluded ? MatchSkip.Excluded : await StillMatchesAsync(db, pair, use.Cancellation);
                if (reason is not null)
                {
                    pair.Skipped(reason);
                    r.CountSkipped();
                    Progress(use, r);
                    return null;
                }
                var rules = await SurvivorshipService.RulesAsync(db, use.Cancellation);
                var proposals = await SurvivorshipService.ProposeAsync(db, rules, [pair.SurvivorId, pair.MergedId], use.Cancellation);
                var choices = proposals.Where(p => p.Reason != SurvivorshipReason.NoValue)
                    .ToDictionary(p => p.Field, p => p.CardId == pair.MergedId ? MergeChoice.Merged : MergeChoice.Survivor, StringComparer.Ordinal);
                var result = await MergeService.MergeCoreAsync(use, pair.SurvivorId, pair.MergedId, choices, region, ValueSource.FromRule(pair.MergedId, pair.RuleName));
                pair.Merged(result.MergeId);
                r.CountMerged();
                Progress(use, r);
                return null;
            }, ct);
        }
        catch (DomainException ex)
        {
            skip = ex.Code ?? "MatchMergeRefused";
        }
        catch (DbUpdateConcurrencyException)
        {
            skip = MatchSkip.Changed;
        }
        catch (ForbiddenException ex)
        {
            skip = ex.Code ?? "Forbidden";
        }
        catch (NotFoundException)
        {
            skip = MatchSkip.CardGone;
        }
        if (skip is null) return;
        await run.RunAsync("Matching.RunPairSkipped", actor, Role.Admin, async use =>
        {
            var pair = await use.Db.MatchPreviewPairs.FirstAsync(p => p.Id == pairId, use.Cancellation);
            if (pair.Outcome != MatchPairOutcome.Pending) return;
            var r = await use.Db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
            pair.Skipped(skip);
            r.CountSkipped();
            Progress(use, r);
        }, ct);
    }

    /// <summary>Publishes the run's progress every few pairs (an open page updates), and always at the last.</summary>
    private static void Progress(UseCase use, MatchRun r)
    {
        if (r.Done % 10 == 0 || r.Done == r.Total) use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
    }

    /// <summary>Null when the pair still matches as the preview said; otherwise why it is skipped.</summary>
    private async Task<string?> StillMatchesAsync(AgentWorkspaceDbContext db, MatchPreviewPair pair, CancellationToken ct)
    {
        var ids = new[] { pair.SurvivorId, pair.MergedId, pair.LinkedToId }.Distinct().ToList();
        var cards = await db.Cards.AsNoTracking().Include(c => c.Identities).Where(c => ids.Contains(c.Id)).ToListAsync(ct);
        var survivor = cards.FirstOrDefault(c => c.Id == pair.SurvivorId);
        var merged = cards.FirstOrDefault(c => c.Id == pair.MergedId);
        if (survivor is not { Status: CardStatus.Active } || merged is not { Status: CardStatus.Active }) return MatchSkip.CardGone;
        if (merged.Version != pair.MergedVersion) return MatchSkip.Changed;
        var matched = Matched(pair.MatchedJson);
        if (matched.Count == 0) return MatchSkip.Changed; // emptied by an erasure
        var shared = await SharedNowAsync(db, ct);
        var linked = cards.FirstOrDefault(c => c.Id == pair.LinkedToId);
        var fieldValues = pair.Attributes.HasFlag(MatchAttributes.CustomField)
            ? await db.CustomFieldValues.AsNoTracking().Where(v => ids.Contains(v.CardId)).ToListAsync(ct) : [];
        var rule = await db.MatchingRules.AsNoTracking().FirstOrDefaultAsync(r => r.Id == pair.RuleId, ct);
        // The card it matched was merged into the survivor by this run already (a tombstone now, its values chosen away or
        // cleared): that pair was checked when it merged, so the merged card holding the value is enough.
        var linkMerged = linked is { Status: CardStatus.Merged } && linked.MergedIntoId == pair.SurvivorId
            && await db.MatchPreviewPairs.AnyAsync(p => p.PreviewId == pair.PreviewId && p.MergedId == linked.Id && p.Outcome == MatchPairOutcome.Merged, ct);
        foreach (var m in matched)
        {
            if (m.Attribute is MatchAttributes.Phone && shared.Contains(new IdentityAddress(IdentitySpace.Phone, m.Value))) return MatchSkip.NowShared;
            if (m.Attribute is MatchAttributes.Email && shared.Contains(new IdentityAddress(IdentitySpace.Email, m.Value))) return MatchSkip.NowShared;
            var fieldId = rule?.CustomFieldId;
            bool Holds(CustomerCard? c) => c is not null && KeysOf(c, m.Attribute, fieldValues.Where(v => v.CardId == c.Id && v.FieldId == fieldId).Select(v => v.Value)).Contains(m.Value);
            // The merged card holds it, and the card it matched (or the survivor, once that card was merged into it) too.
            if (!Holds(merged) || !(linkMerged || Holds(linked) || Holds(survivor))) return MatchSkip.Changed;
        }
        return null;
    }

    private static async Task<HashSet<IdentityAddress>> SharedNowAsync(AgentWorkspaceDbContext db, CancellationToken ct) =>
        (await db.SharedIdentifiers.AsNoTracking().Where(s => !s.IsExempt).Select(s => new { s.Space, s.NormalizedAddress }).ToListAsync(ct))
        .Select(s => new IdentityAddress(s.Space, s.NormalizedAddress)).ToHashSet();

    private async Task UndoBatchAsync(long runId, CancellationToken ct)
    {
        MatchRun r;
        List<long> next;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            r = await db.MatchRuns.AsNoTracking().FirstAsync(x => x.Id == runId, ct);
            var previewId = r.PreviewId;
            next = await db.MatchPreviewPairs.Where(p => p.PreviewId == previewId && p.Outcome == MatchPairOutcome.Merged && p.UndoOutcome == MatchUndoOutcome.None)
                .OrderByDescending(p => p.Id).Select(p => p.Id).Take(RunBatch).ToListAsync(ct);
        }
        var actor = new Actor(r.UndoneById ?? r.ActorId, r.UndoneByName ?? r.ActorName, Role.Admin);
        if (next.Count == 0)
        {
            await run.RunAsync("Matching.UndoFinished", actor, Role.Admin, async use =>
            {
                var row = await use.Db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
                if (row.State != MatchRunState.Undoing) return;
                row.FinishUndo(use.Now);
                use.Audit("MatchRun", Id(runId), "Undone", "merges", null, $"{row.UndoneCount} undone, {row.UndoFailed} could not be undone");
                use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
            }, ct);
            return;
        }
        var current = await settings.GetAsync(ct);
        foreach (var pairId in next)
        {
            string? failed;
            try
            {
                failed = await run.RunAsync<string?>("Matching.UndoPair", actor, Role.Admin, async use =>
                {
                    var pair = await use.Db.MatchPreviewPairs.FirstAsync(p => p.Id == pairId, use.Cancellation);
                    if (pair.UndoOutcome != MatchUndoOutcome.None || pair.MergeId is not { } mergeId) return (string?)null;
                    var row = await use.Db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
                    await MergeService.UndoCoreAsync(use, mergeId, current.AgentsMayMerge, current.DefaultPhoneRegion);
                    pair.Undone();
                    row.CountUndone(true);
                    if ((row.UndoneCount + row.UndoFailed) % 10 == 0) use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
                    return null;
                }, ct);
            }
            catch (DomainException ex)
            {
                failed = ex.Code ?? "MatchUndoRefused";
            }
            catch (DbUpdateConcurrencyException)
            {
                failed = MatchSkip.Changed;
            }
            catch (ForbiddenException ex)
            {
                failed = ex.Code ?? "Forbidden";
            }
            catch (NotFoundException)
            {
                failed = MatchSkip.CardGone;
            }
            if (failed is null) continue;
            await run.RunAsync("Matching.UndoPairFailed", actor, Role.Admin, async use =>
            {
                var pair = await use.Db.MatchPreviewPairs.FirstAsync(p => p.Id == pairId, use.Cancellation);
                if (pair.UndoOutcome != MatchUndoOutcome.None) return;
                var row = await use.Db.MatchRuns.FirstAsync(x => x.Id == runId, use.Cancellation);
                pair.UndoFailed(failed);
                row.CountUndone(false);
                use.Audit("MatchRun", Id(runId), "UndoRefused", "merge", null, $"{pair.MergeId}: {failed}");
            }, ct);
        }
    }

    // ---------------------------------------------------------------- computing a preview

    private async Task ComputeAsync(long previewId, CancellationToken ct)
    {
        // From the start every time (a restart in the middle leaves half-written pairs: they go first).
        await run.RunAsync("Matching.PreviewStart", Actor.System, Role.Admin, async use =>
        {
            await use.Db.MatchPreviewPairs.Where(p => p.PreviewId == previewId).ExecuteDeleteAsync(use.Cancellation);
            var p = await use.Db.MatchPreviews.FirstAsync(x => x.Id == previewId, use.Cancellation);
            p.Restart();
        }, ct);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var phase = System.Diagnostics.Stopwatch.StartNew();
        List<MatchingRule> rules;
        var keys = new Dictionary<(MatchAttributes, long), KeyIndex>();
        var excluded = new Dictionary<long, HashSet<long>>();
        var skippedGroups = 0;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            db.Database.SetCommandTimeout(TimeSpan.FromMinutes(10));
            rules = await db.MatchingRules.AsNoTracking().Where(r => r.IsEnabled).OrderBy(r => r.Position).ThenBy(r => r.Id).ToListAsync(ct);
            var needed = rules.SelectMany(r => Split(r.Attributes).Select(a => (a, a == MatchAttributes.CustomField ? r.CustomFieldId ?? 0 : 0L))).Distinct().ToList();
            var steps = needed.Count + rules.Count + 2;
            var step = 0;
            var shared = await settings.SharedAddressesAsync(ct);
            var dbShared = await SharedNowAsync(db, ct);
            foreach (var (attribute, fieldId) in needed)
            {
                var index = await LoadKeysAsync(db, attribute, fieldId, shared.Threshold, dbShared, ct);
                skippedGroups += index.Skipped;
                keys[(attribute, fieldId)] = index;
                logger?.LogInformation("Auto-merge preview {PreviewId}: keys of {Attribute}: {Groups} groups, {Skipped} skipped, in {Ms} ms.",
                    previewId, attribute, index.Groups.Count, index.Skipped, phase.ElapsedMilliseconds);
                phase.Restart();
                await ProgressAsync(previewId, ++step, steps, ct);
            }
            // The locked cards are read once (a scan of the cards: no index on the flag), whatever the number of levels.
            Task<List<long>>? locked = null;
            foreach (var rule in rules)
            {
                excluded[rule.Id] = await ExcludedAsync(db, rule, () => locked ??= db.Cards.AsNoTracking().Where(c => c.IsLocked).Select(c => c.Id).ToListAsync(ct), ct);
                await ProgressAsync(previewId, ++step, steps, ct);
            }
            logger?.LogInformation("Auto-merge preview {PreviewId}: exclusions of {Rules} levels in {Ms} ms.", previewId, rules.Count, phase.ElapsedMilliseconds);
            phase.Restart();
        }

        // Each level's pairs: from the groups of its most selective attribute, kept when every other attribute shares a
        // key too, no card is excluded and the score reaches the level's minimum. A pair takes the first level that links it.
        var edges = new Dictionary<(long A, long B), Edge>();
        for (var order = 0; order < rules.Count; order++)
        {
            var rule = rules[order];
            var attrs = Split(rule.Attributes).Select(a => (Attribute: a, Index: keys[(a, a == MatchAttributes.CustomField ? rule.CustomFieldId ?? 0 : 0L)])).ToList();
            var driver = attrs.OrderBy(a => a.Index.PairCount).First();
            var skip = excluded[rule.Id];
            foreach (var group in driver.Index.Groups)
            {
                for (var i = 0; i < group.Cards.Length; i++)
                    for (var j = i + 1; j < group.Cards.Length; j++)
                    {
                        var (a, b) = (Math.Min(group.Cards[i], group.Cards[j]), Math.Max(group.Cards[i], group.Cards[j]));
                        if (edges.ContainsKey((a, b)) || skip.Contains(a) || skip.Contains(b)) continue;
                        var matched = new List<MatchedValue>(attrs.Count);
                        foreach (var (attribute, index) in attrs)
                        {
                            var common = index.Common(a, b);
                            if (common is null) { matched = null; break; }
                            matched.Add(new MatchedValue(attribute, common));
                        }
                        if (matched is null) continue;
                        // The score: the weights of every attribute the two cards share among those computed (ADR 023).
                        var score = 0.0;
                        foreach (var ((attribute, _), index) in keys)
                            if (index.Common(a, b) is not null) score += WeightOf(attribute);
                        score = Math.Round(Math.Min(1, score), 3);
                        if (score + 1e-9 < rule.MinScore) continue;
                        edges[(a, b)] = new Edge(a, b, order, rule, matched, score);
                    }
            }
        }

        // Clusters: union-find over every level's pairs; the survivor is the oldest card of each (the lowest id).
        var parent = new Dictionary<long, long>();
        long Find(long x)
        {
            while (parent.TryGetValue(x, out var p) && p != x) { var gp = parent.GetValueOrDefault(p, p); parent[x] = gp; x = gp; }
            return x;
        }
        foreach (var e in edges.Values)
        {
            parent.TryAdd(e.A, e.A);
            parent.TryAdd(e.B, e.B);
            var (ra, rb) = (Find(e.A), Find(e.B));
            if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
        }
        // Each member's link: its first level's pair, then the lowest other card.
        var best = new Dictionary<long, (Edge Edge, long Other)>();
        foreach (var e in edges.Values)
            foreach (var (me, other) in new[] { (e.A, e.B), (e.B, e.A) })
                if (!best.TryGetValue(me, out var cur) || e.Order < cur.Edge.Order || (e.Order == cur.Edge.Order && other < cur.Other))
                    best[me] = (e, other);
        var members = parent.Keys.Select(k => (Card: k, Root: Find(k))).Where(m => m.Card != m.Root).OrderBy(m => m.Root).ThenBy(m => m.Card).ToList();
        var clusters = members.Select(m => m.Root).Distinct().Count();
        logger?.LogInformation("Auto-merge preview {PreviewId}: {Edges} linked pairs, {Members} merged cards in {Clusters} clusters, in {Ms} ms.",
            previewId, edges.Count, members.Count, clusters, phase.ElapsedMilliseconds);
        phase.Restart();

        var versions = new Dictionary<long, long>();
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            foreach (var chunk in members.Select(m => m.Card).Chunk(500))
                foreach (var v in await db.Cards.AsNoTracking().Where(c => chunk.Contains(c.Id)).Select(c => new { c.Id, c.Version }).ToListAsync(ct))
                    versions[v.Id] = v.Version;
        }
        logger?.LogInformation("Auto-merge preview {PreviewId}: versions read in {Ms} ms.", previewId, phase.ElapsedMilliseconds);
        phase.Restart();
        foreach (var chunk in members.Chunk(WriteChunk))
        {
            await run.RunAsync("Matching.PreviewPairs", Actor.System, Role.Admin, async use =>
            {
                use.Db.ChangeTracker.AutoDetectChangesEnabled = false;
                foreach (var (card, root) in chunk)
                {
                    var (edge, other) = best[card];
                    use.Db.MatchPreviewPairs.Add(new MatchPreviewPair(previewId, root, card, other, edge.Rule.Id, edge.Rule.Name, edge.Rule.Attributes,
                        JsonSerializer.Serialize(edge.Matched.Select(m => new MatchedJsonRow(m.Attribute.ToString(), m.Value)), Json), edge.Score,
                        versions.GetValueOrDefault(card)));
                }
                await use.SaveAsync();
            }, ct);
        }
        logger?.LogInformation("Auto-merge preview {PreviewId}: {Pairs} pairs written in {Ms} ms; computed in {Total} ms.",
            previewId, members.Count, phase.ElapsedMilliseconds, watch.ElapsedMilliseconds);
        await run.RunAsync("Matching.PreviewReady", Actor.System, Role.Admin, async use =>
        {
            var p = await use.Db.MatchPreviews.FirstAsync(x => x.Id == previewId, use.Cancellation);
            p.Complete(members.Count, clusters, members.Count + clusters, skippedGroups, use.Now);
            use.Audit("MatchPreview", Id(previewId), "Computed", "pairs", null, $"{members.Count} pairs, {clusters} clusters");
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
        }, ct);
    }

    private Task ProgressAsync(long previewId, int step, int steps, CancellationToken ct) =>
        run.RunAsync("Matching.PreviewProgress", Actor.System, Role.Admin, async use =>
        {
            var p = await use.Db.MatchPreviews.FirstAsync(x => x.Id == previewId, use.Cancellation);
            p.Progress(step, steps);
            use.Publish(new ChangeEvent(ChangeKind.MatchingChanged));
        }, ct);

    private static IEnumerable<MatchAttributes> Split(MatchAttributes attributes) =>
        Weights.Select(w => w.Attribute).Where(a => attributes.HasFlag(a));

    /// <summary>Cards a level never merges: locked (when it says so), with an unresolved case in its queues, with its excluding value.</summary>
    private static async Task<HashSet<long>> ExcludedAsync(AgentWorkspaceDbContext db, MatchingRule rule, Func<Task<List<long>>> lockedCards, CancellationToken ct)
    {
        var set = new HashSet<long>();
        if (rule.ExcludeLocked) set.UnionWith(await lockedCards());
        var queues = rule.ExcludedQueues;
        if (queues.Count > 0)
            set.UnionWith(await db.Cases.AsNoTracking()
                .Where(c => queues.Contains(c.QueueId) && (c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending))
                .Select(c => c.CardId).Distinct().ToListAsync(ct));
        if (rule.ExcludeFieldId is { } f && rule.ExcludeFieldValue is { } value)
        {
            var wanted = Norm(value);
            set.UnionWith((await db.CustomFieldValues.AsNoTracking().Where(v => v.FieldId == f).Select(v => new { v.CardId, v.Value }).ToListAsync(ct))
                .Where(v => Norm(v.Value) == wanted).Select(v => v.CardId));
        }
        return set;
    }

    /// <summary>Trimmed and case-folded: how cities and custom values compare.</summary>
    internal static string Norm(string? value) => (value ?? string.Empty).Trim().ToLowerInvariant();

    /// <summary>The keys a card holds for an attribute, normalised as the preview's SQL groups them (the run checks with it).</summary>
    internal static IReadOnlySet<string> KeysOf(CustomerCard c, MatchAttributes attribute, IEnumerable<string> fieldValues)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        var ids = c.Identities.Where(i => !i.IsErased && i.ShareKey.Length == 0).ToList();
        switch (attribute)
        {
            case MatchAttributes.Phone:
                set.UnionWith(ids.Where(i => i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress));
                set.UnionWith(new[] { c.MobilePhone, c.HomePhone }.Where(p => !string.IsNullOrEmpty(p))!);
                break;
            case MatchAttributes.Email:
                set.UnionWith(ids.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress.ToLowerInvariant()));
                set.UnionWith(new[] { c.PrimaryEmail, c.SecondaryEmail }.Where(p => !string.IsNullOrEmpty(p)).Select(p => p!.ToLowerInvariant()));
                break;
            case MatchAttributes.SocialId:
                set.UnionWith(ids.Where(i => i.Space is not (IdentitySpace.Phone or IdentitySpace.Email)).Select(i => SocialKey((int)i.Space, i.NormalizedAddress)));
                break;
            case MatchAttributes.NameCompany:
                if (c.NameKey.Length > 0 && c.SearchCompany.Length > 0) set.Add(c.NameKey + " | " + c.SearchCompany);
                break;
            case MatchAttributes.NameCity:
                if (c.NameKey.Length > 0 && Norm(c.City).Length > 0) set.Add(c.NameKey + " | " + Norm(c.City));
                break;
            case MatchAttributes.CustomField:
                set.UnionWith(fieldValues.Select(Norm).Where(v => v.Length > 0));
                break;
        }
        return set;
    }

    private static string SocialKey(int space, string address) => ((IdentitySpace)space).ToString().ToLowerInvariant() + ":" + address;

    /// <summary>
    /// The cards of every key of an attribute that two cards or more share (and not more than the limit), in one
    /// set-based statement: the keys from their indexed columns, counted per key with a window over the key (a GROUP BY
    /// in effect) on the server; here only the shared keys come back, regrouped by the exact key.
    /// </summary>
    private static async Task<KeyIndex> LoadKeysAsync(AgentWorkspaceDbContext db, MatchAttributes attribute, long fieldId, int sharedThreshold,
        HashSet<IdentityAddress> shared, CancellationToken ct)
    {
        var max = attribute is MatchAttributes.Phone or MatchAttributes.Email ? Math.Min(sharedThreshold - 1, MaxGroup) : MaxGroup;
        const string active = "JOIN Cards a ON a.Id = u.C WHERE a.Status = 0";
        var source = attribute switch
        {
            MatchAttributes.Phone =>
                "SELECT i.NormalizedAddress AS K1, '' AS K2, NULL AS V, 0 AS S, i.CardId AS C FROM ChannelIdentities i WHERE i.Space = 1 AND i.IsErased = 0 AND i.ShareKey = '' " +
                "UNION ALL SELECT c.MobilePhone, '', NULL, 0, c.Id FROM Cards c WHERE c.MobilePhone IS NOT NULL AND c.MobilePhone <> '' " +
                "UNION ALL SELECT c.HomePhone, '', NULL, 0, c.Id FROM Cards c WHERE c.HomePhone IS NOT NULL AND c.HomePhone <> ''",
            MatchAttributes.Email =>
                "SELECT i.NormalizedAddress AS K1, '' AS K2, NULL AS V, 0 AS S, i.CardId AS C FROM ChannelIdentities i WHERE i.Space = 2 AND i.IsErased = 0 AND i.ShareKey = '' " +
                "UNION ALL SELECT LOWER(c.PrimaryEmail), '', NULL, 0, c.Id FROM Cards c WHERE c.PrimaryEmail IS NOT NULL AND c.PrimaryEmail <> '' " +
                "UNION ALL SELECT LOWER(c.SecondaryEmail), '', NULL, 0, c.Id FROM Cards c WHERE c.SecondaryEmail IS NOT NULL AND c.SecondaryEmail <> ''",
            MatchAttributes.SocialId =>
                "SELECT i.NormalizedAddress AS K1, '' AS K2, NULL AS V, i.Space AS S, i.CardId AS C FROM ChannelIdentities i WHERE i.Space > 2 AND i.IsErased = 0 AND i.ShareKey = ''",
            MatchAttributes.NameCompany =>
                "SELECT c.NameKey AS K1, c.SearchCompany AS K2, NULL AS V, 0 AS S, c.Id AS C FROM Cards c WHERE c.NameKey <> '' AND c.SearchCompany <> ''",
            MatchAttributes.NameCity =>
                "SELECT c.NameKey AS K1, LOWER(TRIM(c.City)) AS K2, c.City AS V, 0 AS S, c.Id AS C FROM Cards c WHERE c.NameKey <> '' AND c.City IS NOT NULL AND TRIM(c.City) <> ''",
            MatchAttributes.CustomField =>
                "SELECT LOWER(TRIM(v.Value)) AS K1, '' AS K2, v.Value AS V, 0 AS S, v.CardId AS C FROM CustomFieldValues v WHERE v.FieldId = @field AND TRIM(v.Value) <> ''",
            _ => throw new ArgumentOutOfRangeException(nameof(attribute)),
        };
        var sql = "SELECT w.K1, w.K2, w.V, w.S, w.C FROM (SELECT d.K1, d.K2, d.V, d.S, d.C, COUNT(*) OVER (PARTITION BY d.K1, d.K2, d.S) AS N FROM " +
                  $"(SELECT DISTINCT u.K1, u.K2, u.V, u.S, u.C FROM ({source}) u {active}) d) w WHERE w.N BETWEEN 2 AND @max";
        var groups = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(ct);
        await using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = sql;
            cmd.CommandTimeout = 600;
            Add(cmd, "@max", max + 5); // a little wider than the limit: regrouping by the exact key may split a coarse group
            if (attribute == MatchAttributes.CustomField) Add(cmd, "@field", fieldId);
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var k1 = reader.GetString(0);
                var k2 = reader.GetString(1);
                var v = reader.IsDBNull(2) ? null : reader.GetString(2);
                var s = Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture);
                var card = reader.GetInt64(4);
                var key = attribute switch
                {
                    MatchAttributes.Email => k1.ToLowerInvariant(),
                    MatchAttributes.SocialId => SocialKey(s, k1),
                    MatchAttributes.NameCompany => k1 + " | " + k2,
                    MatchAttributes.NameCity => k1 + " | " + Norm(v),
                    MatchAttributes.CustomField => Norm(v),
                    _ => k1,
                };
                if (!groups.TryGetValue(key, out var list)) groups[key] = list = [];
                if (!list.Contains(card)) list.Add(card);
            }
        }
        var index = new KeyIndex();
        foreach (var (key, cards) in groups)
        {
            if (cards.Count < 2) continue;
            var isShared = attribute switch
            {
                MatchAttributes.Phone => shared.Contains(new IdentityAddress(IdentitySpace.Phone, key)),
                MatchAttributes.Email => shared.Contains(new IdentityAddress(IdentitySpace.Email, key)),
                _ => false,
            };
            // A shared number or address (ADR 020) never matches; a key on more cards than the limit is not evidence.
            if (isShared || cards.Count > max) { index.Skipped++; continue; }
            index.Add(key, [.. cards.Order()]);
        }
        return index;
    }

    private static void Add(DbCommand cmd, string name, object value)
    {
        var p = cmd.CreateParameter();
        p.ParameterName = name;
        p.Value = value;
        cmd.Parameters.Add(p);
    }

    internal static IReadOnlyList<MatchedValue> Matched(string json)
    {
        try
        {
            return (JsonSerializer.Deserialize<List<MatchedJsonRow>>(json, Json) ?? [])
                .Select(r => Enum.TryParse<MatchAttributes>(r.A, out var a) ? new MatchedValue(a, r.V) : null).OfType<MatchedValue>().ToList();
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private MatchPreviewView View(MatchPreview p) => new(p.Id, p.State, p.CreatedAt, p.CreatedByName, p.FinishedAt, p.Step, p.Steps,
        new MatchPreviewCounts(p.PairCount, p.ClusterCount, p.CardCount, p.ExcludedCount, p.SkippedGroups), p.RunId, p.Error,
        p.State == MatchPreviewState.Ready && clock.GetUtcNow() - (p.FinishedAt ?? p.CreatedAt) > StaleAfter);

    private static MatchPairView PairView(MatchPreviewPair r) => new(r.Id, r.SurvivorId, r.MergedId, r.LinkedToId, r.RuleId, r.RuleName, r.Attributes,
        Matched(r.MatchedJson), r.Score, r.IsExcluded, r.Outcome, r.SkipCode, r.MergeId, r.UndoOutcome, r.UndoCode);

    private static NotFoundException PreviewNotFound(long id) => new($"Preview {id} does not exist.");
    private static NotFoundException RunNotFound(long id) => new($"Run {id} does not exist.");
    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private sealed record MatchedJsonRow(string A, string V);

    private sealed record Edge(long A, long B, int Order, MatchingRule Rule, List<MatchedValue> Matched, double Score);

    /// <summary>The shared keys of one attribute: each key's cards, and each card's keys.</summary>
    private sealed class KeyIndex
    {
        private readonly Dictionary<long, List<string>> _byCard = [];
        public List<(string Key, long[] Cards)> Groups { get; } = [];
        public long PairCount { get; private set; }
        public int Skipped { get; set; }

        public void Add(string key, long[] cards)
        {
            Groups.Add((key, cards));
            PairCount += (long)cards.Length * (cards.Length - 1) / 2;
            foreach (var c in cards)
            {
                if (!_byCard.TryGetValue(c, out var keys)) _byCard[c] = keys = [];
                keys.Add(key);
            }
        }

        /// <summary>A key both cards hold (the first in ordinal order), or null.</summary>
        public string? Common(long a, long b)
        {
            if (!_byCard.TryGetValue(a, out var ka) || !_byCard.TryGetValue(b, out var kb)) return null;
            string? found = null;
            foreach (var k in ka)
                if (kb.Contains(k) && (found is null || string.CompareOrdinal(k, found) < 0)) found = k;
            return found;
        }
    }
}
