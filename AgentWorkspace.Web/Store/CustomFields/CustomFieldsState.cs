using System.Collections.Immutable;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Web.Store.Admin;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.CustomFields;

/// <summary>
/// The administration list of custom fields, and the form of the field being created or edited (null: none open).
/// <see cref="Error"/> is the refused action's exception, said in the user's language by the page.
/// </summary>
public sealed record CustomFieldsState(bool Loading, ImmutableList<CustomFieldView> Fields, Exception? Error, bool Busy, CustomFieldForm? Form = null);

/// <summary>
/// The form of one field definition: whether it is being saved, what was refused (by field; <c>""</c>: the form),
/// and how many cards hold each option the administrator removed.
/// </summary>
public sealed record CustomFieldForm(string? Ident, bool Saving, ImmutableDictionary<string, Exception> Errors, ImmutableDictionary<string, int> OptionUse)
{
    public static CustomFieldForm For(string? ident) => new(ident, false, FormErrors.None, ImmutableDictionary<string, int>.Empty);
}

public sealed class CustomFieldsFeature : Feature<CustomFieldsState>
{
    public override string Name => "CustomFields";
    public override CustomFieldsState GetInitialState() => new(false, [], null, false);
}

public sealed record LoadCustomFieldsAction;
/// <summary>Someone (maybe another administrator) changed the fields: reload without a spinner.</summary>
public sealed record RefreshCustomFieldsAction;
public sealed record CustomFieldsLoadedAction(IReadOnlyList<CustomFieldView> Fields);
public sealed record MoveCustomFieldAction(string Ident, int Delta);
public sealed record ReorderCustomFieldsAction(IReadOnlyList<string> Idents);
public sealed record ArchiveCustomFieldAction(string Ident);
public sealed record RestoreCustomFieldAction(string Ident);
public sealed record DeleteCustomFieldAction(string Ident);
public sealed record CustomFieldSavedAction(CustomFieldView Field);
public sealed record CustomFieldDeletedAction(string Ident);
public sealed record CustomFieldsFailedAction(Exception Error);
public sealed record DismissCustomFieldsErrorAction;

// The form of one field definition.
/// <summary>Opens the form on a field, or on a new one (null).</summary>
public sealed record OpenCustomFieldFormAction(string? Ident);
public sealed record CloseCustomFieldFormAction;
/// <summary>
/// Saves the form: creates a field (<paramref name="Field"/> null) or updates it, with what becomes of renamed and
/// removed options. <paramref name="UndecidedRemovals"/> are removed options in use whose fate the administrator has not said yet.
/// </summary>
public sealed record SaveCustomFieldAction(CustomFieldView? Field, CustomFieldInput Input, OptionChanges? Changes = null, IReadOnlyList<string>? UndecidedRemovals = null);
public sealed record CustomFieldFormSavedAction(CustomFieldView Field);
/// <summary>Refusals of the form; one without a field goes to <paramref name="Where"/>.</summary>
public sealed record CustomFieldFormFailedAction(IReadOnlyList<Exception> Errors, string Where = "");
/// <summary>The administrator changed what a refusal was about (added the missing option): its message goes.</summary>
public sealed record DismissCustomFieldFormErrorAction(string Field);
/// <summary>Asks how many cards hold an option the administrator is removing.</summary>
public sealed record CountOptionUseAction(string Ident, string Option);
public sealed record OptionUseCountedAction(string Ident, string Option, int Count);

public static class CustomFieldsReducers
{
    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, LoadCustomFieldsAction _) => s with { Loading = true, Error = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldsLoadedAction a) => s with { Loading = false, Busy = false, Fields = [.. a.Fields] };

    /// <summary>Arrows move the row at once (the save follows); a refusal reloads the list.</summary>
    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, MoveCustomFieldAction a)
    {
        var active = s.Fields.Where(f => !f.IsArchived).ToList();
        var index = active.FindIndex(f => f.Ident == a.Ident);
        if (index < 0) return s;
        var target = Math.Clamp(index + a.Delta, 0, active.Count - 1);
        if (target == index) return s;
        return s with { Busy = true, Error = null, Fields = Reordered(s.Fields, active.Select(f => f.Ident).ToList().Move(index, target)) };
    }

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, ReorderCustomFieldsAction a) => s with { Busy = true, Error = null, Fields = Reordered(s.Fields, a.Idents) };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, ArchiveCustomFieldAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, RestoreCustomFieldAction _) => s with { Busy = true, Error = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, DeleteCustomFieldAction _) => s with { Busy = true, Error = null };

    /// <summary>A saved field replaces its row (or joins the list), archived fields after the active ones.</summary>
    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldSavedAction a)
    {
        var others = s.Fields.Where(f => f.Ident != a.Field.Ident);
        var all = others.Append(a.Field).OrderBy(f => f.IsArchived).ThenBy(f => f.DisplayOrder).ThenBy(f => f.Id);
        return s with { Busy = false, Fields = [.. all] };
    }

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldDeletedAction a) => s with { Busy = false, Fields = s.Fields.RemoveAll(f => f.Ident == a.Ident) };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldsFailedAction a) => s with { Busy = false, Loading = false, Error = a.Error };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, DismissCustomFieldsErrorAction _) => s with { Error = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, OpenCustomFieldFormAction a) => s with { Form = CustomFieldForm.For(a.Ident) };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CloseCustomFieldFormAction _) => s with { Form = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, SaveCustomFieldAction a) =>
        s with { Form = (s.Form ?? CustomFieldForm.For(a.Field?.Ident)) with { Saving = true, Errors = FormErrors.None } };

    /// <summary>The saved field takes its row (or joins the list) and the form closes.</summary>
    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldFormSavedAction a) => Reduce(s, new CustomFieldSavedAction(a.Field)) with { Form = null };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, CustomFieldFormFailedAction a) =>
        s.Form is not { } form ? s : s with { Form = form with { Saving = false, Errors = FormErrors.Of(a.Errors, a.Where) } };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, DismissCustomFieldFormErrorAction a) =>
        s.Form is not { } form || !form.Errors.ContainsKey(a.Field) ? s : s with { Form = form with { Errors = form.Errors.Remove(a.Field) } };

    [ReducerMethod]
    public static CustomFieldsState Reduce(CustomFieldsState s, OptionUseCountedAction a) =>
        s.Form is not { } form || form.Ident != a.Ident ? s : s with { Form = form with { OptionUse = form.OptionUse.SetItem(a.Option, a.Count) } };

    private static ImmutableList<CustomFieldView> Reordered(ImmutableList<CustomFieldView> fields, IReadOnlyList<string> idents)
    {
        var active = idents.Select((ident, i) => fields.FirstOrDefault(f => f.Ident == ident) is { } f ? f with { DisplayOrder = i } : null).OfType<CustomFieldView>();
        return [.. active, .. fields.Where(f => f.IsArchived || !idents.Contains(f.Ident))];
    }

    private static List<string> Move(this List<string> list, int from, int to)
    {
        var item = list[from];
        list.RemoveAt(from);
        list.Insert(to, item);
        return list;
    }
}
