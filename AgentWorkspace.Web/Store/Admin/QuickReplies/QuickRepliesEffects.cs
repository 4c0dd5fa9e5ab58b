using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.QuickReplies;

/// <summary>Reads and saves quick replies through <see cref="QuickReplyService"/>; a saved or deleted reply is shown from the service's answer, without reading the list again.</summary>
public sealed class QuickRepliesEffects(QuickReplyService replies, ActorAccessor actors, ILogger<QuickRepliesEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadQuickRepliesAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new QuickRepliesLoadedAction(await replies.ListAsync(await actors.GetAsync()))));

    [EffectMethod]
    public Task Handle(SaveQuickReplyAction action, IDispatcher dispatcher)
    {
        // The same rules as the service, all at once; nothing is sent while one is broken.
        if (QuickReplyService.Check(action.Input) is { Count: > 0 } broken)
        {
            dispatcher.Dispatch(new QuickRepliesFailedAction(broken));
            return Task.CompletedTask;
        }
        return Run(action, dispatcher, async () =>
        {
            var actor = await actors.GetAsync();
            var saved = action.ReplyId is { } id ? await replies.UpdateAsync(actor, id, action.Input) : await replies.CreateAsync(actor, action.Input);
            dispatcher.Dispatch(new QuickReplySavedAction(saved));
        });
    }

    [EffectMethod]
    public Task Handle(DeleteQuickReplyAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        await replies.DeleteAsync(await actors.GetAsync(), action.ReplyId);
        dispatcher.Dispatch(new QuickReplyDeletedAction(action.ReplyId));
    });

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new QuickRepliesFailedAction([ex]));
}
