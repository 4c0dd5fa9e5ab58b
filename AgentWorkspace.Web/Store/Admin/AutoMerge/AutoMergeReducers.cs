using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.AutoMerge;

public static class AutoMergeReducers
{
    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, LoadAutoMergeAction _) => s with { Loading = true, Errors = FormErrors.None };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, AutoMergeLoadedAction a) => s with
    {
        Loading = false, Rules = a.Rules, Fields = a.Fields, Queues = a.Queues, Preview = a.Preview, Run = a.Run, Page = a.Page,
        After = null, Earlier = [], Names = a.Names,
    };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, AutoMergeRefreshedAction a)
    {
        // A new preview starts again from its first page.
        var same = a.Preview?.Id == s.Preview?.Id;
        return s with { Saving = false, Rules = a.Rules, Preview = a.Preview, Run = a.Run, Page = a.Page, Names = a.Names, After = same ? s.After : null, Earlier = same ? s.Earlier : [] };
    }

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, SaveMatchingRuleAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, DeleteMatchingRuleAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, MoveMatchingRuleAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, MatchingRulesSavedAction a) => s with { Saving = false, Rules = a.Rules };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, StartMatchPreviewAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, MatchPairsShownAction a) => s with { Page = a.Page, Preview = a.Page.Preview, After = a.After, Earlier = a.Earlier, Names = a.Names };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, SetMatchPairExcludedAction _) => s with { Errors = FormErrors.None };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, MatchPairChangedAction a)
    {
        if (s.Page is not { } page) return s;
        var was = page.Pairs.FirstOrDefault(p => p.Id == a.Pair.Id);
        if (was is null) return s;
        var pairs = page.Pairs.Select(p => p.Id == a.Pair.Id ? a.Pair : p).ToList();
        var preview = page.Preview;
        if (was.Excluded != a.Pair.Excluded && s.Preview is { } p)
            preview = p with { Counts = p.Counts with { Excluded = p.Counts.Excluded + (a.Pair.Excluded ? 1 : -1) } };
        return s with { Page = page with { Pairs = pairs, Preview = preview }, Preview = preview };
    }

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, StartMatchRunAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, UndoMatchRunAction _) => Saving(s);

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, MatchRunChangedAction a) => s with { Saving = false, Run = a.Run };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, AutoMergeFailedAction a) =>
        s with
        {
            Loading = false, Saving = false,
            Errors = a.ByField ? FormErrors.Of(a.Errors, a.Where) : FormErrors.None.Add(a.Where, a.Errors[0]),
        };

    [ReducerMethod]
    public static AutoMergeState Reduce(AutoMergeState s, ClearAutoMergeErrorsAction _) => s with { Errors = FormErrors.None };

    private static AutoMergeState Saving(AutoMergeState s) => s with { Saving = true, Errors = FormErrors.None };
}
