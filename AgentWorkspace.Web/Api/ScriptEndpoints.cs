using System.Text.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// Agent scripts over HTTP (issue 19): the scripts (create, list, read, publish a new version, archive) and the script of a
/// case (its steps with the placeholders filled and their states, mark a step done, run a macro).
/// </summary>
internal static class ScriptEndpoints
{
    /// <summary>The request bodies (the OpenAPI schemas ApiBody holds each request to).</summary>
    public sealed record ScriptRequest(string? Name = null, string? Description = null, string? Language = null, IReadOnlyList<string>? Queues = null,
        IReadOnlyList<string>? Channels = null, IReadOnlyList<StepRequest>? Steps = null);

    /// <summary>A step: <c>kind</c> text (title, text), macro (title, text, actions) or subScript (title, scriptId).</summary>
    public sealed record StepRequest(string? Kind = null, string? Title = null, string? Text = null, IReadOnlyList<ActionRequest>? Actions = null, long? ScriptId = null);

    /// <summary>A macro action; <c>fields</c> (createCrmRecord) is open: the CRM's field names, each a text that may hold placeholders.</summary>
    public sealed record ActionRequest(string? Type = null, string? RecordType = null, IReadOnlyDictionary<string, string?>? Fields = null, string? QuickReply = null,
        string? Field = null, string? Value = null, string? Priority = null, string? Status = null, string? Queue = null, string? Text = null, string? Url = null);

    public static RouteGroupBuilder MapScriptEndpoints(this RouteGroupBuilder api)
    {
        var scripts = api.MapGroup("").AddEndpointFilter<ScriptInvalidFilter>();

        scripts.MapPost("/scripts", async (HttpContext http, ScriptService service, CancellationToken ct) =>
        {
            var input = await ReadAsync(http, ct);
            var saved = await service.CreateAsync(http.Actor(), input, ct);
            return Results.Created($"/api/v1/scripts/{saved.Id}", new { id = saved.Id, version = saved.Version });
        }).WithName("CreateScript")
        .AcceptsJsonBody<ScriptRequest>("An agent script: name, language (en, fr), the queues it opens for (by name) and, for channel overrides, the channels; its steps in order. Placeholders such as {{customer.firstName}}, {{case.queue}} or {{context.variables.orderNumber}} are checked against the known list.");

        scripts.MapGet("/scripts", async (HttpContext http, ScriptService service, CancellationToken ct) =>
            Results.Ok((await service.ListAsync(http.Actor(), true, ct)).Select(s => new
            {
                id = s.Id, name = s.Name, description = s.Description, language = s.Language, version = s.Version, archived = s.IsArchived, stepCount = s.StepCount,
                assignments = s.Assignments.Select(a => new { queue = a.Queue, channel = a.Channel?.WireName() }),
            }))).WithName("ListScripts");

        scripts.MapGet("/scripts/{id:long}", async (long id, HttpContext http, ScriptService service, CancellationToken ct) =>
        {
            var s = await service.GetAsync(http.Actor(), id, ct);
            return Results.Ok(new
            {
                id = s.Id, name = s.Name, description = s.Description, language = s.Language, version = s.Version, archived = s.IsArchived,
                queues = s.Queues, channels = s.Channels,
                steps = s.Steps.Select(st => new
                {
                    id = st.Id, kind = KindName(st.Kind), title = st.Title, text = st.Text, scriptId = st.ScriptId,
                    actions = st.Kind == ScriptStepKind.Macro ? st.Actions.Select(ActionJson) : null,
                }),
            });
        }).WithName("GetScript");

        scripts.MapPut("/scripts/{id:long}", async (long id, HttpContext http, ScriptService service, CancellationToken ct) =>
        {
            var input = await ReadAsync(http, ct);
            var saved = await service.UpdateAsync(http.Actor(), id, input, ct);
            return Results.Ok(new { id = saved.Id, version = saved.Version });
        }).WithName("UpdateScript")
        .AcceptsJsonBody<ScriptRequest>("The script as it is to be from now: a new version is published; cases already running it keep theirs.");

        scripts.MapPost("/scripts/{id:long}/archive", async (long id, HttpContext http, ScriptService service, CancellationToken ct) =>
        {
            await service.ArchiveAsync(http.Actor(), id, ct);
            return Results.NoContent();
        }).WithName("ArchiveScript");

        scripts.MapGet("/cases/{caseId:long}/script", async (long caseId, HttpContext http, CaseScriptService service, CancellationToken ct) =>
        {
            long? scriptId = null;
            if (http.Request.Query.TryGetValue("scriptId", out var raw))
                scriptId = long.TryParse(raw.ToString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var v)
                    ? v : throw new DomainException("scriptId is a sub-script's id.", "scriptId");
            var view = await service.GetForCaseAsync(http.Actor(), caseId, scriptId, ct)
                ?? throw new NotFoundException($"No script opens for case {caseId} (its queue and channel have none).");
            return Results.Ok(CaseScriptJson(view));
        }).WithName("GetCaseScript");

        scripts.MapPost("/cases/{caseId:long}/script/steps/{stepId:long}/done", async (long caseId, long stepId, HttpContext http, CaseScriptService service, CancellationToken ct) =>
            Results.Ok(CaseScriptJson(await service.MarkDoneAsync(http.Actor(), caseId, stepId, ct)))).WithName("MarkScriptStepDone");

        scripts.MapPost("/cases/{caseId:long}/script/steps/{stepId:long}/run", async (long caseId, long stepId, HttpContext http, CaseScriptService service, CancellationToken ct) =>
        {
            var confirm = false;
            if (http.Request.Query.TryGetValue("confirm", out var raw) && !bool.TryParse(raw.ToString(), out confirm))
                throw new DomainException("confirm is true or false.", "confirm");
            var run = await service.RunMacroAsync(http.Actor(), caseId, stepId, confirm, ct);
            var step = run.Script.Steps.FirstOrDefault(s => s.Id == stepId);
            return Results.Ok(new
            {
                actions = run.Actions.Select(a => new { type = MacroAction.WireName(a.Type), ok = a.Ok, message = a.Message, code = a.Code, output = a.Output }),
                state = step is null ? null : StateName(step.State),
            });
        }).WithName("RunScriptMacro");

        return api;
    }

