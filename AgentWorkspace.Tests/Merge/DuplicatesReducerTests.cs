using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Merge;

namespace AgentWorkspace.Tests.Merge;

public class DuplicatesReducerTests
{
    private static DuplicatePair Pair(long a, long b) => new(a, "A", new DuplicateCandidate(b, "B", null, 0.9, []));

    [Fact]
    public void AMergeRemovesEveryPairOfTheMergedCardAndShowsTheConfirmation()
    {
        var state = new DuplicatesFeature().GetInitialState() with { Pairs = [Pair(1, 2), Pair(2, 3), Pair(4, 5)] };
        var result = new MergeResult(9, 1, 2, 1, 1, 3, 0);
        var next = DuplicatesReducers.Reduce(state, new CardsMergedAction(result));
        next.Pairs.Select(p => p.CardId).ShouldBe([4]);
        next.LastMerge.ShouldBe(result);
        state.Pairs.Count.ShouldBe(3);
    }

    [Fact]
    public void UndoClearsTheConfirmationAndAFailureIsShown()
    {
        var state = new DuplicatesFeature().GetInitialState() with { LastMerge = new MergeResult(9, 1, 2, 0, 0, 0, 0), Busy = true };
        DuplicatesReducers.Reduce(state, new MergeUndoneAction(9)).LastMerge.ShouldBeNull();
        var failed = DuplicatesReducers.Reduce(state, new DuplicatesFailedAction("locked"));
        failed.Error.ShouldBe("locked");
        failed.Busy.ShouldBeFalse();
    }

    [Fact]
    public void ADismissedPairLeavesTheListWhicheverWayRoundItIsNamed()
    {
        var state = new DuplicatesFeature().GetInitialState() with { Pairs = [Pair(1, 2), Pair(3, 4)] };
        DuplicatesReducers.Reduce(state, new PairDismissedAction(2, 1)).Pairs.Single().CardId.ShouldBe(3);
    }

    [Fact]
    public void AnUndoBringsThePairsReadAfterItInTheSameUpdate()
    {
        var state = new DuplicatesFeature().GetInitialState() with { LastMerge = new MergeResult(9, 1, 2, 0, 0, 0, 0), Busy = true, Pairs = [Pair(4, 5)] };
        var next = DuplicatesReducers.Reduce(state, new MergeUndoneAction(9, [Pair(1, 2), Pair(4, 5)]));
        next.Pairs.Select(p => p.CardId).ShouldBe([1, 4]);
        (next.LastMerge, next.Busy, next.Loading).ShouldBe((null, false, false));
        DuplicatesReducers.Reduce(state, new MergeUndoneAction(9)).Pairs.ShouldBe(state.Pairs, "the pairs could not be read: the list stays");
    }
}
