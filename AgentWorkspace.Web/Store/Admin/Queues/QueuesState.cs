using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Queues;

/// <summary>The queues page: the queues, the one being edited (<see cref="Editing"/> with no id: a new one), and what was refused.</summary>
public sealed record QueuesState(
    bool Loading,
    ImmutableList<QueueView> Queues,
    bool Editing,
    long? EditedId,
    bool Saving,
    ImmutableDictionary<string, Exception> Errors);

public sealed class QueuesFeature : Feature<QueuesState>
{
    public override string Name => "Queues";
    public override QueuesState GetInitialState() => new(false, [], false, null, false, FormErrors.None);
}

public sealed record LoadQueuesAction;
public sealed record QueuesLoadedAction(IReadOnlyList<QueueView> Queues);
/// <summary>Opens the form on a queue, or on a new one (null).</summary>
public sealed record EditQueueAction(long? QueueId);
public sealed record CancelQueueEditAction;
public sealed record SaveQueueAction(long? QueueId, QueueInput Input);
public sealed record QueueSavedAction(QueueView Queue);
public sealed record QueuesFailedAction(IReadOnlyList<Exception> Errors);
