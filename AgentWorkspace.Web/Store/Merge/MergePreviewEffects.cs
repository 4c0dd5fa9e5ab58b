using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>Reads the preview through <see cref="MergeService"/>.</summary>
public sealed class MergePreviewEffects(MergeService merges, ActorAccessor actors,
    IStringLocalizer<MergeResource> localizer, ILogger<MergePreviewEffects> logger)
{
    [EffectMethod]
    public Task Handle(PreviewMergeAction action, IDispatcher dispatcher) => EffectFailure.GuardAsync(logger, dispatcher, action,
        async () => dispatcher.Dispatch(new MergePreviewLoadedAction(action.SurvivorId, action.MergedId,
            await merges.PreviewAsync(await actors.GetAsync(), action.SurvivorId, action.MergedId))),
        ex => new MergePreviewFailedAction(action.SurvivorId, action.MergedId, MergeErrors.Of(localizer, ex)));
}
