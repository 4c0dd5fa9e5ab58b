using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>
/// I/O of the Identities tab; keeps it live when the card changes or is merged elsewhere. A command here reads the
/// card once after it and shows both together; the change feed's echo of that command is recognised and not read again.
/// </summary>
public sealed class CardIdentitiesEffects(
    CardReads cards, CardSearch search, DuplicateService duplicates, MergeService merges, PrivacyService privacy,
    ActorAccessor actors, IChangeFeed feed, IState<CardIdentitiesState> state,
    IStringLocalizer<MergeResource> localizer, ILogger<CardIdentitiesEffects> logger) : IDisposable
{
    private const int PageSize = 20;
    private readonly OwnChanges _own = new();
    private IDisposable? _subscription;
    private int _reloadQueued;

    [EffectMethod]
    public Task Handle(LoadCardIdentitiesAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(logger, change =>
        {
            var id = state.Value.CardId;
            if (id != 0 && change.Kind == ChangeKind.Resync
                || id != 0 && Touches(change, id) && change.Kind is (ChangeKind.CardChanged or ChangeKind.CardMerged or ChangeKind.MessageArrived) && !_own.IsEcho(change))
                return ReloadSoonAsync(dispatcher);
            return Task.CompletedTask;
        });
        return Run(action, dispatcher, async actor => await LoadAsync(actor, action.CardId, dispatcher));
    }

    [EffectMethod]
    public Task Handle(SearchOtherCardsAction action, IDispatcher dispatcher)
    {
        if (action.Query.Trim().Length == 0) return Task.CompletedTask;
        return Run(action, dispatcher, async actor =>
        {
            var page = await search.SearchAsync(actor, action.Query, null, PageSize);
            dispatcher.Dispatch(new OtherCardsFoundAction(action.Query, page.Items, page.Next, Append: false));
        });
    }

    [EffectMethod]
    public Task Handle(LoadMoreOtherCardsAction action, IDispatcher dispatcher)
    {
        var (query, next) = (state.Value.Query, state.Value.NextResults);
        if (next is null) return Task.CompletedTask;
        return Run(action, dispatcher, async actor =>
        {
            var page = await search.SearchAsync(actor, query, next, PageSize);
            dispatcher.Dispatch(new OtherCardsFoundAction(query, page.Items, page.Next, Append: true));
        });
    }

    [EffectMethod]
    public Task Handle(MergeFromIdentitiesAction action, IDispatcher dispatcher) => Command(action, dispatcher, async (actor, viewed) =>
    {
        var result = await merges.MergeAsync(actor, action.SurvivorId, action.MergedId, action.Choices);
        // The card on screen was merged away: there is nothing left to read, the page follows it to the survivor.
        var now = result.MergedId == viewed ? null : await SnapshotAsync(actor, viewed);
        dispatcher.Dispatch(new MergedFromIdentitiesAction(result, viewed, now));
    });

    [EffectMethod]
    public Task Handle(UndoMergeFromIdentitiesAction action, IDispatcher dispatcher) => Command(action, dispatcher, async (actor, viewed) =>
    {
        await merges.UndoAsync(actor, action.MergeId);
        dispatcher.Dispatch(new MergeUndoneFromIdentitiesAction(action.MergeId, await SnapshotAsync(actor, viewed)));
    });

    [EffectMethod]
    public Task Handle(DismissSuggestionAction action, IDispatcher dispatcher) => Run(action, dispatcher, async actor =>
    {
        await duplicates.DismissAsync(actor, state.Value.CardId, action.OtherId);
        dispatcher.Dispatch(new SuggestionDismissedAction(action.OtherId));
    });

    [EffectMethod]
    public Task Handle(SetCardLockAction action, IDispatcher dispatcher) => Command(action, dispatcher, async (actor, id) =>
    {
        if (action.Locked) await privacy.LockAsync(actor, id); else await privacy.UnlockAsync(actor, id);
        dispatcher.Dispatch(new CardPrivacyDoneAction(await SnapshotAsync(actor, id)));
    });

    [EffectMethod]
    public Task Handle(AnonymizeCardAction action, IDispatcher dispatcher) => Command(action, dispatcher, async (actor, id) =>
    {
        await privacy.AnonymizeAsync(actor, id, action.Force);
        dispatcher.Dispatch(new CardPrivacyDoneAction(await SnapshotAsync(actor, id)));
    });

    private static bool Touches(ChangeEvent change, long cardId) => change.CardId == cardId || change.SurvivorId == cardId;

    private async Task ReloadSoonAsync(IDispatcher dispatcher)
    {
        // A burst of messages on the card collapses into one reload.
        if (Interlocked.Exchange(ref _reloadQueued, 1) == 1) return;
        await Task.Delay(300);
        Volatile.Write(ref _reloadQueued, 0);
        var id = state.Value.CardId;
        await Run(new LoadCardIdentitiesAction(id), dispatcher, actor => LoadAsync(actor, id, dispatcher));
    }

    private async Task LoadAsync(Actor actor, long cardId, IDispatcher dispatcher)
    {
        if (cardId == 0) return;
        var now = await SnapshotAsync(actor, cardId);
        dispatcher.Dispatch(new CardIdentitiesLoadedAction(cardId, now.Card, now.Suggestions, now.Shared));
    }

    private async Task<CardIdentitiesSnapshot> SnapshotAsync(Actor actor, long cardId)
    {
        var card = await cards.GetCondensedAsync(actor, cardId);
        // A tombstone has no duplicates of its own: the page sends the agent to the survivor.
        IReadOnlyList<DuplicateCandidate> suggestions = card.Status == CardStatus.Active ? await duplicates.SuggestAsync(actor, cardId) : [];
        return new CardIdentitiesSnapshot(card, suggestions, await duplicates.SharedAmongAsync(card.Identities.Select(i => i.Normalized)));
    }

    /// <summary>A command on the card on screen, marked as this circuit's own while it runs (see <see cref="OwnChanges"/>).</summary>
    private Task Command(object action, IDispatcher dispatcher, Func<Actor, long, Task> work) => Run(action, dispatcher, async actor =>
    {
        var viewed = state.Value.CardId;
        using (_own.Begin(actor.UserId, change => Touches(change, viewed))) await work(actor, viewed);
    });

    private async Task Run(object action, IDispatcher dispatcher, Func<Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (CardMergedException moved)
        {
            dispatcher.Dispatch(new CardMovedAction(moved.SurvivorId));
        }
        catch (Exception ex)
        {
            EffectFailure.Log(logger, action, ex);
            dispatcher.Dispatch(new CardIdentitiesFailedAction(MergeErrors.Of(localizer, ex)));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
