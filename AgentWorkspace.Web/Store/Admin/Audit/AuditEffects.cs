using AgentWorkspace.Core.Features.Audit;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Audit;

/// <summary>Reads the audit log through <see cref="AuditService"/>, a page at a time.</summary>
public sealed class AuditEffects(AuditService audit, ActorAccessor actors, IState<AuditState> state, ILogger<AuditEffects> logger)
{
    [EffectMethod]
    public Task Handle(LoadAuditAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
    {
        var actor = await actors.GetAsync();
        dispatcher.Dispatch(new AuditEntityTypesLoadedAction(await audit.EntityTypesAsync(actor)));
        dispatcher.Dispatch(new AuditPageLoadedAction(action.Filter, await audit.ListAsync(actor, action.Filter), false));
    });

    [EffectMethod]
    public Task Handle(SearchAuditAction action, IDispatcher dispatcher) => Run(action, dispatcher, async () =>
        dispatcher.Dispatch(new AuditPageLoadedAction(action.Filter, await audit.ListAsync(await actors.GetAsync(), action.Filter), false)));

    [EffectMethod]
    public Task Handle(LoadMoreAuditAction action, IDispatcher dispatcher)
    {
        var (filter, next) = (state.Value.Filter, state.Value.Next);
        if (next is null) return Task.CompletedTask;
        return Run(action, dispatcher, async () =>
            dispatcher.Dispatch(new AuditPageLoadedAction(filter, await audit.ListAsync(await actors.GetAsync(), filter, next), true)));
    }

    private Task Run(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new AuditFailedAction(ex));
}
