using System.Globalization;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Scripts;

/// <summary>
/// The administration of agent scripts (/admin/scripts, issue 19): every save publishes a new version, which new cases
/// open; a case that has started keeps its own. Scripts are archived, never deleted. Every change is audited.
/// </summary>
public sealed class ScriptService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run, CrmSettingsService crmSettings)
{
    private const string Entity = "AgentScript";

    public async Task<IReadOnlyList<ScriptSummary>> ListAsync(Actor actor, bool includeArchived = true, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var scripts = db.Scripts.AsNoTracking();
        if (!includeArchived) scripts = scripts.Where(s => !s.IsArchived);
        var rows = await scripts.OrderBy(s => s.IsArchived).ThenBy(s => s.Name).ThenBy(s => s.Id).ToListAsync(ct);
        var versionIds = rows.Select(r => r.CurrentVersionId).ToList();
        var counts = await db.ScriptSteps.AsNoTracking().Where(s => versionIds.Contains(s.VersionId)).GroupBy(s => s.VersionId)
            .Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var assignments = await AssignmentsAsync(db, null, ct);
        return rows.Select(r => new ScriptSummary(r.Id, r.Name, r.Description, r.Language, r.Version, r.IsArchived, counts.GetValueOrDefault(r.CurrentVersionId),
            assignments.TryGetValue(r.Id, out var a) ? a : [], r.UpdatedAt)).ToList();
    }

