using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Queues;

public static class QueuesReducers
{
    /// <summary>Opening the page starts from what is saved: no form left open from an earlier visit.</summary>
    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, LoadQueuesAction _) => new QueuesFeature().GetInitialState() with { Loading = true, Queues = s.Queues };

    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, QueuesLoadedAction a) => s with { Loading = false, Queues = [.. a.Queues] };

    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, EditQueueAction a) => s with { Editing = true, EditedId = a.QueueId, Saving = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, CancelQueueEditAction _) => s with { Editing = false, EditedId = null, Saving = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, SaveQueueAction _) => s with { Saving = true, Errors = FormErrors.None };

    /// <summary>The saved queue takes its place in the list (the service's order: the default first, then by name); the form closes.</summary>
    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, QueueSavedAction a) => s with
    {
        Saving = false,
        Editing = false,
        EditedId = null,
        Queues = [.. s.Queues.Where(q => q.Id != a.Queue.Id).Append(a.Queue)
            .OrderByDescending(q => q.IsDefault).ThenBy(q => q.Name, StringComparer.CurrentCultureIgnoreCase)],
    };

    [ReducerMethod]
    public static QueuesState Reduce(QueuesState s, QueuesFailedAction a) => s with { Loading = false, Saving = false, Errors = FormErrors.Of(a.Errors) };
}
