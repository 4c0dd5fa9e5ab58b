using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Inbox;

/// <summary>
/// The inbox's I/O: loads through <see cref="InboxQueries"/> and <see cref="CaseCommands"/>, runs case commands, and keeps the
/// inbox live from the change feed (a message, a case change or a reviewed draft in the agent's
/// scope reloads the panel and any open case it touches, and raises a notice).
/// </summary>
public sealed class InboxEffects(InboxQueries inbox, CaseCommands cases, ActorAccessor actors, IChangeFeed feed, TimeProvider clock, IState<InboxState> state) : IDisposable
{
    private IDisposable? _subscription;
    private ITimer? _ticker;
    private Actor? _actor;
    private HashSet<long> _myQueues = [];
    private int _refreshQueued;
    private long _loads;

    /// <summary>Numbers a read of a case as it starts (see <see cref="CaseLoadedAction"/>).</summary>
    private long NextLoad() => Interlocked.Increment(ref _loads);

    [EffectMethod]
    public async Task Handle(LoadInboxAction action, IDispatcher dispatcher)
    {
        try
        {
            var actor = _actor = await actors.GetAsync();
            var queues = await inbox.QueuesAsync(actor);
            _myQueues = actor.IsAtLeast(Role.Supervisor) ? queues.Select(q => q.Id).ToHashSet() : queues.Where(q => q.IsMember).Select(q => q.Id).ToHashSet();
            _subscription ??= feed.Subscribe(change => OnChangeAsync(change, dispatcher));
            // SLA bars and waiting times move on their own.
            _ticker ??= clock.CreateTimer(_ => dispatcher.Dispatch(new InboxTickAction(clock.GetUtcNow())), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
            dispatcher.Dispatch(new InboxTickAction(clock.GetUtcNow()));
            var agents = await inbox.AgentsAsync(actor);
            var replies = await inbox.QuickRepliesAsync(actor, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
            dispatcher.Dispatch(new InboxReferenceLoadedAction(queues, agents, replies));
            await LoadPageAsync(dispatcher, state.Value.Filter, null);
            await LoadCountsAsync(dispatcher);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            dispatcher.Dispatch(new InboxFailedAction(ex.Message));
        }
    }

    [EffectMethod]
    public Task Handle(SetInboxFilterAction action, IDispatcher dispatcher) => Guard(dispatcher, () => LoadPageAsync(dispatcher, action.Filter, null));

    [EffectMethod]
    public Task Handle(LoadMoreCasesAction action, IDispatcher dispatcher)
    {
        var s = state.Value;
        return s.Next is null ? Task.CompletedTask : Guard(dispatcher, () => LoadPageAsync(dispatcher, s.Filter, s.Next));
    }

    /// <summary>Bursts of changes (ingest) collapse into one reload at most every half second.</summary>
    [EffectMethod]
    public async Task Handle(RefreshInboxAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(400);
        Volatile.Write(ref _refreshQueued, 0);
        await Guard(dispatcher, async () =>
        {
            // Reload as many tiles as are shown, so a live refresh does not shorten a list the agent scrolled.
            var s = state.Value;
            var page = await inbox.ListAsync(await ActorAsync(), s.Filter, null, Math.Clamp(s.Tiles.Count, 30, InboxQueries.MaxPageSize));
            dispatcher.Dispatch(new InboxPageLoadedAction(s.Filter, page, false));
            await LoadCountsAsync(dispatcher);
        });
    }

    [EffectMethod]
    public Task Handle(OpenCaseAction action, IDispatcher dispatcher) => LoadCaseAsync(action.CaseId, dispatcher, withHistory: true);

    [EffectMethod]
    public Task Handle(ReloadCaseAction action, IDispatcher dispatcher) => LoadCaseAsync(action.CaseId, dispatcher, withHistory: true);

    [EffectMethod]
    public Task Handle(LoadMoreHistoryAction action, IDispatcher dispatcher) => CaseGuard(action.CaseId, dispatcher, async actor =>
    {
        if (state.Value.Cases.GetValueOrDefault(action.CaseId)?.History?.Next is not { } next) return;
        dispatcher.Dispatch(new CaseHistoryLoadedAction(action.CaseId, await inbox.HistoryAsync(actor, action.CaseId, next), true));
    });

    [EffectMethod]
    public Task Handle(LoadEarlierMessagesAction action, IDispatcher dispatcher) => CaseGuard(action.CaseId, dispatcher, async actor =>
    {
        if (state.Value.Cases.GetValueOrDefault(action.CaseId)?.Detail?.EarlierCursor is not { } before) return;
        var (entries, earlier) = await inbox.EarlierAsync(actor, action.CaseId, before);
        dispatcher.Dispatch(new EarlierMessagesLoadedAction(action.CaseId, entries, earlier));
    });

    [EffectMethod]
    public Task Handle(TakeCaseAction a, IDispatcher d) => Command(a, d, actor => cases.TakeAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(AssignCaseAction a, IDispatcher d) => Command(a, d, actor => cases.AssignAsync(actor, a.CaseId, a.AgentId));

    [EffectMethod]
    public Task Handle(UnassignCaseAction a, IDispatcher d) => Command(a, d, actor => cases.UnassignAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(TransferCaseAction a, IDispatcher d) => Command(a, d, actor => cases.TransferAsync(actor, a.CaseId, a.QueueId, a.AgentId));

    [EffectMethod]
    public Task Handle(ResolveCaseAction a, IDispatcher d) => Command(a, d, actor => cases.ResolveAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(PendCaseAction a, IDispatcher d) => Command(a, d, actor => cases.SetPendingAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(CancelCaseAction a, IDispatcher d) => Command(a, d, actor => cases.CancelAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(ReopenCaseAction a, IDispatcher d) => Command(a, d, actor => cases.ReopenAsync(actor, a.CaseId));

    [EffectMethod]
    public Task Handle(SubmitComposerAction a, IDispatcher d) => Command(a, d, async actor => a.Mode switch
    {
        ComposerMode.Reply => await cases.ReplyAsync(actor, a.CaseId, a.Text),
        ComposerMode.Note => await cases.AddNoteAsync(actor, a.CaseId, a.Text),
        _ => await SubmitDraftAsync(actor, a),
    }, composerDone: true);

    private async Task<CaseTile> SubmitDraftAsync(Actor actor, SubmitComposerAction a)
    {
        await cases.SubmitDraftAsync(actor, a.CaseId, a.Text);
        return state.Value.Cases.GetValueOrDefault(a.CaseId)?.Detail?.Case ?? throw new NotFoundException($"Case {a.CaseId} is not open.");
    }

    private Task Command(CaseCommandAction action, IDispatcher dispatcher, Func<Actor, Task<CaseTile>> run, bool composerDone = false) =>
        CaseGuard(action.CaseId, dispatcher, async actor =>
        {
            var tile = await run(actor);
            dispatcher.Dispatch(new CaseCommandSucceededAction(action.CaseId, tile, composerDone));
            await LoadCaseAsync(action.CaseId, dispatcher, withHistory: true);
        }, reloadOnConflict: true);

    private Task LoadCaseAsync(long caseId, IDispatcher dispatcher, bool withHistory) => CaseGuard(caseId, dispatcher, async actor =>
    {
        var load = NextLoad();
        var detail = await inbox.OpenAsync(actor, caseId);
        dispatcher.Dispatch(new CaseLoadedAction(detail, load));
        if (withHistory) dispatcher.Dispatch(new CaseHistoryLoadedAction(caseId, await inbox.HistoryAsync(actor, caseId), false, load));
    });

    private async Task CaseGuard(long caseId, IDispatcher dispatcher, Func<Actor, Task> work, bool reloadOnConflict = false)
    {
        try
        {
            await work(await ActorAsync());
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            dispatcher.Dispatch(new CaseCommandFailedAction(caseId, ex.Message, (ex as DomainException)?.Field));
            // Someone else changed the case: show them what it is now.
            if (reloadOnConflict && ex is ConflictException or ForbiddenException)
            {
                try
                {
                    var load = NextLoad();
                    dispatcher.Dispatch(new CaseLoadedAction(await inbox.OpenAsync(await ActorAsync(), caseId), load));
                }
                catch (Exception again) when (IsExpected(again)) { /* no longer visible: the error already says why */ }
                dispatcher.Dispatch(new RefreshInboxAction());
            }
        }
    }

    private async Task LoadPageAsync(IDispatcher dispatcher, InboxFilter filter, InboxCursor? after)
    {
        var page = await inbox.ListAsync(await ActorAsync(), filter, after);
        dispatcher.Dispatch(new InboxPageLoadedAction(filter, page, after is not null));
    }

    private async Task LoadCountsAsync(IDispatcher dispatcher) => dispatcher.Dispatch(new InboxCountsLoadedAction(await inbox.CountsAsync(await ActorAsync())));

    private async Task Guard(IDispatcher dispatcher, Func<Task> work)
    {
        try { await work(); }
        catch (Exception ex) when (IsExpected(ex)) { dispatcher.Dispatch(new InboxFailedAction(ex.Message)); }
    }

    private async Task OnChangeAsync(ChangeEvent change, IDispatcher dispatcher)
    {
        if (change.Kind is not (ChangeKind.MessageArrived or ChangeKind.CaseChanged or ChangeKind.DraftReviewed or ChangeKind.CardMerged)) return;
        var me = _actor?.UserId;
        var s = state.Value;
        var shown = change.CaseId is { } id && (s.Tiles.Any(t => t.Id == id) || s.Cases.ContainsKey(id));
        var inScope = shown || change.AgentId == me || (change.QueueId is { } q && _myQueues.Contains(q)) || change.Kind == ChangeKind.CardMerged;
        if (!inScope) return;
        dispatcher.Dispatch(new RefreshInboxAction());
        if (change.CaseId is { } caseId && s.Cases.ContainsKey(caseId) && change.ActorId != me)
            await LoadCaseAsync(caseId, dispatcher, withHistory: true);
        if (change.Kind == ChangeKind.MessageArrived && change.CaseId is { } arrived && change.ActorId != me)
            dispatcher.Dispatch(new InboxNoticeAction(InboxNoticeKind.MessageArrived, arrived, null));
        if (change.Kind == ChangeKind.DraftReviewed && change.AgentId == me && change.CaseId is { } reviewed)
        {
            var outcome = await DraftOutcomeAsync(reviewed);
            if (outcome is { } o) dispatcher.Dispatch(new InboxNoticeAction(o.Approved ? InboxNoticeKind.DraftApproved : InboxNoticeKind.DraftRejected, reviewed, o.Comment));
        }
    }

    /// <summary>The latest reviewed draft of mine on that case.</summary>
    private async Task<(bool Approved, string? Comment)?> DraftOutcomeAsync(long caseId)
    {
        try
        {
            var detail = await inbox.OpenAsync(await ActorAsync(), caseId);
            var last = detail.Drafts.Where(d => d.AuthorId == _actor!.UserId && d.ReviewedAt is not null).MaxBy(d => d.ReviewedAt);
            return last is null ? null : (last.Status == DraftStatus.Approved, last.ReviewComment);
        }
        catch (Exception ex) when (IsExpected(ex))
        {
            return null;
        }
    }

    private async Task<Actor> ActorAsync() => _actor ??= await actors.GetAsync();

    private static bool IsExpected(Exception ex) => ex is DomainException or ForbiddenException or NotFoundException or ConcurrencyConflictException;

    public void Dispose()
    {
        _subscription?.Dispose();
        _ticker?.Dispose();
    }
}