    public async Task<ScriptDetail> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var script = await db.Scripts.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct) ?? throw NotFound(id);
        var steps = await db.ScriptSteps.AsNoTracking().Where(s => s.VersionId == script.CurrentVersionId).OrderBy(s => s.Position).ToListAsync(ct);
        var subIds = steps.Where(s => s.SubScriptId is not null).Select(s => s.SubScriptId!.Value).Distinct().ToList();
        var names = await db.Scripts.AsNoTracking().Where(s => subIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var assignments = (await AssignmentsAsync(db, id, ct)).GetValueOrDefault(id) ?? [];
        var queues = assignments.Select(a => a.Queue).Distinct(StringComparer.Ordinal).ToList();
        var channels = assignments.Where(a => a.Channel is not null).Select(a => a.Channel!.Value.WireName()).Distinct(StringComparer.Ordinal).ToList();
        return new ScriptDetail(script.Id, script.Name, script.Description, script.Language, script.Version, script.IsArchived, queues, channels,
            steps.Select(s => new ScriptStepView(s.Id, s.Kind, s.Title, s.Text, s.Actions, s.SubScriptId, s.SubScriptId is { } sub ? names.GetValueOrDefault(sub) : null)).ToList(),
            script.UpdatedAt);
    }

    /// <summary>What the editor offers: queues, quick replies, custom fields, other scripts, CRM types and fields, placeholders.</summary>
    public async Task<ScriptEditorOptions> EditorOptionsAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        var crm = await crmSettings.AgentOptionsAsync(actor, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var queues = await db.Queues.AsNoTracking().OrderBy(q => q.Name).Select(q => q.Name).ToListAsync(ct);
        var replies = await db.QuickReplies.AsNoTracking().OrderBy(r => r.Title).Select(r => r.Title).ToListAsync(ct);
        var fields = await db.CustomFields.AsNoTracking().Where(f => !f.IsArchived).OrderBy(f => f.Ident)
            .Select(f => new ScriptFieldOption(f.Ident, f.Label, f.Editable)).ToListAsync(ct);
        var scripts = await db.Scripts.AsNoTracking().OrderBy(s => s.Name).Select(s => new ScriptOption(s.Id, s.Name, s.IsArchived)).ToListAsync(ct);
        var placeholders = Placeholders.Fixed.Concat(fields.Select(f => Placeholders.CustomFieldPrefix + f.Ident))
            .Concat([Placeholders.VariablePrefix + "…", Placeholders.SurveyPrefix + "…"]).ToList();
        return new ScriptEditorOptions(queues, replies.Distinct(StringComparer.OrdinalIgnoreCase).ToList(), fields, scripts,
            crm.CreatableTypes.Select(t => t.WireName()).ToList(), CrmFields.All, placeholders);
    }

    /// <summary>Checks a script as it would be saved (the editor shows every problem beside its step before sending).</summary>
    public async Task<IReadOnlyList<ScriptRuleException>> CheckAsync(Actor actor, ScriptInput input, long? scriptId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        ArgumentNullException.ThrowIfNull(input);
        var catalog = await CatalogAsync(actor, ct);
        var problems = ScriptRules.Check(input, catalog, scriptId).ToList();
        if (problems.Count == 0 && scriptId is { } id)
        {
            await using var db = await dbFactory.CreateDbContextAsync(ct);
            if (await CycleAsync(db, id, input, ct) is { } cycle) problems.Add(cycle);
        }
        return problems;
    }

    public async Task<ScriptSaved> CreateAsync(Actor actor, ScriptInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await EnsureValidAsync(actor, input, null, ct);
        return await run.RunAsync("Script.Create", actor, Role.Admin, async use =>
        {
            var script = new AgentScript(input.Name!, input.Description, input.Language!, use.Now);
            use.Db.Scripts.Add(script);
            await use.SaveAsync();
            var version = await PublishAsync(use, script, input);
            await AssignAsync(use, script, input);
            use.Audit(Entity, Key(script.Id), "Created", "name", null, script.Name);
            use.Audit(Entity, Key(script.Id), "Published", "version", null, Key(version.Number));
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            return new ScriptSaved(script.Id, version.Number);
        }, ct);
    }

    /// <summary>Publishes a new version: new cases open it; a case that has started keeps the version it has.</summary>
    public async Task<ScriptSaved> UpdateAsync(Actor actor, long id, ScriptInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await EnsureValidAsync(actor, input, id, ct);
        return await run.RunAsync("Script.Update", actor, Role.Admin, async use =>
        {
            var script = await use.Db.Scripts.FirstOrDefaultAsync(s => s.Id == id, use.Cancellation) ?? throw NotFound(id);
            if (script.IsArchived) throw new DomainException($"Script '{script.Name}' is archived; restore it first.", "id") { Code = "ScriptArchived", Args = [script.Name] };
            // Checked again inside the transaction: another admin may have made a sub-script of this one meanwhile.
            if (await CycleAsync(use.Db, id, input, use.Cancellation) is { } cycle) throw new ScriptInvalidException([cycle]);
            var before = (script.Name, script.Description, script.Language);
            script.Describe(input.Name!, input.Description, input.Language!, use.Now);
            var version = await PublishAsync(use, script, input);
            await AssignAsync(use, script, input);
            use.AuditChange(Entity, Key(id), "Updated", "name", before.Name, script.Name);
            use.AuditChange(Entity, Key(id), "Updated", "description", before.Description, script.Description);
            use.AuditChange(Entity, Key(id), "Updated", "language", before.Language, script.Language);
            use.Audit(Entity, Key(id), "Published", "version", Key(version.Number - 1), Key(version.Number));
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            return new ScriptSaved(id, version.Number);
        }, ct);
    }

    /// <summary>
    /// Archives a script: no new case opens it (its queues lose it), cases that run it keep it. Refused while another
    /// script opens it as a sub-script.
    /// </summary>
    public Task ArchiveAsync(Actor actor, long id, CancellationToken ct = default) =>
        run.RunAsync("Script.Archive", actor, Role.Admin, async use =>
        {
            var script = await use.Db.Scripts.FirstOrDefaultAsync(s => s.Id == id, use.Cancellation) ?? throw NotFound(id);
            if (script.IsArchived) return;
            var parent = await (from step in use.Db.ScriptSteps
                                join s in use.Db.Scripts on step.VersionId equals s.CurrentVersionId
                                where step.SubScriptId == id && !s.IsArchived && s.Id != id
                                select s.Name).FirstOrDefaultAsync(use.Cancellation);
            if (parent is not null)
                throw new ConflictException($"Script '{parent}' opens '{script.Name}' as a sub-script; change it first.", "id") { Code = "ScriptUsedAsSubScript", Args = [parent, script.Name] };
            var assignments = await use.Db.ScriptAssignments.Where(a => a.ScriptId == id).ToListAsync(use.Cancellation);
            use.Db.ScriptAssignments.RemoveRange(assignments);
            script.Archive(use.Now);
            use.Audit(Entity, Key(id), "Archived", "assignments", assignments.Count == 0 ? null : Key(assignments.Count), null);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
        }, ct);

    public Task RestoreAsync(Actor actor, long id, CancellationToken ct = default) =>
        run.RunAsync("Script.Restore", actor, Role.Admin, async use =>
        {
            var script = await use.Db.Scripts.FirstOrDefaultAsync(s => s.Id == id, use.Cancellation) ?? throw NotFound(id);
            if (!script.IsArchived) return;
            script.Restore(use.Now);
            use.Audit(Entity, Key(id), "Restored");
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
        }, ct);

    // ------------------------------------------------------------------ inside

    private async Task EnsureValidAsync(Actor actor, ScriptInput input, long? id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (await CheckAsync(actor, input, id, ct) is { Count: > 0 } problems) throw new ScriptInvalidException(problems);
    }

    private async Task<ScriptCatalog> CatalogAsync(Actor actor, CancellationToken ct)
    {
        var crm = await crmSettings.AgentOptionsAsync(actor, ct);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var fields = await db.CustomFields.AsNoTracking().Where(f => !f.IsArchived).Select(f => new { f.Ident, f.Editable }).ToDictionaryAsync(f => f.Ident, f => f.Editable, StringComparer.Ordinal, ct);
        var queues = await db.Queues.AsNoTracking().Select(q => q.Name).ToListAsync(ct);
        var replies = await db.QuickReplies.AsNoTracking().Select(r => r.Title).ToListAsync(ct);
        var scripts = await db.Scripts.AsNoTracking().Select(s => new { s.Id, s.IsArchived }).ToDictionaryAsync(s => s.Id, s => s.IsArchived, ct);
        return new ScriptCatalog(fields, queues, replies, scripts, crm.CreatableTypes.Select(t => t.WireName()).ToList(), CrmFields.All);
    }

    /// <summary>A step whose sub-script leads back to this script (directly or through others), named with the chain.</summary>
    private static async Task<ScriptRuleException?> CycleAsync(AgentWorkspaceDbContext db, long id, ScriptInput input, CancellationToken ct)
    {
        var steps = input.Steps ?? [];
        var edges = await (from step in db.ScriptSteps
                           join s in db.Scripts on step.VersionId equals s.CurrentVersionId
                           where step.SubScriptId != null
                           select new { From = s.Id, To = step.SubScriptId!.Value }).ToListAsync(ct);
        var lookup = edges.ToLookup(e => e.From, e => e.To);
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i]?.Kind != ScriptStepKind.SubScript || steps[i].ScriptId is not { } sub) continue;
            if (ScriptRules.FindCycle(id, [sub], from => lookup[from]) is not { } chain) continue;
            var ids = chain.Distinct().ToList();
            var names = await db.Scripts.AsNoTracking().Where(s => ids.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
            var path = string.Join(" → ", chain.Select(c => names.GetValueOrDefault(c, Key(c))));
            return new ScriptRuleException(i, $"steps[{i}].scriptId", "ScriptCycle", $"the sub-script would contain this script again ({path}).", path);
        }
        return null;
    }

    private static async Task<AgentScriptVersion> PublishAsync(UseCase use, AgentScript script, ScriptInput input)
    {
        var number = script.Version + 1;
        var steps = (input.Steps ?? []).Select(s => new AgentScriptStep(s.Kind!.Value, s.Title!.Trim(), Text.Clean(s.Text, AgentScriptStep.MaxTextLength, "text"),
            s.Kind == ScriptStepKind.Macro ? (s.Actions ?? []).Select(Normalize).ToList() : null,
            s.Kind == ScriptStepKind.SubScript ? s.ScriptId : null));
        var version = new AgentScriptVersion(script.Id, number, script.Name, steps, use.Actor.DisplayName, use.Now);
        use.Db.ScriptVersions.Add(version);
        await use.SaveAsync();
        script.Published(version, use.Now);
        return version;
    }

    private static MacroAction Normalize(MacroAction a) => a with
    {
        RecordType = a.RecordType?.Trim().ToLowerInvariant(),
        QuickReply = a.QuickReply?.Trim(),
        Field = a.Field?.Trim(),
        Priority = a.Priority?.Trim().ToLowerInvariant(),
        Status = a.Status?.Trim().ToLowerInvariant(),
        Queue = a.Queue?.Trim(),
        Text = a.Text?.Trim(),
        Url = a.Url?.Trim(),
        Fields = a.Fields is { Count: > 0 } f ? f.ToDictionary(kv => kv.Key, kv => kv.Value?.Trim()) : null,
    };

    /// <summary>
    /// The script's queues and channels replace its earlier ones: with no channel, it is each queue's default; with
    /// channels, it is each queue's script for those channels. A place another script holds is refused, naming it.
    /// </summary>
    private static async Task AssignAsync(UseCase use, AgentScript script, ScriptInput input)
    {
        var db = use.Db;
        var queues = await db.Queues.AsNoTracking().Select(q => new { q.Id, q.Name }).ToListAsync(use.Cancellation);
        var wanted = new List<(long QueueId, string Queue, Channel? Channel)>();
        var channels = (input.Channels ?? []).Select(c => Channels.TryParseWire(c, out var ch) ? ch : (Channel?)null).OfType<Channel>().Distinct().ToList();
        foreach (var name in (input.Queues ?? []).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var queue = queues.First(q => string.Equals(q.Name, name.Trim(), StringComparison.OrdinalIgnoreCase));
            if (channels.Count == 0) wanted.Add((queue.Id, queue.Name, null));
            else wanted.AddRange(channels.Select(c => (queue.Id, queue.Name, (Channel?)c)));
        }
        var existing = await db.ScriptAssignments.Where(a => a.ScriptId == script.Id).ToListAsync(use.Cancellation);
        var keep = existing.Where(e => wanted.Any(w => w.QueueId == e.QueueId && w.Channel == e.Channel)).ToList();
        db.ScriptAssignments.RemoveRange(existing.Except(keep));
        await use.SaveAsync();
        foreach (var (queueId, queueName, channel) in wanted.Where(w => !keep.Any(k => k.QueueId == w.QueueId && k.Channel == w.Channel)))
        {
            var code = channel is { } c ? (int)c : 0;
            var other = await (from a in db.ScriptAssignments
                               join s in db.Scripts on a.ScriptId equals s.Id
                               where a.QueueId == queueId && a.ChannelCode == code && a.ScriptId != script.Id
                               select s.Name).FirstOrDefaultAsync(use.Cancellation);
            var where = channel is { } ch ? $"{queueName} ({ch.WireName()})" : queueName;
            if (other is not null)
                throw new ConflictException($"The queue {where} already opens the script '{other}'; take it off that script first.", "queues")
                { Code = "ScriptAssignmentTaken", Args = [where, other] };
            db.ScriptAssignments.Add(new AgentScriptAssignment(script.Id, queueId, channel));
            use.Audit(Entity, Key(script.Id), "Assigned", "queue", null, where);
        }
        foreach (var gone in existing.Except(keep))
            use.Audit(Entity, Key(script.Id), "Unassigned", "queue",
                queues.First(q => q.Id == gone.QueueId).Name + (gone.Channel is { } g ? $" ({g.WireName()})" : ""), null);
    }

    private static async Task<Dictionary<long, IReadOnlyList<ScriptAssignmentView>>> AssignmentsAsync(AgentWorkspaceDbContext db, long? scriptId, CancellationToken ct)
    {
        var q = from a in db.ScriptAssignments.AsNoTracking()
                join queue in db.Queues.AsNoTracking() on a.QueueId equals queue.Id
                select new { a.ScriptId, a.QueueId, queue.Name, a.ChannelCode };
        if (scriptId is { } id) q = q.Where(a => a.ScriptId == id);
        var rows = await q.ToListAsync(ct);
        return rows.GroupBy(r => r.ScriptId).ToDictionary(g => g.Key, g => (IReadOnlyList<ScriptAssignmentView>)g
            .OrderBy(r => r.Name).ThenBy(r => r.ChannelCode)
            .Select(r => new ScriptAssignmentView(r.QueueId, r.Name, r.ChannelCode == 0 ? null : (Channel)r.ChannelCode)).ToList());
    }

    internal static NotFoundException NotFound(long id) => new($"There is no script {id}.");

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}
