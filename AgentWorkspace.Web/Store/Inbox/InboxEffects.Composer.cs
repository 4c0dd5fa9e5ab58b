using System.Collections.Concurrent;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Inbox;

/// <summary>
/// The composer's text, saved as the agent types (issue 22): a moment after the last key (<see cref="SaveDelay"/>),
/// one save at a time per case, each through <see cref="Core.Features.Inbox.ComposerDrafts"/> (a use case). A send
/// waits for the save under way and drops the one waiting.
/// </summary>
public sealed partial class InboxEffects
{
    /// <summary>How long after the last key the text is saved: a pause in typing, not every key.</summary>
    public static readonly TimeSpan SaveDelay = TimeSpan.FromMilliseconds(600);

    private readonly ConcurrentDictionary<long, CancellationTokenSource> _waitingSaves = new();
    private readonly ConcurrentDictionary<long, SemaphoreSlim> _draftGates = new();

    [EffectMethod]
    public async Task Handle(ComposerTextChangedAction action, IDispatcher dispatcher)
    {
        // The entry as this action left it (reducers ran first): its edit number is this edit's.
        var edit = composer.Value.For(action.CaseId)?.Edit ?? 0;
        var wait = new CancellationTokenSource();
        if (_waitingSaves.TryGetValue(action.CaseId, out var earlier)) earlier.Cancel();
        _waitingSaves[action.CaseId] = wait;
        try
        {
            await Task.Delay(SaveDelay, clock, wait.Token);
        }
        catch (OperationCanceledException)
        {
            return; // a later key, or a send, took over
        }
        _waitingSaves.TryRemove(KeyValuePair.Create(action.CaseId, wait));
        await SaveDraftAsync(action, action.CaseId, edit, dispatcher);
    }

    /// <summary>Saves the entry of <paramref name="edit"/>, unless a later edit replaced it (its own save follows).</summary>
    private async Task SaveDraftAsync(object action, long caseId, long edit, IDispatcher dispatcher)
    {
        using var gate = await HoldDraftGateAsync(caseId);
        if (composer.Value.For(caseId) is not { } entry || entry.Edit != edit || entry.Save == DraftSave.Saved) return;
        dispatcher.Dispatch(new ComposerDraftSavingAction(caseId, edit));
        try
        {
            await composerDrafts.SaveAsync(await ActorAsync(), caseId, entry.Mode, entry.Text);
            dispatcher.Dispatch(new ComposerDraftSavedAction(caseId, edit));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new ComposerDraftFailedAction(caseId, edit, Say(ex)));
        }
    }

    /// <summary>After a send that did not go out, the text still in the box is saved if its save was dropped for the send.</summary>
    private Task SaveLeftOverDraftAsync(object action, long caseId, IDispatcher dispatcher) =>
        composer.Value.For(caseId) is { Save: DraftSave.Pending } entry ? SaveDraftAsync(action, caseId, entry.Edit, dispatcher) : Task.CompletedTask;

    /// <summary>For a send: the save waiting is dropped, the one under way finishes, and no other starts until disposed.</summary>
    private Task<IDisposable> HoldDraftAsync(long caseId)
    {
        if (_waitingSaves.TryRemove(caseId, out var waiting)) waiting.Cancel();
        return HoldDraftGateAsync(caseId);
    }

    private async Task<IDisposable> HoldDraftGateAsync(long caseId)
    {
        var gate = _draftGates.GetOrAdd(caseId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync();
        return new Release(gate);
    }

    private void DisposeDraftSaves()
    {
        foreach (var waiting in _waitingSaves.Values) waiting.Cancel();
        _waitingSaves.Clear();
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;
        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
