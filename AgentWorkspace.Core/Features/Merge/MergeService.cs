using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
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

/// <summary>
/// One field of the merge preview: both values side by side, and which of them field survivorship proposes (issue 21),
/// with why (<see cref="Proposal"/>; null when neither card has a value).
/// </summary>
public sealed record MergeField(string Field, string? SurvivorValue, string? MergedValue, MergeChoice? Proposed = null, SurvivingValue? Proposal = null);

/// <summary>
/// Merges two cards in one transaction and keeps a ledger of every moved row and every choice, so
/// that an unmerge restores the merged card and moves back what came with it, keeping what the
/// survivor changed since (see <see cref="UndoAsync"/>).
/// </summary>
public sealed partial class MergeService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, SettingsService settings)
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
        // The dialog's default choice: the value field survivorship keeps, and why.
        var proposals = (await SurvivorshipService.ProposeAsync(db, await SurvivorshipService.RulesAsync(db, ct), [survivorId, mergedId], ct))
            .ToDictionary(p => p.Field, StringComparer.Ordinal);
        return result.Select(f => proposals.TryGetValue(f.Field, out var p) && p.Reason != SurvivorshipReason.NoValue
            ? f with { Proposed = p.CardId == mergedId ? MergeChoice.Merged : MergeChoice.Survivor, Proposal = p }
            : f).ToList();
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

    /// <remarks>
    /// <paramref name="via"/>: what the values taken from the merged card are recorded as coming from (issue 21): by default
    /// "merge with card N"; the auto-merge passes its rule (<see cref="ValueSource.FromRule"/>).
    /// </remarks>
    internal static async Task<MergeResult> MergeCoreAsync(UseCase use, long survivorId, long mergedId, IReadOnlyDictionary<string, MergeChoice> choices, string region,
        ValueSource? via = null)
    {
        var (db, now, ct, actor) = (use.Db, use.Now, use.Cancellation, use.Actor);
        var (survivor, merged) = await LoadPairAsync(db, survivorId, mergedId, ct);
        var survivorBefore = survivor.Snapshot();
        var taken = new List<(string Field, string? Value)>();
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
        var profile = CustomerCard.ProfileFromSnapshot(Pick(survivor.Snapshot(), merged.Snapshot(), ledger.Choices));

        // Rows that move: record their ids first, then move them with set-based updates.
        ledger.IdentityRows = await db.Identities.Where(i => i.CardId == mergedId).OrderBy(i => i.Id)
            .Select(i => new IdentityRow(i.Id, i.Channel, i.RawAddress, i.DisplayName, i.ProfileUrl, i.Followers, i.Following, i.FirstSeenAt, i.LastSeenAt, i.IsErased))
            .ToListAsync(ct);
        ledger.Identities = ledger.IdentityRows.Select(i => i.Id).ToList();
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
                (ledger.MovedFieldValueRows ??= []).Add(new FieldValueRow(mv.Id, mv.FieldId, mv.Value, mv.UpdatedAt));
                mv.MoveTo(survivorId);
                taken.Add((ident, mv.Value));
                continue;
            }
            ledger.RemovedFieldValues.Add(new FieldValueRow(mv.Id, mv.FieldId, mv.Value, mv.UpdatedAt));
            if (choices.TryGetValue(ident, out var c) && c == MergeChoice.Merged)
            {
                ledger.OverwrittenFieldValues.Add(new FieldValueRow(sv.Id, sv.FieldId, sv.Value, sv.UpdatedAt));
                if (!string.Equals(sv.Value, mv.Value, StringComparison.Ordinal)) taken.Add((ident, mv.Value));
                sv.Set(mv.Value, now);
            }
            db.CustomFieldValues.Remove(mv);
        }

        survivor.Absorb(merged, profile, region, now);
        ledger.SurvivorAfter = survivor.Snapshot();

        var record = new MergeRecord(survivorId, mergedId, actor.UserId, actor.DisplayName, now, JsonSerializer.Serialize(ledger, Json));
        db.Merges.Add(record);
        use.Audit("Card", Id(survivorId), "Merged", "card", Id(mergedId), Id(survivorId));
        use.Audit("Card", Id(mergedId), "MergedInto", "card", Id(mergedId), Id(survivorId));
        await use.SaveAsync();
        // Each value the survivor took from the merged card: from which card, and who had set it there (an undo deletes these rows).
        taken.InsertRange(0, ledger.SurvivorAfter.Where(kv => !string.Equals(kv.Value, survivorBefore.GetValueOrDefault(kv.Key), StringComparison.Ordinal))
            .Select(kv => (kv.Key, kv.Value)));
        if (taken.Count > 0)
        {
            var fields = taken.Select(t => t.Field).ToList();
            var theirs = await db.ValueProvenance.AsNoTracking().Where(p => p.CardId == mergedId && fields.Contains(p.Field))
                .OrderByDescending(p => p.Id).ToListAsync(ct);
            var source = via ?? ValueSource.FromCard(mergedId);
            foreach (var (field, value) in taken)
            {
                var origin = theirs.FirstOrDefault(p => p.Field == field);
                if (origin is not null && !string.Equals(origin.Value, value, StringComparison.Ordinal)) origin = null;
                db.ValueProvenance.Add(new ValueProvenance(survivorId, field, value, source, now, record.Id, origin));
            }
        }
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

    private static async Task<(CustomerCard Survivor, CustomerCard Merged)> LoadPairAsync(AgentWorkspaceDbContext db, long survivorId, long mergedId, CancellationToken ct)
    {
        if (survivorId == mergedId) throw new DomainException("A card cannot be merged with itself.", "mergedId");
        var survivor = await db.Cards.FirstOrDefaultAsync(c => c.Id == survivorId, ct) ?? throw new NotFoundException($"Card {survivorId} does not exist.");
        var merged = await db.Cards.FirstOrDefaultAsync(c => c.Id == mergedId, ct) ?? throw new NotFoundException($"Card {mergedId} does not exist.");
        CustomerCard.EnsureMergeable(survivor, merged);
        return (survivor, merged);
    }

    /// <summary>
    /// The merged profile, field by field: the survivor's value unless the merged card's was chosen, or the survivor has
    /// none and the merged card has one. <paramref name="choices"/> maps a field to "Survivor" or "Merged".
    /// </summary>
    private static Dictionary<string, string?> Pick(Dictionary<string, string?> survivor, Dictionary<string, string?> merged, IReadOnlyDictionary<string, string> choices)
    {
        var picked = new Dictionary<string, string?>();
        foreach (var key in survivor.Keys)
        {
            var take = choices.TryGetValue(key, out var c)
                ? c == nameof(MergeChoice.Merged)
                : string.IsNullOrEmpty(survivor[key]) && !string.IsNullOrEmpty(merged[key]);
            picked[key] = take ? merged[key] : survivor[key];
        }
        return picked;
    }

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    internal sealed class MergeLedger
    {
        /// <summary>Set when an erasure replaced the ledger (<c>{"erased":true}</c>): the merge can no longer be undone.</summary>
        [JsonPropertyName("erased")]
        public bool Erased { get; set; }
        public CardProfile SurvivorProfile { get; set; } = new();
        /// <summary>The survivor's profile right after the merge (a <see cref="CustomerCard.Snapshot"/>); absent from ledgers written before it was kept.</summary>
        public Dictionary<string, string?>? SurvivorAfter { get; set; }
        public Indicators SurvivorIndicators { get; set; } = new();
        public Indicators MergedIndicators { get; set; } = new();
        public Dictionary<string, string> Choices { get; set; } = [];
        public List<long> Identities { get; set; } = [];
        /// <summary>The moved identities as they were at the merge, to tell whether they were used or edited since.</summary>
        public List<IdentityRow>? IdentityRows { get; set; }
        public List<long> Cases { get; set; } = [];
        public List<long> Messages { get; set; } = [];
        public List<long> Notes { get; set; } = [];
        public List<long> CaseEvents { get; set; } = [];
        public List<long> MovedFieldValues { get; set; } = [];
        /// <summary>The moved values as they were at the merge.</summary>
        public List<FieldValueRow>? MovedFieldValueRows { get; set; }
        public List<FieldValueRow> RemovedFieldValues { get; set; } = [];
        public List<FieldValueRow> OverwrittenFieldValues { get; set; } = [];
    }

    internal sealed record FieldValueRow(long Id, long FieldId, string Value, DateTimeOffset UpdatedAt);

    internal sealed record IdentityRow(long Id, Channel Channel, string RawAddress, string? DisplayName, string? ProfileUrl, int? Followers, int? Following,
        DateTimeOffset FirstSeenAt, DateTimeOffset LastSeenAt, bool IsErased);

    internal sealed record Indicators(int Positive = 0, int Neutral = 0, int Negative = 0, int Followers = 0, int Following = 0, DateTimeOffset? LastContactAt = null)
    {
        public static Indicators Of(CustomerCard c) => new(c.PositiveCount, c.NeutralCount, c.NegativeCount, c.Followers, c.Following, c.LastContactAt);
    }
}
