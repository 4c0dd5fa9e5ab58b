using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Crm;

/// <summary>
/// A record of the built-in CRM on its own page (/crm/{type}/{id}, the "Open in CRM" target): the record, its
/// associated records and the activities pushed to it. <see cref="Missing"/>: no such record (the page is a 404).
/// </summary>
public sealed record CrmRecordPageState(string? Type, string? Id, bool Loading, BuiltInRecordPage? Page, bool Missing, string? Error)
{
    public bool Shows(string type, string id) => string.Equals(Type, type, StringComparison.OrdinalIgnoreCase) && Id == id;
}

public sealed class CrmRecordPageFeature : Feature<CrmRecordPageState>
{
    public override string Name => "CrmRecordPage";
    public override CrmRecordPageState GetInitialState() => new(null, null, false, null, false, null);
}

public sealed record OpenCrmRecordAction(string Type, string Id);
public sealed record ReloadCrmRecordAction(string Type, string Id);
public sealed record CrmRecordPageLoadedAction(string Type, string Id, BuiltInRecordPage Page);
public sealed record CrmRecordMissingAction(string Type, string Id);
public sealed record CrmRecordPageFailedAction(string Type, string Id, string Error);

public static class CrmRecordPageReducers
{
    [ReducerMethod]
    public static CrmRecordPageState Reduce(CrmRecordPageState s, OpenCrmRecordAction a) => new(a.Type, a.Id, true, null, false, null);

    [ReducerMethod]
    public static CrmRecordPageState Reduce(CrmRecordPageState s, CrmRecordPageLoadedAction a) =>
        s.Shows(a.Type, a.Id) ? s with { Loading = false, Page = a.Page, Missing = false, Error = null } : s;

    [ReducerMethod]
    public static CrmRecordPageState Reduce(CrmRecordPageState s, CrmRecordMissingAction a) =>
        s.Shows(a.Type, a.Id) ? s with { Loading = false, Page = null, Missing = true, Error = null } : s;

    [ReducerMethod]
    public static CrmRecordPageState Reduce(CrmRecordPageState s, CrmRecordPageFailedAction a) =>
        s.Shows(a.Type, a.Id) ? s with { Loading = false, Error = a.Error } : s;
}

/// <summary>
/// Reads the record page through <see cref="BuiltInCrmService"/>, and again when a push reaches the CRM (a
/// <see cref="ChangeKind.CrmChanged"/>: a new activity may be this record's).
/// </summary>
public sealed class CrmRecordPageEffects(BuiltInCrmService records, ActorAccessor actors, IChangeFeed feed, IState<CrmRecordPageState> state,
    IStringLocalizer<CrmResource> crmText, IStringLocalizer<InboxResource> inboxText, ILogger<CrmRecordPageEffects> logger) : IDisposable
{
    private readonly CrmErrors _errors = new(crmText, inboxText);
    private IDisposable? _subscription;
    private int _reloadQueued;

    [EffectMethod]
    public async Task Handle(OpenCrmRecordAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            if (change.Kind is ChangeKind.CrmChanged or ChangeKind.Resync && state.Value is { Type: { } type, Id: { } id, Missing: false } && Interlocked.Exchange(ref _reloadQueued, 1) == 0)
            {
                _ = Task.Run(async () =>
                {
                    await Task.Delay(300);
                    Volatile.Write(ref _reloadQueued, 0);
                    dispatcher.Dispatch(new ReloadCrmRecordAction(type, id));
                });
            }
            return Task.CompletedTask;
        });
        await LoadAsync(action.Type, action.Id, dispatcher);
    }

    [EffectMethod]
    public Task Handle(ReloadCrmRecordAction action, IDispatcher dispatcher) =>
        state.Value.Shows(action.Type, action.Id) ? LoadAsync(action.Type, action.Id, dispatcher) : Task.CompletedTask;

    private async Task LoadAsync(string type, string id, IDispatcher dispatcher)
    {
        try
        {
            if (!CrmRecordTypes.TryParse(type, out var recordType)) throw new NotFoundException($"'{type}' is not a record type of the built-in CRM.");
            dispatcher.Dispatch(new CrmRecordPageLoadedAction(type, id, await records.GetRecordAsync(await actors.GetAsync(), recordType, id)));
        }
        catch (NotFoundException)
        {
            dispatcher.Dispatch(new CrmRecordMissingAction(type, id));
        }
        catch (Exception ex)
        {
            CrmErrors.Log(logger, new OpenCrmRecordAction(type, id), ex);
            dispatcher.Dispatch(new CrmRecordPageFailedAction(type, id, _errors.Say(ex)));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
