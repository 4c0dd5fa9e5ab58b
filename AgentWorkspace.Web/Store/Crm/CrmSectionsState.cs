using System.Collections.Immutable;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.Crm;

/// <summary>Where the CRM sections are shown: a card, and the case being worked when there is one (links need a case).</summary>
public sealed record CrmScope(long CardId, long? CaseId);

/// <summary>The associated records of one record, opened with its arrow (seed 001): being read, read, or why not.</summary>
public sealed record CrmExpansion(bool Loading, IReadOnlyList<CrmCardRecord>? Records, string? Error);

/// <summary>
/// The card's two CRM sections for one scope. <see cref="Sections"/> stays shown while a refresh runs; <see cref="Error"/>
/// is the one line said when the CRM is slow or down (with Retry). <see cref="Expanded"/>: the records whose arrow is
/// open. <see cref="Busy"/>: the records being linked or unlinked. <see cref="Created"/>: records created here, shown
/// even when the CRM does not match them to the contact.
/// </summary>
public sealed record CrmPanel(
    bool Loading,
    CrmSections? Sections,
    string? Error,
    long Load,
    ImmutableDictionary<CrmRecordRef, CrmExpansion> Expanded,
    ImmutableHashSet<CrmRecordRef> Busy,
    ImmutableList<CrmCardRecord> Created,
    CrmRecordRef? ErrorOn,
    string? ActionError)
{
    public static readonly CrmPanel Empty = new(true, null, null, 0, ImmutableDictionary<CrmRecordRef, CrmExpansion>.Empty, [], [], null, null);

    /// <summary>The current records, then those created here that the CRM did not return among them.</summary>
    public IReadOnlyList<CrmCardRecord> Current
    {
        get
        {
            var current = Sections?.Current ?? [];
            if (Created.IsEmpty) return current;
            var shown = current.Concat(Sections?.Related ?? []).Select(r => r.Ref).ToHashSet();
            return [.. Created.Where(c => !shown.Contains(c.Ref)), .. current];
        }
    }
}

/// <summary>The create dialog (seed 001, "Créer un nouveau"): its type, the fields as prefilled, the refusals by field.</summary>
public sealed record CrmCreateForm(
    CrmScope Scope,
    CrmRecordType Type,
    bool Loading,
    IReadOnlyDictionary<string, string?> Fields,
    bool Saving,
    ImmutableDictionary<string, string> Errors,
    string? Error);

/// <summary>Every CRM section this circuit shows (the inbox may have several cases open), the agent's options, the create dialog.</summary>
public sealed record CrmState(ImmutableDictionary<CrmScope, CrmPanel> Panels, CrmAgentOptions? Options, CrmCreateForm? Create)
{
    public CrmPanel For(CrmScope scope) => Panels.TryGetValue(scope, out var p) ? p : CrmPanel.Empty;
}

public sealed class CrmFeature : Feature<CrmState>
{
    public override string Name => "Crm";
    public override CrmState GetInitialState() => new(ImmutableDictionary<CrmScope, CrmPanel>.Empty, null, null);
}

/// <summary>A component shows the sections of <paramref name="Scope"/>: they are read (after the card's first view) and kept live.</summary>
public sealed record WatchCrmSectionsAction(CrmScope Scope);
public sealed record ReleaseCrmSectionsAction(CrmScope Scope);
/// <summary>Read the sections again: Refresh, Retry, or a change of the links.</summary>
public sealed record LoadCrmSectionsAction(CrmScope Scope);
/// <param name="Load">Numbers this circuit's reads as they started; an older read finishing last is dropped.</param>
public sealed record CrmSectionsLoadedAction(CrmScope Scope, CrmSections Sections, long Load = 0);
public sealed record CrmSectionsFailedAction(CrmScope Scope, string Error, long Load = 0);
public sealed record CrmOptionsLoadedAction(CrmAgentOptions Options);

/// <summary>The arrow beside a record: shows or hides its associated records.</summary>
public sealed record ToggleCrmRecordAction(CrmScope Scope, CrmCardRecord Record);
public sealed record CrmAssociatedLoadedAction(CrmScope Scope, CrmRecordRef Record, IReadOnlyList<CrmCardRecord> Records);
public sealed record CrmAssociatedFailedAction(CrmScope Scope, CrmRecordRef Record, string Error);

