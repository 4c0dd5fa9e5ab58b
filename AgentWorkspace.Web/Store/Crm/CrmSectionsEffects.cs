using System.Collections.Concurrent;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Crm;

/// <summary>
/// The CRM sections' I/O through <see cref="CrmService"/>. A read starts only after the card's first view has gone to
/// the browser (the component asks after its first render, and the read yields first), and is bounded by the CRM's
/// time-out: a slow or absent CRM is one line and a retry, never a held card. Live: a <see cref="ChangeKind.CrmChanged"/>
/// of a watched card (a push sent or failed, a link made elsewhere) reads its sections again; this circuit's own link,
/// unlink or create is recognised and read once, by the command itself.
/// </summary>
public sealed class CrmSectionsEffects(CrmService crm, CrmSettingsService settings, ActorAccessor actors, IChangeFeed feed, IState<CrmState> state,
    IStringLocalizer<CrmResource> crmText, IStringLocalizer<InboxResource> inboxText, ILogger<CrmSectionsEffects> logger) : IDisposable
{
    private readonly CrmErrors _errors = new(crmText, inboxText);
    private readonly OwnChanges _own = new();
    private readonly ConcurrentDictionary<CrmScope, int> _watched = new();
    private readonly ConcurrentDictionary<CrmScope, int> _reloadQueued = new();
    private readonly Lock _gate = new();
    private IDisposable? _subscription;
    private long _loads;

    [EffectMethod]
    public async Task Handle(WatchCrmSectionsAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.Scope, 1, (_, n) => n + 1);
        lock (_gate) _subscription ??= feed.Subscribe(logger, change => OnChangeAsync(change, dispatcher));
        // The card's first view is on its way to the browser; the CRM comes after it, off the render.
        await Task.Yield();
        if (state.Value.Options is null) await LoadOptionsAsync(dispatcher);
        await LoadAsync(action.Scope, dispatcher);
    }

    [EffectMethod]
    public Task Handle(ReleaseCrmSectionsAction action, IDispatcher dispatcher)
    {
        _watched.AddOrUpdate(action.Scope, 0, (_, n) => n - 1);
        if (_watched.TryGetValue(action.Scope, out var n) && n <= 0) _watched.TryRemove(action.Scope, out _);
        return Task.CompletedTask;
    }

    [EffectMethod]
    public async Task Handle(LoadCrmSectionsAction action, IDispatcher dispatcher)
    {
        await Task.Yield();
        await LoadAsync(action.Scope, dispatcher);
    }

    private async Task LoadAsync(CrmScope scope, IDispatcher dispatcher)
    {
        var load = Interlocked.Increment(ref _loads);
        try
        {
            var actor = await actors.GetAsync();
            var sections = scope.CaseId is { } caseId ? await crm.GetForCaseAsync(actor, caseId) : await crm.GetForCardAsync(actor, scope.CardId);
            dispatcher.Dispatch(new CrmSectionsLoadedAction(scope, sections, load));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, new LoadCrmSectionsAction(scope), ex);
            dispatcher.Dispatch(new CrmSectionsFailedAction(scope, _errors.Say(ex), load));
        }
    }

    private async Task LoadOptionsAsync(IDispatcher dispatcher)
    {
        try
        {
            dispatcher.Dispatch(new CrmOptionsLoadedAction(await settings.AgentOptionsAsync(await actors.GetAsync())));
        }
        catch (Exception ex)
        {
            // Without the options "Create new" offers nothing; the sections' own read says what is wrong with the CRM.
            CrmErrors.Log(logger, new WatchCrmSectionsAction(new CrmScope(0, null)), ex);
        }
    }

    [EffectMethod]
    public async Task Handle(ToggleCrmRecordAction action, IDispatcher dispatcher)
    {
        if (state.Value.For(action.Scope).Expanded.GetValueOrDefault(action.Record.Ref) is not { Loading: true }) return;
        try
        {
            var records = await crm.GetAssociatedAsync(await actors.GetAsync(), action.Record.Ref, action.Scope.CaseId);
            dispatcher.Dispatch(new CrmAssociatedLoadedAction(action.Scope, action.Record.Ref, records));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmAssociatedFailedAction(action.Scope, action.Record.Ref, _errors.Say(ex)));
        }
    }

    [EffectMethod]
    public Task Handle(LinkCrmRecordAction action, IDispatcher dispatcher) => LinkCommand(action, action.Scope, action.Record, dispatcher, async (actor, caseId) =>
    {
        var link = await crm.LinkAsync(actor, caseId, action.Record);
        dispatcher.Dispatch(new CrmRecordLinkedAction(action.Scope, action.Record, link.Id));
    });

    [EffectMethod]
    public Task Handle(UnlinkCrmRecordAction action, IDispatcher dispatcher) => LinkCommand(action, action.Scope, action.Record, dispatcher, async (actor, caseId) =>
    {
        await crm.UnlinkAsync(actor, caseId, action.LinkId);
        dispatcher.Dispatch(new CrmRecordUnlinkedAction(action.Scope, action.Record));
    });

    /// <summary>
    /// A link or unlink, marked as this circuit's own while it runs; then the sections are read once (a linked record
    /// joins the current section). Refused, the sections are read too: someone may have changed the links meanwhile.
    /// </summary>
    private async Task LinkCommand(object action, CrmScope scope, CrmRecordRef record, IDispatcher dispatcher, Func<Actor, long, Task> work)
    {
        IDisposable? own = null;
        try
        {
            if (scope.CaseId is not { } caseId) throw new InvalidOperationException("A record is linked to a case; these sections have none.");
            var actor = await actors.GetAsync();
            own = _own.Begin(actor.UserId, change => change.CaseId == caseId || change.CardId == scope.CardId);
            await work(actor, caseId);
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmLinkFailedAction(scope, record, _errors.Say(ex)));
        }
        using (own) await LoadAsync(scope, dispatcher);
    }

    [EffectMethod]
    public async Task Handle(OpenCrmCreateAction action, IDispatcher dispatcher)
    {
        try
        {
            var prefill = await crm.GetPrefillAsync(await actors.GetAsync(), action.Scope.CardId, action.Scope.CaseId);
            dispatcher.Dispatch(new CrmCreatePrefilledAction(action.Scope, action.Type, prefill.FieldsFor(action.Type)));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmCreateFailedAction(action.Scope, null, _errors.Say(ex)));
        }
    }

    [EffectMethod]
    public async Task Handle(SaveCrmRecordAction action, IDispatcher dispatcher)
    {
        IDisposable? own = null;
        var saved = false;
        try
        {
            var actor = await actors.GetAsync();
            own = _own.Begin(actor.UserId, change => change.CardId == action.Scope.CardId);
            var created = await crm.CreateRecordAsync(actor, action.Scope.CardId, new CrmNewRecord(action.Type, action.Fields), action.Scope.CaseId);
            dispatcher.Dispatch(new CrmRecordCreatedAction(action.Scope, created));
            saved = true;
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, action, ex);
            dispatcher.Dispatch(new CrmCreateFailedAction(action.Scope, CrmErrors.FieldOf(ex), _errors.Say(ex)));
        }
        using (own)
        {
            // Created: the sections show it with what the CRM now says about it (and what it brought along).
            if (saved && _watched.ContainsKey(action.Scope)) await LoadAsync(action.Scope, dispatcher);
        }
    }

    private Task OnChangeAsync(ChangeEvent change, IDispatcher dispatcher)
    {
        if (change.Kind is ChangeKind.SettingsChanged or ChangeKind.Resync)
        {
            // Another CRM, or other record types to create: the options and every section follow.
            _ = LoadOptionsAsync(dispatcher);
            foreach (var scope in _watched.Keys) Reload(scope, dispatcher);
            return Task.CompletedTask;
        }
        if (change.Kind != ChangeKind.CrmChanged || change.CardId is not { } cardId || _own.IsEcho(change)) return Task.CompletedTask;
        foreach (var scope in _watched.Keys)
        {
            // A change on another case of the card does not change this case's links; a card-wide change (a record
            // created without a case) may add a match.
            if (scope.CardId == cardId && (scope.CaseId is null || change.CaseId is null || change.CaseId == scope.CaseId)) Reload(scope, dispatcher);
        }
        return Task.CompletedTask;
    }

    /// <summary>Bursts (a wrap-up pushing to three records) collapse into one read per scope.</summary>
    private void Reload(CrmScope scope, IDispatcher dispatcher)
    {
        if (!_reloadQueued.TryAdd(scope, 1)) return;
        _ = Task.Run(async () =>
        {
            await Task.Delay(200);
            _reloadQueued.TryRemove(scope, out _);
            if (_watched.ContainsKey(scope)) dispatcher.Dispatch(new LoadCrmSectionsAction(scope));
        });
    }

    public void Dispose() => _subscription?.Dispose();
}
