using System.Collections.Immutable;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.QuickReplies;

/// <summary>The quick-replies page: the replies, the one being edited (<see cref="Editing"/> with no id: a new one), and what was refused.</summary>
public sealed record QuickRepliesState(
    bool Loading,
    ImmutableList<QuickReplyView> Replies,
    bool Editing,
    long? EditedId,
    bool Busy,
    ImmutableDictionary<string, Exception> Errors);

public sealed class QuickRepliesFeature : Feature<QuickRepliesState>
{
    public override string Name => "QuickReplies";
    public override QuickRepliesState GetInitialState() => new(false, [], false, null, false, FormErrors.None);
}

public sealed record LoadQuickRepliesAction;
public sealed record QuickRepliesLoadedAction(IReadOnlyList<QuickReplyView> Replies);
/// <summary>Opens the form on a reply, or on a new one (null).</summary>
public sealed record EditQuickReplyAction(long? ReplyId);
public sealed record CancelQuickReplyEditAction;
public sealed record SaveQuickReplyAction(long? ReplyId, QuickReplyInput Input);
public sealed record QuickReplySavedAction(QuickReplyView Reply);
public sealed record DeleteQuickReplyAction(long ReplyId);
public sealed record QuickReplyDeletedAction(long ReplyId);
public sealed record QuickRepliesFailedAction(IReadOnlyList<Exception> Errors);
