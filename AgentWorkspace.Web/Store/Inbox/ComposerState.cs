using System.Collections.Immutable;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Inbox;

/// <summary>Where the text in a case's composer stands against its server-side draft.</summary>
public enum DraftSave
{
    /// <summary>As saved (or as read back).</summary>
    Saved = 0,
    /// <summary>Typed; saved a moment after the last key.</summary>
    Pending = 1,
    Saving = 2,
    /// <summary>The last save failed: <see cref="ComposerEntry.Error"/> says why; the text is still in the box.</summary>
    Failed = 3,
}

/// <summary>The text being written on one case, its mode, and whether it is saved. <see cref="Edit"/> numbers the agent's edits.</summary>
public sealed record ComposerEntry(ComposerMode Mode, string Text, DraftSave Save, long Edit, string? Error = null);

/// <summary>
/// What the agent is writing, per case (issue 22, "nothing typed is lost"). A state of its own, apart from
/// <see cref="InboxState"/>: a key stroke redraws the composer that shows it, not the whole inbox.
/// </summary>
public sealed record ComposerState(ImmutableDictionary<long, ComposerEntry> Entries)
{
    public ComposerEntry? For(long caseId) => Entries.GetValueOrDefault(caseId);
}

public sealed class ComposerFeature : Feature<ComposerState>
{
    public override string Name => "Composer";
    public override ComposerState GetInitialState() => new(ImmutableDictionary<long, ComposerEntry>.Empty);
}

/// <summary>The agent typed (or switched mode): the text is kept at once and saved a moment later.</summary>
public sealed record ComposerTextChangedAction(long CaseId, ComposerMode Mode, string? Text);
/// <summary>The draft the server kept for a case being opened (none: nothing was left).</summary>
public sealed record ComposerDraftLoadedAction(long CaseId, ComposerDraftView? Draft);
public sealed record ComposerDraftSavingAction(long CaseId, long Edit);
public sealed record ComposerDraftSavedAction(long CaseId, long Edit);
public sealed record ComposerDraftFailedAction(long CaseId, long Edit, string Error);

public static class ComposerReducers
{
    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, ComposerTextChangedAction a)
    {
        var before = s.For(a.CaseId);
        return s with { Entries = s.Entries.SetItem(a.CaseId, new ComposerEntry(a.Mode, a.Text ?? "", DraftSave.Pending, (before?.Edit ?? 0) + 1)) };
    }

    /// <summary>What was read back fills an empty composer; it never replaces what the agent typed in this window meanwhile.</summary>
    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, ComposerDraftLoadedAction a) =>
        a.Draft is not { } draft || s.Entries.ContainsKey(a.CaseId) ? s
            : s with { Entries = s.Entries.SetItem(a.CaseId, new ComposerEntry(draft.Mode, draft.Text, DraftSave.Saved, 0)) };

    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, ComposerDraftSavingAction a) => Mark(s, a.CaseId, a.Edit, e => e with { Save = DraftSave.Saving, Error = null });

    /// <summary>A save that answers an older edit leaves the entry pending: the newer edit's save follows.</summary>
    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, ComposerDraftSavedAction a) => Mark(s, a.CaseId, a.Edit, e => e with { Save = DraftSave.Saved, Error = null });

    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, ComposerDraftFailedAction a) => Mark(s, a.CaseId, a.Edit, e => e with { Save = DraftSave.Failed, Error = a.Error });

    /// <summary>The text went out (reply, note or draft for approval): the composer clears; the server removed its draft with it.</summary>
    [ReducerMethod]
    public static ComposerState Reduce(ComposerState s, CaseCommandSucceededAction a) =>
        a.ComposerDone ? s with { Entries = s.Entries.Remove(a.CaseId) } : s;

    private static ComposerState Mark(ComposerState s, long caseId, long edit, Func<ComposerEntry, ComposerEntry> change) =>
        s.For(caseId) is { } e && e.Edit == edit ? s with { Entries = s.Entries.SetItem(caseId, change(e)) } : s;
}
