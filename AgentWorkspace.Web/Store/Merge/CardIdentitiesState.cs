using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>
/// The Identities tab of a detailed card (seed 002): the card's identities, its likely duplicates with
/// their reasons, a search for other cards to merge, and the privacy actions (lock, anonymize).
/// </summary>
public sealed record CardIdentitiesState(
    long CardId,
    bool Loading,
    CondensedCardView? Card,
    ImmutableList<DuplicateCandidate> Suggestions,
    string Query,
    bool Searching,
    ImmutableList<CardSearchHit> Results,
    SearchCursor? NextResults,
    bool Busy,
    MergeResult? LastMerge,
    string? Error,
    long? MovedTo)
{
    public bool HasSearched { get; init; }
    /// <summary>The card's addresses that are shared (ADR 020): shown as such.</summary>
    public IReadOnlySet<string> SharedAddresses { get; init; } = ImmutableHashSet<string>.Empty;
}

public sealed class CardIdentitiesFeature : Feature<CardIdentitiesState>
{
    public override string Name => "CardIdentities";
    public override CardIdentitiesState GetInitialState() => new(0, false, null, [], string.Empty, false, [], null, false, null, null, null);
}

/// <summary>The card as the tab shows it: its identities and, for an active card, its likely duplicates.</summary>
public sealed record CardIdentitiesSnapshot(CondensedCardView Card, IReadOnlyList<DuplicateCandidate> Suggestions, IReadOnlySet<string>? Shared = null);

public sealed record LoadCardIdentitiesAction(long CardId);
public sealed record CardIdentitiesLoadedAction(long CardId, CondensedCardView Card, IReadOnlyList<DuplicateCandidate> Suggestions, IReadOnlySet<string>? Shared = null);
public sealed record SearchOtherCardsAction(string Query);
public sealed record OtherCardsFoundAction(string Query, IReadOnlyList<CardSearchHit> Hits, SearchCursor? Next, bool Append);
public sealed record LoadMoreOtherCardsAction;
public sealed record MergeFromIdentitiesAction(long SurvivorId, long MergedId, IReadOnlyDictionary<string, MergeChoice> Choices);
/// <summary>The merge's answer, with the card on screen read right after it (<paramref name="Now"/>; none when that card was the one merged away).</summary>
public sealed record MergedFromIdentitiesAction(MergeResult Result, long ViewedCardId, CardIdentitiesSnapshot? Now = null);
public sealed record UndoMergeFromIdentitiesAction(long MergeId);
public sealed record MergeUndoneFromIdentitiesAction(long MergeId, CardIdentitiesSnapshot? Now = null);
public sealed record DismissSuggestionAction(long OtherId);
public sealed record SuggestionDismissedAction(long OtherId);
public sealed record SetCardLockAction(bool Locked);
public sealed record AnonymizeCardAction(bool Force);
/// <summary>A lock, unlock or anonymization was done; <paramref name="Now"/> is the card read right after it.</summary>
public sealed record CardPrivacyDoneAction(CardIdentitiesSnapshot? Now = null);
/// <summary>A refused or failed action, said in the user's language.</summary>
public sealed record CardIdentitiesFailedAction(string Error);
/// <summary>The card was merged elsewhere (by someone else, or by this agent from the other side).</summary>
public sealed record CardMovedAction(long SurvivorId);

public static class CardIdentitiesReducers
{
    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, LoadCardIdentitiesAction a) =>
        a.CardId == s.CardId
            ? s with { Loading = true, Error = null }
            // Another card: nothing of the previous one may show, not even its search.
            : new CardIdentitiesFeature().GetInitialState() with { CardId = a.CardId, Loading = true };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, CardIdentitiesLoadedAction a) =>
        a.CardId != s.CardId ? s : Shown(s, new CardIdentitiesSnapshot(a.Card, a.Suggestions, a.Shared)) with { Loading = false };

    /// <summary>The card as read (after a load or a command), if it is still the card on screen.</summary>
    private static CardIdentitiesState Shown(CardIdentitiesState s, CardIdentitiesSnapshot? now) =>
        now is null || now.Card.Id != s.CardId ? s : s with
        {
            Card = now.Card,
            Suggestions = [.. now.Suggestions],
            SharedAddresses = now.Shared ?? ImmutableHashSet<string>.Empty,
            // A merged card leaves the results: it is a tombstone now.
            Results = s.Results.RemoveAll(h => h.Id == s.CardId),
        };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, SearchOtherCardsAction a) =>
        s with { Query = a.Query, Searching = a.Query.Trim().Length > 0, Error = null, Results = a.Query.Trim().Length == 0 ? [] : s.Results, NextResults = null, HasSearched = false };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, LoadMoreOtherCardsAction _) => s with { Searching = true };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, OtherCardsFoundAction a)
    {
        // A slower answer to an older query never replaces the answer to the newest one.
        if (!string.Equals(a.Query, s.Query, StringComparison.Ordinal)) return s;
        var hits = a.Hits.Where(h => h.Id != s.CardId);
        return s with
        {
            Searching = false,
            HasSearched = true,
            Results = a.Append ? s.Results.AddRange(hits.Where(h => s.Results.All(r => r.Id != h.Id))) : [.. hits],
            NextResults = a.Next,
        };
    }

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, MergeFromIdentitiesAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, MergedFromIdentitiesAction a)
    {
        var shown = Shown(s, a.Now);
        return shown with
        {
            Busy = false,
            LastMerge = a.Result,
            Results = shown.Results.RemoveAll(h => h.Id == a.Result.MergedId),
            Suggestions = shown.Suggestions.RemoveAll(c => c.CardId == a.Result.MergedId),
            // The card on screen was merged into the other one: the page follows it there.
            MovedTo = a.Result.MergedId == a.ViewedCardId ? a.Result.SurvivorId : null,
        };
    }

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, UndoMergeFromIdentitiesAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, MergeUndoneFromIdentitiesAction a) =>
        Shown(s, a.Now) with { Busy = false, LastMerge = s.LastMerge?.MergeId == a.MergeId ? null : s.LastMerge };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, DismissSuggestionAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, SuggestionDismissedAction a) =>
        s with { Busy = false, Suggestions = s.Suggestions.RemoveAll(c => c.CardId == a.OtherId) };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, SetCardLockAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, AnonymizeCardAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, CardPrivacyDoneAction a) => Shown(s, a.Now) with { Busy = false };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, CardMovedAction a) => s with { Loading = false, Busy = false, MovedTo = a.SurvivorId };

    [ReducerMethod]
    public static CardIdentitiesState Reduce(CardIdentitiesState s, CardIdentitiesFailedAction a) =>
        s with { Busy = false, Loading = false, Searching = false, Error = a.Error };
}
