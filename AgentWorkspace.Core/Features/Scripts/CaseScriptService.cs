using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Features.Scripts;

/// <summary>
/// The agent script beside a case (seed 004): which script opens (the case's queue and channel), at which version (the
/// one the case started with), its steps with the placeholders filled, marking a text instruction done and running a
/// macro. A macro's actions go through the same use cases, with the same rights, as the agent's own clicks; the first
/// failure stops it, the earlier actions stay done. Every step done and every macro run is in the case's history.
/// </summary>
public sealed class CaseScriptService(
    IDbContextFactory<AgentWorkspaceDbContext> dbFactory,
    UseCaseRunner run,
    CaseCommands cases,
    CardEdits cards,
    CrmService crm,
    QuickReplyService quickReplies,
    ILogger<CaseScriptService>? logger = null)
{
    private readonly ILogger _logger = (ILogger?)logger ?? NullLogger.Instance;

    /// <summary>
    /// The case's script (or, with <paramref name="scriptId"/>, one of its sub-scripts) with the steps' states; null when
    /// no script opens for the case. Every agent may read it, as they read every case of a card (ADR 014).
    /// </summary>
    public async Task<CaseScriptView?> GetForCaseAsync(Actor actor, long caseId, long? scriptId = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
        var tree = await TreeAsync(db, @case, ct);
        if (tree is null)
        {
            if (scriptId is not null) throw new NotFoundException($"Case {caseId} runs no script.");
            return null;
        }
        var target = scriptId ?? tree.RootScriptId;
        if (!tree.Contains(target)) throw new NotFoundException($"Script {target} is not part of the script of case {caseId}.");
        return await ViewAsync(db, @case, actor, target, await tree.VersionOfAsync(db, target, ct), target == tree.RootScriptId, ct);
    }

    /// <summary>Marks a text instruction done (again is harmless: it stays done, with the latest who and when).</summary>
    public async Task<CaseScriptView> MarkDoneAsync(Actor actor, long caseId, long stepId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        var target = await run.RunAsync("CaseScript.MarkDone", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var @case = await db.Cases.FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw InboxQueries.NotFound(caseId);
            await CaseAccess.EnsureMayActAsync(db, actor, @case, use.Cancellation);
            var (step, scriptId, root) = await StepOfCaseAsync(db, @case, stepId, use.Cancellation);
            if (step.Kind != ScriptStepKind.Text)
                throw new DomainException("Only a text instruction is marked done; a macro is run, a sub-script shown.", "stepId") { Code = "ScriptStepNotText" };
            await PinAsync(db, caseId, root, scriptId, step.VersionId, use.Now, use.Cancellation);
            var state = await StateAsync(db, caseId, stepId, use.Cancellation);
            state.MarkDone(actor.UserId, actor.DisplayName, use.Now);
            db.CaseEvents.Add(new CaseEvent(caseId, @case.CardId, CaseEventType.ScriptStepDone, actor.UserId, actor.DisplayName, Text.Preview(step.Title, 200), use.Now));
            use.Audit("Case", Key(caseId), "ScriptStepDone", "step", null, Key(stepId));
            use.Publish(new ChangeEvent(ChangeKind.CaseChanged, @case.CardId, caseId, @case.QueueId, AgentId: @case.AssignedAgentId));
            return scriptId;
        }, ct);
        return (await GetForCaseAsync(actor, caseId, target, ct))!;
    }

    /// <summary>
    /// Runs a macro: each action through its own use case, in order, stopping at the first that fails (its reason is
    /// the result's message); what ran before stays done. A macro that ran already on this case runs again only with
    /// <paramref name="confirmRerun"/>. The run, its outcome and who ran it go into the case's history.
    /// </summary>
    public async Task<MacroRun> RunMacroAsync(Actor actor, long caseId, long stepId, bool confirmRerun = false, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        AgentScriptStep step;
        Case @case;
        long scriptId;
        ScriptRoot root;
        Dictionary<string, string?> values;
        await using (var db = await dbFactory.CreateDbContextAsync(ct))
        {
            @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, ct) ?? throw InboxQueries.NotFound(caseId);
            await CaseAccess.EnsureMayActAsync(db, actor, @case, ct);
            (step, scriptId, root) = await StepOfCaseAsync(db, @case, stepId, ct);
            if (step.Kind != ScriptStepKind.Macro)
                throw new DomainException("Only a macro is run.", "stepId") { Code = "ScriptStepNotMacro" };
            var earlier = await db.CaseScriptSteps.AsNoTracking().FirstOrDefaultAsync(s => s.CaseId == caseId && s.StepId == stepId, ct);
            if (earlier is { Runs: > 0 } && !confirmRerun)
                throw new ConflictException($"The macro '{step.Title}' already ran on this case ({earlier.ActorName}); confirm to run it again.", "confirm")
                { Code = "ScriptMacroAlreadyRan", Args = [step.Title, earlier.ActorName] };
            var actions = step.Actions;
            values = await ValuesAsync(db, @case, actor, actions.SelectMany(a => a.Templates().Select(t => t.Text)).Append(step.Text), ct);
        }

        var results = new List<MacroActionResult>();
        foreach (var action in step.Actions)
        {
            var result = await RunActionAsync(actor, @case, action, values, ct);
            results.Add(result);
            if (!result.Ok) break;
        }

        var allOk = results.All(r => r.Ok);
        await run.RunAsync("CaseScript.RunMacro", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var current = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw InboxQueries.NotFound(caseId);
            await PinAsync(db, caseId, root, scriptId, step.VersionId, use.Now, use.Cancellation);
            var state = await StateAsync(db, caseId, stepId, use.Cancellation);
            state.MacroRan(allOk, MacroActionResult.ToJson(results), actor.UserId, actor.DisplayName, use.Now);
            var summary = $"{Text.Preview(step.Title, 160)}: {results.Count(r => r.Ok)}/{step.Actions.Count}";
            db.CaseEvents.Add(new CaseEvent(caseId, current.CardId, CaseEventType.ScriptMacroRan, actor.UserId, actor.DisplayName, summary, use.Now));
            use.Audit("Case", Key(caseId), "ScriptMacroRan", "step", null,
                $"{Key(stepId)}: " + string.Join(", ", results.Select(r => $"{MacroAction.WireName(r.Type)} {(r.Ok ? "ok" : r.Code ?? "failed")}")));
            use.Publish(new ChangeEvent(ChangeKind.CaseChanged, current.CardId, caseId, current.QueueId, AgentId: current.AssignedAgentId));
        }, ct);
        var view = await GetForCaseAsync(actor, caseId, scriptId, ct);
        return new MacroRun(results, view!);
    }

    // ------------------------------------------------------------------ actions

    private async Task<MacroActionResult> RunActionAsync(Actor actor, Case @case, MacroAction action, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        try
        {
            switch (action.Type)
            {
                case MacroActionType.CreateCrmRecord:
                {
                    if (!CrmRecordTypes.TryParse(action.RecordType, out var type))
                        throw new DomainException($"'{action.RecordType}' is not a CRM record type.", "recordType") { Code = "CrmTypeUnknown" };
                    // Seed 004's "Create an incident": the fields the create dialog would start from, then the macro's own.
                    var prefill = await crm.GetPrefillAsync(actor, @case.CardId, @case.Id, ct);
                    var fields = prefill.FieldsFor(type).Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                    foreach (var (name, template) in action.Fields ?? new Dictionary<string, string?>())
                        fields[name] = Placeholders.Fill(template, values) is { Length: > 0 } filled ? filled : fields.GetValueOrDefault(name);
                    var created = await crm.CreateRecordAsync(actor, @case.CardId, new CrmNewRecord(type, fields), @case.Id, ct);
                    return Ok(action, $"{type.WireName()} {created.Record.Id} created in the CRM and linked to the case.", type.WireName(), created.Record.Id) with
                    {
                        Output = created.Record.Url?.ToString(),
                    };
                }
                case MacroActionType.InsertQuickReply:
                {
                    var list = await quickReplies.ListAsync(actor, null, ct);
                    var reply = list.FirstOrDefault(r => string.Equals(r.Title, action.QuickReply, StringComparison.OrdinalIgnoreCase))
                        ?? throw new DomainException($"There is no quick reply '{action.QuickReply}' any more.", "quickReply") { Code = "ScriptQuickReplyUnknown", Args = [action.QuickReply ?? ""] };
                    // The reply's own placeholders are read now: the macro's templates did not name them.
                    var replyValues = values;
                    if (Placeholders.Find(reply.Body).Any(n => !values.ContainsKey(n)))
                    {
                        await using var db = await dbFactory.CreateDbContextAsync(ct);
                        replyValues = await ValuesAsync(db, @case, actor, [reply.Body], ct);
                    }
                    return Ok(action, $"Quick reply '{reply.Title}' put in the reply box.", reply.Title) with { Output = Placeholders.Fill(reply.Body, replyValues) };
                }
                case MacroActionType.SetCustomField:
                {
                    var value = Placeholders.Fill(action.Value, values);
                    await cards.SetCustomFieldAsync(actor, @case.CardId, action.Field!, value, ct);
                    return Ok(action, $"Custom field '{action.Field}' set.", action.Field!);
                }
                case MacroActionType.SetPriority:
                {
                    var priority = Enum.Parse<CasePriority>(action.Priority ?? "", ignoreCase: true);
                    await cases.SetPriorityAsync(actor, @case.Id, priority, ct);
                    return Ok(action, $"Priority set to {action.Priority}.", action.Priority!);
                }
                case MacroActionType.SetStatus:
                {
                    _ = action.Status switch
                    {
                        "pending" => await cases.SetPendingAsync(actor, @case.Id, ct),
                        "resolved" => await cases.ResolveAsync(actor, @case.Id, ct),
                        "cancelled" => await cases.CancelAsync(actor, @case.Id, ct),
                        _ => throw new DomainException($"'{action.Status}' is not a status a macro sets.", "status") { Code = "ScriptStatusUnknown" },
                    };
                    return Ok(action, $"Status set to {action.Status}.", action.Status!);
                }
                case MacroActionType.Transfer:
                {
                    var tile = await cases.TransferToAsync(actor, @case.Id, action.Queue, null, ct);
                    return Ok(action, $"Transferred to {tile.QueueName}.", tile.QueueName);
                }
                case MacroActionType.AddNote:
                {
                    await cases.AddNoteAsync(actor, @case.Id, Placeholders.Fill(action.Text, values), ct);
                    return Ok(action, "Note added to the case.");
                }
                case MacroActionType.OpenUrl:
                {
                    var url = Placeholders.FillUrl(action.Url ?? "", values);
                    if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                        throw new DomainException("The web address is not a valid http(s) address.", "url") { Code = "ScriptUrlInvalid" };
                    return Ok(action, $"Web address {uri.Host} to open.", uri.Host) with { Output = uri.AbsoluteUri };
                }
                default:
                    throw new DomainException("The action type is unknown.", "type") { Code = "ScriptActionTypeUnknown" };
            }
        }
        catch (Exception ex) when (Failed(ex) is { } failure)
        {
            return failure with { Type = action.Type };
        }
    }

    private static MacroActionResult Ok(MacroAction action, string message, params string[] args) => new(action.Type, true, message, null, args);

    /// <summary>An expected refusal (a rule, a right, a conflict, the CRM's answer) becomes the action's result; anything else is a fault and goes on.</summary>
    private MacroActionResult? Failed(Exception ex) => ex switch
    {
        CardMergedException m => new(default, false, m.Message, "CardMergedMeanwhile"),
        DomainException d => new(default, false, d.Message, d.Code, d.Args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToList()),
        ForbiddenException f => new(default, false, f.Message, f.Code ?? "Forbidden", f.Args.Select(a => Convert.ToString(a, CultureInfo.InvariantCulture) ?? "").ToList()),
        NotFoundException n => new(default, false, n.Message, "NotFound"),
        CrmException c => Log(c, new(default, false, c.Message, "CrmFailed", [c.Message])),
        _ => null,
    };

    private MacroActionResult Log(Exception ex, MacroActionResult result)
    {
        _logger.LogWarning(ex, "A macro action failed on the CRM's side.");
        return result;
    }

    // ------------------------------------------------------------------ the case's script tree

    /// <summary>The scripts of a case: its root (kept, or the one its queue and channel open now) and the sub-scripts reachable from it.</summary>
    private sealed class ScriptTree(long rootScriptId, IReadOnlyDictionary<long, long> pinned, IReadOnlyDictionary<long, long> current, HashSet<long> reachable)
    {
        public long RootScriptId { get; } = rootScriptId;
        public IReadOnlyDictionary<long, long> Pinned { get; } = pinned;
        public bool Contains(long scriptId) => reachable.Contains(scriptId);

        /// <summary>The version the case keeps for the script, or its current one while the case has not started it.</summary>
        public Task<long> VersionOfAsync(AgentWorkspaceDbContext db, long scriptId, CancellationToken ct) =>
            Task.FromResult(Pinned.TryGetValue(scriptId, out var v) ? v : current[scriptId]);
    }

    private static async Task<ScriptTree?> TreeAsync(AgentWorkspaceDbContext db, Case @case, CancellationToken ct)
    {
        var runs = await db.CaseScriptRuns.AsNoTracking().Where(r => r.CaseId == @case.Id).ToListAsync(ct);
        var pinned = runs.ToDictionary(r => r.ScriptId, r => r.VersionId);
        long root;
        if (runs.FirstOrDefault(r => r.IsRoot) is { } rootRun) root = rootRun.ScriptId;
        else
        {
            var channel = (int)@case.Channel;
            var assigned = await (from a in db.ScriptAssignments.AsNoTracking()
                                  join s in db.Scripts.AsNoTracking() on a.ScriptId equals s.Id
                                  where a.QueueId == @case.QueueId && (a.ChannelCode == channel || a.ChannelCode == 0) && !s.IsArchived
                                  orderby a.ChannelCode descending
                                  select a.ScriptId).FirstOrDefaultAsync(ct);
            if (assigned == 0) return null;
            root = assigned;
        }
        // Walk the sub-scripts, each at the version the case keeps or its current one.
        var current = new Dictionary<long, long>();
        var reachable = new HashSet<long> { root };
        var frontier = new List<long> { root };
        while (frontier.Count > 0)
        {
            var missing = frontier.Where(s => !pinned.ContainsKey(s)).ToList();
            if (missing.Count > 0)
            {
                var rows = await db.Scripts.AsNoTracking().Where(s => missing.Contains(s.Id)).Select(s => new { s.Id, s.CurrentVersionId }).ToListAsync(ct);
                foreach (var row in rows) current[row.Id] = row.CurrentVersionId;
            }
            var versions = frontier.Select(s => pinned.TryGetValue(s, out var v) ? v : current.GetValueOrDefault(s)).Where(v => v != 0).ToList();
            var subs = await db.ScriptSteps.AsNoTracking().Where(s => versions.Contains(s.VersionId) && s.SubScriptId != null).Select(s => s.SubScriptId!.Value).Distinct().ToListAsync(ct);
            frontier = subs.Where(reachable.Add).ToList();
        }
        return new ScriptTree(root, pinned, current, reachable);
    }

    /// <summary>The step, checked to belong to the case's script tree at the version the case keeps (or will keep from now).</summary>
    private static async Task<(AgentScriptStep Step, long ScriptId, ScriptRoot Root)> StepOfCaseAsync(AgentWorkspaceDbContext db, Case @case, long stepId, CancellationToken ct)
    {
        var step = await db.ScriptSteps.AsNoTracking().FirstOrDefaultAsync(s => s.Id == stepId, ct) ?? throw new NotFoundException($"There is no script step {stepId}.");
        var scriptId = await db.ScriptVersions.AsNoTracking().Where(v => v.Id == step.VersionId).Select(v => v.ScriptId).FirstAsync(ct);
        var tree = await TreeAsync(db, @case, ct) ?? throw new NotFoundException($"Case {@case.Id} runs no script.");
        if (!tree.Contains(scriptId)) throw new NotFoundException($"Step {stepId} is not a step of the script of case {@case.Id}.");
        if (tree.Pinned.TryGetValue(scriptId, out var kept) && kept != step.VersionId)
            throw new ConflictException("This step belongs to another version of the script than the one this case runs; the script has been reloaded.", "stepId")
            { Code = "ScriptVersionChanged" };
        return (step, scriptId, new ScriptRoot(tree.RootScriptId, await tree.VersionOfAsync(db, tree.RootScriptId, ct)));
    }

    /// <summary>
    /// Keeps, from the first step done or macro run, the versions the case runs: the step's script at the step's version,
    /// and its root at the version it showed. An admin's later edit then changes nothing for this case.
    /// </summary>
    private static async Task PinAsync(AgentWorkspaceDbContext db, long caseId, ScriptRoot root, long scriptId, long versionId, DateTimeOffset now, CancellationToken ct)
    {
        var runs = await db.CaseScriptRuns.Where(r => r.CaseId == caseId).ToListAsync(ct);
        if (!runs.Any(r => r.IsRoot) && !runs.Any(r => r.ScriptId == root.ScriptId))
            db.CaseScriptRuns.Add(new CaseScriptRun(caseId, root.ScriptId, root.ScriptId == scriptId ? versionId : root.VersionId, true, now));
        if (scriptId != root.ScriptId && !runs.Any(r => r.ScriptId == scriptId))
            db.CaseScriptRuns.Add(new CaseScriptRun(caseId, scriptId, versionId, false, now));
    }

    /// <summary>The case's root script and the version it shows, as read before a step is acted on.</summary>
    private sealed record ScriptRoot(long ScriptId, long VersionId);

    private static async Task<CaseScriptStepState> StateAsync(AgentWorkspaceDbContext db, long caseId, long stepId, CancellationToken ct)
    {
        var state = await db.CaseScriptSteps.FirstOrDefaultAsync(s => s.CaseId == caseId && s.StepId == stepId, ct);
        if (state is null)
        {
            state = new CaseScriptStepState(caseId, stepId);
            db.CaseScriptSteps.Add(state);
        }
        return state;
    }

    // ------------------------------------------------------------------ reading

    private static async Task<CaseScriptView> ViewAsync(AgentWorkspaceDbContext db, Case @case, Actor actor, long scriptId, long versionId, bool isRoot, CancellationToken ct)
    {
        var version = await db.ScriptVersions.AsNoTracking().Where(v => v.Id == versionId).Select(v => new { v.Number, v.Name }).FirstAsync(ct);
        var steps = await db.ScriptSteps.AsNoTracking().Where(s => s.VersionId == versionId).OrderBy(s => s.Position).ToListAsync(ct);
        var stepIds = steps.Select(s => s.Id).ToList();
        var states = await db.CaseScriptSteps.AsNoTracking().Where(s => s.CaseId == @case.Id && stepIds.Contains(s.StepId)).ToDictionaryAsync(s => s.StepId, ct);
        var subIds = steps.Where(s => s.SubScriptId is not null).Select(s => s.SubScriptId!.Value).Distinct().ToList();
        var subNames = subIds.Count == 0 ? [] : await db.Scripts.AsNoTracking().Where(s => subIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var values = await ValuesAsync(db, @case, actor, steps.Select(s => s.Text), ct);
        var view = steps.Select(s =>
        {
            var state = states.GetValueOrDefault(s.Id);
            var actions = s.Kind == ScriptStepKind.Macro ? s.Actions.Select(a => new CaseMacroActionView(a.Type, Target(a))).ToList() : [];
            return new CaseScriptStepView(s.Id, s.Position, s.Kind, s.Title, Placeholders.Fill(s.Text, values), state?.State ?? ScriptStepState.Todo, actions,
                s.SubScriptId, s.SubScriptId is { } sub ? subNames.GetValueOrDefault(sub) : null, state?.Runs ?? 0, state?.ActorName, state?.At,
                MacroActionResult.FromJson(state?.ResultsJson));
        }).ToList();
        return new CaseScriptView(@case.Id, scriptId, version.Name, version.Number, isRoot, view);
    }

    /// <summary>What an action acts on, as the admin wrote it (no customer data: placeholders stay unfilled).</summary>
    private static string? Target(MacroAction a) => a.Type switch
    {
        MacroActionType.CreateCrmRecord => a.RecordType,
        MacroActionType.InsertQuickReply => a.QuickReply,
        MacroActionType.SetCustomField => a.Field,
        MacroActionType.SetPriority => a.Priority,
        MacroActionType.SetStatus => a.Status,
        MacroActionType.Transfer => a.Queue,
        _ => null,
    };

    /// <summary>The values of the placeholders <paramref name="texts"/> use, read from the case, its card, its context and the agent.</summary>
    internal static async Task<Dictionary<string, string?>> ValuesAsync(AgentWorkspaceDbContext db, Case @case, Actor actor, IEnumerable<string?> texts, CancellationToken ct)
    {
        var names = texts.SelectMany(Placeholders.Find).Distinct(StringComparer.Ordinal).ToList();
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (names.Count == 0) return values;
        if (names.Any(n => n.StartsWith("customer.", StringComparison.Ordinal)))
        {
            var card = await db.Cards.AsNoTracking().Where(c => c.Id == @case.CardId)
                .Select(c => new { c.FirstName, c.LastName, c.Company, c.JobTitle, c.City, c.PrimaryEmail, c.MobilePhone, c.HomePhone, c.ChannelName }).FirstOrDefaultAsync(ct);
            if (card is not null)
            {
                // A card known only by the name its channel gave ("Marianne Dashwood" on WhatsApp) is greeted by that name.
                var named = card.FirstName is not null || card.LastName is not null;
                var channelName = card.ChannelName?.Trim();
                values["customer.firstName"] = named ? card.FirstName : channelName?.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
                values["customer.lastName"] = card.LastName;
                values["customer.fullName"] = named ? $"{card.FirstName} {card.LastName}".Trim() : channelName;
                values["customer.company"] = card.Company;
                values["customer.jobTitle"] = card.JobTitle;
                values["customer.city"] = card.City;
                values["customer.email"] = card.PrimaryEmail;
                values["customer.phone"] = card.MobilePhone ?? card.HomePhone;
            }
            var idents = names.Where(n => n.StartsWith(Placeholders.CustomFieldPrefix, StringComparison.Ordinal)).Select(n => n[Placeholders.CustomFieldPrefix.Length..]).ToList();
            if (idents.Count > 0)
            {
                var fields = await (from v in db.CustomFieldValues.AsNoTracking()
                                    join f in db.CustomFields.AsNoTracking() on v.FieldId equals f.Id
                                    where v.CardId == @case.CardId && idents.Contains(f.Ident)
                                    select new { f.Ident, v.Value }).ToListAsync(ct);
                foreach (var f in fields) values[Placeholders.CustomFieldPrefix + f.Ident] = f.Value;
            }
        }
        if (names.Contains("case.queue"))
            values["case.queue"] = await db.Queues.AsNoTracking().Where(q => q.Id == @case.QueueId).Select(q => q.Name).FirstOrDefaultAsync(ct);
        values["case.id"] = Key(@case.Id);
        values["case.title"] = @case.Title;
        values["case.channel"] = @case.Channel.WireName();
        values["case.status"] = @case.Status.ToString().ToLowerInvariant();
        values["case.priority"] = @case.Priority.ToString().ToLowerInvariant();
        values["case.product"] = @case.Product;
        values["agent.name"] = actor.DisplayName;
        if (names.Any(n => n.StartsWith("context.", StringComparison.Ordinal)) && ConversationContext.FromJson(@case.ContextJson) is { } context)
        {
            foreach (var (k, v) in context.Variables) values[Placeholders.VariablePrefix + k] = v;
            foreach (var (k, v) in context.PreChatSurvey) values[Placeholders.SurveyPrefix + k] = v;
            values["context.visitor.browser"] = context.Visitor?.Browser;
            values["context.visitor.os"] = context.Visitor?.Os;
            values["context.visitor.location"] = context.Visitor?.Location;
            values["context.visitor.language"] = context.Visitor?.Language;
        }
        return values;
    }

    private static string Key(long id) => id.ToString(CultureInfo.InvariantCulture);
}
