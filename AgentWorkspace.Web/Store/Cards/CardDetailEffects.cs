using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Merge;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>
/// Loads the open card and keeps it live: a message for the card, another agent's edit, a case
/// change or a merge reload it (bursts collapse into one reload). The change feed's echo of this
/// circuit's own command is recognised and not read again: the command has shown its result already.
/// </summary>
public sealed class CardDetailEffects(CardReads cards, CardEdits edits, MergeService merges, ActorAccessor actors, IChangeFeed feed, IState<CardDetailState> state,
    IStringLocalizer<CardsResource> localizer, IStringLocalizer<MergeResource> mergeLocalizer, ILogger<CardDetailEffects> logger) : IDisposable
{
    public const int ActivityItems = 15;
    private readonly OwnChanges _own = new();
    private IDisposable? _subscription;
    private long _openCardId;
    private int _refreshQueued;
    private long _loads;

    [EffectMethod]
    public async Task Handle(OpenCardAction action, IDispatcher dispatcher)
    {
        Interlocked.Exchange(ref _openCardId, action.CardId);
        _subscription ??= feed.Subscribe(logger, change =>
        {
            var open = Interlocked.Read(ref _openCardId);
            if (change.CardId == open && change.Kind is (ChangeKind.CardChanged or ChangeKind.MessageArrived or ChangeKind.CaseChanged or ChangeKind.CardMerged) && !_own.IsEcho(change))
                dispatcher.Dispatch(new RefreshCardAction(open));
            else if (change.Kind is ChangeKind.CustomFieldsChanged or ChangeKind.Resync && open != 0)
            {
                cards.ForgetCustomFields();
                dispatcher.Dispatch(new RefreshCardAction(open));
            }
            return Task.CompletedTask;
        });
        await LoadAsync(action.CardId, dispatcher, first: true);
    }

    [EffectMethod]
    public async Task Handle(RefreshCardAction action, IDispatcher dispatcher)
    {
        if (Interlocked.Exchange(ref _refreshQueued, 1) == 1) return;
        await Task.Delay(100);
        Volatile.Write(ref _refreshQueued, 0);
        if (state.Value.CardId != action.CardId) return;
        await LoadAsync(action.CardId, dispatcher, first: false);
    }

    private async Task LoadAsync(long cardId, IDispatcher dispatcher, bool first)
    {
        try
        {
            var load = Interlocked.Increment(ref _loads);
            var actor = await actors.GetAsync();
            dispatcher.Dispatch(new CardLoadedAction(await cards.GetFirstViewAsync(actor, cardId), load));
            // SQLite reads complete synchronously, so without yielding the whole load would run inside the
            // navigation's render: the card would reach the browser only with the extras and the timeline,
            // in one large batch. Yielding sends the name, profile and tabs first; the rest follows.
            if (first) await Task.Yield();
            await LoadExtrasAsync(actor, cardId, dispatcher);
            var s = state.Value;
            // The timeline is read once its tab has been shown; then kept live like the rest (unless more pages were loaded).
            if (s.TimelineShown && (first || s.NextTimeline is null)) await LoadTimelineAsync(actor, cardId, s.TimelineFilter, dispatcher);
            if (!first && s.CaseThreads is not null)
                dispatcher.Dispatch(new CaseThreadsLoadedAction(cardId, await cards.GetCaseThreadsAsync(actor, cardId, 20, 30)));
        }
        catch (CardMergedException ex)
        {
            dispatcher.Dispatch(new CardRedirectedAction(cardId, ex.SurvivorId));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, new OpenCardAction(cardId), ex);
            dispatcher.Dispatch(new CardFailedAction(cardId, CardErrors.General(localizer, ex)));
        }
    }

    private async Task LoadExtrasAsync(Actor actor, long cardId, IDispatcher dispatcher)
    {
        var summary = await cards.GetConversationSummaryAsync(actor, cardId);
        var recent = await cards.GetCasesAsync(actor, cardId, 5);
        var notes = await cards.GetNotesAsync(actor, cardId);
        var activity = await cards.GetTimelineAsync(actor, cardId, TimelineFilter.All, null, ActivityItems);
        dispatcher.Dispatch(new CardExtrasLoadedAction(cardId, new CardExtras(summary, recent, notes, activity.Items)));
    }

    [EffectMethod]
    public Task Handle(LoadMoreMessagesAction action, IDispatcher dispatcher) => Run(action, action.CardId, dispatcher, async actor =>
    {
        var cursor = state.Value.NextMessages;
        if (cursor is null) return;
        dispatcher.Dispatch(new MoreMessagesLoadedAction(action.CardId, await cards.GetMessagesAsync(actor, action.CardId, cursor)));
    });

    [EffectMethod]
    public Task Handle(SetTimelineFilterAction action, IDispatcher dispatcher) =>
        Run(action, action.CardId, dispatcher, actor => LoadTimelineAsync(actor, action.CardId, action.Filter, dispatcher));

    [EffectMethod]
    public Task Handle(ShowTimelineAction action, IDispatcher dispatcher) =>
        Run(action, action.CardId, dispatcher, actor => LoadTimelineAsync(actor, action.CardId, state.Value.TimelineFilter, dispatcher));

    /// <summary>The first page of the timeline under <paramref name="filter"/>.</summary>
    private async Task LoadTimelineAsync(Actor actor, long cardId, TimelineFilter filter, IDispatcher dispatcher) =>
        dispatcher.Dispatch(new TimelineLoadedAction(cardId, filter, await WithUndoOffersAsync(actor, await cards.GetTimelineAsync(actor, cardId, filter)), false));

    [EffectMethod]
    public Task Handle(LoadMoreTimelineAction action, IDispatcher dispatcher) => Run(action, action.CardId, dispatcher, async actor =>
    {
        var s = state.Value;
        if (s.NextTimeline is null) return;
        var page = await cards.GetTimelineAsync(actor, action.CardId, s.TimelineFilter, s.NextTimeline);
        dispatcher.Dispatch(new TimelineLoadedAction(action.CardId, s.TimelineFilter, await WithUndoOffersAsync(actor, page), true));
    });

    /// <summary>
    /// The page's merges that are not undone, each with what this user may do about it: the timeline offers Undo only
    /// where nothing would refuse it, and says why where the user may undo but something changed since.
    /// </summary>
    private async Task<TimelinePage> WithUndoOffersAsync(Actor actor, TimelinePage page)
    {
        var open = page.Items.Where(i => i.Merge is { UndoneAt: null }).Select(i => i.Merge!.MergeId).ToList();
        if (open.Count == 0) return page;
        var offers = await merges.GetUndoOffersAsync(actor, open);
        return page with
        {
            Items = page.Items.Select(i => i.Merge is { } m && offers.TryGetValue(m.MergeId, out var offer) ? i with { Merge = m with { Undo = offer } } : i).ToList(),
        };
    }

    /// <summary>Undone or refused, the card and its timeline are read again: the entry then says who undid it, or why it cannot be.</summary>
    [EffectMethod]
    public async Task Handle(UndoMergeFromTimelineAction action, IDispatcher dispatcher)
    {
        IDisposable? own = null;
        try
        {
            var actor = await actors.GetAsync();
            own = Own(actor, action.CardId);
            await merges.UndoAsync(actor, action.MergeId);
            dispatcher.Dispatch(new TimelineMergeUndoneAction(action.CardId, action.MergeId));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CardActionFailedAction(action.CardId, MergeErrors.Of(mergeLocalizer, ex)));
        }
        using (own) await LoadAsync(action.CardId, dispatcher, first: true);
    }

    [EffectMethod]
    public Task Handle(LoadCaseThreadsAction action, IDispatcher dispatcher) => Run(action, action.CardId, dispatcher, async actor =>
        dispatcher.Dispatch(new CaseThreadsLoadedAction(action.CardId, await cards.GetCaseThreadsAsync(actor, action.CardId, 20, 30))));

    [EffectMethod]
    public async Task Handle(SaveProfileAction action, IDispatcher dispatcher)
    {
        try
        {
            var actor = await actors.GetAsync();
            using (Own(actor, action.CardId))
            {
                var version = await edits.UpdateProfileAsync(actor, action.CardId, action.Version, action.Profile, action.Basis);
                // The saved values' sources (issue 21): one read of the card's provenance rows, not of the whole card.
                dispatcher.Dispatch(new ProfileSavedAction(action.CardId, version, action.Profile, await cards.GetProvenanceAsync(actor, action.CardId)));
            }
        }
        catch (ProfileConflictException ex)
        {
            dispatcher.Dispatch(new ProfileConflictAction(action.CardId, new ProfileConflict(ex.CurrentVersion, ex.Current, ex.Mine ?? action.Profile, ex.Fields)));
        }
        catch (DomainException ex) when (ex.Field is { } field && ex is not ConflictException)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new ProfileRejectedAction(action.CardId, field, CardErrors.ForField(localizer, field, ex)));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new ProfileRejectedAction(action.CardId, "", CardErrors.General(localizer, ex)));
        }
    }

    /// <summary>The value saved, the card is read once to show it; the feed's echo of the save is not read again.</summary>
    [EffectMethod]
    public async Task Handle(SetCardFieldAction action, IDispatcher dispatcher)
    {
        IDisposable? own = null;
        try
        {
            var actor = await actors.GetAsync();
            own = Own(actor, action.CardId);
            await edits.SetCustomFieldAsync(actor, action.CardId, action.Ident, action.Value);
            dispatcher.Dispatch(new CardFieldSavedAction(action.CardId, action.Ident));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CardFieldRejectedAction(action.CardId, action.Ident, CardErrors.ForField(localizer, action.Ident, ex, action.Type)));
        }
        // Saved or refused, the card shows what is stored.
        using (own) await LoadAsync(action.CardId, dispatcher, first: false);
    }

    [EffectMethod]
    public Task Handle(AddNoteAction action, IDispatcher dispatcher) => Command(action, action.CardId, dispatcher, async actor =>
    {
        await edits.AddNoteAsync(actor, action.CardId, action.Text, action.CaseId);
        await LoadAsync(action.CardId, dispatcher, first: true);
    });

    [EffectMethod]
    public Task Handle(EditNoteAction action, IDispatcher dispatcher) => Command(action, action.CardId, dispatcher, async actor =>
    {
        await edits.EditNoteAsync(actor, action.NoteId, action.Text);
        await LoadAsync(action.CardId, dispatcher, first: true);
    });

    [EffectMethod]
    public Task Handle(DeleteNoteAction action, IDispatcher dispatcher) => Command(action, action.CardId, dispatcher, async actor =>
    {
        await edits.DeleteNoteAsync(actor, action.NoteId);
        await LoadAsync(action.CardId, dispatcher, first: true);
    });

    [EffectMethod]
    public Task Handle(AddCommentAction action, IDispatcher dispatcher) => Command(action, action.CardId, dispatcher, async actor =>
    {
        await edits.AddCommentAsync(actor, action.CaseId, action.MessageId, action.Text);
        // The card is read once after the comment (its case threads among the rest), as its feed echo did before.
        await LoadAsync(action.CardId, dispatcher, first: false);
    });

    private async Task Run(object action, long cardId, IDispatcher dispatcher, Func<Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CardActionFailedAction(cardId, CardErrors.General(localizer, ex)));
        }
    }

    /// <summary>A command on the card, marked as this circuit's own while it runs (see <see cref="OwnChanges"/>).</summary>
    private Task Command(object action, long cardId, IDispatcher dispatcher, Func<Actor, Task> work) => Run(action, cardId, dispatcher, async actor =>
    {
        using (Own(actor, cardId)) await work(actor);
    });

    private IDisposable Own(Actor actor, long cardId) => _own.Begin(actor.UserId, change => change.CardId == cardId);

    public void Dispose() => _subscription?.Dispose();
}
