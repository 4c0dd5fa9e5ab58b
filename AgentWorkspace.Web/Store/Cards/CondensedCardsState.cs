using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>One condensed card as shown beside a case: the card, or why it is not shown; field errors by ident.</summary>
/// <param name="Load">The numbered read that <see cref="Card"/> came from (see <see cref="CondensedCardLoadedAction"/>).</param>
public sealed record CondensedEntry(bool Loading, CondensedCardView? Card, string? Error, long? MergedInto, ImmutableDictionary<string, string> FieldErrors, long Load = 0)
{
    public static readonly CondensedEntry Empty = new(true, null, null, null, ImmutableDictionary<string, string>.Empty);
}

/// <summary>Every condensed card open in this circuit (several cases may be open at once), by card id.</summary>
public sealed record CondensedCardsState(ImmutableDictionary<long, CondensedEntry> Cards)
{
    public CondensedEntry For(long cardId) => Cards.TryGetValue(cardId, out var e) ? e : CondensedEntry.Empty;
}

public sealed class CondensedCardsFeature : Feature<CondensedCardsState>
{
    public override string Name => "CondensedCards";
    public override CondensedCardsState GetInitialState() => new(ImmutableDictionary<long, CondensedEntry>.Empty);
}

public sealed record WatchCondensedCardAction(long CardId);
public sealed record ReleaseCondensedCardAction(long CardId);
public sealed record ReloadCondensedCardAction(long CardId);
/// <summary>
/// A card read for the condensed view. One message announces itself three times (message, case, card),
/// so several reads of one card run at once; <paramref name="Load"/> numbers them in the order they
/// started, and a read that finishes after a later-started one is dropped (it saw an older card).
/// 0: not numbered, always shown.
/// </summary>
public sealed record CondensedCardLoadedAction(long CardId, CondensedCardView Card, long Load = 0);
public sealed record CondensedCardMergedAction(long CardId, long SurvivorId);
public sealed record CondensedCardFailedAction(long CardId, string Error);
public sealed record SetPanelFieldAction(long CardId, string Ident, string? Value, AgentWorkspace.Core.Domain.CustomFields.CustomFieldType Type);
public sealed record PanelFieldSavedAction(long CardId, string Ident);
public sealed record PanelFieldRejectedAction(long CardId, string Ident, string Error);

public static class CondensedCardsReducers
{
    private static CondensedCardsState With(CondensedCardsState s, long id, Func<CondensedEntry, CondensedEntry> change) =>
        s with { Cards = s.Cards.SetItem(id, change(s.For(id))) };

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, WatchCondensedCardAction a) =>
        s.Cards.ContainsKey(a.CardId) ? s : With(s, a.CardId, _ => CondensedEntry.Empty);

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, CondensedCardLoadedAction a) =>
        a.Load != 0 && a.Load < s.For(a.CardId).Load ? s
            : With(s, a.CardId, e => e with { Loading = false, Card = a.Card, Error = null, MergedInto = null, Load = Math.Max(a.Load, e.Load) });

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, CondensedCardMergedAction a) =>
        With(s, a.CardId, e => e with { Loading = false, MergedInto = a.SurvivorId });

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, CondensedCardFailedAction a) =>
        With(s, a.CardId, e => e with { Loading = false, Error = a.Error });

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, SetPanelFieldAction a) =>
        With(s, a.CardId, e => e with { FieldErrors = e.FieldErrors.Remove(a.Ident) });

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, PanelFieldRejectedAction a) =>
        With(s, a.CardId, e => e with { FieldErrors = e.FieldErrors.SetItem(a.Ident, a.Error) });

    [ReducerMethod]
    public static CondensedCardsState Reduce(CondensedCardsState s, PanelFieldSavedAction a) =>
        With(s, a.CardId, e => e with { FieldErrors = e.FieldErrors.Remove(a.Ident) });
}
