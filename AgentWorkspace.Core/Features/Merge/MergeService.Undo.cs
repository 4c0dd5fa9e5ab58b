using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Merge;

/// <summary>What stands in the way of undoing a merge: something that came from the merged card and changed since.</summary>
public enum UndoBlockerKind
{
    /// <summary>A profile field whose merged value came from the merged card (<see cref="UndoBlocker.Key"/>: its name, e.g. <c>city</c>).</summary>
    Field,
    /// <summary>A custom field's value that came from the merged card (key <c>cf:ident</c>, label: the field's label).</summary>
    CustomField,
    /// <summary>An identity of the merged card that was used (a message, a case of the survivor's) or edited since (label: channel and address).</summary>
    Identity,
    /// <summary>A case of the merged card that received messages from the contact since (label: its number).</summary>
    Case,
}

public sealed record UndoBlocker(UndoBlockerKind Kind, string Key, string Label);

/// <summary>
/// The undo would lose what changed since the merge: each <see cref="Blockers"/> entry names a field, an identity or a
/// case that came from the merged card and changed since.
/// </summary>
public sealed class MergeUndoRefusedException : DomainException
{
    public const string RefusalCode = "UnmergeChangedSince";

    public MergeUndoRefusedException(IReadOnlyList<UndoBlocker> blockers)
        : base($"This merge can no longer be undone without losing what changed since: {string.Join(", ", blockers.Select(b => b.Label))}.")
    {
        Blockers = blockers;
        Code = RefusalCode;
        Args = [string.Join(", ", blockers.Select(b => b.Label))];
    }

    public IReadOnlyList<UndoBlocker> Blockers { get; }
}

/// <summary>
/// Whether the reader may undo one merge, as a page offers it. <see cref="Permitted"/>: the reader's role (and the
/// merge's author) allow it. When permitted but refused, <see cref="RefusalCode"/> and its arguments say why, and
/// <see cref="Blockers"/> what changed since.
/// </summary>
public sealed record MergeUndoOffer(long MergeId, bool Permitted, string? RefusalCode = null, IReadOnlyList<object>? RefusalArgs = null, IReadOnlyList<UndoBlocker>? Blockers = null)
{
    /// <summary>The Undo action may be shown: allowed, and nothing would refuse it now.</summary>
    public bool Offered => Permitted && RefusalCode is null;
}

public sealed partial class MergeService
{
    /// <summary>
    /// Supervisors and administrators undo any merge; an agent undoes a merge they made, while agents may merge.
    /// </summary>
    public static bool MayUndo(Actor actor, string mergedByUserId, bool agentsMayMerge) =>
        actor.IsAtLeast(Role.Supervisor) || (actor.IsAtLeast(Role.Agent) && agentsMayMerge && mergedByUserId == actor.UserId);

