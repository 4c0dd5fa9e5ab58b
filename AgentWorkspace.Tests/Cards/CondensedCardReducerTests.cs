using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Cards;

namespace AgentWorkspace.Tests.Cards;

public class CondensedCardReducerTests
{
    private static CondensedCardView View(long version, int negative) =>
        new(42, version, CardStatus.Active, false, "Zoé Le Gall", null, null, null, null, new CardIndicators(0, 0, negative, 0, 0), [], []);

    [Fact]
    public void ReadsOfOneCardFinishingOutOfOrder_TheOneStartedLastStays()
    {
        // One inbound message announces itself three times (message, case, card): three reads of the card at once.
        var s = CondensedCardsReducers.Reduce(new CondensedCardsFeature().GetInitialState(), new WatchCondensedCardAction(42));
        s = CondensedCardsReducers.Reduce(s, new CondensedCardLoadedAction(42, View(3, negative: 2), Load: 5));
        var late = CondensedCardsReducers.Reduce(s, new CondensedCardLoadedAction(42, View(2, negative: 1), Load: 4));
        late.For(42).Card!.Indicators.Negative.ShouldBe(2);

        CondensedCardsReducers.Reduce(late, new CondensedCardLoadedAction(42, View(4, negative: 3), Load: 6)).For(42).Card!.Indicators.Negative.ShouldBe(3);
        CondensedCardsReducers.Reduce(late, new CondensedCardLoadedAction(42, View(2, negative: 1))).For(42).Card!.Indicators.Negative.ShouldBe(1);
    }

    private static CardFirstView First(long version, string name) =>
        new(42, version, CardStatus.Active, false, name, new CardProfile { FirstName = name }, [], new CardIndicators(0, 0, 0, 0, 0), [],
            new MessagePage([], null), DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, null);

    [Fact]
    public void TheDetailedCard_ARefreshThatFinishesAfterALaterOneIsDropped()
    {
        var s = CardDetailReducers.Reduce(new CardDetailFeature().GetInitialState(), new OpenCardAction(42));
        s = CardDetailReducers.Reduce(s, new CardLoadedAction(First(5, "Zoé"), Load: 9));
        CardDetailReducers.Reduce(s, new CardLoadedAction(First(4, "Zoe"), Load: 8)).Card!.DisplayName.ShouldBe("Zoé");
        CardDetailReducers.Reduce(s, new CardLoadedAction(First(6, "Zoé L."), Load: 10)).Card!.DisplayName.ShouldBe("Zoé L.");
    }
}
