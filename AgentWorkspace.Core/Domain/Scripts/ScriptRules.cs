using System.Globalization;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Scripts;

/// <summary>A step as the editor or the API sends it, before it is checked.</summary>
public sealed record ScriptStepInput(ScriptStepKind? Kind, string? Title, string? Text = null, IReadOnlyList<MacroAction>? Actions = null, long? ScriptId = null);

/// <summary>A script as the editor or the API sends it: what it says, where it opens (queue names; channels for overrides), its steps.</summary>
public sealed record ScriptInput(string? Name, string? Description, string? Language, IReadOnlyList<string>? Queues, IReadOnlyList<string>? Channels,
    IReadOnlyList<ScriptStepInput>? Steps);

/// <summary>
/// A broken rule of a script, named where it is: <see cref="StepIndex"/> (0-based; null for the script itself) and
/// <see cref="DomainException.Field"/> as the JSON path (<c>steps[2].actions[0].field</c>). The editor shows it beside
/// the step; the API names the step and the problem.
/// </summary>
public sealed class ScriptRuleException : DomainException
{
    public ScriptRuleException(int? stepIndex, string field, string code, string problem, params object[] args)
        : base(stepIndex is { } i ? $"Step {i + 1}: {problem}" : problem, field)
    {
        StepIndex = stepIndex;
        Code = code;
        Args = args;
    }

    public int? StepIndex { get; }
}

/// <summary>All the broken rules of a script at once (the first one is the exception's own message).</summary>
public sealed class ScriptInvalidException(IReadOnlyList<ScriptRuleException> problems)
    : DomainException(problems[0].Message, problems[0].Field)
{
    public IReadOnlyList<ScriptRuleException> Problems { get; } = problems;
}

/// <summary>What a script may refer to, read from the database before its rules are checked.</summary>
public sealed record ScriptCatalog(
    IReadOnlyDictionary<string, bool> CustomFields,
    IReadOnlyCollection<string> Queues,
    IReadOnlyCollection<string> QuickReplies,
    IReadOnlyDictionary<long, bool> Scripts,
    IReadOnlyCollection<string> CrmTypes,
    IReadOnlyCollection<string> CrmFields)
{
    /// <summary>The ident of an existing (not archived) custom field, and whether it may be edited.</summary>
    public bool FieldExists(string ident) => CustomFields.ContainsKey(ident);
}

/// <summary>The rules of a script, checked all at once when it is saved (never discovered by an agent at run time).</summary>
public static class ScriptRules
{
    public const int MaxSteps = 100;
    public const int MaxActions = 20;
    public static readonly IReadOnlyList<string> Priorities = ["low", "normal", "high", "urgent"];
    public static readonly IReadOnlyList<string> Statuses = ["pending", "resolved", "cancelled"];

