using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Admin.Audit;

public static class AuditReducers
{
    [ReducerMethod]
    public static AuditState Reduce(AuditState s, LoadAuditAction a) => s with { Loading = true, Filter = a.Filter, Entries = [], Next = null, Error = null };

    [ReducerMethod]
    public static AuditState Reduce(AuditState s, AuditEntityTypesLoadedAction a) => s with { EntityTypes = [.. a.EntityTypes] };

    [ReducerMethod]
    public static AuditState Reduce(AuditState s, SearchAuditAction a) => s with { Loading = true, Filter = a.Filter, Entries = [], Next = null, Error = null };

    [ReducerMethod]
    public static AuditState Reduce(AuditState s, LoadMoreAuditAction _) => s.Next is null ? s : s with { Loading = true, Error = null };

    /// <summary>A page answering an older filter is dropped: the administrator searched again meanwhile.</summary>
    [ReducerMethod]
    public static AuditState Reduce(AuditState s, AuditPageLoadedAction a) =>
        a.Filter != s.Filter ? s : s with
        {
            Loading = false,
            Entries = a.Append ? s.Entries.AddRange(a.Page.Entries.Where(e => s.Entries.All(x => x.Id != e.Id))) : [.. a.Page.Entries],
            Next = a.Page.Next,
        };

    [ReducerMethod]
    public static AuditState Reduce(AuditState s, AuditFailedAction a) => s with { Loading = false, Error = a.Error };
}
