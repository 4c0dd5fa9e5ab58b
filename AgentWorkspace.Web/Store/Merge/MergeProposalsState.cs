using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>
/// Merge proposals seen from a card (issue 21): whether the reader merges or only proposes (so that the tab offers the
/// one that will not be refused), the proposals involving the card, the one just made, and the decision just heard of.
/// </summary>
public sealed record MergeProposalsState(
    long CardId,
    MergeRight? Right,
    ImmutableList<MergeRequestView> Proposals,
    bool Busy,
    string? Error,
    MergeRequestView? JustProposed,
    MergeRequestView? Decided)
{
    /// <summary>Whether a proposal to merge this card with <paramref name="otherId"/> waits for a supervisor.</summary>
    public bool IsPendingWith(long otherId) => Proposals.Any(p => p.Status == MergeRequestStatus.Pending
        && ((p.SurvivorId == CardId && p.MergedId == otherId) || (p.MergedId == CardId && p.SurvivorId == otherId)));
}

public sealed class MergeProposalsFeature : Feature<MergeProposalsState>
{
    public override string Name => "MergeProposals";
    public override MergeProposalsState GetInitialState() => new(0, null, [], false, null, null, null);
}

public sealed record LoadMergeProposalsAction(long CardId);
public sealed record MergeProposalsLoadedAction(long CardId, MergeRight Right, IReadOnlyList<MergeRequestView> Proposals);
public sealed record ProposeMergeAction(long SurvivorId, long MergedId, string? Comment);
public sealed record MergeProposedAction(MergeRequestView Proposal);
public sealed record MergeProposalFailedAction(string Error);

public static class MergeProposalsReducers
{
    [ReducerMethod]
    public static MergeProposalsState Reduce(MergeProposalsState s, LoadMergeProposalsAction a) =>
        a.CardId == s.CardId ? s : new MergeProposalsFeature().GetInitialState() with { CardId = a.CardId };

    /// <summary>A proposal that was pending and is now decided is the decision the agent is told of.</summary>
    [ReducerMethod]
    public static MergeProposalsState Reduce(MergeProposalsState s, MergeProposalsLoadedAction a)
    {
        if (a.CardId != s.CardId) return s;
        var decided = a.Proposals.Where(p => p.Status != MergeRequestStatus.Pending)
            .FirstOrDefault(p => s.Proposals.Any(old => old.Id == p.Id && old.Status == MergeRequestStatus.Pending));
        return s with
        {
            Right = a.Right,
            Proposals = [.. a.Proposals],
            Decided = decided ?? s.Decided,
            JustProposed = decided is not null && decided.Id == s.JustProposed?.Id ? null : s.JustProposed,
        };
    }

    [ReducerMethod]
    public static MergeProposalsState Reduce(MergeProposalsState s, ProposeMergeAction _) => s with { Busy = true, Error = null, Decided = null };

    [ReducerMethod]
    public static MergeProposalsState Reduce(MergeProposalsState s, MergeProposedAction a) =>
        s with { Busy = false, JustProposed = a.Proposal, Proposals = s.Proposals.RemoveAll(p => p.Id == a.Proposal.Id).Insert(0, a.Proposal) };

    [ReducerMethod]
    public static MergeProposalsState Reduce(MergeProposalsState s, MergeProposalFailedAction a) => s with { Busy = false, Error = a.Error };
}
