using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Matching;

/// <summary>Reads and changes shared identifiers through <see cref="SharedIdentifierService"/>; after each change the list is read again (its counts are the database's).</summary>
public sealed class SharedIdentifiersEffects(SharedIdentifierService shared, ActorAccessor actors, ILogger<SharedIdentifiersEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadSharedIdentifiersAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async actor =>
        dispatcher.Dispatch(new SharedIdentifiersLoadedAction(await shared.ListAsync(actor))));

    [EffectMethod]
    public Task Handle(AddSharedIdentifierAction action, IDispatcher dispatcher) => Run(action, dispatcher, "address", async actor =>
    {
        await shared.AddAsync(actor, action.Kind, action.Address, action.Note);
        dispatcher.Dispatch(new SharedIdentifiersSavedAction(await shared.ListAsync(actor), null));
    });

    [EffectMethod]
    public Task Handle(RemoveSharedIdentifierAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async actor =>
    {
        await shared.RemoveAsync(actor, action.Id);
        dispatcher.Dispatch(new SharedIdentifiersSavedAction(await shared.ListAsync(actor), null));
    });

    [EffectMethod]
    public Task Handle(RestoreSharedIdentifierAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async actor =>
    {
        await shared.RestoreAsync(actor, action.Id);
        dispatcher.Dispatch(new SharedIdentifiersSavedAction(await shared.ListAsync(actor), null));
    });

    [EffectMethod]
    public Task Handle(SaveSharedThresholdAction action, IDispatcher dispatcher) => Run(action, dispatcher, "threshold", async actor =>
    {
        var added = await shared.SetThresholdAsync(actor, action.Threshold);
        dispatcher.Dispatch(new SharedIdentifiersSavedAction(await shared.ListAsync(actor), added));
    });

    [EffectMethod]
    public Task Handle(CountSharedAgainAction action, IDispatcher dispatcher) => Run(action, dispatcher, "", async actor =>
    {
        var added = await shared.DetectAllAsync(actor);
        dispatcher.Dispatch(new SharedIdentifiersSavedAction(await shared.ListAsync(actor), added));
    });

    private Task Run(object action, IDispatcher dispatcher, string where, Func<AgentWorkspace.Core.Domain.Identity.Actor, Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, async () => await work(await actors.GetAsync()), ex => new SharedIdentifiersFailedAction([ex], where));
}