/// <summary>"Lier" (seed 001): links the record to the scope's case.</summary>
public sealed record LinkCrmRecordAction(CrmScope Scope, CrmRecordRef Record);
/// <summary>"Lié" clicked (seed 001): unlinks it; nothing is pushed to it any more.</summary>
public sealed record UnlinkCrmRecordAction(CrmScope Scope, CrmRecordRef Record, long LinkId);
public sealed record CrmRecordLinkedAction(CrmScope Scope, CrmRecordRef Record, long LinkId);
public sealed record CrmRecordUnlinkedAction(CrmScope Scope, CrmRecordRef Record);
/// <summary>A link or unlink was refused or failed: said beside the record.</summary>
public sealed record CrmLinkFailedAction(CrmScope Scope, CrmRecordRef Record, string Error);

/// <summary>"Créer un nouveau" → a type: the dialog opens and is prefilled from the card and the case.</summary>
public sealed record OpenCrmCreateAction(CrmScope Scope, CrmRecordType Type);
public sealed record CrmCreatePrefilledAction(CrmScope Scope, CrmRecordType Type, IReadOnlyDictionary<string, string?> Fields);
public sealed record SaveCrmRecordAction(CrmScope Scope, CrmRecordType Type, IReadOnlyDictionary<string, string?> Fields);
public sealed record CrmRecordCreatedAction(CrmScope Scope, CreatedCrmRecord Created);
/// <summary>The create was refused: <paramref name="Field"/> names the field (null: the dialog as a whole).</summary>
public sealed record CrmCreateFailedAction(CrmScope Scope, string? Field, string Error);
public sealed record CancelCrmCreateAction;

public static class CrmReducers
{
    private static CrmState With(CrmState s, CrmScope scope, Func<CrmPanel, CrmPanel> change) => s with { Panels = s.Panels.SetItem(scope, change(s.For(scope))) };

