using System.Collections.Concurrent;
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
        // One connection for the handful of reads (the case with its queue's name, the kept versions, the states, the card).
        await db.Database.OpenConnectionAsync(ct);
        var row = await db.Cases.AsNoTracking().Where(c => c.Id == caseId)
            .Select(c => new { Case = c, Queue = db.Queues.Where(q => q.Id == c.QueueId).Select(q => q.Name).FirstOrDefault() })
            .FirstOrDefaultAsync(ct) ?? throw InboxQueries.NotFound(caseId);
        var root = await RootAsync(db, row.Case, ct);
        if (root is null)
        {
            if (scriptId is not null) throw new NotFoundException($"Case {caseId} runs no script.");
            return null;
        }
        var target = scriptId ?? root.ScriptId;
        var version = await ShownVersionAsync(db, root, target, ct) ?? throw new NotFoundException($"Script {target} is not part of the script of case {caseId}.");
        return await ViewAsync(db, row.Case, row.Queue, actor, version, target == root.ScriptId, ct);
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

    /// <summary>Published versions kept once read, by id: a version never changes (ADR 018), a new one has a new id.</summary>
    private readonly ConcurrentDictionary<long, PublishedVersion> _versions = new();
    /// <summary>The version of each step read so far (a step belongs to one version for good).</summary>
    private readonly ConcurrentDictionary<long, long> _versionOfStep = new();
    /// <summary>Beyond this many versions the cache starts again (a bound on memory, not a freshness rule).</summary>
    private const int MaxCachedVersions = 20_000;

    /// <summary>A published version with its steps in order, as read once.</summary>
    private sealed record PublishedVersion(long Id, long ScriptId, int Number, string Name, IReadOnlyList<AgentScriptStep> Steps, IReadOnlyList<long> SubScripts);

    private async Task<PublishedVersion> VersionAsync(AgentWorkspaceDbContext db, long versionId, CancellationToken ct)
    {
        if (_versions.TryGetValue(versionId, out var hit)) return hit;
        var row = await db.ScriptVersions.AsNoTracking().Include(v => v.Steps).FirstOrDefaultAsync(v => v.Id == versionId, ct)
            ?? throw new NotFoundException($"There is no script version {versionId}.");
        var steps = row.Steps.OrderBy(s => s.Position).ToList();
        var version = new PublishedVersion(row.Id, row.ScriptId, row.Number, row.Name, steps,
            steps.Where(s => s.SubScriptId is not null).Select(s => s.SubScriptId!.Value).Distinct().ToList());
        if (_versions.Count >= MaxCachedVersions)
        {
            _versions.Clear();
            _versionOfStep.Clear();
        }
        foreach (var step in steps) _versionOfStep[step.Id] = versionId;
        return _versions.GetOrAdd(versionId, version);
    }

    /// <summary>The case's root script (kept, or the one its queue and channel open now), the version it shows, and the versions the case keeps.</summary>
    private sealed record CaseRoot(long ScriptId, long VersionId, IReadOnlyDictionary<long, long> Pinned);

    private static async Task<CaseRoot?> RootAsync(AgentWorkspaceDbContext db, Case @case, CancellationToken ct)
    {
        var runs = await db.CaseScriptRuns.AsNoTracking().Where(r => r.CaseId == @case.Id).Select(r => new { r.ScriptId, r.VersionId, r.IsRoot }).ToListAsync(ct);
        var pinned = runs.ToDictionary(r => r.ScriptId, r => r.VersionId);
        if (runs.FirstOrDefault(r => r.IsRoot) is { } kept) return new CaseRoot(kept.ScriptId, kept.VersionId, pinned);
        var channel = (int)@case.Channel;
        var assigned = await (from a in db.ScriptAssignments.AsNoTracking()
                              join s in db.Scripts.AsNoTracking() on a.ScriptId equals s.Id
                              where a.QueueId == @case.QueueId && (a.ChannelCode == channel || a.ChannelCode == 0) && !s.IsArchived
                              orderby a.ChannelCode descending
                              select new { s.Id, s.CurrentVersionId }).FirstOrDefaultAsync(ct);
        if (assigned is null) return null;
        return new CaseRoot(assigned.Id, pinned.TryGetValue(assigned.Id, out var v) ? v : assigned.CurrentVersionId, pinned);
    }

    /// <summary>
    /// The version of <paramref name="scriptId"/> the case shows (the one it keeps, else the current one), found by
    /// walking the sub-scripts from the root level by level and stopping at the script; null when it is not part of the
    /// case's script. The versions come from the cache; a level costs at most one read of current versions.
    /// </summary>
    private async Task<PublishedVersion?> ShownVersionAsync(AgentWorkspaceDbContext db, CaseRoot root, long scriptId, CancellationToken ct)
    {
        var rootVersion = await VersionAsync(db, root.VersionId, ct);
        if (scriptId == root.ScriptId) return rootVersion;
        var seen = new HashSet<long> { root.ScriptId };
        var frontier = new List<PublishedVersion> { rootVersion };
        while (frontier.Count > 0)
        {
            var next = frontier.SelectMany(v => v.SubScripts).Where(seen.Add).ToList();
            if (next.Count == 0) return null;
            // The script is on this level: only its version is needed.
            var wanted = next.Contains(scriptId) ? [scriptId] : next;
            var unpinned = wanted.Where(s => !root.Pinned.ContainsKey(s)).ToList();
            var current = unpinned.Count == 0 ? new Dictionary<long, long>()
                : await db.Scripts.AsNoTracking().Where(s => unpinned.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.CurrentVersionId, ct);
            var level = new List<PublishedVersion>();
            foreach (var id in wanted)
            {
                var versionId = root.Pinned.TryGetValue(id, out var kept) ? kept : current.GetValueOrDefault(id);
                if (versionId == 0) continue;
                var version = await VersionAsync(db, versionId, ct);
                if (id == scriptId) return version;
                level.Add(version);
            }
            frontier = level;
        }
        return null;
    }

    /// <summary>The step, checked to belong to the case's script tree at the version the case keeps (or will keep from now).</summary>
    private async Task<(AgentScriptStep Step, long ScriptId, ScriptRoot Root)> StepOfCaseAsync(AgentWorkspaceDbContext db, Case @case, long stepId, CancellationToken ct)
    {
        var versionId = _versionOfStep.TryGetValue(stepId, out var known) ? known
            : await db.ScriptSteps.AsNoTracking().Where(s => s.Id == stepId).Select(s => (long?)s.VersionId).FirstOrDefaultAsync(ct)
              ?? throw new NotFoundException($"There is no script step {stepId}.");
        var version = await VersionAsync(db, versionId, ct);
        var step = version.Steps.First(s => s.Id == stepId);
        var root = await RootAsync(db, @case, ct) ?? throw new NotFoundException($"Case {@case.Id} runs no script.");
        if (await ShownVersionAsync(db, root, version.ScriptId, ct) is null)
            throw new NotFoundException($"Step {stepId} is not a step of the script of case {@case.Id}.");
        if (root.Pinned.TryGetValue(version.ScriptId, out var kept) && kept != versionId)
            throw new ConflictException("This step belongs to another version of the script than the one this case runs; the script has been reloaded.", "stepId")
            { Code = "ScriptVersionChanged" };
        return (step, version.ScriptId, new ScriptRoot(root.ScriptId, root.VersionId));
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

    private static async Task<CaseScriptView> ViewAsync(AgentWorkspaceDbContext db, Case @case, string? queue, Actor actor, PublishedVersion version, bool isRoot,
        CancellationToken ct)
    {
        var steps = version.Steps;
        // Every state of the case in one read (a case has a few): no list of step ids sent.
        var states = (await db.CaseScriptSteps.AsNoTracking().Where(s => s.CaseId == @case.Id).ToListAsync(ct)).ToDictionary(s => s.StepId);
        var subNames = version.SubScripts.Count == 0 ? []
            : await db.Scripts.AsNoTracking().Where(s => version.SubScripts.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Name, ct);
        var values = await ValuesAsync(db, @case, actor, steps.Select(s => s.Text), ct, queue);
        var view = steps.Select(s =>
        {
            var state = states.GetValueOrDefault(s.Id);
            var actions = s.Kind == ScriptStepKind.Macro ? s.Actions.Select(a => new CaseMacroActionView(a.Type, Target(a))).ToList() : [];
            return new CaseScriptStepView(s.Id, s.Position, s.Kind, s.Title, Placeholders.Fill(s.Text, values), state?.State ?? ScriptStepState.Todo, actions,
                s.SubScriptId, s.SubScriptId is { } sub ? subNames.GetValueOrDefault(sub) : null, state?.Runs ?? 0, state?.ActorName, state?.At,
                MacroActionResult.FromJson(state?.ResultsJson));
        }).ToList();
        return new CaseScriptView(@case.Id, version.ScriptId, version.Name, version.Number, isRoot, view);
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
    /// <param name="queue">The case's queue's name when the caller has read it already.</param>
    internal static async Task<Dictionary<string, string?>> ValuesAsync(AgentWorkspaceDbContext db, Case @case, Actor actor, IEnumerable<string?> texts, CancellationToken ct,
        string? queue = null)
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
            values["case.queue"] = queue ?? await db.Queues.AsNoTracking().Where(q => q.Id == @case.QueueId).Select(q => q.Name).FirstOrDefaultAsync(ct);
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