    private static async Task<ScriptInput> ReadAsync(HttpContext http, CancellationToken ct)
    {
        var body = await ApiBody.ReadAsync(http, ct);
        var request = body.Deserialize<ScriptRequest>(JsonSerializerOptions.Web) ?? throw new DomainException("The body is a script.", "$");
        var steps = new List<ScriptStepInput>();
        foreach (var (step, i) in (request.Steps ?? []).Select((s, i) => (s, i)))
        {
            if (step is null) throw new DomainException($"steps[{i}] is a step.", $"steps[{i}]");
            ScriptStepKind? kind = step.Kind switch
            {
                "text" => ScriptStepKind.Text,
                "macro" => ScriptStepKind.Macro,
                "subScript" => ScriptStepKind.SubScript,
                _ => throw new DomainException($"Step {i + 1}: kind is text, macro or subScript.", $"steps[{i}].kind"),
            };
            var actions = new List<MacroAction>();
            foreach (var (a, j) in (step.Actions ?? []).Select((a, j) => (a, j)))
            {
                if (a is null || !MacroAction.TryParseType(a.Type, out var type))
                    throw new DomainException($"Step {i + 1}: the action type is createCrmRecord, insertQuickReply, setCustomField, setPriority, setStatus, transfer, addNote or openUrl.",
                        $"steps[{i}].actions[{j}].type");
                actions.Add(new MacroAction
                {
                    Type = type, RecordType = a.RecordType, Fields = a.Fields, QuickReply = a.QuickReply, Field = a.Field, Value = a.Value, Priority = a.Priority,
                    Status = a.Status, Queue = a.Queue, Text = a.Text, Url = a.Url,
                });
            }
            steps.Add(new ScriptStepInput(kind, step.Title, step.Text, actions, step.ScriptId));
        }
        return new ScriptInput(request.Name, request.Description, request.Language, request.Queues, request.Channels, steps);
    }

    public static string KindName(ScriptStepKind kind) => kind switch
    {
        ScriptStepKind.Text => "text",
        ScriptStepKind.Macro => "macro",
        _ => "subScript",
    };

    public static string StateName(ScriptStepState state) => state.ToString().ToLowerInvariant();

    private static object ActionJson(MacroAction a) => new
    {
        type = MacroAction.WireName(a.Type), recordType = a.RecordType, fields = a.Fields, quickReply = a.QuickReply, field = a.Field, value = a.Value,
        priority = a.Priority, status = a.Status, queue = a.Queue, text = a.Text, url = a.Url,
    };

    private static object CaseScriptJson(CaseScriptView v) => new
    {
        scriptId = v.ScriptId,
        name = v.Name,
        version = v.Version,
        steps = v.Steps.Select(s => new
        {
            id = s.Id, kind = KindName(s.Kind), title = s.Title, text = s.Text, state = StateName(s.State), subScriptId = s.SubScriptId, subScriptName = s.SubScriptName,
            actions = s.Kind == ScriptStepKind.Macro ? s.Actions.Select(a => new { type = MacroAction.WireName(a.Type), target = a.Target }) : null,
            doneBy = s.ByName, at = s.At,
        }),
    };

    /// <summary>Every broken rule of a script in one 400, each under its JSON path, the detail naming the first step at fault.</summary>
    private sealed class ScriptInvalidFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (ScriptInvalidException ex)
            {
                var errors = ex.Problems.GroupBy(p => p.Field ?? "$").ToDictionary(g => g.Key, g => g.Select(p => p.Message).ToArray());
                return Results.Problem(title: "Invalid script", detail: string.Join(" ", ex.Problems.Select(p => p.Message).Distinct().Take(5)),
                    statusCode: StatusCodes.Status400BadRequest,
                    extensions: new Dictionary<string, object?> { ["errors"] = errors, ["steps"] = ex.Problems.Where(p => p.StepIndex is not null).Select(p => p.StepIndex!.Value + 1).Distinct() });
            }
        }
    }
}
