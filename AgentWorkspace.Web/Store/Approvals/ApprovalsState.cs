using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Approvals;

public sealed record ApprovalsState(
    bool Loading,
    ImmutableList<PendingDraft> Drafts,
    DraftCursor? Next,
    long? BusyDraftId,
    long? ErrorDraftId,
    string? Error,
    string? ErrorField,
    DraftView? LastReviewed);

public sealed class ApprovalsFeature : Feature<ApprovalsState>
{
    public override string Name => "Approvals";
    public override ApprovalsState GetInitialState() => new(false, [], null, null, null, null, null, null);
}

public sealed record LoadApprovalsAction;
public sealed record RefreshApprovalsAction;
public sealed record LoadMoreApprovalsAction;
public sealed record ApprovalsLoadedAction(DraftPage Page, bool Append);
public sealed record ApproveDraftAction(long DraftId, string? Comment);
public sealed record RejectDraftAction(long DraftId, string? Comment);
public sealed record DraftReviewDoneAction(DraftView Draft);
public sealed record ApprovalFailedAction(long? DraftId, string Error, string? Field);

public static class ApprovalsReducers
{
    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, LoadApprovalsAction _) => s with { Loading = true, Error = null, ErrorDraftId = null };

    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, ApprovalsLoadedAction a) => s with
    {
        Loading = false,
        Drafts = a.Append ? s.Drafts.AddRange(a.Page.Drafts.Where(d => s.Drafts.All(x => x.Id != d.Id))) : [.. a.Page.Drafts],
        Next = a.Page.Next,
    };

    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, ApproveDraftAction a) => s with { BusyDraftId = a.DraftId, Error = null, ErrorDraftId = null, ErrorField = null };

    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, RejectDraftAction a) => s with { BusyDraftId = a.DraftId, Error = null, ErrorDraftId = null, ErrorField = null };

    /// <summary>A reviewed draft leaves the list at once; the confirmation names the outcome.</summary>
    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, DraftReviewDoneAction a) =>
        s with { BusyDraftId = null, LastReviewed = a.Draft, Drafts = s.Drafts.RemoveAll(d => d.Id == a.Draft.Id) };

    [ReducerMethod]
    public static ApprovalsState Reduce(ApprovalsState s, ApprovalFailedAction a) =>
        s with { Loading = false, BusyDraftId = null, Error = a.Error, ErrorDraftId = a.DraftId, ErrorField = a.Field };
}
