using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Inbox;

public static class InboxReducers
{
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, LoadInboxAction _) => s with { Loading = true, Error = null };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxReferenceLoadedAction a) => s with { Queues = a.Queues, Agents = a.Agents, QuickReplies = a.QuickReplies };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxQuickRepliesLoadedAction a) => s with { QuickReplies = a.QuickReplies };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, SetInboxFilterAction a) => s with { Filter = a.Filter, Loading = true, Error = null };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, LoadMoreCasesAction _) => s.Next is null ? s : s with { LoadingMore = true };

    /// <summary>A page answering an older filter is dropped: the agent changed filters meanwhile.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxPageLoadedAction a)
    {
        if (a.Filter != s.Filter) return s;
        var tiles = a.Append ? s.Tiles.AddRange(a.Page.Tiles.Where(t => s.Tiles.All(x => x.Id != t.Id))) : [.. a.Page.Tiles];
        return s with { Loading = false, LoadingMore = false, Tiles = tiles, Next = a.Page.Next };
    }

    /// <summary>
    /// A changed case in place: out of the list when it no longer belongs there; else at its place in the panel's order,
    /// unless that place is past the last tile shown while more pages follow (it is on a later page). The list keeps its
    /// length: a tile that comes in pushes the last one out to the next page, whose cursor moves with it.
    /// </summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxTileChangedAction a)
    {
        if (a.Filter != s.Filter) return s;
        var at = s.Tiles.FindIndex(t => t.Id == a.CaseId);
        // The same tile again (a second event of one change: a new case's message and its creation): nothing moves, and
        // the state stays the same instance, so that nothing renders.
        if (at >= 0 && a.Listed && a.Tile == s.Tiles[at]) return s;
        var tiles = at >= 0 ? s.Tiles.RemoveAt(at) : s.Tiles;
        if (a.Tile is not { } tile || !a.Listed) return at >= 0 ? s with { Tiles = tiles } : s;
        var place = tiles.FindIndex(t => s.Filter.Precedes(tile, t));
        if (place < 0)
        {
            if (s.Next is not null) return s with { Tiles = tiles };
            place = tiles.Count;
        }
        tiles = tiles.Insert(place, tile);
        var next = s.Next;
        if (tiles.Count > Math.Max(s.Tiles.Count, InboxState.PageSize))
        {
            var last = tiles[^2];
            tiles = tiles.RemoveAt(tiles.Count - 1);
            next = new InboxCursor(last.LastMessageAt, last.Id);
        }
        return s with { Tiles = tiles, Next = next };
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxCountsLoadedAction a) => s with { Counts = a.Counts };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxFailedAction a) => s with { Loading = false, LoadingMore = false, Error = a.Error };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, InboxTickAction a) => s with { Now = a.Now };

    /// <summary>Opens a tab (or selects it if open); beyond the limit the oldest tab that is not busy closes.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, OpenCaseAction a)
    {
        if (s.OpenTabs.Contains(a.CaseId)) return s with { ActiveCaseId = a.CaseId };
        var tabs = s.OpenTabs.Add(a.CaseId);
        var cases = s.Cases.SetItem(a.CaseId, OpenCase.Loading(a.CaseId));
        while (tabs.Count > InboxState.MaxOpenTabs)
        {
            var drop = tabs.First(id => id != a.CaseId);
            tabs = tabs.Remove(drop);
            cases = cases.Remove(drop);
        }
        return s with { OpenTabs = tabs, Cases = cases, ActiveCaseId = a.CaseId };
    }

    /// <summary>Restored tabs come first, in their order, then those opened since; the limit keeps the newest.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, RestoreOpenCasesAction a)
    {
        var restored = a.CaseIds.Where(id => id > 0).Distinct().Where(id => !s.OpenTabs.Contains(id)).ToList();
        if (restored.Count == 0) return s.ActiveCaseId is null && a.ActiveCaseId is { } only && s.OpenTabs.Contains(only) ? s with { ActiveCaseId = only } : s;
        var tabs = ImmutableList.CreateRange(restored.Concat(s.OpenTabs));
        var cases = s.Cases.SetItems(restored.Select(id => KeyValuePair.Create(id, OpenCase.Loading(id))));
        while (tabs.Count > InboxState.MaxOpenTabs)
        {
            var drop = tabs[0];
            tabs = tabs.RemoveAt(0);
            cases = cases.Remove(drop);
        }
        var active = s.ActiveCaseId ?? (a.ActiveCaseId is { } wanted && tabs.Contains(wanted) ? wanted : tabs.LastOrDefault());
        return s with { OpenTabs = tabs, Cases = cases, ActiveCaseId = active == 0 ? null : active };
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, SelectCaseAction a) => s.OpenTabs.Contains(a.CaseId) ? s with { ActiveCaseId = a.CaseId } : s;

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CloseCaseAction a)
    {
        var index = s.OpenTabs.IndexOf(a.CaseId);
        if (index < 0) return s;
        var tabs = s.OpenTabs.RemoveAt(index);
        var active = s.ActiveCaseId != a.CaseId ? s.ActiveCaseId : tabs.Count == 0 ? null : tabs[Math.Min(index, tabs.Count - 1)];
        return s with { OpenTabs = tabs, Cases = s.Cases.Remove(a.CaseId), ActiveCaseId = active };
    }

    /// <summary>A loaded case also refreshes its tile (unread cleared, new preview).</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseLoadedAction a)
    {
        var id = a.Detail.Case.Id;
        if (!s.Cases.TryGetValue(id, out var open)) return s;
        // A read that started before the one already shown finished after it: what it saw is older.
        if (a.Load != 0 && a.Load < open.DetailLoad) return s;
        return s with
        {
            Cases = s.Cases.SetItem(id, open with { Detail = a.Detail, Busy = false, DetailLoad = Math.Max(a.Load, open.DetailLoad) }),
            Tiles = ReplaceTile(s.Tiles, a.Detail.Case),
        };
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseHistoryLoadedAction a)
    {
        if (!s.Cases.TryGetValue(a.CaseId, out var open)) return s;
        if (!a.Append && a.Load != 0 && a.Load < open.HistoryLoad) return s;
        var history = a.Append && open.History is { } h ? new HistoryPage([.. h.Entries, .. a.History.Entries.Where(e => h.Entries.All(x => x.Id != e.Id))], a.History.Next) : a.History;
        return s with { Cases = s.Cases.SetItem(a.CaseId, open with { History = history, HistoryLoad = a.Append ? open.HistoryLoad : Math.Max(a.Load, open.HistoryLoad) }) };
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, EarlierMessagesLoadedAction a)
    {
        if (!s.Cases.TryGetValue(a.CaseId, out var open) || open.Detail is not { } d) return s;
        var known = d.Thread.Where(e => e.Kind == ThreadEntryKind.Message).Select(e => e.Id).ToHashSet();
        var thread = CaseThread.Arrange(a.Entries.Where(e => e.Kind != ThreadEntryKind.Message || !known.Contains(e.Id)).Concat(d.Thread.Select(e => e with { Depth = 0 })));
        return s with { Cases = s.Cases.SetItem(a.CaseId, open with { Detail = d with { Thread = thread, EarlierCursor = a.Earlier } }) };
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseCommandAction a) =>
        s.Cases.TryGetValue(a.CaseId, out var open) ? s with { Cases = s.Cases.SetItem(a.CaseId, open with { Busy = true, Error = null, ErrorField = null, Info = null }) } : s;

    /// <summary>The command's answer, and the case as read right after it, in one state.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseCommandSucceededAction a)
    {
        var tiles = ReplaceTile(s.Tiles, a.Tile);
        if (!s.Cases.TryGetValue(a.CaseId, out var open)) return s with { Tiles = tiles };
        var next = s with
        {
            Tiles = tiles,
            Cases = s.Cases.SetItem(a.CaseId, open with
            {
                Busy = false,
                Detail = open.Detail is { } d ? d with { Case = a.Tile } : null,
            }),
        };
        if (a.Detail is { } detail) next = Reduce(next, new CaseLoadedAction(detail, a.Load));
        if (a.History is { } history) next = Reduce(next, new CaseHistoryLoadedAction(a.CaseId, history, false, a.Load));
        return next;
    }

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, AfterCallWorkLoadedAction a) =>
        s.Cases.TryGetValue(a.AfterCall.CaseId, out var open) ? s with { Cases = s.Cases.SetItem(a.AfterCall.CaseId, open with { AfterCall = a.AfterCall }) } : s;

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, DispositionsLoadedAction a) => s with { Dispositions = a.Dispositions };

    /// <summary>A failure while the merge panel still loads closes it: the error shows where the agent opened it.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseCommandFailedAction a) =>
        s.Cases.TryGetValue(a.CaseId, out var open)
            ? s with { Cases = s.Cases.SetItem(a.CaseId, open with
            {
                Busy = false, Error = a.Error, ErrorField = a.Field, Info = null,
                MergeOpen = open.MergeOpen && open.MergeCandidates is not null,
            }) }
            : s with { Error = a.Error };

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, OpenMergePanelAction a) =>
        Update(s, a.CaseId, open => open with { MergeOpen = true, MergeCandidates = null, Error = null, ErrorField = null, Info = null });

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CloseMergePanelAction a) => Update(s, a.CaseId, open => open with { MergeOpen = false, MergeCandidates = null });

    /// <summary>Candidates arriving after the panel was closed are dropped.</summary>
    [ReducerMethod]
    public static InboxState Reduce(InboxState s, MergeCandidatesLoadedAction a) =>
        Update(s, a.CaseId, open => open.MergeOpen ? open with { MergeCandidates = a.Candidates } : open);

    [ReducerMethod]
    public static InboxState Reduce(InboxState s, CaseInfoAction a) => Update(s, a.CaseId, open => open with { Info = a.Info });

    private static InboxState Update(InboxState s, long caseId, Func<OpenCase, OpenCase> change) =>
        s.Cases.TryGetValue(caseId, out var open) ? s with { Cases = s.Cases.SetItem(caseId, change(open)) } : s;

    private static ImmutableList<CaseTile> ReplaceTile(ImmutableList<CaseTile> tiles, CaseTile tile)
    {
        var index = tiles.FindIndex(t => t.Id == tile.Id);
        return index < 0 ? tiles : tiles.SetItem(index, tile);
    }
}
