using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.QuickReplies;

public static class QuickRepliesReducers
{
    /// <summary>Opening the page starts from what is saved: no form left open from an earlier visit.</summary>
    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, LoadQuickRepliesAction _) => new QuickRepliesFeature().GetInitialState() with { Loading = true, Replies = s.Replies };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, QuickRepliesLoadedAction a) => s with { Loading = false, Replies = [.. a.Replies] };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, EditQuickReplyAction a) => s with { Editing = true, EditedId = a.ReplyId, Busy = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, CancelQuickReplyEditAction _) => s with { Editing = false, EditedId = null, Busy = false, Errors = FormErrors.None };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, SaveQuickReplyAction _) => s with { Busy = true, Errors = FormErrors.None };

    /// <summary>The saved reply takes its place (the service's order: by language, then title); the form closes.</summary>
    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, QuickReplySavedAction a) => s with
    {
        Busy = false,
        Editing = false,
        EditedId = null,
        Replies = [.. s.Replies.Where(r => r.Id != a.Reply.Id).Append(a.Reply)
            .OrderBy(r => r.Language, StringComparer.Ordinal).ThenBy(r => r.Title, StringComparer.Ordinal)],
    };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, DeleteQuickReplyAction _) => s with { Busy = true, Errors = FormErrors.None };

    /// <summary>The reply leaves the list; its form closes if it was open.</summary>
    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, QuickReplyDeletedAction a) => s with
    {
        Busy = false,
        Replies = s.Replies.RemoveAll(r => r.Id == a.ReplyId),
        Editing = s.Editing && s.EditedId != a.ReplyId,
        EditedId = s.EditedId == a.ReplyId ? null : s.EditedId,
    };

    [ReducerMethod]
    public static QuickRepliesState Reduce(QuickRepliesState s, QuickRepliesFailedAction a) => s with { Loading = false, Busy = false, Errors = FormErrors.Of(a.Errors) };
}
