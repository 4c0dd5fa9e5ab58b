using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Inbox;

/// <summary>One case open in a tab: its detail, history, and the outcome of the last action on it.</summary>
public sealed record OpenCase(
    long CaseId,
    CaseDetail? Detail,
    HistoryPage? History,
    bool Busy,
    string? Error,
    string? ErrorField,
    /// <summary>The load that <see cref="Detail"/> came from (see <see cref="CaseLoadedAction.Load"/>).</summary>
    long DetailLoad = 0,
    /// <summary>The load that the first page of <see cref="History"/> came from.</summary>
    long HistoryLoad = 0)
{
    /// <summary>A call's after-call work (seed 001): whether the call ended, the wrap-up to do or done. Null for other channels.</summary>
    public AfterCallWorkView? AfterCall { get; init; }

    /// <summary>The "Merge with another case…" panel is open (ADR 021); <see cref="MergeCandidates"/> null while they load.</summary>
    public bool MergeOpen { get; init; }
    public IReadOnlyList<CaseMergeCandidate>? MergeCandidates { get; init; }
    /// <summary>What the last action did, said to the agent on the case (a merge, an unmerge); cleared by the next action.</summary>
    public string? Info { get; init; }

    public static OpenCase Loading(long caseId) => new(caseId, null, null, true, null, null);
}

public sealed record InboxState(
    bool Loading,
    bool LoadingMore,
    InboxFilter Filter,
    ImmutableList<CaseTile> Tiles,
    InboxCursor? Next,
    InboxCounts? Counts,
    ImmutableList<long> OpenTabs,
    long? ActiveCaseId,
    ImmutableDictionary<long, OpenCase> Cases,
    IReadOnlyList<QueueOption> Queues,
    IReadOnlyList<AgentOption> Agents,
    IReadOnlyList<QuickReplyView> QuickReplies,
    string? Error,
    DateTimeOffset Now)
{
    public const int MaxOpenTabs = 6;

    /// <summary>Tiles in the panel's first page, and the fewest a live change leaves in it.</summary>
    public const int PageSize = 30;

    /// <summary>The wrap-up dispositions agents choose from (the administrators' list, active ones).</summary>
    public IReadOnlyList<AgentWorkspace.Core.Features.Crm.DispositionView> Dispositions { get; init; } = [];

    public OpenCase? Active => ActiveCaseId is { } id && Cases.TryGetValue(id, out var c) ? c : null;
}

public sealed class InboxFeature : Feature<InboxState>
{
    public override string Name => "Inbox";

    public override InboxState GetInitialState() => new(false, false, new InboxFilter(), [], null, null, [], null,
        ImmutableDictionary<long, OpenCase>.Empty, [], [], [], null, DateTimeOffset.UtcNow);
}

// Loading and filtering the assignment panel.
public sealed record LoadInboxAction;
public sealed record InboxReferenceLoadedAction(IReadOnlyList<QueueOption> Queues, IReadOnlyList<AgentOption> Agents, IReadOnlyList<QuickReplyView> QuickReplies);
/// <summary>An administrator changed the knowledge base: the inbox's quick replies, read again.</summary>
public sealed record InboxQuickRepliesLoadedAction(IReadOnlyList<QuickReplyView> QuickReplies);
/// <summary>
/// The agent picked a quick reply for a case: its text, filled from the case (QuickReplyPlaceholders), goes after
/// <paramref name="Text"/> (what the box holds, without the "/" that opened the list) in the composer.
/// </summary>
public sealed record InsertQuickReplyAction(long CaseId, long QuickReplyId, ComposerMode Mode, string? Text);
public sealed record SetInboxFilterAction(InboxFilter Filter);
public sealed record LoadMoreCasesAction;
public sealed record RefreshInboxAction;
public sealed record InboxPageLoadedAction(InboxFilter Filter, InboxPage Page, bool Append);
/// <summary>
/// One case changed (issue 20): its tile as it is now, or null when it is gone or no longer the agent's to see, and
/// whether <paramref name="Filter"/> lists it. The panel moves, adds or drops that tile without being read again.
/// </summary>
public sealed record InboxTileChangedAction(InboxFilter Filter, long CaseId, CaseTile? Tile, bool Listed) : ILiveUpdate;
/// <summary>The header's figures as the server's board counted them (a live update: the board recounts after changes).</summary>
public sealed record InboxCountsLoadedAction(InboxCounts Counts) : ILiveUpdate;
public sealed record InboxFailedAction(string Error);
/// <summary>The clock moved (SLA bars, waiting times).</summary>
public sealed record InboxTickAction(DateTimeOffset Now) : ILiveUpdate;

