using System.Collections.Concurrent;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Inbox;

namespace AgentWorkspace.Web.Store.Scripts;

/// <summary>
/// The agent script panel's I/O through <see cref="CaseScriptService"/>. Live: a change of a watched case (a colleague's
/// step done, a macro run elsewhere, a transfer) reads its script again; this circuit's own command is read once, from
/// its answer. A macro's quick reply goes into the case's reply box (the composer's own action).
/// </summary>
public sealed class CaseScriptEffects(CaseScriptService scripts, ActorAccessor actors, IChangeFeed feed, IState<CaseScriptState> state,
    IState<ComposerState> composer, ScriptErrors errors, ILogger<CaseScriptEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new();
    private readonly ConcurrentDictionary<long, int> _watched = new();
    private readonly Lock _gate = new();
    private IDisposable? _subscription;

    [EffectMethod]
    public async Task Handle(WatchCaseScriptAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.CaseId, 1, (_, n) => n + 1);
        lock (_gate) _subscription ??= feed.Subscribe(logger, change => OnChangeAsync(change, dispatcher));
        await Task.Yield();
        await LoadAsync(action.CaseId, dispatcher);
    }

    [EffectMethod]
    public Task Handle(ReleaseCaseScriptAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.CaseId, 0, (_, n) => n - 1);
        if (_watched.TryGetValue(action.CaseId, out var n) && n <= 0) _watched.TryRemove(action.CaseId, out _);
        return Task.CompletedTask;
    }

    [EffectMethod]
    public Task Handle(LoadCaseScriptAction action, IDispatcher dispatcher) => LoadAsync(action.CaseId, dispatcher);

    [EffectMethod]
    public Task Handle(ShowSubScriptAction action, IDispatcher dispatcher) => LoadAsync(action.CaseId, dispatcher);

    [EffectMethod]
    public Task Handle(BackToParentScriptAction action, IDispatcher dispatcher) => LoadAsync(action.CaseId, dispatcher);

    [EffectMethod]
    public async Task Handle(MarkScriptStepDoneAction action, IDispatcher dispatcher)
    {
        var actor = await actors.GetAsync();
        using var own = _own.Begin(actor.UserId, c => c.CaseId == action.CaseId);
        try
        {
            var view = await scripts.MarkDoneAsync(actor, action.CaseId, action.StepId);
            dispatcher.Dispatch(new ScriptStepDoneAction(action.CaseId, view));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CaseScriptFailedAction(action.CaseId, errors.Say(ex)));
            if (ex is ConflictException) await LoadAsync(action.CaseId, dispatcher);
        }
    }

    [EffectMethod]
    public async Task Handle(RunScriptMacroAction action, IDispatcher dispatcher)
    {
        var actor = await actors.GetAsync();
        using var own = _own.Begin(actor.UserId, c => c.CaseId == action.CaseId);
        try
        {
            var run = await scripts.RunMacroAsync(actor, action.CaseId, action.StepId, action.Confirmed);
            dispatcher.Dispatch(new ScriptMacroRanAction(action.CaseId, action.StepId, run));
            foreach (var reply in run.Actions.Where(a => a.Ok && a.Type == MacroActionType.InsertQuickReply && a.Output is { Length: > 0 }))
            {
                var entry = composer.Value.For(action.CaseId);
                var text = string.IsNullOrWhiteSpace(entry?.Text) ? reply.Output! : entry!.Text.TrimEnd() + Environment.NewLine + reply.Output;
                dispatcher.Dispatch(new ComposerTextChangedAction(action.CaseId, entry?.Mode ?? ComposerMode.Reply, text));
            }
        }
        catch (ConflictException ex) when (ex.Code == "ScriptMacroAlreadyRan")
        {
            dispatcher.Dispatch(new ScriptMacroNeedsConfirmAction(action.CaseId, action.StepId));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CaseScriptFailedAction(action.CaseId, errors.Say(ex)));
            if (ex is ConflictException) await LoadAsync(action.CaseId, dispatcher);
        }
    }

    private async Task LoadAsync(long caseId, IDispatcher dispatcher)
    {
        var panel = state.Value.For(caseId);
        var load = panel.Load;
        try
        {
            var view = await scripts.GetForCaseAsync(await actors.GetAsync(), caseId, panel.ScriptId);
            dispatcher.Dispatch(new CaseScriptLoadedAction(caseId, view, load));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, new LoadCaseScriptAction(caseId), ex);
            dispatcher.Dispatch(new CaseScriptFailedAction(caseId, errors.Say(ex), load));
        }
    }

    private Task OnChangeAsync(ChangeEvent change, IDispatcher dispatcher)
    {
        if (change.Kind == ChangeKind.Resync || (change.Kind == ChangeKind.SettingsChanged))
        {
            foreach (var caseId in _watched.Keys) dispatcher.Dispatch(new LoadCaseScriptAction(caseId));
            return Task.CompletedTask;
        }
        if (change.Kind != ChangeKind.CaseChanged || change.CaseId is not { } id || !_watched.ContainsKey(id) || _own.IsEcho(change)) return Task.CompletedTask;
        dispatcher.Dispatch(new LoadCaseScriptAction(id));
        return Task.CompletedTask;
    }

    public void Dispose() => _subscription?.Dispose();
}
