using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>A refused profile save: what this agent sent, what is stored now, and the differing fields.</summary>
public sealed record ProfileConflict(long CurrentVersion, CardProfile Theirs, CardProfile Mine, IReadOnlyList<FieldConflict> Fields);

/// <summary>Everything of the card extra to its first view (loaded right after it).</summary>
public sealed record CardExtras(ConversationSummary? Summary, IReadOnlyList<CaseSummary> RecentCases, IReadOnlyList<NoteView> Notes, IReadOnlyList<TimelineItem> Activity);

/// <summary>The detailed card open in this circuit (/cards/{id}).</summary>
public sealed record CardDetailState(
    long? CardId,
    bool Loading,
    CardFirstView? Card,
    ImmutableList<MessageView> Messages,
    MessageCursor? NextMessages,
    bool LoadingMore,
    CardExtras? Extras,
    ImmutableList<TimelineItem> Timeline,
    TimelineCursor? NextTimeline,
    TimelineFilter TimelineFilter,
    ImmutableList<CaseThread>? CaseThreads,
    bool SavingProfile,
    ImmutableDictionary<string, string> ProfileErrors,
    ProfileConflict? Conflict,
    int DraftGeneration,
    bool ProfileSaved,
    ImmutableDictionary<string, string> FieldErrors,
    string? Error,
    long? MergedInto,
    /// <summary>The numbered read that <see cref="Card"/> came from (see <see cref="CardLoadedAction"/>).</summary>
    long CardLoad = 0,
    /// <summary>Whether the Timeline tab has been shown for this card: until then its activity is not read (a long-time contact has thousands of items).</summary>
    bool TimelineShown = false)
{
    /// <summary>The merge being undone from the timeline (its Undo is disabled meanwhile).</summary>
    public long? UndoingMerge { get; init; }

    public static CardDetailState Initial(long? cardId) => new(cardId, cardId is not null, null, [], null, false, null, [], null, TimelineFilter.All, null,
        false, ImmutableDictionary<string, string>.Empty, null, 0, false, ImmutableDictionary<string, string>.Empty, null, null);
}

public sealed class CardDetailFeature : Feature<CardDetailState>
{
    public override string Name => "CardDetail";
    public override CardDetailState GetInitialState() => CardDetailState.Initial(null);
}

public sealed record OpenCardAction(long CardId);
public sealed record RefreshCardAction(long CardId);
/// <summary>
/// The card read (first view). <paramref name="Load"/> numbers this circuit's reads in the order they
/// started: a live refresh that started earlier but finished after a later one saw an older card and
/// is dropped (0: not numbered, always shown).
/// </summary>
public sealed record CardLoadedAction(CardFirstView Card, long Load = 0);
public sealed record CardExtrasLoadedAction(long CardId, CardExtras Extras);
public sealed record CardRedirectedAction(long CardId, long SurvivorId);
public sealed record CardFailedAction(long CardId, string Error);
public sealed record LoadMoreMessagesAction(long CardId);
public sealed record MoreMessagesLoadedAction(long CardId, MessagePage Page);
public sealed record SetTimelineFilterAction(long CardId, TimelineFilter Filter);
/// <summary>The Timeline tab is shown: read its first page (and keep it live from then on).</summary>
public sealed record ShowTimelineAction(long CardId);
public sealed record LoadMoreTimelineAction(long CardId);
public sealed record TimelineLoadedAction(long CardId, TimelineFilter Filter, TimelinePage Page, bool Append);
/// <summary>Undo a merge from its entry in the timeline (offered only where <see cref="Core.Features.Merge.MergeUndoOffer.Offered"/>).</summary>
public sealed record UndoMergeFromTimelineAction(long CardId, long MergeId);
/// <summary>The merge was undone; the card and its timeline are read again right after.</summary>
public sealed record TimelineMergeUndoneAction(long CardId, long MergeId);
public sealed record LoadCaseThreadsAction(long CardId);
public sealed record CaseThreadsLoadedAction(long CardId, IReadOnlyList<CaseThread> Threads);
public sealed record SaveProfileAction(long CardId, long Version, CardProfile Profile, CardProfile? Basis = null);
/// <summary>The profile saved; <paramref name="Provenance"/>: the card's value sources read after the save (null: not read).</summary>
public sealed record ProfileSavedAction(long CardId, long Version, CardProfile Profile, CardProvenance? Provenance = null);
public sealed record ProfileRejectedAction(long CardId, string Field, string Error);
public sealed record ProfileConflictAction(long CardId, ProfileConflict Conflict);
public sealed record TakeTheirsAction(long CardId);
public sealed record DismissProfileSavedAction;
public sealed record SetCardFieldAction(long CardId, string Ident, string? Value, CustomFieldType Type);
public sealed record CardFieldSavedAction(long CardId, string Ident);
public sealed record CardFieldRejectedAction(long CardId, string Ident, string Error);
public sealed record AddNoteAction(long CardId, string Text, long? CaseId);
public sealed record EditNoteAction(long CardId, long NoteId, string Text);
public sealed record DeleteNoteAction(long CardId, long NoteId);
public sealed record AddCommentAction(long CardId, long CaseId, long? MessageId, string Text);
public sealed record CardActionFailedAction(long CardId, string Error);
public sealed record DismissCardErrorAction;

