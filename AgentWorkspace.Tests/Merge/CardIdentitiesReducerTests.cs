using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Components.Pages.Merge;
using AgentWorkspace.Web.Store.Merge;

namespace AgentWorkspace.Tests.Merge;

public class CardIdentitiesReducerTests
{
    private static CardIdentitiesState Loaded(long cardId = 1) =>
        CardIdentitiesReducers.Reduce(
            CardIdentitiesReducers.Reduce(new CardIdentitiesFeature().GetInitialState(), new LoadCardIdentitiesAction(cardId)),
            new CardIdentitiesLoadedAction(cardId, Card(cardId), [new DuplicateCandidate(2, "Ana Rey", null, 0.9, [])]));

    private static CondensedCardView Card(long id) =>
        new(id, 1, CardStatus.Active, false, "Ana Rey", null, null, null, null, new CardIndicators(0, 0, 0, 0, 0), [], []);

    private static CardSearchHit Hit(long id) => new(id, "Hit " + id, null, null, null, null, [Channel.Sms], null);

    [Fact]
    public void OpeningAnotherCardForgetsEverythingOfThePreviousOne()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(1), new SearchOtherCardsAction("ana"));
        s = CardIdentitiesReducers.Reduce(s, new OtherCardsFoundAction("ana", [Hit(5)], null, false));
        s = CardIdentitiesReducers.Reduce(s, new LoadCardIdentitiesAction(9));
        s.CardId.ShouldBe(9);
        s.Card.ShouldBeNull();
        s.Results.ShouldBeEmpty();
        s.Suggestions.ShouldBeEmpty();
        s.Query.ShouldBe(string.Empty);
    }

    [Fact]
    public void ALateAnswerForAnOlderQueryDoesNotReplaceTheNewest()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(), new SearchOtherCardsAction("an"));
        s = CardIdentitiesReducers.Reduce(s, new SearchOtherCardsAction("ana"));
        s = CardIdentitiesReducers.Reduce(s, new OtherCardsFoundAction("ana", [Hit(5)], null, false));
        s = CardIdentitiesReducers.Reduce(s, new OtherCardsFoundAction("an", [Hit(6), Hit(7)], null, false));
        s.Results.Select(h => h.Id).ShouldBe([5L]);
        s.Searching.ShouldBeFalse();
    }

    [Fact]
    public void TheCardItselfNeverShowsAmongTheCardsToMergeAndMorePagesAppendWithoutRepeats()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(1), new SearchOtherCardsAction("x"));
        s = CardIdentitiesReducers.Reduce(s, new OtherCardsFoundAction("x", [Hit(1), Hit(3)], new SearchCursor(1, "k", 3), false));
        s = CardIdentitiesReducers.Reduce(s, new OtherCardsFoundAction("x", [Hit(3), Hit(4)], null, true));
        s.Results.Select(h => h.Id).ShouldBe([3L, 4L]);
        s.NextResults.ShouldBeNull();
    }

    [Fact]
    public void AMergeRemovesTheMergedCardFromResultsAndSuggestionsAndFollowsWhenTheViewedCardWent()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(1), new OtherCardsFoundAction(string.Empty, [Hit(2)], null, false));
        var kept = CardIdentitiesReducers.Reduce(s, new MergedFromIdentitiesAction(new MergeResult(10, 1, 2, 1, 1, 3, 0), ViewedCardId: 1));
        kept.Suggestions.ShouldBeEmpty();
        kept.Results.ShouldBeEmpty();
        kept.MovedTo.ShouldBeNull();
        kept.LastMerge!.MergeId.ShouldBe(10);

        var went = CardIdentitiesReducers.Reduce(s, new MergedFromIdentitiesAction(new MergeResult(11, 2, 1, 1, 1, 3, 0), ViewedCardId: 1));
        went.MovedTo.ShouldBe(2);

        CardIdentitiesReducers.Reduce(kept, new MergeUndoneFromIdentitiesAction(10)).LastMerge.ShouldBeNull();
    }

    [Fact]
    public void ACommandsAnswerCarriesTheCardReadAfterIt_ShownInTheSameUpdate()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(1), new SetCardLockAction(true));
        var locked = Card(1) with { IsLocked = true };
        s = CardIdentitiesReducers.Reduce(s, new CardPrivacyDoneAction(new CardIdentitiesSnapshot(locked, [])));
        (s.Busy, s.Card!.IsLocked, s.Suggestions.IsEmpty).ShouldBe((false, true, true));

        var merged = CardIdentitiesReducers.Reduce(Loaded(1), new MergedFromIdentitiesAction(new MergeResult(10, 1, 2, 1, 1, 3, 0), 1,
            new CardIdentitiesSnapshot(Card(1) with { DisplayName = "Ana Rey-Martin" }, [new DuplicateCandidate(2, "Ana Rey", null, 0.9, []), new DuplicateCandidate(7, "A. Rey", null, 0.6, [])])));
        merged.Card!.DisplayName.ShouldBe("Ana Rey-Martin");
        merged.Suggestions.Select(c => c.CardId).ShouldBe([7L], "the merged card is no suggestion, even if read a moment before the merge");

        // An answer about a card no longer on screen changes nothing of the card shown.
        var other = CardIdentitiesReducers.Reduce(Loaded(1), new LoadCardIdentitiesAction(5));
        CardIdentitiesReducers.Reduce(other, new CardPrivacyDoneAction(new CardIdentitiesSnapshot(locked, []))).Card.ShouldBeNull();
    }

    [Fact]
    public void AFailureEndsBusyAndShowsTheMessage()
    {
        var s = CardIdentitiesReducers.Reduce(Loaded(), new SetCardLockAction(true));
        s.Busy.ShouldBeTrue();
        s = CardIdentitiesReducers.Reduce(s, new CardIdentitiesFailedAction("Card 1 is locked."));
        s.Busy.ShouldBeFalse();
        s.Error.ShouldBe("Card 1 is locked.");
    }

    [Theory]
    [InlineData("https://twitter.com/ana", "https://twitter.com/ana")]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("data:text/html,<script>", null)]
    [InlineData("not a url", null)]
    [InlineData(null, null)]
    public void OnlyWebLinksBecomeProfileLinks(string? url, string? expected) =>
        CardIdentitiesTab.SafeProfileUrl(url).ShouldBe(expected);
}
