using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Scripts;

namespace AgentWorkspace.Core.Features.Scripts;

/// <summary>Where a script opens: a queue's default (<see cref="Channel"/> null) or one of its channels.</summary>
public sealed record ScriptAssignmentView(long QueueId, string Queue, Channel? Channel);

/// <summary>A line of the /admin/scripts list.</summary>
public sealed record ScriptSummary(long Id, string Name, string? Description, string Language, int Version, bool IsArchived, int StepCount,
    IReadOnlyList<ScriptAssignmentView> Assignments, DateTimeOffset UpdatedAt);

/// <summary>A step of the current version, as the editor shows it (placeholders unfilled).</summary>
public sealed record ScriptStepView(long Id, ScriptStepKind Kind, string Title, string? Text, IReadOnlyList<MacroAction> Actions, long? ScriptId, string? SubScriptName);

/// <summary>A script with its current version's steps, for the editor and the API.</summary>
public sealed record ScriptDetail(long Id, string Name, string? Description, string Language, int Version, bool IsArchived,
    IReadOnlyList<string> Queues, IReadOnlyList<string> Channels, IReadOnlyList<ScriptStepView> Steps, DateTimeOffset UpdatedAt);

/// <summary>What a save answers: the script and the version just published.</summary>
public sealed record ScriptSaved(long Id, int Version);

/// <summary>What the editor offers to choose from.</summary>
public sealed record ScriptEditorOptions(IReadOnlyList<string> Queues, IReadOnlyList<string> QuickReplies,
    IReadOnlyList<ScriptFieldOption> CustomFields, IReadOnlyList<ScriptOption> Scripts, IReadOnlyList<string> CrmTypes, IReadOnlyList<string> CrmFields,
    IReadOnlyList<string> Placeholders);

public sealed record ScriptFieldOption(string Ident, string Label, bool Editable);

public sealed record ScriptOption(long Id, string Name, bool IsArchived);

/// <summary>One action of a macro as the panel lists it before it runs.</summary>
public sealed record CaseMacroActionView(MacroActionType Type, string? Target);

/// <summary>
/// A step on a case: its text with the placeholders filled from the case (rendered as text, always), where it stands,
/// who did it last and when, and a macro's last results.
/// </summary>
public sealed record CaseScriptStepView(long Id, int Position, ScriptStepKind Kind, string Title, string Text, ScriptStepState State,
    IReadOnlyList<CaseMacroActionView> Actions, long? SubScriptId, string? SubScriptName, int Runs, string? ByName, DateTimeOffset? At,
    IReadOnlyList<MacroActionResult> LastResults);

/// <summary>The script a case runs (or a sub-script of it), at the version the case keeps.</summary>
public sealed record CaseScriptView(long CaseId, long ScriptId, string Name, int Version, bool IsRoot, IReadOnlyList<CaseScriptStepView> Steps)
{
    public int DoneCount => Steps.Count(s => s.State is ScriptStepState.Done or ScriptStepState.Ran);
}

/// <summary>What running a macro did: each action's result in order (stopping at the first failure), and the step after it.</summary>
public sealed record MacroRun(IReadOnlyList<MacroActionResult> Actions, CaseScriptView Script)
{
    public bool Succeeded => Actions.All(a => a.Ok);
}