    public static IReadOnlyList<ScriptRuleException> Check(ScriptInput input, ScriptCatalog catalog, long? scriptId = null)
    {
        var problems = new List<ScriptRuleException>();
        void Add(int? step, string field, string code, string problem, params object[] args) => problems.Add(new(step, field, code, problem, args));

        Guard(() => Text.Clean(input.Name, AgentScript.MaxNameLength, "name"), "name", Add);
        if (string.IsNullOrWhiteSpace(input.Name)) Add(null, "name", "ScriptNameRequired", "A script needs a name.");
        Guard(() => Text.Clean(input.Description, AgentScript.MaxDescriptionLength, "description"), "description", Add);
        if (!ScriptLanguage.All.Contains((input.Language ?? "").Trim().ToLowerInvariant())) Add(null, "language", "ScriptLanguageUnknown", "The language is en or fr.");
        foreach (var (queue, i) in (input.Queues ?? []).Select((q, i) => (q, i)))
            if (!catalog.Queues.Contains((queue ?? "").Trim(), StringComparer.OrdinalIgnoreCase))
                Add(null, $"queues[{i}]", "ScriptQueueUnknown", $"No queue is named '{queue}'.", queue ?? "");
        foreach (var (channel, i) in (input.Channels ?? []).Select((c, i) => (c, i)))
            if (!global::AgentWorkspace.Core.Domain.Channels.Channels.TryParseWire(channel, out _))
                Add(null, $"channels[{i}]", "ScriptChannelUnknown", $"'{channel}' is not a channel.", channel ?? "");
        if ((input.Channels ?? []).Count > 0 && (input.Queues ?? []).Count == 0)
            Add(null, "channels", "ScriptChannelsWithoutQueue", "Channels override a queue's script: name the queues too.");

        var steps = input.Steps ?? [];
        if (steps.Count == 0) Add(null, "steps", "ScriptNoSteps", "A script needs at least one step.");
        if (steps.Count > MaxSteps) Add(null, "steps", "ScriptTooManySteps", $"A script has at most {MaxSteps} steps.", MaxSteps);
        for (var s = 0; s < steps.Count && s < MaxSteps; s++)
        {
            var step = steps[s];
            var at = $"steps[{s}]";
            if (step is null) { Add(s, at, "ScriptStepEmpty", "the step is empty."); continue; }
            if (string.IsNullOrWhiteSpace(step.Title)) Add(s, at + ".title", "ScriptStepTitleRequired", "the step needs a title.");
            else Guard(() => Text.Clean(step.Title, AgentScriptStep.MaxTitleLength, at + ".title"), at + ".title", (_, f, c, p, a) => Add(s, f, c, p, a));
            Guard(() => Text.Clean(step.Text, AgentScriptStep.MaxTextLength, at + ".text"), at + ".text", (_, f, c, p, a) => Add(s, f, c, p, a));
            CheckTemplate(s, at + ".text", step.Text, catalog, Add);
            switch (step.Kind)
            {
                case ScriptStepKind.Text:
                    if (string.IsNullOrWhiteSpace(step.Text)) Add(s, at + ".text", "ScriptStepTextRequired", "a text instruction needs its instruction.");
                    break;
                case ScriptStepKind.Macro:
                    var actions = step.Actions ?? [];
                    if (actions.Count == 0) Add(s, at + ".actions", "ScriptMacroEmpty", "a macro needs at least one action.");
                    if (actions.Count > MaxActions) Add(s, at + ".actions", "ScriptMacroTooLong", $"a macro has at most {MaxActions} actions.", MaxActions);
                    for (var a = 0; a < actions.Count && a < MaxActions; a++) CheckAction(s, $"{at}.actions[{a}]", actions[a], catalog, Add);
                    break;
                case ScriptStepKind.SubScript:
                    if (step.ScriptId is not { } sub) Add(s, at + ".scriptId", "ScriptSubScriptRequired", "a sub-script step names the script to open.");
                    else if (!catalog.Scripts.TryGetValue(sub, out var archived)) Add(s, at + ".scriptId", "ScriptSubScriptUnknown", $"there is no script {sub}.", sub);
                    else if (archived) Add(s, at + ".scriptId", "ScriptSubScriptArchived", $"script {sub} is archived.", sub);
                    else if (sub == scriptId) Add(s, at + ".scriptId", "ScriptCycle", "a script cannot contain itself.", sub);
                    break;
                default:
                    Add(s, at + ".kind", "ScriptStepKindUnknown", "the kind is text, macro or subScript.");
                    break;
            }
        }
        return problems;
    }

    private static void CheckAction(int s, string at, MacroAction? action, ScriptCatalog catalog, Action<int?, string, string, string, object[]> add)
    {
        if (action is null) { add(s, at, "ScriptActionEmpty", "an action is empty.", []); return; }
        foreach (var (property, text) in action.Templates())
        {
            Guard(() => Text.Clean(text, AgentScriptStep.MaxTextLength, $"{at}.{property}"), $"{at}.{property}", (_, f, c, p, a) => add(s, f, c, p, a));
            CheckTemplate(s, $"{at}.{property}", text, catalog, add);
        }
        switch (action.Type)
        {
            case MacroActionType.CreateCrmRecord:
                if (!catalog.CrmTypes.Contains(action.RecordType ?? "", StringComparer.Ordinal))
                    add(s, at + ".recordType", "ScriptCrmTypeUnknown", $"'{action.RecordType}' is not a CRM record type agents may create ({string.Join(", ", catalog.CrmTypes)}).", [action.RecordType ?? ""]);
                foreach (var name in (action.Fields ?? new Dictionary<string, string?>()).Keys)
                    if (!catalog.CrmFields.Contains(name, StringComparer.Ordinal))
                        add(s, $"{at}.fields.{name}", "ScriptCrmFieldUnknown", $"'{name}' is not a field of a new CRM record.", [name]);
                break;
            case MacroActionType.InsertQuickReply:
                if (string.IsNullOrWhiteSpace(action.QuickReply)) add(s, at + ".quickReply", "ScriptQuickReplyRequired", "say which quick reply to insert.", []);
                else if (!catalog.QuickReplies.Contains(action.QuickReply.Trim(), StringComparer.OrdinalIgnoreCase))
                    add(s, at + ".quickReply", "ScriptQuickReplyUnknown", $"there is no quick reply '{action.QuickReply}'.", [action.QuickReply]);
                break;
            case MacroActionType.SetCustomField:
                if (string.IsNullOrWhiteSpace(action.Field)) add(s, at + ".field", "ScriptFieldRequired", "say which custom field to set.", []);
                else if (!catalog.CustomFields.TryGetValue(action.Field.Trim(), out var editable))
                    add(s, at + ".field", "ScriptFieldUnknown", $"there is no custom field '{action.Field}'.", [action.Field]);
                else if (!editable) add(s, at + ".field", "ScriptFieldReadOnly", $"the custom field '{action.Field}' is not editable.", [action.Field]);
                break;
            case MacroActionType.SetPriority:
                if (!Priorities.Contains((action.Priority ?? "").Trim().ToLowerInvariant()))
                    add(s, at + ".priority", "ScriptPriorityUnknown", "the priority is low, normal, high or urgent.", []);
                break;
            case MacroActionType.SetStatus:
                if (!Statuses.Contains((action.Status ?? "").Trim().ToLowerInvariant()))
                    add(s, at + ".status", "ScriptStatusUnknown", "the status is pending, resolved or cancelled.", []);
                break;
            case MacroActionType.Transfer:
                if (string.IsNullOrWhiteSpace(action.Queue)) add(s, at + ".queue", "ScriptQueueRequired", "say to which queue.", []);
                else if (!catalog.Queues.Contains(action.Queue.Trim(), StringComparer.OrdinalIgnoreCase))
                    add(s, at + ".queue", "ScriptTransferQueueUnknown", $"no queue is named '{action.Queue}'.", [action.Queue]);
                break;
            case MacroActionType.AddNote:
                if (string.IsNullOrWhiteSpace(action.Text)) add(s, at + ".text", "ScriptNoteRequired", "a note needs its text.", []);
                break;
            case MacroActionType.OpenUrl:
                if (string.IsNullOrWhiteSpace(action.Url)) add(s, at + ".url", "ScriptUrlRequired", "say which web address to open.", []);
                else if (!IsWebAddressTemplate(action.Url.Trim()))
                    add(s, at + ".url", "ScriptUrlInvalid", "the web address starts with https:// or http:// and names a host.", []);
                break;
            default:
                add(s, at + ".type", "ScriptActionTypeUnknown", "the action type is unknown.", []);
                break;
        }
    }

