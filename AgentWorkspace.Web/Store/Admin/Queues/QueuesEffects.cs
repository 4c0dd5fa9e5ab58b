using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Queues;

/// <summary>Reads and saves queues through <see cref="QueueService"/>; a saved queue comes back from the service and is shown as such, without reading the list again.</summary>
public sealed class QueuesEffects(QueueService queues, ActorAccessor actors, ILogger<QueuesEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadQueuesAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new QueuesLoadedAction(await queues.ListAsync(await actors.GetAsync()))));

    [EffectMethod]
    public Task Handle(SaveQueueAction action, IDispatcher dispatcher)
    {
        // The same rules as the service, all at once; nothing is sent while one is broken.
        if (QueueService.Check(action.Input) is { Count: > 0 } broken)
        {
            dispatcher.Dispatch(new QueuesFailedAction(broken));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, async () =>
        {
            var actor = await actors.GetAsync();
            var saved = action.QueueId is { } id ? await queues.UpdateAsync(actor, id, action.Input) : await queues.CreateAsync(actor, action.Input);
            dispatcher.Dispatch(new QueueSavedAction(saved));
        });
    }

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new QueuesFailedAction([ex]));
}