public static class CardDetailReducers
{
    private static bool Current(CardDetailState s, long id) => s.CardId == id;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, OpenCardAction a) => CardDetailState.Initial(a.CardId);

    /// <summary>First load, or a live refresh: the newest messages go on top of those already loaded, none twice.</summary>
    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardLoadedAction a)
    {
        if (!Current(s, a.Card.Id) || (a.Load != 0 && a.Load < s.CardLoad)) return s;
        var load = Math.Max(a.Load, s.CardLoad);
        if (s.Card is null) return s with { Loading = false, Card = a.Card, Messages = [.. a.Card.Messages.Items], NextMessages = a.Card.Messages.Next, Error = null, CardLoad = load };
        var known = s.Messages.Select(m => m.Id).ToHashSet();
        var newer = a.Card.Messages.Items.Where(m => !known.Contains(m.Id)).ToList();
        var messages = newer.Count == 0 ? s.Messages
            : s.Messages.InsertRange(0, newer).Sort((x, y) => y.SentAt != x.SentAt ? y.SentAt.CompareTo(x.SentAt) : y.Id.CompareTo(x.Id));
        return s with { Loading = false, Card = a.Card, Messages = messages, CardLoad = load };
    }

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardExtrasLoadedAction a) => Current(s, a.CardId) ? s with { Extras = a.Extras } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardRedirectedAction a) => Current(s, a.CardId) ? s with { Loading = false, MergedInto = a.SurvivorId } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardFailedAction a) => Current(s, a.CardId) ? s with { Loading = false, Error = a.Error } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, LoadMoreMessagesAction a) => Current(s, a.CardId) && s.NextMessages is not null ? s with { LoadingMore = true } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, MoreMessagesLoadedAction a)
    {
        if (!Current(s, a.CardId)) return s;
        var known = s.Messages.Select(m => m.Id).ToHashSet();
        return s with { LoadingMore = false, Messages = s.Messages.AddRange(a.Page.Items.Where(m => !known.Contains(m.Id))), NextMessages = a.Page.Next };
    }

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, SetTimelineFilterAction a) => Current(s, a.CardId) ? s with { TimelineFilter = a.Filter } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, ShowTimelineAction a) => Current(s, a.CardId) ? s with { TimelineShown = true } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, TimelineLoadedAction a)
    {
        if (!Current(s, a.CardId) || a.Filter != s.TimelineFilter) return s;
        return s with { Timeline = a.Append ? s.Timeline.AddRange(a.Page.Items) : [.. a.Page.Items], NextTimeline = a.Page.Next };
    }

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, UndoMergeFromTimelineAction a) => Current(s, a.CardId) ? s with { UndoingMerge = a.MergeId, Error = null } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, TimelineMergeUndoneAction a) => Current(s, a.CardId) ? s with { UndoingMerge = null } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CaseThreadsLoadedAction a) => Current(s, a.CardId) ? s with { CaseThreads = [.. a.Threads] } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, SaveProfileAction a) =>
        Current(s, a.CardId) ? s with { SavingProfile = true, ProfileErrors = ImmutableDictionary<string, string>.Empty, ProfileSaved = false } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, ProfileSavedAction a) =>
        !Current(s, a.CardId) || s.Card is null ? s
            : s with { SavingProfile = false, Conflict = null, ProfileSaved = true, DraftGeneration = s.DraftGeneration + 1, Card = s.Card with { Version = Math.Max(a.Version, s.Card.Version), Profile = a.Version >= s.Card.Version ? a.Profile : s.Card.Profile,
                Provenance = a.Version >= s.Card.Version && a.Provenance is { } p ? p : s.Card.Provenance } };

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, ProfileRejectedAction a) =>
        Current(s, a.CardId) ? s with { SavingProfile = false, ProfileErrors = s.ProfileErrors.SetItem(a.Field, a.Error) } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, ProfileConflictAction a) => Current(s, a.CardId) ? s with { SavingProfile = false, Conflict = a.Conflict } : s;

    /// <summary>The agent takes the other agent's values: the form starts again from what is stored.</summary>
    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, TakeTheirsAction a) =>
        !Current(s, a.CardId) || s.Card is null || s.Conflict is null ? s
            : s with
            {
                Conflict = null, DraftGeneration = s.DraftGeneration + 1,
                Card = s.Card.Version > s.Conflict.CurrentVersion ? s.Card : s.Card with { Version = s.Conflict.CurrentVersion, Profile = s.Conflict.Theirs },
            };

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, DismissProfileSavedAction _) => s with { ProfileSaved = false };

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, SetCardFieldAction a) => Current(s, a.CardId) ? s with { FieldErrors = s.FieldErrors.Remove(a.Ident) } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardFieldRejectedAction a) => Current(s, a.CardId) ? s with { FieldErrors = s.FieldErrors.SetItem(a.Ident, a.Error) } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, CardActionFailedAction a) => Current(s, a.CardId) ? s with { Error = a.Error, UndoingMerge = null } : s;

    [ReducerMethod]
    public static CardDetailState Reduce(CardDetailState s, DismissCardErrorAction _) => s with { Error = null };
}
