using System.Collections.Immutable;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Web.Store.Core;

namespace AgentWorkspace.Web.Store.CustomFields;

/// <summary>The administration list of custom fields. <see cref="Error"/> is the refused action's exception, said in the user's language by the page.</summary>
public sealed record CustomFieldsState(bool Loading, ImmutableList<CustomFieldView> Fields, Exception? Error, bool Busy);

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
