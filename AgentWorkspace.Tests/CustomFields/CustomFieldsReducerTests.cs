using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Web.Store.CustomFields;

namespace AgentWorkspace.Tests.CustomFields;

public class CustomFieldsReducerTests
{
    private static CustomFieldView F(string ident, int order, bool archived = false) =>
        new(order, ident, ident, null, null, CustomFieldType.Text, [], true, true, true, order, archived, 0);

    private static CustomFieldsState State(params CustomFieldView[] fields) => new CustomFieldsFeature().GetInitialState() with { Fields = [.. fields] };

    [Fact]
    public void AnArrowMovesTheRowAtOnceAmongTheActiveFields()
    {
        var s = CustomFieldsReducers.Reduce(State(F("a", 0), F("b", 1), F("c", 2), F("z", 3, archived: true)), new MoveCustomFieldAction("c", -1));
        s.Fields.Select(f => f.Ident).ShouldBe(["a", "c", "b", "z"]);
        s.Busy.ShouldBeTrue();
    }

    [Fact]
    public void AnArrowAtTheEdgeChangesNothing()
    {
        var before = State(F("a", 0), F("b", 1));
        CustomFieldsReducers.Reduce(before, new MoveCustomFieldAction("a", -1)).ShouldBeSameAs(before);
    }

    [Fact]
    public void ADropReordersTheActiveFieldsAndKeepsTheArchivedLast()
    {
        var s = CustomFieldsReducers.Reduce(State(F("a", 0), F("b", 1), F("z", 2, true)), new ReorderCustomFieldsAction(["b", "a"]));
        s.Fields.Select(f => f.Ident).ShouldBe(["b", "a", "z"]);
        s.Fields[0].DisplayOrder.ShouldBe(0);
    }

    [Fact]
    public void ASavedFieldReplacesItsRowAndAnArchivedOneGoesLast()
    {
        var s = CustomFieldsReducers.Reduce(State(F("a", 0), F("b", 1)), new CustomFieldSavedAction(F("a", 0, archived: true)));
        s.Fields.Select(f => f.Ident).ShouldBe(["b", "a"]);
        s.Fields[1].IsArchived.ShouldBeTrue();
    }

    [Fact]
    public void AFailureKeepsTheErrorUntilDismissed()
    {
        var error = new Core.Domain.Common.NotFoundException("gone");
        var s = CustomFieldsReducers.Reduce(State(F("a", 0)) with { Busy = true }, new CustomFieldsFailedAction(error));
        s.Error.ShouldBe(error);
        s.Busy.ShouldBeFalse();
        CustomFieldsReducers.Reduce(s, new CustomFieldsLoadedAction([])).Error.ShouldBe(error);
        CustomFieldsReducers.Reduce(s, new DismissCustomFieldsErrorAction()).Error.ShouldBeNull();
    }

    [Fact]
    public void ADeletedFieldLeavesTheList() =>
        CustomFieldsReducers.Reduce(State(F("a", 0), F("b", 1)), new CustomFieldDeletedAction("a")).Fields.ShouldHaveSingleItem().Ident.ShouldBe("b");
}
