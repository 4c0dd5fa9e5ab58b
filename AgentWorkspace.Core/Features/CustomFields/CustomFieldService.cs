using System.Globalization;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.CustomFields;

/// <summary>A field as the administration list shows it, with how many cards hold a value.</summary>
public sealed record CustomFieldView(
    long Id,
    string Ident,
    string Label,
    string? LabelFr,
    string? LabelEn,
    CustomFieldType Type,
    IReadOnlyList<string> Options,
    bool VisibleInRightPanel,
    bool Editable,
    bool VisibleInCard,
    int DisplayOrder,
    bool IsArchived,
    int ValueCount)
{
    public string LabelFor(string? culture) =>
        (culture?.StartsWith("fr", StringComparison.OrdinalIgnoreCase) == true ? LabelFr : culture?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? LabelEn : null)
        ?? Label;
}

/// <summary>
/// What happens to the options of a dropdown on save: <see cref="Renamed"/> maps an old option to its
/// new name (values follow); <see cref="Removed"/> maps a removed option that cards use to the option
/// its values move to, or to null to clear them.
/// </summary>
public sealed record OptionChanges(IReadOnlyDictionary<string, string>? Renamed = null, IReadOnlyDictionary<string, string?>? Removed = null)
{
    public static readonly OptionChanges None = new();
}

