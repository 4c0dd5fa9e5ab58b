using System.Collections.Immutable;
using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Notices;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Inbox;

/// <summary>
/// The inbox's I/O: loads through <see cref="InboxQueries"/> and <see cref="CaseCommands"/>, runs case commands, and keeps the
/// inbox live from the change feed (a message, a case change or a reviewed draft in the agent's
/// scope reloads the panel and any open case it touches; a reviewed draft raises a notice, the other notices
/// are <see cref="Notices.NoticesEffects"/>'). A command reads its case once after it and shows both together;
/// the feed's echo of it does not read the case again. The composer's text is saved as the agent types
/// (InboxEffects.Composer.cs).
/// </summary>
public sealed partial class InboxEffects(InboxQueries inbox, CaseCommands cases, CaseMerges merges, ComposerDrafts composerDrafts, AgentWorkspace.Core.Features.Crm.DispositionService dispositions,
    AgentWorkspace.Core.Features.QuickReplies.QuickReplyPlaceholders placeholders,
    ActorAccessor actors, IChangeFeed feed, InboxCountsBoard board, TimeProvider clock, IState<InboxState> state, IState<ComposerState> composer, IStringLocalizer<InboxResource> localizer,
    ILogger<InboxEffects> logger) : IDisposable
{
    private readonly OwnChanges _own = new(clock);
    private IDisposable? _subscription;
    private IDisposable? _boardSubscription;
    private ITimer? _ticker;
    private Actor? _actor;
    private volatile HashSet<long> _myQueues = [];
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
            _subscription ??= feed.SubscribeBatched(logger, Wants, changes => OnChangesAsync(changes, dispatcher), Gather);
            // The header's figures come from the server's one board, recounted once for every open inbox (ADR 019).
            _boardSubscription ??= board.Subscribe(() => _ = OnBoardChangedAsync(dispatcher));
            // SLA bars and waiting times move on their own.
            _ticker ??= clock.CreateTimer(_ => dispatcher.Dispatch(new InboxTickAction(clock.GetUtcNow())), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
            dispatcher.Dispatch(new InboxTickAction(clock.GetUtcNow()));
            var agents = await inbox.AgentsAsync(actor);
            var replies = await inbox.QuickRepliesAsync(actor, CultureInfo.CurrentUICulture.TwoLetterISOLanguageName);
            dispatcher.Dispatch(new InboxReferenceLoadedAction(queues, agents, replies));
            dispatcher.Dispatch(new DispositionsLoadedAction(await dispositions.ListAsync(actor)));
            await LoadPageAsync(dispatcher, state.Value.Filter, null);
            await LoadCountsAsync(dispatcher);
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new InboxFailedAction(Say(ex)));
        }
    }

    [EffectMethod]
    public Task Handle(SetInboxFilterAction action, IDispatcher dispatcher) => Guard(action, dispatcher, () => LoadPageAsync(dispatcher, action.Filter, null));

    [EffectMethod]
    public Task Handle(LoadMoreCasesAction action, IDispatcher dispatcher)
    {
        var s = state.Value;
        return s.Next is null ? Task.CompletedTask : Guard(action, dispatcher, () => LoadPageAsync(dispatcher, s.Filter, s.Next));
    }

    /// <summary>Bursts of changes (ingest) collapse into one reload at most every half second.</summary>
    [EffectMethod]
    public async Task Handle(RefreshInboxAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(400);
        Volatile.Write(ref _refreshQueued, 0);
        await Guard(action, dispatcher, async () =>
        {
            // Reload as many tiles as are shown, so a live refresh does not shorten a list the agent scrolled.
            var s = state.Value;
            var page = await inbox.ListAsync(await ActorAsync(), s.Filter, null, Math.Clamp(s.Tiles.Count, 30, InboxQueries.MaxPageSize));
            dispatcher.Dispatch(new InboxPageLoadedAction(s.Filter, page, false));
        });
    }

    /// <summary>Opening a case also reads back what the agent had typed on it.</summary>
    [EffectMethod]
    public Task Handle(OpenCaseAction action, IDispatcher dispatcher) => LoadCaseAsync(action, action.CaseId, dispatcher, withDraft: true);

    /// <summary>Each restored tab is read as if opened (its case, history and draft).</summary>
    [EffectMethod]
    public Task Handle(RestoreOpenCasesAction action, IDispatcher dispatcher)
    {
        var s = state.Value;
        var toLoad = action.CaseIds.Distinct().Where(id => s.Cases.TryGetValue(id, out var open) && open.Detail is null && open.Error is null);
        return Task.WhenAll(toLoad.Select(id => LoadCaseAsync(action, id, dispatcher, withDraft: true)));
    }

    [EffectMethod]
    public Task Handle(ReloadCaseAction action, IDispatcher dispatcher) => LoadCaseAsync(action, action.CaseId, dispatcher);

    [EffectMethod]
    public Task Handle(LoadMoreHistoryAction action, IDispatcher dispatcher) => CaseGuard(action, action.CaseId, dispatcher, async actor =>
    {
        if (state.Value.Cases.GetValueOrDefault(action.CaseId)?.History?.Next is not { } next) return;
        dispatcher.Dispatch(new CaseHistoryLoadedAction(action.CaseId, await inbox.HistoryAsync(actor, action.CaseId, next), true));
    });

    [EffectMethod]
    public Task Handle(LoadEarlierMessagesAction action, IDispatcher dispatcher) => CaseGuard(action, action.CaseId, dispatcher, async actor =>
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

    /// <summary>The call ended: the wrap-up follows, with the dispositions as the administrators keep them now.</summary>
    [EffectMethod]
    public Task Handle(EndCallAction a, IDispatcher d) => Command(a, d, async actor =>
    {
        var tile = await cases.EndCallAsync(actor, a.CaseId);
        try
        {
            d.Dispatch(new DispositionsLoadedAction(await dispositions.ListAsync(actor)));
        }
        catch (Exception ex)
        {
            // The list loaded with the inbox stays; the wrap-up still works with it.
            EffectFailure.Log(logger, a, ex);
        }
        return tile;
    });

    [EffectMethod]
    public Task Handle(CompleteWrapUpAction a, IDispatcher d) => Command(a, d, actor => cases.WrapUpAsync(actor, a.CaseId, a.Disposition, a.Notes));

    /// <summary>
    /// Sends the composer's text. A save of it still waiting is dropped and one under way is let finish first: the send
    /// removes the server's draft, and a save landing after it would bring the sent text back.
    /// </summary>
    [EffectMethod]
    public async Task Handle(SubmitComposerAction a, IDispatcher d)
    {
        using (await HoldDraftAsync(a.CaseId))
        {
            await Command(a, d, async actor => a.Mode switch
            {
                ComposerMode.Reply => await cases.ReplyAsync(actor, a.CaseId, a.Text, a.Via),
                ComposerMode.Note => await cases.AddNoteAsync(actor, a.CaseId, a.Text),
                _ => await SubmitDraftAsync(actor, a),
            }, composerDone: true);
        }
        await SaveLeftOverDraftAsync(a, a.CaseId, d);
    }

    /// <summary>The contact's other open cases, each offered or with the reason it is not (ADR 021).</summary>
    [EffectMethod]
    public Task Handle(OpenMergePanelAction a, IDispatcher d) => CaseGuard(a, a.CaseId, d, async actor =>
        d.Dispatch(new MergeCandidatesLoadedAction(a.CaseId, await merges.CandidatesAsync(actor, a.CaseId))));

    [EffectMethod]
    public async Task Handle(MergeCaseAction a, IDispatcher d)
    {
        var done = false;
        await Command(a, d, async actor =>
        {
            var tile = await merges.MergeAsync(actor, a.CaseId, a.MergedId);
            done = true;
            return tile;
        });
        if (!done) return;
        d.Dispatch(new CloseMergePanelAction(a.CaseId));
        d.Dispatch(new CaseInfoAction(a.CaseId, localizer["MergeDone", a.MergedId].Value));
    }

    [EffectMethod]
    public async Task Handle(UnmergeCaseAction a, IDispatcher d)
    {
        var done = false;
        await Command(a, d, async actor =>
        {
            var tile = await merges.UnmergeAsync(actor, a.CaseId, a.MergedId);
            done = true;
            return tile;
        });
        if (done) d.Dispatch(new CaseInfoAction(a.CaseId, localizer["UnmergeDone", a.MergedId].Value));
    }

    [EffectMethod]
    public Task Handle(ResubmitDraftAction a, IDispatcher d) => Command(a, d, async actor =>
    {
        await cases.ResubmitDraftAsync(actor, a.CaseId, a.DraftId, a.Text);
        return state.Value.Cases.GetValueOrDefault(a.CaseId)?.Detail?.Case ?? throw new NotFoundException($"Case {a.CaseId} is not open.");
    });

    private async Task<CaseTile> SubmitDraftAsync(Actor actor, SubmitComposerAction a)
    {
        await cases.SubmitDraftAsync(actor, a.CaseId, a.Text);
        return state.Value.Cases.GetValueOrDefault(a.CaseId)?.Detail?.Case ?? throw new NotFoundException($"Case {a.CaseId} is not open.");
    }

    /// <summary>
    /// Runs a case command, then reads the case once (its thread and history changed too) and shows the command's
    /// answer with what was read, in one action. The command is marked as this circuit's own meanwhile, so that the
    /// feed's echo of it does not read the case again.
    /// </summary>
    private Task Command(CaseCommandAction action, IDispatcher dispatcher, Func<Actor, Task<CaseTile>> run, bool composerDone = false) =>
        CaseGuard(action, action.CaseId, dispatcher, async actor =>
        {
            using var own = Own(actor, action.CaseId);
            var tile = await run(actor);
            var load = NextLoad();
            CaseDetail? detail = null;
            HistoryPage? history = null;
            AfterCallWorkView? afterCall = null;
            Exception? unreadable = null;
            try
            {
                detail = await inbox.OpenAsync(actor, action.CaseId);
                history = await inbox.HistoryAsync(actor, action.CaseId);
                if (tile.Channel == Channel.Voice) afterCall = await inbox.AfterCallWorkAsync(actor, action.CaseId);
            }
            catch (Exception ex)
            {
                // Done, but no longer readable here (transferred out of the agent's queues): said below, after the success.
                unreadable = ex;
            }
            dispatcher.Dispatch(new CaseCommandSucceededAction(action.CaseId, tile, composerDone, detail, history, load));
            if (afterCall is not null) dispatcher.Dispatch(new AfterCallWorkLoadedAction(afterCall));
            if (unreadable is not null)
            {
                EffectFailure.Log(logger, new ReloadCaseAction(action.CaseId), unreadable);
                dispatcher.Dispatch(new CaseCommandFailedAction(action.CaseId, Say(unreadable), null));
            }
        }, reloadOnConflict: true);

    private Task LoadCaseAsync(object action, long caseId, IDispatcher dispatcher, bool withDraft = false) => CaseGuard(action, caseId, dispatcher, async actor =>
    {
        var load = NextLoad();
        // Opening a case marks it read, which the feed announces: that echo is this read, not news.
        CaseDetail detail;
        using (Own(actor, caseId)) detail = await inbox.OpenAsync(actor, caseId);
        dispatcher.Dispatch(new CaseLoadedAction(detail, load));
        if (withDraft && composer.Value.For(caseId) is null) dispatcher.Dispatch(new ComposerDraftLoadedAction(caseId, await composerDrafts.FindAsync(actor, caseId)));
        dispatcher.Dispatch(new CaseHistoryLoadedAction(caseId, await inbox.HistoryAsync(actor, caseId), false, load));
        // A call's after-call work shows with it (the telephony system may end the call through the API: a case change).
        if (detail.Case.Channel == Channel.Voice) dispatcher.Dispatch(new AfterCallWorkLoadedAction(await inbox.AfterCallWorkAsync(actor, caseId)));
    });

    /// <summary>A quick reply filled from the case, after what the box holds; a refusal shows on the case, by the reply box.</summary>
    [EffectMethod]
    public Task Handle(InsertQuickReplyAction action, IDispatcher dispatcher) => CaseGuard(action, action.CaseId, dispatcher, async actor =>
    {
        var filled = await placeholders.FillQuickReplyAsync(actor, action.QuickReplyId, action.CaseId);
        var text = string.IsNullOrWhiteSpace(action.Text) ? filled.Text : action.Text.TrimEnd() + "\n" + filled.Text;
        dispatcher.Dispatch(new ComposerTextChangedAction(action.CaseId, action.Mode, text));
    });

    private IDisposable Own(Actor actor, long caseId) => _own.Begin(actor.UserId, change => change.CaseId == caseId);

    private async Task CaseGuard(object action, long caseId, IDispatcher dispatcher, Func<Actor, Task> work, bool reloadOnConflict = false)
    {
        try
        {
            await work(await ActorAsync());
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CaseCommandFailedAction(caseId, Say(ex), (ex as DomainException)?.Field));
            // Someone else changed the case: show them what it is now.
            if (reloadOnConflict && ex is ConflictException or ForbiddenException)
            {
                try
                {
                    var load = NextLoad();
                    dispatcher.Dispatch(new CaseLoadedAction(await inbox.OpenAsync(await ActorAsync(), caseId), load));
                }
                catch (Exception again)
                {
                    // No longer visible: the error already says why.
                    EffectFailure.Log(logger, new ReloadCaseAction(caseId), again);
                }
                dispatcher.Dispatch(new RefreshInboxAction());
            }
        }
    }

    private async Task LoadPageAsync(IDispatcher dispatcher, InboxFilter filter, InboxCursor? after)
    {
        var page = await inbox.ListAsync(await ActorAsync(), filter, after);
        dispatcher.Dispatch(new InboxPageLoadedAction(filter, page, after is not null));
    }

    private async Task LoadCountsAsync(IDispatcher dispatcher)
    {
        var counts = await board.CountsAsync(await ActorAsync(), _myQueues);
        if (counts != state.Value.Counts) dispatcher.Dispatch(new InboxCountsLoadedAction(counts));
    }

    private async Task OnBoardChangedAsync(IDispatcher dispatcher)
    {
        try
        {
            await LoadCountsAsync(dispatcher);
        }
        catch (Exception ex)
        {
            // The header keeps its last figures; the next recount tries again.
            logger.LogError(ex, "Reading the inbox header figures failed.");
        }
    }

    private Task Guard(object action, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new InboxFailedAction(Say(ex)));

    /// <summary>A refusal in the service's words; a fault (logged where it happened) said as such, without its technical text.</summary>
    /// <summary>A refusal in the agent's language: the domain's rule by its code (resx <c>Err_{Code}</c>), else its words.</summary>
    private string Say(Exception ex) => ex switch
    {
        DomainException { Code: { } code } rule => Coded(code, rule.Args) ?? ex.Message,
        ForbiddenException { Code: { } code } refused => Coded(code, refused.Args) ?? ex.Message,
        ForbiddenException => localizer["Err_Forbidden"],
        NotFoundException => localizer["Err_CaseNotFound"],
        _ when EffectFailure.IsRefusal(ex) => ex.Message,
        _ => localizer["ErrorUnexpected"],
    };

    private string? Coded(string code, IReadOnlyList<object> args) =>
        localizer["Err_" + code, [.. args]] is { ResourceNotFound: false } text ? text.Value : null;

    /// <summary>
    /// The changes of a flood that one handling takes together (<see cref="ChangeMailbox"/>, issue 20): a message brings
    /// three events (the message, its case, its card), and at 20 messages a second each open inbox handled sixty a second,
    /// each with its own task, tile read and dispatch. Now it handles about two batches a second, each case's tile once.
    /// The first change after a quiet half second is handled at once.
    /// </summary>
    internal static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(500);

    /// <summary>The panel's tiles as an array, made once per list: every change of the feed walks them (issue 20), and a
    /// walk of the state's immutable list (a tree) cost more than all the rest of the judgement.</summary>
    private sealed record TilesSeen(ImmutableList<CaseTile> Tiles, CaseTile[] Array);

    private volatile TilesSeen? _tilesSeen;

    private CaseTile[] TilesOf(InboxState s)
    {
        var seen = _tilesSeen;
        if (seen is null || !ReferenceEquals(seen.Tiles, s.Tiles)) _tilesSeen = seen = new TilesSeen(s.Tiles, s.Tiles.ToArray());
        return seen.Array;
    }

    /// <summary>Whether a tile of the panel shows the card.</summary>
    private bool TileShowsCard(InboxState s, long cardId)
    {
        foreach (var tile in TilesOf(s))
            if (tile.CardId == cardId) return true;
        return false;
    }

    private bool TileShowsCase(InboxState s, long caseId)
    {
        foreach (var tile in TilesOf(s))
            if (tile.Id == caseId) return true;
        return false;
    }

    /// <summary>
    /// Whether <see cref="OnChangesAsync"/> would act on the change, judged on the publisher's thread from the event and
    /// this page's immutable state (issue 20): a message in a queue the agent does not work, or a card no tile of theirs
    /// shows, costs this page nothing. Called for every open inbox on every change: it allocates nothing.
    /// </summary>
    private bool Wants(ChangeEvent change)
    {
        var s = state.Value;
        return change.Kind switch
        {
            ChangeKind.QuickRepliesChanged or ChangeKind.Resync => true,
            ChangeKind.CardChanged => change.CardId is { } cardId && (TileShowsCard(s, cardId) || ShowsCard(s, cardId)),
            ChangeKind.MessageArrived or ChangeKind.CaseChanged or ChangeKind.DraftReviewed or ChangeKind.CardMerged => InScope(change, s),
            _ => false,
        };
    }

    private static bool ShowsCard(InboxState s, long cardId)
    {
        if (s.Cases.IsEmpty) return false;
        foreach (var open in s.Cases.Values)
            if (open.Detail?.Case.CardId == cardId) return true;
        return false;
    }

    /// <summary>A change of a case this page shows, or that concerns the agent or one of their queues.</summary>
    private bool InScope(ChangeEvent change, InboxState s) =>
        // The cheap tests first: most changes are in one of the agent's queues.
        change.Kind == ChangeKind.CardMerged || change.AgentId == _actor?.UserId || (change.QueueId is { } q && _myQueues.Contains(q))
        || change.CaseId is { } id && (s.Cases.ContainsKey(id) || TileShowsCase(s, id));

    /// <summary>
    /// A batch of changes, in the order they were heard: each changed case's tile read once (the latest change's read,
    /// shared by every open inbox of the server), each open case read again once, the whole page read again only when a
    /// change cannot be placed (a search, a merge, a review).
    /// </summary>
    private async Task OnChangesAsync(IReadOnlyList<ChangeEvent> changes, IDispatcher dispatcher)
    {
        var resync = false;
        var replies = false;
        foreach (var change in changes)
        {
            resync |= change.Kind == ChangeKind.Resync;
            replies |= change.Kind == ChangeKind.QuickRepliesChanged;
        }
        if (replies || resync)
        {
            // Issue 22 item 9: a quick reply an administrator adds, changes or removes is in every inbox at once.
            try
            {
                dispatcher.Dispatch(new InboxQuickRepliesLoadedAction(await inbox.QuickRepliesAsync(await ActorAsync(), CultureInfo.CurrentUICulture.TwoLetterISOLanguageName)));
            }
            catch (Exception ex)
            {
                EffectFailure.Log(logger, new LoadInboxAction(), ex);
                dispatcher.Dispatch(new InboxFailedAction(Say(ex)));
            }
        }
        if (resync)
        {
            // The feed between servers was interrupted: the list, the counts and every open case may be stale. Reading
            // them all again covers the rest of the batch.
            dispatcher.Dispatch(new RefreshInboxAction());
            foreach (var open in state.Value.Cases.Keys.ToList())
                await LoadCaseAsync(new ReloadCaseAction(open), open, dispatcher);
            return;
        }
        var me = _actor?.UserId;
        var tiles = new Dictionary<long, long>(); // a changed case → when its latest change was heard
        var reload = new List<long>();
        var reviewed = new List<long>();
        var refresh = false;
        foreach (var change in changes)
        {
            var s = state.Value;
            if (change.Kind == ChangeKind.CardChanged)
            {
                // A contact's card changed (a new name, an erasure): the tiles and open cases that show it say it at once.
                if (change.CardId is not { } cardId) continue;
                foreach (var open in s.Cases.Values)
                    if (open.Detail?.Case.CardId == cardId && !reload.Contains(open.CaseId)) reload.Add(open.CaseId);
                // A search may find or lose the case by the contact's new name: it reads its page again.
                if (s.Filter.Search is not null) { refresh |= TileShowsCard(s, cardId); continue; }
                foreach (var tile in TilesOf(s))
                    if (tile.CardId == cardId) Heard(tile.Id, change);
                continue;
            }
            if (change.Kind is not (ChangeKind.MessageArrived or ChangeKind.CaseChanged or ChangeKind.DraftReviewed or ChangeKind.CardMerged)) continue;
            if (!InScope(change, s)) continue;
            if (change.Kind is ChangeKind.MessageArrived or ChangeKind.CaseChanged && change.CaseId is { } changed && s.Filter.Search is null)
                Heard(changed, change);
            else
                refresh = true;
            if (change.CaseId is { } caseId && s.Cases.ContainsKey(caseId) && !_own.IsEcho(change) && !reload.Contains(caseId))
                reload.Add(caseId);
            if (change.Kind == ChangeKind.DraftReviewed && change.AgentId == me && change.CaseId is { } draftCase)
                reviewed.Add(draftCase);
        }
        if (refresh) dispatcher.Dispatch(new RefreshInboxAction());
        foreach (var (caseId, heard) in tiles) await MoveTileAsync(caseId, heard, dispatcher);
        foreach (var caseId in reload) await LoadCaseAsync(new ReloadCaseAction(caseId), caseId, dispatcher);
        foreach (var caseId in reviewed)
        {
            var outcome = await DraftOutcomeAsync(caseId);
            var name = state.Value.Tiles.FirstOrDefault(t => t.Id == caseId)?.ContactName ?? state.Value.Cases.GetValueOrDefault(caseId)?.Detail?.Case.ContactName;
            if (outcome is { } o) dispatcher.Dispatch(new CaseNewsAction(o.Approved ? NoticeKind.DraftApproved : NoticeKind.DraftRejected, caseId, name, o.Comment));
        }

        // When this server heard the change, the same for all its circuits: one tile read serves them all.
        void Heard(long caseId, ChangeEvent change)
        {
            var heard = ChangeHeard.At(change);
            if (!tiles.TryGetValue(caseId, out var known) || known < heard) tiles[caseId] = heard;
        }
    }

    /// <summary>
    /// One changed case moved in the panel (issue 20): its tile read once for every open inbox of the server that heard
    /// the change, and placed by the panel's own rule in memory. Should that read fail, the panel is read again.
    /// </summary>
    private async Task MoveTileAsync(long caseId, long heard, IDispatcher dispatcher)
    {
        try
        {
            var actor = await ActorAsync();
            var tile = await inbox.TileAfterChangeAsync(actor, caseId, heard);
            // No two reads of one case race here: the mailbox hands this page one batch at a time, each case once.
            var filter = state.Value.Filter;
            var listed = tile is not null ? filter.Admits(tile, actor.UserId, _myQueues) : false;
            if (listed is null) dispatcher.Dispatch(new RefreshInboxAction());
            else dispatcher.Dispatch(new InboxTileChangedAction(filter, caseId, tile, listed.Value));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, new RefreshInboxAction(), ex);
            dispatcher.Dispatch(new RefreshInboxAction());
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
        catch (Exception ex)
        {
            // The notice is a courtesy: without it the reviewed draft still shows in the case.
            EffectFailure.Log(logger, new ReloadCaseAction(caseId), ex);
            return null;
        }
    }

    private async Task<Actor> ActorAsync() => _actor ??= await actors.GetAsync();

    public void Dispose()
    {
        _subscription?.Dispose();
        _boardSubscription?.Dispose();
        _ticker?.Dispose();
        DisposeDraftSaves();
    }
}