// Open cases (tabs).
public sealed record OpenCaseAction(long CaseId);
public sealed record SelectCaseAction(long CaseId);
public sealed record CloseCaseAction(long CaseId);
/// <summary>The tabs the agent had open before a reload (this browser remembers them, see Inbox.razor), added to any open now.</summary>
public sealed record RestoreOpenCasesAction(IReadOnlyList<long> CaseIds, long? ActiveCaseId);
public sealed record ReloadCaseAction(long CaseId);
/// <summary>
/// A case read from the database. <paramref name="Load"/> numbers the reads of this circuit in the order
/// they STARTED: a read started later saw the database at least as new, so when two change events
/// reload one case at once and the earlier read finishes last, its older detail is dropped instead of
/// replacing the newer one (0: not numbered, always shown).
/// </summary>
public sealed record CaseLoadedAction(CaseDetail Detail, long Load = 0);
/// <summary>A page of a case's history; a first page (not <paramref name="Append"/>) is ordered by <paramref name="Load"/> like <see cref="CaseLoadedAction"/>.</summary>
public sealed record CaseHistoryLoadedAction(long CaseId, HistoryPage History, bool Append, long Load = 0);
public sealed record LoadMoreHistoryAction(long CaseId);
public sealed record LoadEarlierMessagesAction(long CaseId);
public sealed record EarlierMessagesLoadedAction(long CaseId, IReadOnlyList<ThreadEntry> Entries, ThreadCursor? Earlier);

// Handling a case.
public abstract record CaseCommandAction(long CaseId);
public sealed record TakeCaseAction(long CaseId) : CaseCommandAction(CaseId);
public sealed record AssignCaseAction(long CaseId, string AgentId) : CaseCommandAction(CaseId);
public sealed record UnassignCaseAction(long CaseId) : CaseCommandAction(CaseId);
public sealed record TransferCaseAction(long CaseId, long QueueId, string? AgentId) : CaseCommandAction(CaseId);
public sealed record ResolveCaseAction(long CaseId) : CaseCommandAction(CaseId);
public sealed record PendCaseAction(long CaseId) : CaseCommandAction(CaseId);
public sealed record CancelCaseAction(long CaseId) : CaseCommandAction(CaseId);
public sealed record ReopenCaseAction(long CaseId) : CaseCommandAction(CaseId);
/// <param name="Via">For a reply in a case that took in merged cases (ADR 021): the channel it goes on; null, the case's default.</param>
public sealed record SubmitComposerAction(long CaseId, ComposerMode Mode, string Text, AgentWorkspace.Core.Domain.Channels.Channel? Via = null) : CaseCommandAction(CaseId);
/// <summary>The author's new version of a rejected draft, sent for approval again.</summary>
public sealed record ResubmitDraftAction(long CaseId, long DraftId, string Text) : CaseCommandAction(CaseId);
/// <summary>The call is over (seed 001): its after-call work begins.</summary>
public sealed record EndCallAction(long CaseId) : CaseCommandAction(CaseId);
/// <summary>Completes the call's wrap-up with a disposition of the administrators' list and notes; the CRM push follows.</summary>
public sealed record CompleteWrapUpAction(long CaseId, string? Disposition, string? Notes) : CaseCommandAction(CaseId);
/// <summary>A call's after-call work as read (with its case, or after a command on it).</summary>
public sealed record AfterCallWorkLoadedAction(AfterCallWorkView AfterCall);
public sealed record DispositionsLoadedAction(IReadOnlyList<AgentWorkspace.Core.Features.Crm.DispositionView> Dispositions);
/// <summary>
/// A command's answer (<paramref name="Tile"/>) with the case read right after it (<paramref name="Detail"/> and
/// <paramref name="History"/>, numbered <paramref name="Load"/> like <see cref="CaseLoadedAction"/>; none when it could not be read).
/// </summary>
public sealed record CaseCommandSucceededAction(long CaseId, CaseTile Tile, bool ComposerDone, CaseDetail? Detail = null, HistoryPage? History = null, long Load = 0);
public sealed record CaseCommandFailedAction(long CaseId, string Error, string? Field);

// Merging a contact's cases (ADR 021).
/// <summary>Opens the "Merge with another case…" panel of a case: the contact's other open cases are read for it.</summary>
public sealed record OpenMergePanelAction(long CaseId);
public sealed record CloseMergePanelAction(long CaseId);
public sealed record MergeCandidatesLoadedAction(long CaseId, IReadOnlyList<CaseMergeCandidate> Candidates);
/// <summary>Merges <paramref name="MergedId"/> into the case in view (<paramref name="CaseId"/>, the survivor).</summary>
public sealed record MergeCaseAction(long CaseId, long MergedId) : CaseCommandAction(CaseId);
/// <summary>Undoes the merge of <paramref name="MergedId"/> into the case in view.</summary>
public sealed record UnmergeCaseAction(long CaseId, long MergedId) : CaseCommandAction(CaseId);
/// <summary>Tells the agent, on the case, what their action did.</summary>
public sealed record CaseInfoAction(long CaseId, string Info);
