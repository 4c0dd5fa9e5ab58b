using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Inbox;

namespace AgentWorkspace.Web.Store.Notices;

/// <summary>
/// Turns the change feed into the agent's notices on every page (issue 22). One query when the circuit starts (the
/// cases assigned to the agent with unread messages) and one for their queues; after that each change is judged from
/// the event alone, in memory. Only a notice that will reach the agent (available, some notice on) and whose contact
/// this circuit does not already know reads one tile, for the name the toast shows.
/// </summary>
public sealed class NoticesEffects(InboxQueries inbox, ActorAccessor actors, IChangeFeed feed, IState<NoticesState> state, IState<InboxState> inboxState,
    ILogger<NoticesEffects> logger) : IDisposable
{
    private IDisposable? _subscription;
    private Actor? _actor;
    private volatile HashSet<long> _myQueues = [];
    private int _started;

    [EffectMethod]
    public async Task Handle(StartNoticesAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        try
        {
            var actor = _actor = await actors.GetAsync();
            if (!actor.IsAtLeast(Role.Agent)) return;
            await LoadQueuesAsync(actor);
            // Subscribed before the count is read: a message landing in between is counted twice at worst, never missed.
            _subscription = feed.SubscribeBatched(logger, change => Wants(change, actor.UserId), changes => OnChangesAsync(changes, dispatcher), Gather);
            dispatcher.Dispatch(new NoticesStartedAction(await inbox.UnreadCaseIdsAsync(actor)));
        }
        catch (Exception ex)
        {
            // The notices are a layer over the inbox, which says its own failures; this one is on record.
            EffectFailure.Log(logger, action, ex);
            Volatile.Write(ref _started, 0);
        }
    }

    private async Task LoadQueuesAsync(Actor actor)
    {
        var queues = await inbox.QueuesAsync(actor);
        _myQueues = actor.IsAtLeast(Role.Supervisor) ? queues.Select(q => q.Id).ToHashSet() : queues.Where(q => q.IsMember).Select(q => q.Id).ToHashSet();
    }

    /// <summary>What a change means for this agent, judged from the event: news, news cleared, or nothing.</summary>
    internal static NoticeVerdict Judge(ChangeEvent change, string me, IReadOnlySet<long> myQueues, IReadOnlySet<long> unseen)
    {
        if (change.CaseId is not { } caseId) return NoticeVerdict.None;
        var mine = change.AgentId == me;
        var toSomeoneElse = change.AgentId is not null && !mine;
        switch (change.Kind)
        {
            case ChangeKind.MessageArrived when change.ActorId != me:
                if (mine || (change.AgentId is null && change.QueueId is { } q && myQueues.Contains(q))) return NoticeVerdict.News(NoticeKind.MessageArrived, caseId);
                return toSomeoneElse && unseen.Contains(caseId) ? NoticeVerdict.Clear(caseId) : NoticeVerdict.None;
            case ChangeKind.CaseChanged:
                // The agent's own action on the case (in any window) means they have seen it.
                if (change.ActorId == me) return unseen.Contains(caseId) ? NoticeVerdict.Clear(caseId) : NoticeVerdict.None;
                if (change.Assigned && mine) return NoticeVerdict.News(NoticeKind.CaseAssigned, caseId);
                return toSomeoneElse && unseen.Contains(caseId) ? NoticeVerdict.Clear(caseId) : NoticeVerdict.None;
            default:
                return NoticeVerdict.None;
        }
    }

    /// <summary>
    /// Whether <see cref="OnChangesAsync"/> would act on the change, judged on the publisher's thread from the event and this
    /// page's immutable state: the agent's queues changing, or news (or news cleared) for them. A case created in their queue
    /// or a card changing costs this page nothing (issue 20). A case given to someone else is always let through: its news
    /// may not be in the state yet (the message's own handling still reading the contact's name), and would then stay.
    /// </summary>
    private bool Wants(ChangeEvent change, string me) =>
        change.Kind == ChangeKind.SettingsChanged
        || change.Kind is ChangeKind.MessageArrived or ChangeKind.CaseChanged && change.AgentId is not null && change.AgentId != me
        || Judge(change, me, _myQueues, state.Value.Unseen) is { Kind: not null } or { Clears: true };

    /// <summary>
    /// The changes of a flood taken together (<see cref="ChangeMailbox"/>, issue 20): the notice center gathers a burst's
    /// notices into one toast anyway (<c>NoticeCenter.Burst</c>); the first change after a quiet second is handled at once.
    /// </summary>
    internal static readonly TimeSpan Gather = TimeSpan.FromSeconds(1);

    /// <summary>A batch of changes, each judged in turn, in the order they were heard.</summary>
    private async Task OnChangesAsync(IReadOnlyList<ChangeEvent> changes, IDispatcher dispatcher)
    {
        if (_actor is not { } actor) return;
        foreach (var change in changes)
        {
            if (change.Kind == ChangeKind.SettingsChanged)
            {
                // An administrator changed the agent's queues (or a queue): the scope follows.
                if (change.AgentId == actor.UserId || change.QueueId is not null) await LoadQueuesAsync(actor);
                continue;
            }
            var verdict = Judge(change, actor.UserId, _myQueues, state.Value.Unseen);
            if (verdict.Kind is { } kind)
                dispatcher.Dispatch(new CaseNewsAction(kind, verdict.CaseId, state.Value.Heard ? await ContactNameAsync(actor, verdict.CaseId, ChangeHeard.At(change)) : null));
            else if (verdict.Clears)
                dispatcher.Dispatch(new ClearCaseNewsAction(verdict.CaseId));
        }
    }

    /// <summary>The contact's name for the toast: from the inbox when it shows the case, else its tile.</summary>
    private async Task<string?> ContactNameAsync(Actor actor, long caseId, long heard)
    {
        var s = inboxState.Value;
        if (s.Cases.GetValueOrDefault(caseId)?.Detail?.Case.ContactName is { } open) return open;
        foreach (var tile in s.Tiles) // not LINQ: this runs for every notice of every open page (issue 20)
            if (tile.Id == caseId && tile.ContactName is { } name) return name;
        try
        {
            // The tile the open inboxes of this server read once for this change (issue 20), not a read per page.
            return (await inbox.TileAfterChangeAsync(actor, caseId, heard))?.ContactName;
        }
        catch (Exception ex)
        {
            // The notice still goes out, naming the case by its number.
            EffectFailure.Log(logger, new CaseNewsAction(NoticeKind.MessageArrived, caseId), ex);
            return null;
        }
    }

    public void Dispose() => _subscription?.Dispose();
}

/// <summary>A change judged: news of <see cref="Kind"/> on a case, the case's news cleared, or nothing.</summary>
internal readonly record struct NoticeVerdict(NoticeKind? Kind, long CaseId, bool Clears)
{
    public static readonly NoticeVerdict None = default;
    public static NoticeVerdict News(NoticeKind kind, long caseId) => new(kind, caseId, false);
    public static NoticeVerdict Clear(long caseId) => new(null, caseId, true);
}
