using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>The supervisors' queue of merge proposals (issue 21), beside the reply approvals.</summary>
public sealed record MergeRequestsState(
    bool Loading,
    ImmutableList<MergeRequestView> Pending,
    long? BusyId,
    long? ErrorId,
    string? Error,
    string? Done);

public sealed class MergeRequestsFeature : Feature<MergeRequestsState>
{
    public override string Name => "MergeRequests";
    public override MergeRequestsState GetInitialState() => new(false, [], null, null, null, null);
}

public sealed record LoadMergeRequestsAction;
public sealed record MergeRequestsLoadedAction(IReadOnlyList<MergeRequestView> Pending);
/// <summary>Approve: the merge happens with the survivor and the field choices of the merge dialog.</summary>
public sealed record ApproveMergeRequestAction(long RequestId, long SurvivorId, IReadOnlyDictionary<string, MergeChoice> Choices);
public sealed record DeclineMergeRequestAction(long RequestId, string Comment);
/// <summary>A decision was made here; <paramref name="Message"/> says it in the user's language.</summary>
public sealed record MergeRequestDoneAction(long RequestId, string Message);
public sealed record MergeRequestFailedAction(long? RequestId, string Error);

public static class MergeRequestsReducers
{
    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, LoadMergeRequestsAction _) => s with { Loading = true };

    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, MergeRequestsLoadedAction a) => s with { Loading = false, Pending = [.. a.Pending] };

    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, ApproveMergeRequestAction a) => s with { BusyId = a.RequestId, Error = null, ErrorId = null, Done = null };

    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, DeclineMergeRequestAction a) => s with { BusyId = a.RequestId, Error = null, ErrorId = null, Done = null };

    /// <summary>A decided proposal leaves the queue at once; the confirmation says what happened.</summary>
    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, MergeRequestDoneAction a) =>
        s with { BusyId = null, Done = a.Message, Pending = s.Pending.RemoveAll(p => p.Id == a.RequestId) };

    [ReducerMethod]
    public static MergeRequestsState Reduce(MergeRequestsState s, MergeRequestFailedAction a) =>
        s with { Loading = false, BusyId = null, Error = a.Error, ErrorId = a.RequestId };
}
