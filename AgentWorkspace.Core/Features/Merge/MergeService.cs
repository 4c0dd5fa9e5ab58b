using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using AgentWorkspace.Core.UseCases;

namespace AgentWorkspace.Core.Features.Merge;

/// <summary>Which card's value a merged field keeps.</summary>
public enum MergeChoice
{
    Survivor,
    Merged,
}

public sealed record MergeResult(long MergeId, long SurvivorId, long MergedId, int MovedIdentities, int MovedCases, int MovedMessages, int MovedNotes);

/// <summary>One field of the merge preview: both values side by side.</summary>
public sealed record MergeField(string Field, string? SurvivorValue, string? MergedValue);

/// <summary>
/// Merges two cards in one transaction and keeps a ledger of every moved row and every choice, so
/// that an unmerge restores both cards exactly as they were (while the survivor has not been merged
/// again since).
/// </summary>
public sealed class MergeService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    /// <summary>Supervisors merge; agents too when the setting allows it.</summary>
    public async Task RequireMayMergeAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        if (actor.IsAtLeast(Role.Supervisor)) return;
        if (!(await settings.GetAsync(ct)).AgentsMayMerge)
            throw new ForbiddenException("Merging cards needs the Supervisor role (an administrator can let agents merge).");
    }

    public async Task<IReadOnlyList<MergeField>> PreviewAsync(Actor actor, long survivorId, long mergedId, CancellationToken ct = default)
    {
        await RequireMayMergeAsync(actor, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var (survivor, merged) = await LoadPairAsync(db, survivorId, mergedId, ct);
        var fields = await db.CustomFields.AsNoTracking().Where(f => !f.IsArchived).OrderBy(f => f.DisplayOrder).ToListAsync(ct);
        var values = await db.CustomFieldValues.AsNoTracking().Where(v => v.CardId == survivorId || v.CardId == mergedId).ToListAsync(ct);
        var s = survivor.Snapshot();
        var m = merged.Snapshot();
        var result = s.Keys.Select(k => new MergeField(k, s[k], m[k])).ToList();
        result.AddRange(fields.Select(f => new MergeField("cf:" + f.Ident,
            values.FirstOrDefault(v => v.CardId == survivorId && v.FieldId == f.Id)?.Value,
            values.FirstOrDefault(v => v.CardId == mergedId && v.FieldId == f.Id)?.Value)));
        return result;
    }

    public async Task<MergeResult> MergeAsync(Actor actor, long survivorId, long mergedId, IReadOnlyDictionary<string, MergeChoice>? choices = null, CancellationToken ct = default)
    {
        await RequireMayMergeAsync(actor, ct);
        var chosen = choices ?? new Dictionary<string, MergeChoice>();
        var region = await settings.DefaultRegionAsync(ct);
        try
        {
            // SQLite: an immediate transaction, so two merges over the same cards run one after the other
            // and the second sees the first's outcome (a tombstone) instead of racing it.
            return await run.RunAsync("Card.Merge", actor, Role.Agent, use => MergeCoreAsync(use, survivorId, mergedId, chosen, region), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cards changed while merging (another merge or an edit). Reload and try again.");
        }
    }

    private static async Task<MergeResult> MergeCoreAsync(UseCase use, long survivorId, long mergedId, IReadOnlyDictionary<string, MergeChoice> choices, string region)
    {
        var (db, now, ct, actor) = (use.Db, use.Now, use.Cancellation, use.Actor);
        var (survivor, merged) = await LoadPairAsync(db, survivorId, mergedId, ct);
        var fieldIdents = await db.CustomFields.ToDictionaryAsync(f => f.Id, f => f.Ident, ct);
        EnsureKnownChoices(choices, survivor, fieldIdents.Values);

        var ledger = new MergeLedger
        {
            SurvivorProfile = survivor.Profile,
            SurvivorIndicators = Indicators.Of(survivor),
            MergedIndicators = Indicators.Of(merged),
            Choices = choices.ToDictionary(kv => kv.Key, kv => kv.Value.ToString()),
        };

        // Profile, field by field: the survivor's value unless the merged card's was chosen (or the survivor has none).
        var sp = survivor.Snapshot();
        var mp = merged.Snapshot();
        var picked = new Dictionary<string, string?>();
        foreach (var key in sp.Keys)
        {
            var take = choices.TryGetValue(key, out var c) ? c == MergeChoice.Merged : string.IsNullOrEmpty(sp[key]) && !string.IsNullOrEmpty(mp[key]);
            picked[key] = take ? mp[key] : sp[key];
        }
        var profile = CustomerCard.ProfileFromSnapshot(picked);

        // Rows that move: record their ids first, then move them with set-based updates.
        ledger.Identities = await db.Identities.Where(i => i.CardId == mergedId).Select(i => i.Id).ToListAsync(ct);
        ledger.Cases = await db.Cases.Where(i => i.CardId == mergedId).Select(i => i.Id).ToListAsync(ct);
        ledger.Messages = await db.Messages.Where(i => i.CardId == mergedId).Select(i => i.Id).ToListAsync(ct);
        ledger.Notes = await db.Notes.Where(i => i.CardId == mergedId).Select(i => i.Id).ToListAsync(ct);
        ledger.CaseEvents = await db.CaseEvents.Where(i => i.CardId == mergedId).Select(i => i.Id).ToListAsync(ct);

        await db.Identities.Where(i => i.CardId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, survivorId), ct);
        await db.Cases.Where(i => i.CardId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, survivorId).SetProperty(i => i.Version, i => i.Version + 1), ct);
        await db.Messages.Where(i => i.CardId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, survivorId), ct);
        await db.Notes.Where(i => i.CardId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, survivorId), ct);
        await db.CaseEvents.Where(i => i.CardId == mergedId).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, survivorId), ct);

        // Custom-field values: move the merged card's where the survivor has none; on a clash, keep the chosen one
        // and write the other into the ledger so that an unmerge can put it back.
        var values = await db.CustomFieldValues.Where(v => v.CardId == survivorId || v.CardId == mergedId).ToListAsync(ct);
        foreach (var mv in values.Where(v => v.CardId == mergedId).ToList())
        {
            var sv = values.FirstOrDefault(v => v.CardId == survivorId && v.FieldId == mv.FieldId);
            var ident = "cf:" + fieldIdents[mv.FieldId];
            if (sv is null)
            {
                ledger.MovedFieldValues.Add(mv.Id);
                mv.MoveTo(survivorId);
                continue;
            }
            ledger.RemovedFieldValues.Add(new FieldValueRow(mv.Id, mv.FieldId, mv.Value, mv.UpdatedAt));
            if (choices.TryGetValue(ident, out var c) && c == MergeChoice.Merged)
            {
                ledger.OverwrittenFieldValues.Add(new FieldValueRow(sv.Id, sv.FieldId, sv.Value, sv.UpdatedAt));
                sv.Set(mv.Value, now);
            }
            db.CustomFieldValues.Remove(mv);
        }

        survivor.Absorb(merged, profile, region, now);

        var record = new MergeRecord(survivorId, mergedId, actor.UserId, actor.DisplayName, now, JsonSerializer.Serialize(ledger, Json));
        db.Merges.Add(record);
        use.Audit("Card", Id(survivorId), "Merged", "card", Id(mergedId), Id(survivorId));
        use.Audit("Card", Id(mergedId), "MergedInto", "card", Id(mergedId), Id(survivorId));
        await use.SaveAsync();
        use.Publish(new ChangeEvent(ChangeKind.CardMerged, CardId: mergedId) { SurvivorId = survivorId });
        use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: survivorId));
        return new MergeResult(record.Id, survivorId, mergedId, ledger.Identities.Count, ledger.Cases.Count, ledger.Messages.Count, ledger.Notes.Count);
    }

    /// <summary>
    /// A choice names a profile field ("city") or a custom field ("cf:loyalty-tier"); any other name is refused rather than
    /// ignored, so that a misspelt field never merges silently the other way.
    /// </summary>
    private static void EnsureKnownChoices(IReadOnlyDictionary<string, MergeChoice> choices, CustomerCard survivor, IEnumerable<string> fieldIdents)
    {
        if (choices.Count == 0) return;
        var known = survivor.Snapshot().Keys.Concat(fieldIdents.Select(i => "cf:" + i)).ToHashSet(StringComparer.Ordinal);
        foreach (var (field, choice) in choices)
        {
            if (!known.Contains(field))
                throw new DomainException($"'{field}' is not a field of a card; choices name a profile field ({string.Join(", ", survivor.Snapshot().Keys)}) or a custom field as cf:<ident>.", "choices." + field)
                { Code = "MergeChoiceUnknown", Args = [field] };
            if (!Enum.IsDefined(choice)) throw new DomainException($"choices.{field} is survivor or merged.", "choices." + field);
        }
    }

    /// <summary>Restores both cards as they were before the merge.</summary>
    public async Task UndoAsync(Actor actor, long mergeId, CancellationToken ct = default)
    {
        await RequireMayMergeAsync(actor, ct);
        var region = await settings.DefaultRegionAsync(ct);
        try
        {
            await run.RunAsync("Card.Unmerge", actor, Role.Agent, use => UndoCoreAsync(use, mergeId, region), ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException("One of the cards changed while undoing the merge. Reload and try again.");
        }
    }

    private static async Task UndoCoreAsync(UseCase use, long mergeId, string region)
    {
        var (db, now, ct, actor) = (use.Db, use.Now, use.Cancellation, use.Actor);
        var record = await db.Merges.FirstOrDefaultAsync(m => m.Id == mergeId, ct) ?? throw new NotFoundException($"Merge {mergeId} does not exist.");
        if (record.UndoneAt is not null) throw new DomainException("This merge was already undone.");
        var survivor = await db.Cards.FirstAsync(c => c.Id == record.SurvivorId, ct);
        var merged = await db.Cards.FirstAsync(c => c.Id == record.MergedId, ct);
        CustomerCard.EnsureUnmergeable(survivor, merged);
        var ledger = JsonSerializer.Deserialize<MergeLedger>(record.LedgerJson, Json) ?? throw new InvalidOperationException("Unreadable merge ledger.");
        var mergedId = merged.Id;

        await db.Identities.Where(i => ledger.Identities.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId), ct);
        await db.Cases.Where(i => ledger.Cases.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId).SetProperty(i => i.Version, i => i.Version + 1), ct);
        await db.Messages.Where(i => ledger.Messages.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId), ct);
        await db.Notes.Where(i => ledger.Notes.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId), ct);
        await db.CaseEvents.Where(i => ledger.CaseEvents.Contains(i.Id)).ExecuteUpdateAsync(s => s.SetProperty(i => i.CardId, mergedId), ct);
        await db.CustomFieldValues.Where(v => ledger.MovedFieldValues.Contains(v.Id)).ExecuteUpdateAsync(s => s.SetProperty(v => v.CardId, mergedId), ct);
        foreach (var o in ledger.OverwrittenFieldValues)
            await db.CustomFieldValues.Where(v => v.Id == o.Id).ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, o.Value).SetProperty(v => v.UpdatedAt, o.UpdatedAt), ct);
        foreach (var r in ledger.RemovedFieldValues)
            db.CustomFieldValues.Add(new CustomFieldValue(mergedId, r.FieldId, r.Value, r.UpdatedAt, r.Id));

        merged.RestoreFromMerge(now);
        survivor.UpdateProfile(ledger.SurvivorProfile, region, now);
        ledger.SurvivorIndicators.ApplyTo(survivor);
        ledger.MergedIndicators.ApplyTo(merged);
        // Messages that reached the survivor after the merge stay there and keep counting.
        var later = await db.Messages.Where(m => m.CardId == survivor.Id && m.Direction == Direction.Inbound && m.SentAt > record.At)
            .GroupBy(m => m.Sentiment).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        if (later.Count > 0)
            survivor.SetIndicators(survivor.PositiveCount + later.Where(l => l.Key == Sentiment.Positive).Sum(l => l.Count),
                survivor.NeutralCount + later.Where(l => l.Key == Sentiment.Neutral).Sum(l => l.Count),
                survivor.NegativeCount + later.Where(l => l.Key == Sentiment.Negative).Sum(l => l.Count));

        record.Undo(actor.DisplayName, now);
        use.Audit("Card", Id(survivor.Id), "Unmerged", "card", Id(survivor.Id), Id(mergedId));
        use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: survivor.Id));
        use.Publish(new ChangeEvent(ChangeKind.CardChanged, CardId: mergedId));
    }

    private static async Task<(CustomerCard Survivor, CustomerCard Merged)> LoadPairAsync(AgentWorkspaceDbContext db, long survivorId, long mergedId, CancellationToken ct)
    {
        if (survivorId == mergedId) throw new DomainException("A card cannot be merged with itself.", "mergedId");
        var survivor = await db.Cards.FirstOrDefaultAsync(c => c.Id == survivorId, ct) ?? throw new NotFoundException($"Card {survivorId} does not exist.");
        var merged = await db.Cards.FirstOrDefaultAsync(c => c.Id == mergedId, ct) ?? throw new NotFoundException($"Card {mergedId} does not exist.");
        CustomerCard.EnsureMergeable(survivor, merged);
        return (survivor, merged);
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    internal sealed class MergeLedger
    {
        public CardProfile SurvivorProfile { get; set; } = new();
        public Indicators SurvivorIndicators { get; set; } = new();
        public Indicators MergedIndicators { get; set; } = new();
        public Dictionary<string, string> Choices { get; set; } = [];
        public List<long> Identities { get; set; } = [];
        public List<long> Cases { get; set; } = [];
        public List<long> Messages { get; set; } = [];
        public List<long> Notes { get; set; } = [];
        public List<long> CaseEvents { get; set; } = [];
        public List<long> MovedFieldValues { get; set; } = [];
        public List<FieldValueRow> RemovedFieldValues { get; set; } = [];
        public List<FieldValueRow> OverwrittenFieldValues { get; set; } = [];
    }

    internal sealed record FieldValueRow(long Id, long FieldId, string Value, DateTimeOffset UpdatedAt);

    internal sealed record Indicators(int Positive = 0, int Neutral = 0, int Negative = 0, int Followers = 0, int Following = 0, DateTimeOffset? LastContactAt = null)
    {
        public static Indicators Of(CustomerCard c) => new(c.PositiveCount, c.NeutralCount, c.NegativeCount, c.Followers, c.Following, c.LastContactAt);

        public void ApplyTo(CustomerCard c)
        {
            c.SetIndicators(Positive, Neutral, Negative);
            c.SetAudience(Followers, Following);
            c.SetLastContact(LastContactAt);
        }
    }
}
