using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.CardIdentities;

/// <summary>I/O of the Identities tab; keeps it live when the card changes or is merged elsewhere.</summary>
public sealed class CardIdentitiesEffects(
    CardReads cards, CardSearch search, DuplicateService duplicates, MergeService merges, PrivacyService privacy,
    ActorAccessor actors, IChangeFeed feed, IState<CardIdentitiesState> state) : IDisposable
{
    private const int PageSize = 20;
    private IDisposable? _subscription;
    private int _reloadQueued;

    [EffectMethod]
    public Task Handle(LoadCardIdentitiesAction action, IDispatcher dispatcher)
    {
        _subscription ??= feed.Subscribe(change =>
        {
            var id = state.Value.CardId;
            if (id != 0 && (change.CardId == id || change.SurvivorId == id)
                && change.Kind is ChangeKind.CardChanged or ChangeKind.CardMerged or ChangeKind.MessageArrived)
                return ReloadSoonAsync(dispatcher);
            return Task.CompletedTask;
        });
        return LoadAsync(action.CardId, dispatcher);
    }

    [EffectMethod]
    public Task Handle(SearchOtherCardsAction action, IDispatcher dispatcher)
    {
        if (action.Query.Trim().Length == 0) return Task.CompletedTask;
        return Run(dispatcher, async actor =>
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
        return Run(dispatcher, async actor =>
        {
            var page = await search.SearchAsync(actor, query, next, PageSize);
            dispatcher.Dispatch(new OtherCardsFoundAction(query, page.Items, page.Next, Append: true));
        });
    }

    [EffectMethod]
    public Task Handle(MergeFromIdentitiesAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        var viewed = state.Value.CardId;
        var result = await merges.MergeAsync(actor, action.SurvivorId, action.MergedId, action.Choices);
        dispatcher.Dispatch(new MergedFromIdentitiesAction(result, viewed));
        if (result.MergedId != viewed) await LoadAsync(viewed, dispatcher);
    });

    [EffectMethod]
    public Task Handle(UndoMergeFromIdentitiesAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        await merges.UndoAsync(actor, action.MergeId);
        dispatcher.Dispatch(new MergeUndoneFromIdentitiesAction(action.MergeId));
        await LoadAsync(state.Value.CardId, dispatcher);
    });

    [EffectMethod]
    public Task Handle(DismissSuggestionAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        await duplicates.DismissAsync(actor, state.Value.CardId, action.OtherId);
        dispatcher.Dispatch(new SuggestionDismissedAction(action.OtherId));
    });

    [EffectMethod]
    public Task Handle(SetCardLockAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        var id = state.Value.CardId;
        if (action.Locked) await privacy.LockAsync(actor, id); else await privacy.UnlockAsync(actor, id);
        dispatcher.Dispatch(new CardPrivacyDoneAction());
        await LoadAsync(id, dispatcher);
    });

    [EffectMethod]
    public Task Handle(AnonymizeCardAction action, IDispatcher dispatcher) => Run(dispatcher, async actor =>
    {
        var id = state.Value.CardId;
        await privacy.AnonymizeAsync(actor, id, action.Force);
        dispatcher.Dispatch(new CardPrivacyDoneAction());
        await LoadAsync(id, dispatcher);
    });

    private async Task ReloadSoonAsync(IDispatcher dispatcher)
    {
        // A burst of messages on the card collapses into one reload.
        if (Interlocked.Exchange(ref _reloadQueued, 1) == 1) return;
        await Task.Delay(300);
        Volatile.Write(ref _reloadQueued, 0);
        await LoadAsync(state.Value.CardId, dispatcher);
    }

    private Task LoadAsync(long cardId, IDispatcher dispatcher) => cardId == 0 ? Task.CompletedTask : Run(dispatcher, async actor =>
    {
        var card = await cards.GetCondensedAsync(actor, cardId);
        // A tombstone has no duplicates of its own: the page sends the agent to the survivor.
        IReadOnlyList<DuplicateCandidate> suggestions = card.Status == AgentWorkspace.Core.Domain.Cards.CardStatus.Active ? await duplicates.SuggestAsync(actor, cardId) : [];
        dispatcher.Dispatch(new CardIdentitiesLoadedAction(cardId, card, suggestions));
    });

    private async Task Run(IDispatcher dispatcher, Func<Actor, Task> work)
    {
        try
        {
            await work(await actors.GetAsync());
        }
        catch (CardMergedException moved)
        {
            dispatcher.Dispatch(new CardMovedAction(moved.SurvivorId));
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            dispatcher.Dispatch(new CardIdentitiesFailedAction(ex.Message));
        }
    }

    public void Dispose() => _subscription?.Dispose();
}
