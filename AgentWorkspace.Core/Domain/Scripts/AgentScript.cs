using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Scripts;

/// <summary>The three kinds of step of an agent script (seed 004): a text instruction, a macro, a sub-agent script.</summary>
public enum ScriptStepKind
{
    Text = 1,
    Macro = 2,
    SubScript = 3,
}

/// <summary>What a macro does, one action at a time, each through the use case the agent would use by hand.</summary>
public enum MacroActionType
{
    CreateCrmRecord = 1,
    InsertQuickReply = 2,
    SetCustomField = 3,
    SetPriority = 4,
    SetStatus = 5,
    Transfer = 6,
    AddNote = 7,
    OpenUrl = 8,
}

/// <summary>Where a step stands on a case: to do, done (text), ran (macro, every action succeeded), failed (a macro action failed).</summary>
public enum ScriptStepState
{
    Todo = 0,
    Done = 1,
    Ran = 2,
    Failed = 3,
}

/// <summary>
/// An agent script (seed 004): its name, description and language as they are now, whether it is archived, and the
/// number of its current version. The steps live in versions (<see cref="AgentScriptVersion"/>), which are never
/// changed once published: a case keeps the version it started with.
/// </summary>
public sealed class AgentScript
{
    public const int MaxNameLength = 120;
    public const int MaxDescriptionLength = 1000;

    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public string? Description { get; private set; }
    public string Language { get; private set; } = "en";
    public bool IsArchived { get; private set; }
    /// <summary>The number of the current version (1, 2, ...).</summary>
    public int Version { get; private set; }
    /// <summary>The id of the current version's row.</summary>
    public long CurrentVersionId { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    private AgentScript() { }

    public AgentScript(string name, string? description, string language, DateTimeOffset now)
    {
        Describe(name, description, language, now);
        CreatedAt = now;
    }

    public void Describe(string name, string? description, string language, DateTimeOffset now)
    {
        Name = Text.Clean(name, MaxNameLength, "name") ?? throw new DomainException("A script needs a name.", "name") { Code = "ScriptNameRequired" };
        Description = Text.Clean(description, MaxDescriptionLength, "description");
        Language = ScriptLanguage.Parse(language);
        UpdatedAt = now;
    }

    /// <summary>The version just published becomes the one new cases open.</summary>
    public void Published(AgentScriptVersion version, DateTimeOffset now)
    {
        if (version.ScriptId != Id) throw new InvalidOperationException("A version of another script.");
        Version = version.Number;
        CurrentVersionId = version.Id;
        UpdatedAt = now;
    }

    public void Archive(DateTimeOffset now)
    {
        IsArchived = true;
        UpdatedAt = now;
    }

    public void Restore(DateTimeOffset now)
    {
        IsArchived = false;
        UpdatedAt = now;
    }
}

public static class ScriptLanguage
{
    public static readonly IReadOnlyList<string> All = ["en", "fr"];

    public static string Parse(string? language)
    {
        var clean = (language ?? "").Trim().ToLowerInvariant();
        return All.Contains(clean) ? clean : throw new DomainException("The language is en or fr.", "language") { Code = "ScriptLanguageUnknown" };
    }
}

/// <summary>One published version of a script: its steps as they were saved. Never changed afterwards.</summary>
public sealed class AgentScriptVersion
{
    public long Id { get; private set; }
    public long ScriptId { get; private set; }
    public int Number { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public DateTimeOffset PublishedAt { get; private set; }
    public string PublishedBy { get; private set; } = string.Empty;

    private readonly List<AgentScriptStep> _steps = [];
    public IReadOnlyList<AgentScriptStep> Steps => _steps;

    private AgentScriptVersion() { }

    public AgentScriptVersion(long scriptId, int number, string name, IEnumerable<AgentScriptStep> steps, string publishedBy, DateTimeOffset now)
    {
        ScriptId = scriptId;
        Number = number;
        Name = name;
        PublishedBy = publishedBy;
        PublishedAt = now;
        var position = 0;
        foreach (var step in steps)
        {
            step.Place(++position);
            _steps.Add(step);
        }
    }
}

/// <summary>A step of a published version. Its id is what a case's progress refers to.</summary>
public sealed class AgentScriptStep
{
    public const int MaxTitleLength = 200;
    public const int MaxTextLength = 4000;