/// <summary>
/// The custom-field editor (seed 000): create, edit, reorder, archive, restore and delete the fields
/// of every customer card. Admin only for changes; each change is audited in its transaction and
/// announced with <see cref="ChangeKind.CustomFieldsChanged"/> after commit, so every open card redraws.
/// </summary>
public sealed class CustomFieldService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    private const string Entity = "CustomField";

    /// <summary>The fields in display order (archived ones last when asked for). Any signed-in role may read them.</summary>
    public async Task<IReadOnlyList<CustomFieldView>> ListAsync(Actor actor, bool includeArchived = true, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.CustomFields.AsNoTracking();
        if (!includeArchived) q = q.Where(f => !f.IsArchived);
        var fields = await q.ToListAsync(ct);
        var counts = await db.CustomFieldValues.AsNoTracking().GroupBy(v => v.FieldId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        return fields.OrderBy(f => f.IsArchived).ThenBy(f => f.DisplayOrder).ThenBy(f => f.Id)
            .Select(f => View(f, counts.GetValueOrDefault(f.Id))).ToList();
    }

    public async Task<CustomFieldView> GetAsync(Actor actor, string ident, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await FindAsync(db, ident, ct);
        return View(field, await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id, ct));
    }

    /// <summary>How many cards hold <paramref name="option"/> in this dropdown (asked before removing it).</summary>
    public async Task<int> CountOptionUseAsync(Actor actor, string ident, string option, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var field = await FindAsync(db, ident, ct);
        return await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id && v.Value == option, ct);
    }

    public async Task<CustomFieldView> CreateAsync(Actor actor, CustomFieldInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var errors = CustomFieldRules.Check(input);
        if (errors.Count > 0) throw errors[0];
        var ident = FieldIdent.Parse(input.Ident);
        var type = CustomFieldRules.TypeNames[input.Type!.Trim()];

        return await run.RunAsync("CustomField.Create", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var upper = ident.Value.ToUpperInvariant();
            if (await db.CustomFields.AnyAsync(f => f.Ident.ToUpper() == upper, ct))
                throw new ConflictException($"A field with the ident '{ident.Value}' already exists (idents are unique, whatever the case).", "ident");
            var order = (await db.CustomFields.MaxAsync(f => (int?)f.DisplayOrder, ct) ?? -1) + 1;
            var now = use.Now;
            var field = new CustomFieldDefinition(ident, input.Label!, type, input.Options, input.VisibleInRightPanel, input.Editable, input.VisibleInCard,
                order, now, Blank(input.LabelFr), Blank(input.LabelEn));
            db.CustomFields.Add(field);
            use.Audit(Entity, ident.Value, "Created", "definition", null, Flat(Describe(field)));
            await SaveAsync(db, ct);
            Announce(use);
            return View(field, 0);
        }, ct);
    }

    /// <summary>
    /// Changes the label, options and toggles. The ident and the type are fixed once created. A removed
    /// option that cards use needs a decision in <paramref name="changes"/> (move or clear), else nothing is saved.
    /// </summary>
    public async Task<CustomFieldView> UpdateAsync(Actor actor, string ident, CustomFieldInput input, OptionChanges? changes = null, CancellationToken ct = default)
    {
        var decided = changes ?? OptionChanges.None;
        return await run.RunAsync("CustomField.Update", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var changes = decided;
            var field = await FindAsync(db, ident, ct);
            if (input.Ident is not null && !string.Equals(input.Ident, field.Ident, StringComparison.Ordinal))
                throw new AdminRuleException("IdentFixed", "The ident is fixed once the field is created (cards, scripts and the API refer to it).", "ident");
            if (input.Type is not null)
            {
                var type = CustomFieldRules.ParseType(input.Type, out var typeError);
                if (typeError is not null) throw typeError;
                if (type != field.Type)
                    throw new AdminRuleException("TypeFixed", "The type is fixed once the field is created (the values already saved follow it).", "type");
            }
            var labelError = CustomFieldRules.CheckLabels(input).FirstOrDefault();
            if (labelError is not null) throw labelError;
            var newOptions = (input.Options ?? []).Select(o => o?.Trim() ?? string.Empty).ToList();
            if (CustomFieldRules.CheckOptions(field.Type, newOptions) is { } optionError) throw optionError;

            var now = use.Now;
            var before = Describe(field);
            var oldOptions = field.Options;
            var renamed = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (from, to) in changes.Renamed ?? new Dictionary<string, string>())
            {
                if (!oldOptions.Contains(from, StringComparer.Ordinal))
                    throw new AdminRuleException("RenamedUnknown", $"'{from}' is not an option of {field.Ident}; only an existing option can be renamed.", "renamedOptions", from);
                var target = newOptions.FirstOrDefault(o => string.Equals(o, to?.Trim(), StringComparison.OrdinalIgnoreCase))
                    ?? throw new AdminRuleException("RenamedMissing", $"The new name '{to}' of '{from}' is not in the options.", "renamedOptions", to ?? "");
                if (!string.Equals(from, target, StringComparison.Ordinal)) renamed[from] = target;
            }
            var kept = oldOptions.Where(o => !renamed.ContainsKey(o) && newOptions.Contains(o, StringComparer.Ordinal)).ToList();
            var removed = oldOptions.Where(o => !renamed.ContainsKey(o) && !kept.Contains(o)).ToList();

            // Values of removed options: moved or cleared as decided; without a decision, nothing is saved.
            var touched = 0;
            foreach (var option in removed)
            {
                // A case-only change ("gold" -> "Gold") is a rename.
                var recased = newOptions.FirstOrDefault(o => string.Equals(o, option, StringComparison.OrdinalIgnoreCase));
                if (recased is not null) { renamed[option] = recased; continue; }
                var inUse = await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id && v.Value == option, ct);
                if (inUse == 0) continue;
                if (changes.Removed is null || !changes.Removed.TryGetValue(option, out var moveTo))
                    throw new ConflictException($"{inUse} card(s) hold the option '{option}' of {field.Ident}: say whether their value moves to another option or is cleared (removedOptions).", "removedOptions");
                if (moveTo is null)
                {
                    touched += await db.CustomFieldValues.Where(v => v.FieldId == field.Id && v.Value == option).ExecuteDeleteAsync(ct);
                    use.Audit(Entity, field.Ident, "OptionValuesCleared", "option", option, inUse.ToString(CultureInfo.InvariantCulture));
                }
                else
                {
                    var target = newOptions.FirstOrDefault(o => string.Equals(o, moveTo.Trim(), StringComparison.OrdinalIgnoreCase))
                        ?? throw new AdminRuleException("MoveTargetUnknown", $"'{moveTo}' is not one of the remaining options.", "removedOptions", moveTo);
                    touched += await db.CustomFieldValues.Where(v => v.FieldId == field.Id && v.Value == option)
                        .ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, target).SetProperty(v => v.UpdatedAt, now), ct);
                    use.Audit(Entity, field.Ident, "OptionValuesMoved", "option", option, $"{target} ({inUse})");
                }
            }

            // Renames carry the values along; two passes so that swapping two names never merges them.
            var fieldId = field.Id;
            var temporary = new Dictionary<string, string>();
            foreach (var (from, to) in renamed)
            {
                var marker = "\u0001" + temporary.Count.ToString(CultureInfo.InvariantCulture);
                temporary[marker] = to;
                await db.CustomFieldValues.Where(v => v.FieldId == fieldId && v.Value == from).ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, marker), ct);
                use.Audit(Entity, field.Ident, "OptionRenamed", "option", from, to);
            }
            foreach (var (marker, to) in temporary)
                touched += await db.CustomFieldValues.Where(v => v.FieldId == fieldId && v.Value == marker)
                    .ExecuteUpdateAsync(s => s.SetProperty(v => v.Value, to).SetProperty(v => v.UpdatedAt, now), ct);

            field.Relabel(input.Label!, Blank(input.LabelFr), Blank(input.LabelEn));
            field.SetOptions(newOptions);
            field.SetToggles(input.VisibleInRightPanel, input.Editable, input.VisibleInCard);
            var after = Describe(field);
            AuditDifferences(use, field.Ident, before, after);
            await SaveAsync(db, ct);
            Announce(use);
            return View(field, await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id, ct));
        }, ct);
    }

    /// <summary>Puts the active fields in the given order (arrows and drag in the list send the whole order).</summary>
    public async Task<IReadOnlyList<CustomFieldView>> ReorderAsync(Actor actor, IReadOnlyList<string> idents, CancellationToken ct = default)
    {
        await run.RunAsync("CustomField.Reorder", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var fields = await db.CustomFields.OrderBy(f => f.DisplayOrder).ThenBy(f => f.Id).ToListAsync(ct);
            var active = fields.Where(f => !f.IsArchived).ToList();
            if (idents.Count != active.Count || idents.Distinct(StringComparer.Ordinal).Count() != idents.Count
                || !idents.All(i => active.Any(f => f.Ident == i)))
                throw new AdminRuleException("OrderMismatch", "The order must list every active field exactly once.", "order");
            var before = string.Join(",", active.Select(f => f.Ident));
            var order = 0;
            foreach (var ident in idents) active.First(f => f.Ident == ident).MoveTo(order++);
            foreach (var archived in fields.Where(f => f.IsArchived)) archived.MoveTo(order++);
            use.AuditChange(Entity, "*", "Reordered", "order", before, string.Join(",", idents));
            await SaveAsync(db, ct);
            Announce(use);
        }, ct);
        return await ListAsync(actor, true, ct);
    }

    /// <summary>Moves one field up (-1) or down (+1) among the active fields.</summary>
    public async Task<IReadOnlyList<CustomFieldView>> MoveAsync(Actor actor, string ident, int delta, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var idents = (await ListAsync(actor, false, ct)).Select(f => f.Ident).ToList();
        var index = idents.IndexOf(ident);
        if (index < 0) throw new NotFoundException($"There is no active field '{ident}'.");
        var target = Math.Clamp(index + delta, 0, idents.Count - 1);
        idents.RemoveAt(index);
        idents.Insert(target, ident);
        return await ReorderAsync(actor, idents, ct);
    }

    /// <summary>Hides a field everywhere and keeps its values (restore brings both back).</summary>
    public Task<CustomFieldView> ArchiveAsync(Actor actor, string ident, CancellationToken ct = default) => SetArchivedAsync(actor, ident, true, ct);

    public Task<CustomFieldView> RestoreAsync(Actor actor, string ident, CancellationToken ct = default) => SetArchivedAsync(actor, ident, false, ct);

    /// <summary>Deletes a field that no card holds a value for; a field with values is archived instead.</summary>
    public async Task DeleteAsync(Actor actor, string ident, CancellationToken ct = default)
    {
        await run.RunAsync("CustomField.Delete", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var field = await FindAsync(db, ident, ct);
            var count = await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id, ct);
            if (count > 0)
                throw new ConflictException($"{count} card(s) hold a value for {field.Ident}: archive the field instead (its values are kept and hidden).", "ident");
            db.CustomFields.Remove(field);
            use.Audit(Entity, field.Ident, "Deleted", "definition", Flat(Describe(field)), null);
            await SaveAsync(db, ct);
            Announce(use);
        }, ct);
    }

    private async Task<CustomFieldView> SetArchivedAsync(Actor actor, string ident, bool archived, CancellationToken ct)
    {
        return await run.RunAsync(archived ? "CustomField.Archive" : "CustomField.Restore", actor, Role.Admin, async use =>
        {
            var db = use.Db;
            var field = await FindAsync(db, ident, ct);
            if (field.IsArchived == archived) return View(field, await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id, ct));
            if (archived) field.Archive();
            else
            {
                // A restored field comes back at the end of the active list.
                field.Restore();
                field.MoveTo((await db.CustomFields.Where(f => !f.IsArchived && f.Id != field.Id).MaxAsync(f => (int?)f.DisplayOrder, ct) ?? -1) + 1);
            }
            use.Audit(Entity, field.Ident, archived ? "Archived" : "Restored", "archived", (!archived).ToString(), archived.ToString());
            await SaveAsync(db, ct);
            Announce(use);
            return View(field, await db.CustomFieldValues.CountAsync(v => v.FieldId == field.Id, ct));
        }, ct);
    }

    private static async Task<CustomFieldDefinition> FindAsync(AgentWorkspaceDbContext db, string ident, CancellationToken ct) =>
        await db.CustomFields.FirstOrDefaultAsync(f => f.Ident == ident, ct)
        ?? throw new NotFoundException($"There is no custom field '{ident}'.");

    private static async Task SaveAsync(AgentWorkspaceDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException?.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase) == true
                                           || ex.InnerException?.Message.Contains("duplicate", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw new ConflictException("A field with this ident already exists.", "ident");
        }
    }

    private static void Announce(UseCase use) => use.Publish(new ChangeEvent(ChangeKind.CustomFieldsChanged));

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    public static CustomFieldView View(CustomFieldDefinition f, int count) =>
        new(f.Id, f.Ident, f.Label, f.LabelFr, f.LabelEn, f.Type, f.Options, f.VisibleInRightPanel, f.Editable, f.VisibleInCard, f.DisplayOrder, f.IsArchived, count);

    private static Dictionary<string, string?> Describe(CustomFieldDefinition f) => new()
    {
        ["label"] = f.Label,
        ["labels.fr"] = f.LabelFr,
        ["labels.en"] = f.LabelEn,
        ["type"] = CustomFieldRules.TypeName(f.Type),
        ["options"] = string.Join(" | ", f.Options),
        ["visibleInRightPanel"] = f.VisibleInRightPanel.ToString(),
        ["editable"] = f.Editable.ToString(),
        ["visibleInCard"] = f.VisibleInCard.ToString(),
    };

    private static string Flat(Dictionary<string, string?> d) => Audit.AuditValues.Summary(d.Select(kv => (kv.Key, (object?)kv.Value)).ToArray());

    private static void AuditDifferences(UseCase use, string ident, Dictionary<string, string?> before, Dictionary<string, string?> after)
    {
        foreach (var (key, value) in after)
            use.AuditChange(Entity, ident, "Updated", key, before[key], value);
    }
}
