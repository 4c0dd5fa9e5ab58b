using System.Globalization;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Admin;
using AgentWorkspace.Web.Security;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using static AgentWorkspace.Tests.Admin.AdminTestData;

namespace AgentWorkspace.Tests.Admin;

public class FieldDefinitionEditorTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private CustomFieldService _fields = default!;
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _fields = new CustomFieldService(_db.Factory, _db.Runner());
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton(_fields);
        Services.AddScoped<ActorAccessor>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Alex Martin");
        auth.SetRoles("Admin");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "admin-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        CultureInfo.CurrentUICulture = _culture;
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private async Task<int> FieldCountAsync()
    {
        await using var db = _db.Factory.CreateDbContext();
        return await db.CustomFields.CountAsync();
    }

    private IRenderedComponent<FieldDefinitionEditor> Render(CustomFieldView? field = null, Action<CustomFieldView>? saved = null)
    {
        Render<MudPopoverProvider>();
        return Render<FieldDefinitionEditor>(p => p
            .Add(e => e.Field, field)
            .Add(e => e.OnSaved, v => saved?.Invoke(v)));
    }

    private static void Type(IRenderedComponent<FieldDefinitionEditor> cut, string testId, string value) =>
        cut.Find($"[data-testid={testId}] input, [data-testid={testId}] textarea").Input(value);

    private static async Task ChooseTypeAsync(IRenderedComponent<FieldDefinitionEditor> cut, string type)
    {
        var select = cut.FindComponent<MudSelect<string>>();
        await cut.InvokeAsync(() => select.Instance.SelectOption(type));
    }

    [Fact]
    public async Task BadInputIsShownNextToEachFieldInFrenchAndNothingIsSaved()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        var cut = Render();
        Type(cut, "field-ident", "niveau fidélité");
        await ChooseTypeAsync(cut, "dropdown");
        cut.Find("[data-testid=save-field]").Click();

        cut.WaitForAssertion(() =>
        {
            cut.Find("[data-testid=field-ident]").TextContent.ShouldContain("Uniquement des lettres sans accent");
            cut.Find("[data-testid=field-label]").TextContent.ShouldContain("L'étiquette est obligatoire.");
            cut.Find("[data-testid=options-error]").TextContent.ShouldContain("au moins une option");
        });
        (await FieldCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task TheSameOptionTwiceIsRefusedInEnglish()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        var cut = Render();
        Type(cut, "field-ident", "tier");
        Type(cut, "field-label", "Tier");
        await ChooseTypeAsync(cut, "dropdown");
        foreach (var option in new[] { "Gold", "gold" })
        {
            Type(cut, "new-option", option);
            cut.Find("[data-testid=add-option]").Click();
        }
        cut.Find("[data-testid=save-field]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=options-error]").TextContent.ShouldBe("The option “Gold” appears twice."));
        (await FieldCountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task ADropdownIsCreatedWithItsOptionsLabelsAndToggles()
    {
        CustomFieldView? saved = null;
        var cut = Render(saved: v => saved = v);
        Type(cut, "field-ident", "loyalty_tier");
        Type(cut, "field-label", "Loyalty tier");
        Type(cut, "field-label-fr", "Niveau de fidélité");
        await ChooseTypeAsync(cut, "dropdown");
        foreach (var option in new[] { "Gold", "Silver", "Bronze" })
        {
            Type(cut, "new-option", option);
            cut.Find("[data-testid=add-option]").Click();
        }
        // The last option moves up one place with its arrow.
        cut.FindAll("[data-testid=option-row]")[2].QuerySelectorAll("button")[0].Click();
        var toggle = cut.Find("[data-testid=field-editor]").QuerySelectorAll("[data-testid=toggle-visible-in-card]").First();
        (toggle.TagName == "INPUT" ? toggle : toggle.QuerySelector("input")!).Change(false);
        cut.Find("[data-testid=save-field]").Click();

        cut.WaitForAssertion(() => saved.ShouldNotBeNull());
        saved!.Options.ShouldBe(["Gold", "Bronze", "Silver"]);
        saved.LabelFr.ShouldBe("Niveau de fidélité");
        saved.VisibleInCard.ShouldBeFalse();
        saved.Editable.ShouldBeTrue();
        (await _fields.GetAsync(AdminActor, "loyalty_tier")).Options.ShouldBe(["Gold", "Bronze", "Silver"]);
    }

    [Fact]
    public async Task ADuplicateIdentIsSaidNextToTheIdent()
    {
        await _fields.CreateAsync(AdminActor, TextField("vip"));
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        var cut = Render();
        Type(cut, "field-ident", "VIP");
        Type(cut, "field-label", "Client VIP");
        cut.Find("[data-testid=save-field]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=field-ident]").TextContent.ShouldContain("Un champ avec cet ident existe déjà."));
        (await FieldCountAsync()).ShouldBe(1);
    }

    [Fact]
    public async Task RemovingAnOptionInUseAsksWhatToDoSaysHowManyCardsAndMovesThem()
    {
        var field = await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Silver", "Bronze"));
        await CardsWithValueAsync(_db, "tier", "Bronze", 3);
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        CustomFieldView? saved = null;
        var cut = Render(field, v => saved = v);
        cut.Find("[data-testid=field-ident] input").HasAttribute("disabled").ShouldBeTrue();

        cut.Find("[data-testid=remove-option-2]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=option-removal]").TextContent.ShouldContain("3 card(s) hold the option “Bronze”"));

        cut.Find("[data-testid=save-field]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=removal-error]").TextContent.ShouldContain("Say what becomes"));
        saved.ShouldBeNull();

        cut.Find("[data-testid=removal-move]").Change(true);
        cut.Find("[data-testid=removal-move-to]").Change("Silver");
        cut.Find("[data-testid=save-field]").Click();
        cut.WaitForAssertion(() => saved.ShouldNotBeNull());
        saved!.Options.ShouldBe(["Gold", "Silver"]);
        await using var db = _db.Factory.CreateDbContext();
        (await db.CustomFieldValues.CountAsync(v => v.Value == "Silver")).ShouldBe(3);
    }

    [Fact]
    public async Task KeepingTheOptionCancelsItsRemoval()
    {
        var field = await _fields.CreateAsync(AdminActor, Dropdown("tier", "Gold", "Bronze"));
        await CardsWithValueAsync(_db, "tier", "Bronze", 1);
        CustomFieldView? saved = null;
        var cut = Render(field, v => saved = v);
        cut.Find("[data-testid=remove-option-1]").Click();
        cut.WaitForElement("[data-testid=removal-keep]").Click();
        cut.FindAll("[data-testid=option-removal]").ShouldBeEmpty();
        cut.Find("[data-testid=save-field]").Click();
        cut.WaitForAssertion(() => saved.ShouldNotBeNull());
        saved!.Options.ShouldBe(["Gold", "Bronze"]);
        saved.ValueCount.ShouldBe(1);
    }
}