    private static bool Known(CrmState s, CrmScope scope) => s.Panels.ContainsKey(scope);

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, WatchCrmSectionsAction a) => Known(s, a.Scope) ? s : With(s, a.Scope, _ => CrmPanel.Empty);

    /// <summary>A scope no longer shown is forgotten: shown again, it is read again.</summary>
    [ReducerMethod]
    public static CrmState Reduce(CrmState s, ReleaseCrmSectionsAction a) => s with { Panels = s.Panels.Remove(a.Scope) };

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, LoadCrmSectionsAction a) =>
        Known(s, a.Scope) ? With(s, a.Scope, p => p with { Loading = true, Error = null, ErrorOn = null, ActionError = null }) : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmSectionsLoadedAction a)
    {
        if (!Known(s, a.Scope)) return s;
        var panel = s.For(a.Scope);
        if (a.Load != 0 && a.Load < panel.Load) return s;
        // What the arrow showed keeps its place; its records take the link state the sections now say.
        var byRef = All(a.Sections).GroupBy(r => r.Ref).ToDictionary(g => g.Key, g => g.First());
        var expanded = panel.Expanded.ToImmutableDictionary(e => e.Key,
            e => e.Value.Records is { } records ? e.Value with { Records = records.Select(r => byRef.TryGetValue(r.Ref, out var known) ? r with { Linked = known.Linked, LinkId = known.LinkId, Push = known.Push } : r).ToList() } : e.Value);
        var created = panel.Created.Select(c => byRef.TryGetValue(c.Ref, out var known) ? known with { Children = c.Children } : c).ToImmutableList();
        return With(s, a.Scope, p => p with { Loading = false, Sections = a.Sections, Error = null, Load = Math.Max(a.Load, p.Load), Expanded = expanded, Created = created });
    }

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmSectionsFailedAction a) =>
        !Known(s, a.Scope) || (a.Load != 0 && a.Load < s.For(a.Scope).Load) ? s : With(s, a.Scope, p => p with { Loading = false, Error = a.Error });

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmOptionsLoadedAction a) => s with { Options = a.Options };

    /// <summary>
    /// Open: the record's associated records, at once when the sections brought them, else read (the effect does).
    /// Closed: forgotten.
    /// </summary>
    [ReducerMethod]
    public static CrmState Reduce(CrmState s, ToggleCrmRecordAction a)
    {
        if (!Known(s, a.Scope)) return s;
        return With(s, a.Scope, p => p.Expanded.ContainsKey(a.Record.Ref)
            ? p with { Expanded = p.Expanded.Remove(a.Record.Ref) }
            : p with { Expanded = p.Expanded.SetItem(a.Record.Ref, a.Record.Children.Count > 0 ? new CrmExpansion(false, a.Record.Children, null) : new CrmExpansion(true, null, null)) });
    }

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmAssociatedLoadedAction a) =>
        Known(s, a.Scope) && s.For(a.Scope).Expanded.ContainsKey(a.Record)
            ? With(s, a.Scope, p => p with { Expanded = p.Expanded.SetItem(a.Record, new CrmExpansion(false, a.Records, null)) })
            : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmAssociatedFailedAction a) =>
        Known(s, a.Scope) && s.For(a.Scope).Expanded.ContainsKey(a.Record)
            ? With(s, a.Scope, p => p with { Expanded = p.Expanded.SetItem(a.Record, new CrmExpansion(false, null, a.Error)) })
            : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, LinkCrmRecordAction a) => Busy(s, a.Scope, a.Record);

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, UnlinkCrmRecordAction a) => Busy(s, a.Scope, a.Record);

    private static CrmState Busy(CrmState s, CrmScope scope, CrmRecordRef record) =>
        Known(s, scope) ? With(s, scope, p => p with { Busy = p.Busy.Add(record), ErrorOn = null, ActionError = null }) : s;

    /// <summary>Linked: every place the record shows says so at once (its push state starts over).</summary>
    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmRecordLinkedAction a) =>
        Known(s, a.Scope) ? With(s, a.Scope, p => Mark(p with { Busy = p.Busy.Remove(a.Record) }, a.Record, r => r with { Linked = true, LinkId = a.LinkId, Push = null })) : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmRecordUnlinkedAction a) =>
        Known(s, a.Scope) ? With(s, a.Scope, p => Mark(p with { Busy = p.Busy.Remove(a.Record) }, a.Record, r => r with { Linked = false, LinkId = null, Push = null })) : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmLinkFailedAction a) =>
        Known(s, a.Scope) ? With(s, a.Scope, p => p with { Busy = p.Busy.Remove(a.Record), ErrorOn = a.Record, ActionError = a.Error }) : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, OpenCrmCreateAction a) =>
        s with { Create = new CrmCreateForm(a.Scope, a.Type, true, new Dictionary<string, string?>(), false, ImmutableDictionary<string, string>.Empty, null) };

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmCreatePrefilledAction a) =>
        s.Create is { } f && f.Scope == a.Scope && f.Type == a.Type ? s with { Create = f with { Loading = false, Fields = a.Fields } } : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, SaveCrmRecordAction a) =>
        s.Create is { } f && f.Scope == a.Scope ? s with { Create = f with { Saving = true, Fields = a.Fields, Errors = ImmutableDictionary<string, string>.Empty, Error = null } } : s;

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmCreateFailedAction a)
    {
        if (s.Create is not { } f || f.Scope != a.Scope) return s;
        return s with
        {
            Create = a.Field is { } field && f.Fields.ContainsKey(field)
                ? f with { Saving = false, Loading = false, Errors = f.Errors.SetItem(field, a.Error) }
                : f with { Saving = false, Loading = false, Error = a.Error },
        };
    }

    /// <summary>The dialog closes; the new record shows first in the current section, linked when the case was given.</summary>
    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CrmRecordCreatedAction a)
    {
        var next = s.Create?.Scope == a.Scope ? s with { Create = null } : s;
        if (!Known(next, a.Scope)) return next;
        var record = new CrmCardRecord(a.Created.Record, a.Created.LinkId is not null, a.Created.LinkId, null, []);
        return With(next, a.Scope, p => p with { Created = p.Created.RemoveAll(c => c.Ref == record.Ref).Insert(0, record) });
    }

    [ReducerMethod]
    public static CrmState Reduce(CrmState s, CancelCrmCreateAction _) => s with { Create = null };

    private static IEnumerable<CrmCardRecord> All(CrmSections sections)
    {
        foreach (var r in sections.Current.Concat(sections.Related))
        {
            yield return r;
            foreach (var c in r.Children) yield return c;
        }
    }

    private static CrmPanel Mark(CrmPanel p, CrmRecordRef target, Func<CrmCardRecord, CrmCardRecord> change)
    {
        CrmCardRecord One(CrmCardRecord r) => (r.Ref == target ? change(r) : r) is var changed && changed.Children.Count > 0
            ? changed with { Children = changed.Children.Select(One).ToList() }
            : changed;
        IReadOnlyList<CrmCardRecord> Many(IReadOnlyList<CrmCardRecord> list) => list.Select(One).ToList();
        return p with
        {
            Sections = p.Sections is { } sec ? sec with { Current = Many(sec.Current), Related = Many(sec.Related) } : null,
            Expanded = p.Expanded.ToImmutableDictionary(e => e.Key, e => e.Value.Records is { } records ? e.Value with { Records = Many(records) } : e.Value),
            Created = p.Created.Select(One).ToImmutableList(),
        };
    }
}