    /// <summary>An address whose scheme and host are written out (placeholders only after the host), so a placeholder can never choose where it goes.</summary>
    public static bool IsWebAddressTemplate(string template)
    {
        var hostEnd = template.IndexOfAny(['/', '?', '#'], template.IndexOf("://", StringComparison.Ordinal) is var i and >= 0 ? i + 3 : 0);
        var head = hostEnd < 0 ? template : template[..hostEnd];
        if (head.Contains("{{", StringComparison.Ordinal)) return false;
        var probe = Placeholders.Fill(template, new Dictionary<string, string?>(), _ => "x");
        return Uri.TryCreate(probe, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0;
    }

    private static void CheckTemplate(int? s, string field, string? text, ScriptCatalog catalog, Action<int?, string, string, string, object[]> add)
    {
        foreach (var name in Placeholders.Find(text))
            if (!Placeholders.IsKnown(name, catalog.FieldExists))
                add(s, field, "ScriptPlaceholderUnknown", $"the placeholder {{{{{name}}}}} names nothing known ({Placeholders.Describe()}).", [name]);
        if (Placeholders.HasStrayBraces(text)) add(s, field, "ScriptPlaceholderMalformed", "a placeholder is written {{name}}, with both pairs of braces.", []);
    }

    private static void Guard(Func<string?> clean, string field, Action<int?, string, string, string, object[]> add)
    {
        try { clean(); }
        catch (DomainException ex) { add(StepOf(field), field, ex.Message.Contains("control", StringComparison.Ordinal) ? "ScriptTextControl" : "ScriptTextTooLong", ex.Message, []); }
    }

    private static int? StepOf(string field) =>
        field.StartsWith("steps[", StringComparison.Ordinal) && int.TryParse(field[6..field.IndexOf(']')], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null;

    /// <summary>
    /// The first chain of sub-scripts that leads back to <paramref name="scriptId"/> when it would contain
    /// <paramref name="subScripts"/>: [scriptId, a, b, scriptId]; null when there is none. <paramref name="subScriptsOf"/>
    /// gives the sub-scripts of each other script's current version.
    /// </summary>
    public static IReadOnlyList<long>? FindCycle(long scriptId, IEnumerable<long> subScripts, Func<long, IEnumerable<long>> subScriptsOf)
    {
        var seen = new HashSet<long>();
        var path = new List<long> { scriptId };
        bool Walk(long id)
        {
            path.Add(id);
            if (id == scriptId) return true;
            if (seen.Add(id))
                foreach (var next in subScriptsOf(id))
                    if (Walk(next)) return true;
            path.RemoveAt(path.Count - 1);
            return false;
        }
        foreach (var sub in subScripts.Distinct())
            if (Walk(sub)) return path;
        return null;
    }
}
