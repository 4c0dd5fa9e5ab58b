using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Admin.AdminTestData;

namespace AgentWorkspace.Tests.Admin;

[Trait("Category", "Service")]
public class CustomFieldServiceTests : IAsyncLifetime
{
    private TestDatabase _test = default!;
    private readonly RecordingFeed _feed = new();
    private CustomFieldService _fields = default!;

    public async ValueTask InitializeAsync()
    {
        _test = await TestDatabase.CreateAsync();
        _fields = new CustomFieldService(_test.Factory, _test.Runner(_feed));
    }

    public async ValueTask DisposeAsync() => await _test.DisposeAsync();

    private async Task<int> AuditCountAsync(string? action = null)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.Audit.CountAsync(a => a.EntityType == "CustomField" && (action == null || a.Action == action));
    }

    [Fact]
    public async Task CreatingAFieldSavesItAuditsItAndAnnouncesIt()
    {
        var created = await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver"));
        created.Options.ShouldBe(["Gold", "Silver"]);
        created.LabelFor("fr").ShouldBe("Niveau");
        (await _fields.ListAsync(Agent)).ShouldHaveSingleItem().Ident.ShouldBe("tier");
        (await AuditCountAsync("Created")).ShouldBe(1);
        _feed.Published.ShouldHaveSingleItem().Kind.ShouldBe(ChangeKind.CustomFieldsChanged);
    }

    [Fact]
    public async Task ADuplicateIdentIsAConflictWhateverTheCaseAndNothingIsSaved()
    {
        await _fields.CreateAsync(AdminActor, TextField("loyalty"));
        var error = await Should.ThrowAsync<ConflictException>(() => _fields.CreateAsync(AdminActor, TextField("Loyalty")));
        error.Field.ShouldBe("ident");
        (await _fields.ListAsync(AdminActor)).Count.ShouldBe(1);
        (await AuditCountAsync()).ShouldBe(1);
        _feed.Published.Count.ShouldBe(1);
    }

    [Fact]
    public async Task OnlyAnAdministratorChangesFields()
    {
        await Should.ThrowAsync<ForbiddenException>(() => _fields.CreateAsync(Supervisor, TextField("x")));
        await _fields.CreateAsync(AdminActor, TextField("x"));
        await Should.ThrowAsync<ForbiddenException>(() => _fields.UpdateAsync(Agent, "x", TextField("x")));
        await Should.ThrowAsync<ForbiddenException>(() => _fields.ArchiveAsync(Supervisor, "x"));
        await Should.ThrowAsync<ForbiddenException>(() => _fields.DeleteAsync(Agent, "x"));
        await Should.ThrowAsync<ForbiddenException>(() => _fields.ReorderAsync(Agent, ["x"]));
        (await _fields.ListAsync(Agent)).ShouldHaveSingleItem();
    }

    [Fact]
    public async Task TheIdentAndTheTypeAreFixedOnceCreated()
    {
        await _fields.CreateAsync(AdminActor, TextField("note"));
        (await Should.ThrowAsync<AdminRuleException>(() => _fields.UpdateAsync(AdminActor, "note", TextField("note2")))).Code.ShouldBe("IdentFixed");
        (await Should.ThrowAsync<AdminRuleException>(() => _fields.UpdateAsync(AdminActor, "note", TextField("note") with { Type = "email" }))).Code.ShouldBe("TypeFixed");
    }

    [Fact]
    public async Task EditingChangesLabelsAndTogglesAndAuditsEachChangedProperty()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold"));
        var updated = await _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Gold") with { Label = "Loyalty", Editable = false });
        updated.Label.ShouldBe("Loyalty");
        updated.Editable.ShouldBeFalse();
        await using var db = _test.Factory.CreateDbContext();
        var rows = await db.Audit.Where(a => a.Action == "Updated").ToListAsync();
        rows.Select(r => r.Field).Order().ShouldBe(["editable", "label"]);
        rows.First(r => r.Field == "editable").After.ShouldBe("False");
    }

    [Fact]
    public async Task RemovingAnOptionThatCardsUseNeedsADecisionAndSavesNothingWithout()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver", "Bronze"));
        await CardsWithValueAsync(_test, "tier", "Bronze", 3);
        (await _fields.CountOptionUseAsync(AdminActor, "tier", "Bronze")).ShouldBe(3);
        var error = await Should.ThrowAsync<ConflictException>(() => _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Gold", "Silver")));
        error.Message.ShouldContain("3 card(s)");
        (await _fields.GetAsync(AdminActor, "tier")).Options.ShouldBe(["Gold", "Silver", "Bronze"]);
    }

    [Fact]
    public async Task RemovingAnOptionCanMoveItsValuesToAnotherOption()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver", "Bronze"));
        await CardsWithValueAsync(_test, "tier", "Bronze", 3);
        await CardsWithValueAsync(_test, "tier", "Gold", 2);
        await _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Gold", "Silver"), new OptionChanges(Removed: new Dictionary<string, string?> { ["Bronze"] = "Silver" }));
        await using var db = _test.Factory.CreateDbContext();
        var values = await db.CustomFieldValues.Select(v => v.Value).ToListAsync();
        values.Count(v => v == "Silver").ShouldBe(3);
        values.Count(v => v == "Gold").ShouldBe(2);
        values.ShouldNotContain("Bronze");
        (await db.Audit.SingleAsync(a => a.Action == "OptionValuesMoved")).After.ShouldBe("Silver (3)");
    }

    [Fact]
    public async Task RemovingAnOptionCanClearItsValues()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Bronze"));
        await CardsWithValueAsync(_test, "tier", "Bronze", 4);
        await CardsWithValueAsync(_test, "tier", "Gold", 1);
        await _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Gold"), new OptionChanges(Removed: new Dictionary<string, string?> { ["Bronze"] = null }));
        (await _fields.GetAsync(AdminActor, "tier")).ValueCount.ShouldBe(1);
        (await AuditCountAsync("OptionValuesCleared")).ShouldBe(1);
    }

    [Fact]
    public async Task MovingToAnOptionThatDoesNotExistIsRefusedAndNothingChanges()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Bronze"));
        await CardsWithValueAsync(_test, "tier", "Bronze", 2);
        (await Should.ThrowAsync<AdminRuleException>(() => _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Gold"),
            new OptionChanges(Removed: new Dictionary<string, string?> { ["Bronze"] = "Platinum" })))).Code.ShouldBe("MoveTargetUnknown");
        await using var db = _test.Factory.CreateDbContext();
        (await db.CustomFieldValues.CountAsync(v => v.Value == "Bronze")).ShouldBe(2);
    }

    [Fact]
    public async Task RenamingAnOptionCarriesItsValuesAndSwappingTwoNamesNeverMergesThem()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver"));
        await CardsWithValueAsync(_test, "tier", "Gold", 2);
        await CardsWithValueAsync(_test, "tier", "Silver", 1);
        await _fields.UpdateAsync(AdminActor, "tier", Dropdown("tier", "Silver", "Gold"),
            new OptionChanges(Renamed: new Dictionary<string, string> { ["Gold"] = "Silver", ["Silver"] = "Gold" }));
        await using var db = _test.Factory.CreateDbContext();
        (await db.CustomFieldValues.CountAsync(v => v.Value == "Silver")).ShouldBe(2);
        (await db.CustomFieldValues.CountAsync(v => v.Value == "Gold")).ShouldBe(1);
    }

    [Fact]
    public async Task AFieldWithValuesIsArchivedNotDeletedAndComesBackWithItsValues()
    {
        await _fields.CreateAsync(AdminActor, TextField("vip"));
        await CardsWithValueAsync(_test, "vip", "yes", 2);
        var error = await Should.ThrowAsync<ConflictException>(() => _fields.DeleteAsync(AdminActor, "vip"));
        error.Message.ShouldContain("archive");
        var archived = await _fields.ArchiveAsync(AdminActor, "vip");
        archived.IsArchived.ShouldBeTrue();
        (await _fields.ListAsync(Agent, includeArchived: false)).ShouldBeEmpty();
        var restored = await _fields.RestoreAsync(AdminActor, "vip");
        restored.IsArchived.ShouldBeFalse();
        restored.ValueCount.ShouldBe(2);
        (await AuditCountAsync("Archived")).ShouldBe(1);
        (await AuditCountAsync("Restored")).ShouldBe(1);
    }

    [Fact]
    public async Task AFieldWithoutValuesIsDeleted()
    {
        await _fields.CreateAsync(AdminActor, TextField("temp"));
        await _fields.DeleteAsync(AdminActor, "temp");
        (await _fields.ListAsync(AdminActor)).ShouldBeEmpty();
        (await AuditCountAsync("Deleted")).ShouldBe(1);
        await Should.ThrowAsync<NotFoundException>(() => _fields.GetAsync(AdminActor, "temp"));
    }

    [Fact]
    public async Task ReorderingAndArrowsPutTheFieldsInTheNewOrder()
    {
        foreach (var i in new[] { "a", "b", "c" }) await _fields.CreateAsync(AdminActor, TextField(i));
        (await _fields.ReorderAsync(AdminActor, ["c", "a", "b"])).Select(f => f.Ident).ShouldBe(["c", "a", "b"]);
        (await _fields.MoveAsync(AdminActor, "b", -1)).Select(f => f.Ident).ShouldBe(["c", "b", "a"]);
        (await _fields.MoveAsync(AdminActor, "c", -1)).Select(f => f.Ident).ShouldBe(["c", "b", "a"]);
        (await Should.ThrowAsync<AdminRuleException>(() => _fields.ReorderAsync(AdminActor, ["a", "b"]))).Code.ShouldBe("OrderMismatch");
    }

    [Fact]
    public async Task TheListCountsTheCardsThatHoldAValue()
    {
        await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver"));
        await _fields.CreateAsync(AdminActor, TextField("empty"));
        await CardsWithValueAsync(_test, "tier", "Gold", 3);
        var list = await _fields.ListAsync(AdminActor);
        list.First(f => f.Ident == "tier").ValueCount.ShouldBe(3);
        list.First(f => f.Ident == "empty").ValueCount.ShouldBe(0);
    }
}
