using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.CustomFields;

/// <summary>Calls the custom-field service and keeps the list live: any field change (here or elsewhere) reloads it.</summary>
public sealed class CustomFieldsEffects(CustomFieldService fields, ActorAccessor actors, IChangeFeed feed) : IDisposable
{
    private IDisposable? _subscription;

    [EffectMethod]
    public Task Handle(LoadCustomFieldsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(change =>
        {
            if (change.Kind == ChangeKind.CustomFieldsChanged) dispatcher.Dispatch(new RefreshCustomFieldsAction());
            return Task.CompletedTask;
        });
        return Reload(dispatcher);
    }

    [EffectMethod]
    public Task Handle(RefreshCustomFieldsAction action, IDispatcher dispatcher) => Reload(dispatcher);

    [EffectMethod]
    public Task Handle(MoveCustomFieldAction action, IDispatcher dispatcher) =>
        Run(dispatcher, async actor => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.MoveAsync(actor, action.Ident, action.Delta))));

    [EffectMethod]
    public Task Handle(ReorderCustomFieldsAction action, IDispatcher dispatcher) =>
        Run(dispatcher, async actor => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ReorderAsync(actor, action.Idents))));

    [EffectMethod]
    public Task Handle(ArchiveCustomFieldAction action, IDispatcher dispatcher) =>
        Run(dispatcher, async actor => dispatcher.Dispatch(new CustomFieldSavedAction(await fields.ArchiveAsync(actor, action.Ident))));

    [EffectMethod]
    public Task Handle(RestoreCustomFieldAction action, IDispatcher dispatcher) =>
        Run(dispatcher, async actor => dispatcher.Dispatch(new CustomFieldSavedAction(await fields.RestoreAsync(actor, action.Ident))));

    [EffectMethod]
    public Task Handle(DeleteCustomFieldAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        await fields.DeleteAsync(actor, action.Ident);
        dispatcher.Dispatch(new CustomFieldDeletedAction(action.Ident));
    });

    private Task Reload(IDispatcher dispatcher) =>
        Run(dispatcher, async actor => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ListAsync(actor))));

    private async Task Run(IDispatcher dispatcher, Func<AgentWorkspace.Core.Domain.Identity.Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            dispatcher.Dispatch(new CustomFieldsFailedAction(ex));
            // The list shows what is saved, not what was tried.
            try { dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ListAsync(await actors.GetAsync()))); }
            catch (Exception reloadError) when (reloadError is DomainException or ForbiddenException) { /* the first error is already shown */ }
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