    public long Id { get; private set; }
    public long VersionId { get; private set; }
    public int Position { get; private set; }
    public ScriptStepKind Kind { get; private set; }
    public string Title { get; private set; } = string.Empty;
    /// <summary>The instruction (text step) or what the system does, as the admin wrote it (macro); placeholders unfilled.</summary>
    public string? Text { get; private set; }
    /// <summary>The macro's actions (<see cref="MacroAction"/> as JSON), in order.</summary>
    public string? ActionsJson { get; private set; }
    public long? SubScriptId { get; private set; }

    private AgentScriptStep() { }

    public AgentScriptStep(ScriptStepKind kind, string title, string? text, IReadOnlyList<MacroAction>? actions, long? subScriptId)
    {
        Kind = kind;
        Title = title;
        Text = text;
        ActionsJson = actions is { Count: > 0 } ? MacroAction.ToJson(actions) : null;
        SubScriptId = subScriptId;
    }

    internal void Place(int position) => Position = position;

    public IReadOnlyList<MacroAction> Actions => MacroAction.FromJson(ActionsJson);
}

/// <summary>Which script opens for a queue (<see cref="ChannelCode"/> 0: the queue's default) or for one channel of it (an override).</summary>
public sealed class AgentScriptAssignment
{
    public long Id { get; private set; }
    public long ScriptId { get; private set; }
    public long QueueId { get; private set; }
    /// <summary>0 for the queue's default, else the channel's number: one row per queue and channel, which a unique index keeps.</summary>
    public int ChannelCode { get; private set; }

    private AgentScriptAssignment() { }

    public AgentScriptAssignment(long scriptId, long queueId, Channel? channel)
    {
        ScriptId = scriptId;
        QueueId = queueId;
        ChannelCode = channel is { } c ? (int)c : 0;
    }

    public Channel? Channel => ChannelCode == 0 ? null : (Channel)ChannelCode;
}

/// <summary>
/// A script a case runs, at the version it started with (its root script, or a sub-script opened from it). Written by
/// the first step done or macro run, so a colleague who takes over sees the same steps, and an admin's edit changes
/// nothing for this case.
/// </summary>
public sealed class CaseScriptRun
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long ScriptId { get; private set; }
    public long VersionId { get; private set; }
    public bool IsRoot { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }

    private CaseScriptRun() { }

    public CaseScriptRun(long caseId, long scriptId, long versionId, bool isRoot, DateTimeOffset now)
    {
        CaseId = caseId;
        ScriptId = scriptId;
        VersionId = versionId;
        IsRoot = isRoot;
        StartedAt = now;
    }
}

/// <summary>
/// Where one step stands on one case. A macro's last results are kept as codes (<see cref="ResultsJson"/>), never the
/// values the placeholders brought in: the customer's data stays on the card and in the records the macro made.
/// </summary>
public sealed class CaseScriptStepState
{
    public long Id { get; private set; }
    public long CaseId { get; private set; }
    public long StepId { get; private set; }
    public ScriptStepState State { get; private set; }
    public int Runs { get; private set; }
    public string ActorId { get; private set; } = string.Empty;
    public string ActorName { get; private set; } = string.Empty;
    public DateTimeOffset At { get; private set; }
    public string? ResultsJson { get; private set; }

    private CaseScriptStepState() { }

    public CaseScriptStepState(long caseId, long stepId)
    {
        CaseId = caseId;
        StepId = stepId;
    }

    public void MarkDone(string actorId, string actorName, DateTimeOffset now)
    {
        State = ScriptStepState.Done;
        (ActorId, ActorName, At) = (actorId, actorName, now);
    }

    public void MacroRan(bool allSucceeded, string? resultsJson, string actorId, string actorName, DateTimeOffset now)
    {
        State = allSucceeded ? ScriptStepState.Ran : ScriptStepState.Failed;
        Runs++;
        ResultsJson = resultsJson;
        (ActorId, ActorName, At) = (actorId, actorName, now);
    }

    /// <summary>Erasure (ADR 010): the who stays as a role, the results' wording goes.</summary>
    public void Erase() => ResultsJson = null;
}
