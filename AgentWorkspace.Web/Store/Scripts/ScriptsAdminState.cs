using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Scripts;

/// <summary>
/// /admin/scripts: the scripts, what the editor offers, the script being edited (<see cref="Editing"/> with no
/// <see cref="Detail"/>: a new one), and what was refused, by the JSON path of the field (<c>steps[2].title</c>;
/// <c>""</c>: the form as a whole) so that each message shows beside its step.
/// </summary>
public sealed record ScriptsAdminState(
    bool Loading,
    ImmutableList<ScriptSummary> Scripts,
    ScriptEditorOptions? Options,
    bool Editing,
    long? EditedId,
    ScriptDetail? Detail,
    bool Busy,
    ImmutableDictionary<string, string> Errors,
    long Saves);

public sealed class ScriptsAdminFeature : Feature<ScriptsAdminState>
{
    public override string Name => "ScriptsAdmin";
    public override ScriptsAdminState GetInitialState() => new(false, [], null, false, null, null, false, ImmutableDictionary<string, string>.Empty, 0);
}

public sealed record LoadScriptsAction;
public sealed record ScriptsLoadedAction(IReadOnlyList<ScriptSummary> Scripts, ScriptEditorOptions Options);
/// <summary>Opens the editor on a script (its current version is read), or on a new one (null).</summary>
public sealed record EditScriptAction(long? ScriptId);
public sealed record ScriptOpenedAction(ScriptDetail Detail);
public sealed record CancelScriptEditAction;
public sealed record SaveScriptAction(long? ScriptId, ScriptInput Input);
public sealed record ScriptSavedAction(ScriptSaved Saved, IReadOnlyList<ScriptSummary> Scripts);
public sealed record ArchiveScriptAction(long ScriptId, bool Archive);
public sealed record ScriptArchivedAction(IReadOnlyList<ScriptSummary> Scripts);
public sealed record ScriptsFailedAction(ImmutableDictionary<string, string> Errors);

public static class ScriptsAdminReducers
{
    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, LoadScriptsAction _) => new ScriptsAdminFeature().GetInitialState() with { Loading = true, Scripts = s.Scripts };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ScriptsLoadedAction a) => s with { Loading = false, Scripts = [.. a.Scripts], Options = a.Options };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, EditScriptAction a) => s with
    {
        Editing = a.ScriptId is null, EditedId = a.ScriptId, Detail = null, Busy = a.ScriptId is not null, Errors = ImmutableDictionary<string, string>.Empty,
    };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ScriptOpenedAction a) => s with { Editing = true, EditedId = a.Detail.Id, Detail = a.Detail, Busy = false };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, CancelScriptEditAction _) => s with { Editing = false, EditedId = null, Detail = null, Busy = false, Errors = ImmutableDictionary<string, string>.Empty };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, SaveScriptAction _) => s with { Busy = true, Errors = ImmutableDictionary<string, string>.Empty };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ScriptSavedAction a) => s with
    {
        Busy = false, Editing = false, EditedId = null, Detail = null, Scripts = [.. a.Scripts], Saves = s.Saves + 1, Options = WithScripts(s.Options, a.Scripts),
    };

    /// <summary>
    /// The scripts a sub-script step offers follow the list: a script just saved (or archived) is offered (or not) at
    /// once, without reading the page again.
    /// </summary>
    private static ScriptEditorOptions? WithScripts(ScriptEditorOptions? options, IReadOnlyList<ScriptSummary> scripts) => options is null ? null : options with
    {
        Scripts = [.. scripts.OrderBy(x => x.Name, StringComparer.Ordinal).Select(x => new ScriptOption(x.Id, x.Name, x.IsArchived))],
    };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ArchiveScriptAction _) => s with { Busy = true, Errors = ImmutableDictionary<string, string>.Empty };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ScriptArchivedAction a) => s with { Busy = false, Scripts = [.. a.Scripts], Options = WithScripts(s.Options, a.Scripts) };

    [ReducerMethod]
    public static ScriptsAdminState Reduce(ScriptsAdminState s, ScriptsFailedAction a) => s with { Busy = false, Errors = a.Errors };
}

/// <summary>Reads and saves scripts through <see cref="ScriptService"/>; every broken rule of a save comes back at once, by field.</summary>
public sealed class ScriptsAdminEffects(ScriptService service, ActorAccessor actors, ScriptErrors errors, ILogger<ScriptsAdminEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadScriptsAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        var actor = await actors.GetAsync();
        dispatcher.Dispatch(new ScriptsLoadedAction(await service.ListAsync(actor), await service.EditorOptionsAsync(actor)));
    });

    [EffectMethod]
    public Task Handle(EditScriptAction action, IDispatcher dispatcher) => action.ScriptId is not { } id ? Task.CompletedTask : Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new ScriptOpenedAction(await service.GetAsync(await actors.GetAsync(), id))));

    [EffectMethod]
    public Task Handle(SaveScriptAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        var actor = await actors.GetAsync();
        var saved = action.ScriptId is { } id ? await service.UpdateAsync(actor, id, action.Input) : await service.CreateAsync(actor, action.Input);
        dispatcher.Dispatch(new ScriptSavedAction(saved, await service.ListAsync(actor)));
    });

    [EffectMethod]
    public Task Handle(ArchiveScriptAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        var actor = await actors.GetAsync();
        if (action.Archive) await service.ArchiveAsync(actor, action.ScriptId);
        else await service.RestoreAsync(actor, action.ScriptId);
        dispatcher.Dispatch(new ScriptArchivedAction(await service.ListAsync(actor)));
    });

    private async Task Run(object action, IDispatcher dispatcher, Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new ScriptsFailedAction(ErrorsOf(ex)));
        }
    }

    /// <summary>Each broken rule under its field's path, in the user's language; anything else for the form as a whole.</summary>
    private ImmutableDictionary<string, string> ErrorsOf(Exception ex)
    {
        var byField = ImmutableDictionary.CreateBuilder<string, string>();
        if (ex is ScriptInvalidException invalid)
        {
            foreach (var p in invalid.Problems) byField.TryAdd(p.Field ?? "", errors.Coded(p.Code!, p.Args) ?? p.Message);
        }
        else byField[ex is DomainException { Field: "queues" } ? "queues" : ""] = errors.Say(ex);
        return byField.ToImmutable();
    }
}
