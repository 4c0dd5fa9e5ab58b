using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>
/// The Customers page: the query, the results so far and where the next page starts; before a search, the recently
/// active customers (<see cref="Recent"/>, null until read).
/// </summary>
public sealed record CardSearchState(string Query, bool Loading, ImmutableList<CardSearchHit> Items, SearchCursor? Next, bool Searched, string? Error,
    IReadOnlyList<CardSearchHit>? Recent = null);

public sealed class CardSearchFeature : Feature<CardSearchState>
{
    public override string Name => "CardSearch";
    public override CardSearchState GetInitialState() => new(string.Empty, false, [], null, false, null);
}

public sealed record SearchCardsAction(string Query);
public sealed record MoreSearchResultsAction;
public sealed record SearchResultsLoadedAction(string Query, CardSearchPage Page, bool Append);
public sealed record SearchFailedAction(string Query, string Error);
public sealed record LoadRecentCardsAction;
public sealed record RecentCardsLoadedAction(IReadOnlyList<CardSearchHit> Cards);

public static class CardSearchReducers
{
    [ReducerMethod]
    public static CardSearchState Reduce(CardSearchState s, SearchCardsAction a) => s with { Query = a.Query.Trim(), Loading = true, Error = null };

    [ReducerMethod]
    public static CardSearchState Reduce(CardSearchState s, MoreSearchResultsAction _) => s.Next is null ? s : s with { Loading = true };

    [ReducerMethod]
    public static CardSearchState Reduce(CardSearchState s, SearchResultsLoadedAction a) =>
        a.Query != s.Query ? s : s with
        {
            Loading = false, Searched = true, Next = a.Page.Next,
            Items = a.Append ? s.Items.AddRange(a.Page.Items.Where(h => s.Items.All(x => x.Id != h.Id))) : [.. a.Page.Items],
        };

    [ReducerMethod]
    public static CardSearchState Reduce(CardSearchState s, RecentCardsLoadedAction a) => s with { Recent = a.Cards };

    [ReducerMethod]
    public static CardSearchState Reduce(CardSearchState s, SearchFailedAction a) => a.Query != s.Query ? s : s with { Loading = false, Error = a.Error };
}

public sealed class CardSearchEffects(CardSearch cards, ActorAccessor actors, IState<CardSearchState> state,
    Microsoft.Extensions.Localization.IStringLocalizer<CardsResource> localizer, ILogger<CardSearchEffects> logger)
{
    [EffectMethod]
    public Task Handle(SearchCardsAction action, IDispatcher dispatcher)
    {
        var query = action.Query.Trim();
        return Run(action, query, dispatcher, async () =>
            dispatcher.Dispatch(new SearchResultsLoadedAction(query, await cards.SearchAsync(await actors.GetAsync(), query), false)));
    }

    [EffectMethod]
    public Task Handle(MoreSearchResultsAction action, IDispatcher dispatcher)
    {
        var s = state.Value;
        if (s.Next is null) return Task.CompletedTask;
        return Run(action, s.Query, dispatcher, async () =>
            dispatcher.Dispatch(new SearchResultsLoadedAction(s.Query, await cards.SearchAsync(await actors.GetAsync(), s.Query, s.Next), true)));
    }

    [EffectMethod]
    public Task Handle(LoadRecentCardsAction action, IDispatcher dispatcher) =>
        Run(action, state.Value.Query, dispatcher, async () => dispatcher.Dispatch(new RecentCardsLoadedAction(await cards.RecentAsync(await actors.GetAsync()))));

    private Task Run(object action, string query, IDispatcher dispatcher, Func<Task> work) =>
        EffectFailure.GuardAsync(logger, dispatcher, action, work, ex => new SearchFailedAction(query, CardErrors.General(localizer, ex)));
}