    /// <summary>
    /// Restores the merged card and moves back what came with it: its identities, its cases (with everything said and
    /// done on them since), its notes and its custom-field values. What the survivor changed since the merge stays. When
    /// something that came from the merged card changed since (a field chosen from it, an identity used or edited, a
    /// case the contact wrote in), the undo is refused with a <see cref="MergeUndoRefusedException"/> naming them.
    /// </summary>
    public async Task UndoAsync(Actor actor, long mergeId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var current = await settings.GetAsync(ct);
        try
        {
            await run.RunAsync("Card.Unmerge", actor, Role.Agent, use => UndoCoreAsync(use, mergeId, current.AgentsMayMerge, current.DefaultPhoneRegion), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cards changed while undoing the merge. Reload and try again.");
        }
    }

    /// <summary>
    /// For each merge (at most 50): whether <paramref name="actor"/> may undo it, and if so whether anything would refuse it
    /// now. An undone merge is never offered. A page shows Undo only where <see cref="MergeUndoOffer.Offered"/>.
    /// </summary>
    public async Task<IReadOnlyDictionary<long, MergeUndoOffer>> GetUndoOffersAsync(Actor actor, IReadOnlyCollection<long> mergeIds, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var offers = new Dictionary<long, MergeUndoOffer>();
        if (mergeIds.Count == 0) return offers;
        var ids = mergeIds.Distinct().Take(50).ToList();
        var current = await settings.GetAsync(ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var records = await db.Merges.AsNoTracking().Where(m => ids.Contains(m.Id)).ToListAsync(ct);
        foreach (var record in records)
        {
            if (record.UndoneAt is not null || !MayUndo(actor, record.ActorId, current.AgentsMayMerge))
            {
                offers[record.Id] = new MergeUndoOffer(record.Id, false);
                continue;
            }
            var survivor = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == record.SurvivorId, ct);
            var merged = await db.Cards.AsNoTracking().FirstOrDefaultAsync(c => c.Id == record.MergedId, ct);
            if (survivor is null || merged is null)
            {
                offers[record.Id] = new MergeUndoOffer(record.Id, false);
                continue;
            }
            var check = await CheckUndoAsync(db, record, survivor, merged, current.DefaultPhoneRegion, ct);
            offers[record.Id] = check.Refusal is { } refusal
                ? new MergeUndoOffer(record.Id, true, refusal.Code, refusal.Args, (refusal as MergeUndoRefusedException)?.Blockers)
                : new MergeUndoOffer(record.Id, true);
        }
        return offers;
    }

    internal static async Task UndoCoreAsync(UseCase use, long mergeId, bool agentsMayMerge, string region)
    {
        var (db, now, ct, actor) = (use.Db, use.Now, use.Cancellation, use.Actor);
        var record = await db.Merges.FirstOrDefaultAsync(m => m.Id == mergeId, ct) ?? throw new NotFoundException($"Merge {mergeId} does not exist.");
        if (!MayUndo(actor, record.ActorId, agentsMayMerge))
            throw new ForbiddenException(agentsMayMerge
                ? $"Only a supervisor or {record.ActorName}, who made this merge, may undo it."
                : "Undoing a merge needs the Supervisor role.") { Code = agentsMayMerge ? "UnmergeNotYours" : "UnmergeNeedsSupervisor", Args = [record.ActorName] };
        record.EnsureNotUndone();
        var survivor = await db.Cards.FirstAsync(c => c.Id == record.SurvivorId, ct);
        var merged = await db.Cards.FirstAsync(c => c.Id == record.MergedId, ct);
        var check = await CheckUndoAsync(db, record, survivor, merged, region, ct);
        if (check.Refusal is { } refusal) throw refusal;
        var ledger = check.Ledger;
        var (survivorId, mergedId) = (survivor.Id, merged.Id);
        var cases = ledger.Cases;

        // What the contact and the agents did on the moved cases since: it goes back with its case.
        var later = await db.Messages.Where(m => cases.Contains(m.CaseId) && !ledger.Messages.Contains(m.Id))
            .Select(m => new { m.Direction, m.Sentiment, m.SentAt }).ToListAsync(ct);

        await db.Identities.Where(i => ledger.Identities.Contains(i.Id) && i.CardId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId), ct);
        await db.Cases.Where(c => cases.Contains(c.Id) && c.CardId == survivorId)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.CardId, mergedId).SetProperty(c => c.Version, c => c.Version + 1), ct);
        await db.Messages.Where(m => (ledger.Messages.Contains(m.Id) || cases.Contains(m.CaseId)) && m.CardId == survivorId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.CardId, mergedId), ct);
        await db.Notes.Where(n => (ledger.Notes.Contains(n.Id) || (n.CaseId != null && cases.Contains(n.CaseId.Value))) && n.CardId == survivorId)
            .ExecuteUpdateAsync(s => s.SetProperty(n => n.CardId, mergedId), ct);
        await db.CaseEvents.Where(e => (ledger.CaseEvents.Contains(e.Id) || cases.Contains(e.CaseId)) && e.CardId == survivorId)
            .ExecuteUpdateAsync(s => s.SetProperty(e => e.CardId, mergedId), ct);
        await db.CustomFieldValues.Where(v => ledger.MovedFieldValues.Contains(v.Id) && v.CardId == survivorId).ExecuteUpdateAsync(s => s.SetProperty(v => v.CardId, mergedId), ct);
        foreach (var o in ledger.OverwrittenFieldValues)
            await db.CustomFieldValues.Where(v => v.Id == o.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, o.Value).SetProperty(v => v.UpdatedAt, o.UpdatedAt), ct);
        foreach (var r in ledger.RemovedFieldValues)
            db.CustomFieldValues.Add(new CustomFieldValue(mergedId, r.FieldId, r.Value, r.UpdatedAt, r.Id));

        // The values the merge brought are no longer the survivor's: their rows go, and each field's source is again what it was.
        await db.ValueProvenance.Where(p => p.MergeId == mergeId).ExecuteDeleteAsync(ct);
        merged.RestoreFromMerge(now);
        foreach (var (field, before, after) in survivor.UpdateProfile(CustomerCard.ProfileFromSnapshot(check.SurvivorProfile), region, now))
            use.Audit("Card", Id(survivorId), "Unmerged", field, before, after);

        // Indicators are kept as messages land, never recounted: the merged card gets back its own and what reached its
        // cases since; the survivor keeps what reached it since, less those.
        var (m0, s0) = (ledger.MergedIndicators, ledger.SurvivorIndicators);
        int Count(Sentiment sentiment) => later.Count(l => l.Direction == Direction.Inbound && l.Sentiment == sentiment);
        var (pos, neu, neg) = (Count(Sentiment.Positive), Count(Sentiment.Neutral), Count(Sentiment.Negative));
        merged.SetIndicators(m0.Positive + pos, m0.Neutral + neu, m0.Negative + neg);
        merged.SetAudience(m0.Followers, m0.Following);
        merged.SetLastContact(Latest(m0.LastContactAt, later.Count == 0 ? null : later.Max(l => l.SentAt)));
        survivor.SetIndicators(Math.Max(0, survivor.PositiveCount - m0.Positive - pos), Math.Max(0, survivor.NeutralCount - m0.Neutral - neu),
            Math.Max(0, survivor.NegativeCount - m0.Negative - neg));
        survivor.SetAudience(Math.Max(0, survivor.Followers - m0.Followers), Math.Max(0, survivor.Following - m0.Following));
        var since = record.At;
        var survivorLatest = await db.Messages.Where(m => m.CardId == survivorId && m.SentAt > since).Select(m => (DateTimeOffset?)m.SentAt).MaxAsync(ct);
        survivor.SetLastContact(Latest(s0.LastContactAt, survivorLatest));

        record.Undo(actor.DisplayName, now);
        use.Audit("Card", Id(survivorId), "Unmerged", "card", Id(survivorId), Id(mergedId));
        use.Audit("Card", Id(mergedId), "Restored", "card", Id(survivorId), Id(mergedId));
        use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: survivorId));
        use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: mergedId));
    }

    private static DateTimeOffset? Latest(DateTimeOffset? a, DateTimeOffset? b) => a is null ? b : b is null ? a : a > b ? a : b;

    /// <summary>The ledger, the survivor's profile after the undo, and the refusal the undo would meet now (none: it may go ahead).</summary>
    private sealed record UndoCheck(MergeLedger Ledger, Dictionary<string, string?> SurvivorProfile, DomainException? Refusal);

    /// <summary>
    /// Reads (never writes) what an undo needs: the cards' states, and everything that came from the merged card and
    /// changed since the merge. The rule for a profile field: unchanged since the merge, it goes back to the survivor's
    /// value before the merge; changed since, it keeps the survivor's new value when the merge kept the survivor's own
    /// value, and refuses the undo when the value had come from the merged card (undoing would lose the change or keep the
    /// merged card's data on the survivor).
    /// </summary>
    private static async Task<UndoCheck> CheckUndoAsync(AgentWorkspaceDbContext db, MergeRecord record, CustomerCard survivor, CustomerCard merged, string region, CancellationToken ct)
    {
        var ledger = JsonSerializer.Deserialize<MergeLedger>(record.LedgerJson, Json) ?? new MergeLedger { Erased = true };
        var current = survivor.Snapshot();
        try
        {
            if (ledger.Erased)
                throw new DomainException($"Merge {record.Id} involves an anonymized card; it can no longer be undone.") { Code = "UnmergeAnonymized", Args = [record.SurvivorId] };
            CustomerCard.EnsureUnmergeable(survivor, merged);
        }
        catch (DomainException refusal)
        {
            return new UndoCheck(ledger, current, refusal);
        }

        var before = Normalized(ledger.SurvivorProfile, region);
        // Ledgers written before the merged profile was kept: the same choice again over the same two profiles
        // (the tombstone keeps its own, and nobody edits a tombstone).
        var after = ledger.SurvivorAfter ?? Normalized(CustomerCard.ProfileFromSnapshot(Pick(before, merged.Snapshot(), ledger.Choices)), region);
        var blockers = new List<UndoBlocker>();
        var profile = new Dictionary<string, string?>();
        foreach (var key in current.Keys)
        {
            var atMerge = after.GetValueOrDefault(key);
            var changedSince = !string.Equals(current[key], atMerge, StringComparison.Ordinal);
            var cameFromMerged = !string.Equals(atMerge, before.GetValueOrDefault(key), StringComparison.Ordinal);
            if (changedSince && cameFromMerged) blockers.Add(new UndoBlocker(UndoBlockerKind.Field, key, key));
            profile[key] = changedSince ? current[key] : before.GetValueOrDefault(key);
        }

        var valueIds = ledger.MovedFieldValues.Concat(ledger.OverwrittenFieldValues.Select(v => v.Id)).ToList();
        if (valueIds.Count > 0)
        {
            var values = await db.CustomFieldValues.AsNoTracking().Where(v => valueIds.Contains(v.Id)).ToDictionaryAsync(v => v.Id, ct);
            var fieldIds = ledger.OverwrittenFieldValues.Select(v => v.FieldId).Concat((ledger.MovedFieldValueRows ?? []).Select(v => v.FieldId))
                .Concat(values.Values.Select(v => v.FieldId)).Distinct().ToList();
            var fields = await db.CustomFields.AsNoTracking().Where(f => fieldIds.Contains(f.Id)).ToDictionaryAsync(f => f.Id, f => (f.Ident, f.Label), ct);
            void Blocked(long? fieldId)
            {
                var (ident, label) = fieldId is { } id && fields.TryGetValue(id, out var f) ? f : ("?", "?");
                if (blockers.All(b => b.Key != "cf:" + ident)) blockers.Add(new UndoBlocker(UndoBlockerKind.CustomField, "cf:" + ident, label));
            }
            // A value that moved over from the merged card: changed or cleared since, it is no longer the merged card's.
            if (ledger.MovedFieldValueRows is { } moved)
            {
                foreach (var row in moved)
                    if (!values.TryGetValue(row.Id, out var v) || v.CardId != survivor.Id || !string.Equals(v.Value, row.Value, StringComparison.Ordinal)) Blocked(row.FieldId);
            }
            else
            {
                foreach (var id in ledger.MovedFieldValues)
                    if (!values.TryGetValue(id, out var v) || v.UpdatedAt > record.At) Blocked(v?.FieldId);
            }
            // A survivor's value replaced by the merged card's (chosen): changed since, putting the old one back would lose it.
            foreach (var row in ledger.OverwrittenFieldValues)
            {
                var mergedValue = ledger.RemovedFieldValues.FirstOrDefault(r => r.FieldId == row.FieldId)?.Value;
                if (!values.TryGetValue(row.Id, out var v) || !string.Equals(v.Value, mergedValue, StringComparison.Ordinal)) Blocked(row.FieldId);
            }
        }

        // An identity that moved over and was used (a message through it) or edited since.
        var identityIds = ledger.Identities;
        if (identityIds.Count > 0)
        {
            var rows = await db.Identities.AsNoTracking().Where(i => identityIds.Contains(i.Id))
                .Select(i => new IdentityRow(i.Id, i.Channel, i.RawAddress, i.DisplayName, i.ProfileUrl, i.Followers, i.Following, i.FirstSeenAt, i.LastSeenAt, i.IsErased))
                .ToDictionaryAsync(i => i.Id, ct);
            foreach (var id in identityIds)
            {
                if (!rows.TryGetValue(id, out var row)) continue;
                var then = ledger.IdentityRows?.FirstOrDefault(r => r.Id == id);
                var changed = then is null ? row.LastSeenAt > record.At : row != then;
                if (changed) blockers.Add(new UndoBlocker(UndoBlockerKind.Identity, Id(id), $"{row.Channel} {(then ?? row).RawAddress}"));
            }
            // A conversation of the survivor's (started since, or its own) that came through a moved identity: its replies
            // would go to the restored card's identity from the survivor's case.
            var survivorId = survivor.Id;
            var usedByCases = await db.Cases.AsNoTracking()
                .Where(c => c.CardId == survivorId && c.IdentityId != null && identityIds.Contains(c.IdentityId.Value) && !ledger.Cases.Contains(c.Id))
                .Select(c => c.IdentityId!.Value).Distinct().ToListAsync(ct);
            foreach (var id in usedByCases.Order())
            {
                if (blockers.Any(b => b.Kind == UndoBlockerKind.Identity && b.Key == Id(id))) continue;
                var then = ledger.IdentityRows?.FirstOrDefault(r => r.Id == id);
                var label = then is not null ? $"{then.Channel} {then.RawAddress}" : rows.TryGetValue(id, out var row) ? $"{row.Channel} {row.RawAddress}" : "#" + Id(id);
                blockers.Add(new UndoBlocker(UndoBlockerKind.Identity, Id(id), label));
            }
        }

        // A moved case in which the contact wrote since (through any identity): the conversation is no longer only the merged card's.
        if (ledger.Cases.Count > 0)
        {
            var written = await db.Messages.AsNoTracking()
                .Where(m => ledger.Cases.Contains(m.CaseId) && !ledger.Messages.Contains(m.Id) && m.Direction == Direction.Inbound)
                .Select(m => m.CaseId).Distinct().OrderBy(c => c).ToListAsync(ct);
            blockers.AddRange(written.Select(c => new UndoBlocker(UndoBlockerKind.Case, Id(c), "#" + Id(c))));
            // A moved case merged with a case of the survivor's since (ADR 021): parting the cards would split one
            // conversation over two contacts. The case merge is undone first.
            var caseMerged = await db.CaseMerges.AsNoTracking()
                .Where(m => m.UndoneAt == null && ledger.Cases.Contains(m.SurvivorCaseId) != ledger.Cases.Contains(m.MergedCaseId))
                .Select(m => ledger.Cases.Contains(m.MergedCaseId) ? m.MergedCaseId : m.SurvivorCaseId).Distinct().OrderBy(c => c).ToListAsync(ct);
            blockers.AddRange(caseMerged.Where(c => blockers.All(b => b.Kind != UndoBlockerKind.Case || b.Key != Id(c)))
                .Select(c => new UndoBlocker(UndoBlockerKind.Case, Id(c), "#" + Id(c))));
        }

        return new UndoCheck(ledger, profile, blockers.Count > 0 ? new MergeUndoRefusedException(blockers) : null);
    }

    /// <summary>A profile as the card stores it (e-mail and phone numbers normalized), in <see cref="CustomerCard.Snapshot"/> form.</summary>
    private static Dictionary<string, string?> Normalized(CardProfile profile, string region) =>
        new CustomerCard(profile, region, DateTimeOffset.UnixEpoch).Snapshot();
}
