using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.CustomFields;

/// <summary>
/// Calls the custom-field service and keeps the list live. A command shows the service's answer; the change feed's
/// echo of it is recognised and not read again, while another administrator's change reloads the list.
/// </summary>
public sealed class CustomFieldsEffects(CustomFieldService fields, ActorAccessor actors, IChangeFeed feed, ILogger<CustomFieldsEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new();
    private IDisposable? _subscription;

    [EffectMethod]
    public Task Handle(LoadCustomFieldsAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            if (change.Kind == ChangeKind.Resync || change.Kind == ChangeKind.CustomFieldsChanged && !_own.IsEcho(change)) dispatcher.Dispatch(new RefreshCustomFieldsAction());
            return Task.CompletedTask;
        });
        return Reload(action, dispatcher);
    }

    [EffectMethod]
    public Task Handle(RefreshCustomFieldsAction action, IDispatcher dispatcher) => Reload(action, dispatcher);

    [EffectMethod]
    public Task Handle(MoveCustomFieldAction action, IDispatcher dispatcher) =>
        Command(action, dispatcher, async actor => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.MoveAsync(actor, action.Ident, action.Delta))));

    [EffectMethod]
    public Task Handle(ReorderCustomFieldsAction action, IDispatcher dispatcher) =>
        Command(action, dispatcher, async actor => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ReorderAsync(actor, action.Idents))));

    [EffectMethod]
    public Task Handle(ArchiveCustomFieldAction action, IDispatcher dispatcher) =>
        Command(action, dispatcher, async actor => dispatcher.Dispatch(new CustomFieldSavedAction(await fields.ArchiveAsync(actor, action.Ident))));

    [EffectMethod]
    public Task Handle(RestoreCustomFieldAction action, IDispatcher dispatcher) =>
        Command(action, dispatcher, async actor => dispatcher.Dispatch(new CustomFieldSavedAction(await fields.RestoreAsync(actor, action.Ident))));

    [EffectMethod]
    public Task Handle(DeleteCustomFieldAction action, IDispatcher dispatcher) => Command(action, dispatcher, async actor =>
    {
        await fields.DeleteAsync(actor, action.Ident);
        dispatcher.Dispatch(new CustomFieldDeletedAction(action.Ident));
    });

    /// <summary>Saves the form; its rules are checked first, all at once, and nothing is sent while one is broken.</summary>
    [EffectMethod]
    public async Task Handle(SaveCustomFieldAction action, IDispatcher dispatcher)
    {
        var (field, input) = (action.Field, action.Input);
        var broken = field is null
            ? CustomFieldRules.Check(input).ToList()
            : [.. CustomFieldRules.CheckLabels(input), .. new[] { CustomFieldRules.CheckOptions(field.Type, input.Options) }.OfType<AdminRuleException>()];
        if (action.UndecidedRemovals is { Count: > 0 } undecided)
            broken.Add(new AdminRuleException("RemovalUndecided", $"Say what becomes of the cards holding {string.Join(", ", undecided)}.", "removedOptions"));
        if (broken.Count > 0)
        {
            dispatcher.Dispatch(new CustomFieldFormFailedAction(broken));
            return;
        }
        try
        {
            var actor = await actors.GetAsync();
            using (_own.Begin(actor.UserId, IsFieldChange))
            {
                var saved = field is null ? await fields.CreateAsync(actor, input) : await fields.UpdateAsync(actor, field.Ident, input, action.Changes);
                dispatcher.Dispatch(new CustomFieldFormSavedAction(saved));
            }
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CustomFieldFormFailedAction([ex]));
        }
    }

    [EffectMethod]
    public Task Handle(CountOptionUseAction action, IDispatcher dispatcher) => EffectFailure.GuardAsync(logger, dispatcher, action,
        async () => dispatcher.Dispatch(new OptionUseCountedAction(action.Ident, action.Option, await fields.CountOptionUseAsync(await actors.GetAsync(), action.Ident, action.Option))),
        ex => new CustomFieldFormFailedAction([ex], "options"));

    private static bool IsFieldChange(ChangeEvent change) => change.Kind == ChangeKind.CustomFieldsChanged;

    private Task Reload(object action, IDispatcher dispatcher) => EffectFailure.GuardAsync(logger, dispatcher, action,
        async () => dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ListAsync(await actors.GetAsync()))),
        ex => new CustomFieldsFailedAction(ex));

    private async Task Command(object action, IDispatcher dispatcher, Func<Actor, Task> work)
    {
        try
        {
            var actor = await actors.GetAsync();
            using (_own.Begin(actor.UserId, IsFieldChange)) await work(actor);
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CustomFieldsFailedAction(ex));
            // The list shows what is saved, not what was tried (an arrow moved the row before the save).
            try
            {
                dispatcher.Dispatch(new CustomFieldsLoadedAction(await fields.ListAsync(await actors.GetAsync())));
            }
            catch (Exception reloadError)
            {
                // The refusal stays on screen: it says why; this second failure is only logged.
                EffectFailure.Log(logger, new RefreshCustomFieldsAction(), reloadError);
            }
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
