using System.Globalization;
using System.Security.Claims;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Admin;
using AgentWorkspace.Web.Components.Shared.Scripts;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Inbox;
using AgentWorkspace.Web.Store.Scripts;
using AngleSharp.Dom;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using ScriptsPage = AgentWorkspace.Web.Components.Pages.Admin.Scripts;
using static AgentWorkspace.Tests.Scripts.ScriptWorld;

namespace AgentWorkspace.Tests.Scripts;

/// <summary>The scripts' components over the real services on SQLite (<see cref="ScriptWorld"/>), signed in as <paramref name="actor"/>.</summary>
public abstract class ScriptComponentContext(Actor actor) : BunitContext, IAsyncLifetime
{
    protected static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    protected const string General = Core.Domain.Queues.Queue.DefaultName;
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;
    protected ScriptWorld W { get; private set; } = default!;

    public virtual async ValueTask InitializeAsync()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        W = await CreateAsync();
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IChangeFeed>(W.Crm.Inbox.Feed);
        Services.AddSingleton(W.Scripts);
        Services.AddSingleton(W.CaseScripts);
        Services.AddScoped<ActorAccessor>();
        Services.AddScoped<ScriptErrors>();
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized(actor.DisplayName);
        auth.SetRoles(actor.Role.ToString());
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, actor.UserId));
    }

    public new async ValueTask DisposeAsync()
    {
        CultureInfo.CurrentUICulture = _culture;
        await base.DisposeAsync();
        await W.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>"Refund policy" (one instruction) and "Billing dispute" on General: greet, a macro, "Refund policy" as its sub-script.</summary>
    protected async Task<(long Billing, long Refund)> BillingDisputeAsync(params MacroAction[] macro)
    {
        var refund = await W.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", null, Text("Explain the refund", "Refunds within 14 days, {{customer.firstName}}.")));
        var billing = await W.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", [General],
            Text("Greet the customer", "Greet {{customer.firstName}} with the quick reply."),
            Macro("Create an incident", macro.Length > 0 ? macro :
            [
                new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "Welcome" },
                new MacroAction { Type = MacroActionType.CreateCrmRecord, RecordType = "case", Fields = new Dictionary<string, string?> { ["subject"] = "Billing dispute" } },
                new MacroAction { Type = MacroActionType.SetCustomField, Field = "dispute", Value = "yes" },
            ]),
            Sub("Refund policy", refund.Id)));
        return (billing.Id, refund.Id);
    }

    /// <summary>The value of the last path of a Material icon (what tells one icon from another once rendered).</summary>
    protected static string PathOf(string icon) => Regex.Matches(icon, "d=\"([^\"]+)\"")[^1].Groups[1].Value;
}

/// <summary>The agent script panel beside a case (issue 19), rendered as Camille, who works the case.</summary>
public sealed class AgentScriptPanelTests() : ScriptComponentContext(Camille)
{
    private long _caseId;
    private long _cardId;

    public override async ValueTask InitializeAsync()
    {
        await base.InitializeAsync();
        var seeded = await W.Crm.SeedContactAsync(assignedTo: Camille.UserId);
        (_caseId, _cardId) = (seeded.CaseId, seeded.CardId);
    }

    private IRenderedComponent<AgentScriptPanel> RenderPanel()
    {
        var cut = Render<AgentScriptPanel>(p => p.Add(c => c.CaseId, _caseId));
        cut.WaitForElement("[data-testid=script-step]", Wait);
        return cut;
    }

    private static IElement Step(IRenderedComponent<AgentScriptPanel> cut, int index) => cut.FindAll("[data-testid=script-step]")[index];

    [Fact]
    public async Task Each_step_shows_its_kind_by_icon_and_name_and_the_button_its_kind_has()
    {
        await BillingDisputeAsync();
        var cut = RenderPanel();

        cut.Find("[data-testid=script-name]").TextContent.ShouldContain("Billing dispute");
        cut.Find("[data-testid=script-progress]").TextContent.ShouldBe("0 of 3 done");
        var expected = new[]
        {
            ("text", Icons.Material.Filled.Notes, "Text instruction", "script-done"),
            ("macro", Icons.Material.Filled.Bolt, "Macro", "script-run"),
            ("subScript", Icons.Material.Filled.AccountTree, "Sub-script", "script-show"),
        };
        for (var i = 0; i < expected.Length; i++)
        {
            var (kind, icon, name, button) = expected[i];
            var step = Step(cut, i);
            step.GetAttribute("data-kind").ShouldBe(kind);
            var svg = step.QuerySelector(".aw-script-step-head svg")!;
            svg.InnerHtml.ShouldContain(PathOf(icon));
            (svg.GetAttribute("title") ?? svg.QuerySelector("title")?.TextContent).ShouldBe(name);
            step.QuerySelector(".aw-script-step-head .sr-only")!.TextContent.ShouldBe(name + ":");
            step.QuerySelectorAll("[data-testid^=script-]").Select(e => e.GetAttribute("data-testid"))
                .Where(t => t is "script-done" or "script-run" or "script-show").ShouldBe([button]);
        }
        // The placeholders are filled from the case; the sub-script's button names it.
        Step(cut, 0).QuerySelector("[data-testid=script-step-text]")!.TextContent.ShouldBe("Greet Zoé with the quick reply.");
        Step(cut, 2).QuerySelector("[data-testid=script-show]")!.TextContent.ShouldContain("Refund policy");
    }

    [Fact]
    public async Task Mark_as_done_shows_the_step_done_with_who_and_the_progress_and_puts_it_in_the_cases_history()
    {
        await BillingDisputeAsync();
        var cut = RenderPanel();

        Step(cut, 0).QuerySelector("[data-testid=script-done]")!.Click();

        cut.WaitForAssertion(() => Step(cut, 0).GetAttribute("data-state").ShouldBe("done"), Wait);
        Step(cut, 0).QuerySelector("[data-testid=script-step-state]")!.TextContent.ShouldBe("Done");
        Step(cut, 0).QuerySelector("[data-testid=script-step-by]")!.TextContent.ShouldStartWith("By Camille");
        Step(cut, 0).QuerySelector("[data-testid=script-done]")!.HasAttribute("disabled").ShouldBeTrue();
        cut.Find("[data-testid=script-progress]").TextContent.ShouldBe("1 of 3 done");
        var history = await W.Crm.QueryAsync(db => db.CaseEvents.Where(e => e.CaseId == _caseId && e.Type == Core.Domain.Cases.CaseEventType.ScriptStepDone).Select(e => e.Detail).ToListAsync());
        history.ShouldBe(["Greet the customer"]);
    }

    [Fact]
    public async Task Run_macro_lists_each_actions_result_puts_the_quick_reply_in_the_reply_box_and_asks_before_running_again()
    {
        await BillingDisputeAsync();
        var cut = RenderPanel();

        Step(cut, 1).QuerySelector("[data-testid=script-run]")!.Click();

        cut.WaitForAssertion(() => Step(cut, 1).GetAttribute("data-state").ShouldBe("ran"), Wait);
        var results = Step(cut, 1).QuerySelectorAll("[data-testid=script-result]");
        results.Select(r => (r.GetAttribute("data-type"), r.GetAttribute("data-ok"))).ShouldBe(
            [("insertQuickReply", "true"), ("createCrmRecord", "true"), ("setCustomField", "true")]);
        results[0].TextContent.ShouldContain("“Welcome” put in the reply box");
        Services.GetRequiredService<IState<ComposerState>>().Value.For(_caseId)!.Text.ShouldBe("Hello Zoé, thank you for writing to us.");
        (await W.Crm.QueryAsync(db => db.CustomFieldValues.Where(v => v.CardId == _cardId).Select(v => v.Value).ToListAsync())).ShouldContain("yes");
        Step(cut, 1).QuerySelector("[data-testid=script-run]")!.TextContent.ShouldContain("Run again");

        // Once more: the panel asks first; "Cancel" runs nothing.
        Step(cut, 1).QuerySelector("[data-testid=script-run]")!.Click();
        cut.WaitForElement("[data-testid=script-confirm]", Wait).GetAttribute("role").ShouldBe("alertdialog");
        cut.Find("[data-testid=script-confirm]").TextContent.ShouldContain("Create an incident");
        cut.Find("[data-testid=script-confirm-no]").Click();
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=script-confirm]").ShouldBeEmpty(), Wait);
        (await RunsAsync()).ShouldBe(1);

        // Confirmed, it runs a second time.
        Step(cut, 1).QuerySelector("[data-testid=script-run]")!.Click();
        cut.WaitForElement("[data-testid=script-confirm-yes]", Wait).Click();
        await Eventually.TrueAsync(async () => await RunsAsync() == 2, "the script ran twice", Wait);
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=script-confirm]").ShouldBeEmpty(), Wait);
    }

    private Task<int> RunsAsync() => W.Crm.QueryAsync(db => db.CaseScriptSteps.Where(s => s.CaseId == _caseId).SumAsync(s => s.Runs));

    [Fact]
    public async Task A_failed_action_stops_the_macro_with_its_reason_and_the_earlier_actions_stay_done_and_listed()
    {
        await W.Crm.QueryAsync(async db =>
        {
            db.QuickReplies.Add(new Core.Domain.Admin.QuickReply("Soon gone", "Bye", "en"));
            return await db.SaveChangesAsync();
        });
        await BillingDisputeAsync(
            new MacroAction { Type = MacroActionType.AddNote, Text = "Dispute opened for {{customer.firstName}}" },
            new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "Soon gone" },
            new MacroAction { Type = MacroActionType.SetCustomField, Field = "dispute", Value = "yes" });
        // The quick reply is taken out of the knowledge base after the script was saved.
        await W.Crm.QueryAsync(db => db.QuickReplies.Where(r => r.Title == "Soon gone").ExecuteDeleteAsync());
        var cut = RenderPanel();

        Step(cut, 1).QuerySelector("[data-testid=script-run]")!.Click();

        cut.WaitForAssertion(() => Step(cut, 1).GetAttribute("data-state").ShouldBe("failed"), Wait);
        var results = Step(cut, 1).QuerySelectorAll("[data-testid=script-result]");
        results.Select(r => (r.GetAttribute("data-type"), r.GetAttribute("data-ok"))).ShouldBe([("addNote", "true"), ("insertQuickReply", "false")]);
        results[1].TextContent.ShouldContain("There is no quick reply “Soon gone”.");
        results[1].QuerySelector(".sr-only")!.TextContent.ShouldNotBeNullOrWhiteSpace();
        Step(cut, 1).QuerySelector("[data-testid=script-step-state]")!.TextContent.ShouldBe("Failed");
        // The note stays; the field after the failure was not set.
        (await W.Crm.QueryAsync(db => db.CustomFieldValues.CountAsync(v => v.CardId == _cardId))).ShouldBe(0);
        (await W.Crm.QueryAsync(db => db.Notes.CountAsync(n => n.CaseId == _caseId && n.Text == "Dispute opened for Zoé"))).ShouldBe(1);
    }

    [Fact]
    public async Task Show_opens_the_sub_script_in_place_and_back_returns_to_the_parent()
    {
        await BillingDisputeAsync();
        var cut = RenderPanel();
        cut.FindAll("[data-testid=script-back]").ShouldBeEmpty();

        Step(cut, 2).QuerySelector("[data-testid=script-show]")!.Click();

        cut.WaitForAssertion(() => cut.Find("[data-testid=script-name]").TextContent.ShouldContain("Refund policy"), Wait);
        cut.FindAll("[data-testid=script-step]").Count.ShouldBe(1);
        Step(cut, 0).QuerySelector("[data-testid=script-step-text]")!.TextContent.ShouldBe("Refunds within 14 days, Zoé.");
        cut.Find("[data-testid=script-back]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=script-name]").TextContent.ShouldContain("Billing dispute"), Wait);
        cut.FindAll("[data-testid=script-step]").Count.ShouldBe(3);
        cut.FindAll("[data-testid=script-back]").ShouldBeEmpty();
    }

    [Fact]
    public async Task Progress_belongs_to_the_case_a_colleagues_step_shows_live()
    {
        await BillingDisputeAsync();
        var cut = RenderPanel();
        var greet = (await W.CaseScripts.GetForCaseAsync(Sophie, _caseId))!.Steps[0];

        // Sophie, a supervisor, marks the first step on the same case from her own screen.
        await W.CaseScripts.MarkDoneAsync(Sophie, _caseId, greet.Id);

        cut.WaitForAssertion(() => Step(cut, 0).GetAttribute("data-state").ShouldBe("done"), Wait);
        Step(cut, 0).QuerySelector("[data-testid=script-step-by]")!.TextContent.ShouldStartWith("By " + Sophie.DisplayName);
        cut.Find("[data-testid=script-progress]").TextContent.ShouldBe("1 of 3 done");
    }

    [Fact]
    public async Task A_value_brought_in_with_markup_is_text_and_the_panel_speaks_French()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        await W.Scripts.CreateAsync(ScriptAdmin, Script("Accueil", [General], Text("Saluer", "Bonjour {{customer.firstName}}")));
        await W.Crm.QueryAsync(db => db.Cards.Where(c => c.Id == _cardId).ExecuteUpdateAsync(c => c.SetProperty(x => x.FirstName, "<b>Zoé</b>")));
        var cut = RenderPanel();

        Step(cut, 0).QuerySelector("[data-testid=script-step-text]")!.TextContent.ShouldBe("Bonjour <b>Zoé</b>");
        Step(cut, 0).QuerySelectorAll("b").ShouldBeEmpty();
        cut.Find("[data-testid=script-done]").TextContent.ShouldContain("Marquer comme terminée");
        cut.Find("[data-testid=script-progress]").TextContent.ShouldBe("0 sur 1 faites");
    }
}

/// <summary>/admin/scripts, the editor (issue 19), rendered as an administrator.</summary>
public sealed class ScriptEditorTests() : ScriptComponentContext(ScriptAdmin)
{
    private IRenderedComponent<ScriptsPage> RenderPage()
    {
        Render<MudPopoverProvider>();
        var cut = Render<ScriptsPage>();
        cut.WaitForAssertion(() => cut.Find("[data-testid=new-script]").HasAttribute("disabled").ShouldBeFalse(), Wait);
        return cut;
    }

    private static IRenderedComponent<MudSelect<T>> Select<T>(IRenderedComponent<ScriptsPage> cut, string testId, int nth = 0) =>
        cut.FindComponents<MudSelect<T>>().Where(s => s.Instance.UserAttributes.TryGetValue("data-testid", out var id) && (string?)id == testId).ElementAt(nth);

    private static Task ChooseAsync<T>(IRenderedComponent<ScriptsPage> cut, string testId, T value, int nth = 0)
    {
        var select = Select<T>(cut, testId, nth);
        return cut.InvokeAsync(() => select.Instance.SelectOption(value));
    }

    private static IElement EditorStep(IRenderedComponent<ScriptsPage> cut, int index) => cut.FindAll("[data-testid=editor-step]")[index];

    private static void Type(IRenderedComponent<ScriptsPage> cut, int step, string part, string value) =>
        EditorStep(cut, step).QuerySelector($"[data-testid={part}] input, [data-testid={part}] textarea")!.Input(value);

    private static void NewScript(IRenderedComponent<ScriptsPage> cut, string name)
    {
        cut.Find("[data-testid=new-script]").Click();
        cut.WaitForElement("[data-testid=script-form]", Wait);
        cut.Find("[data-testid=script-name-input] input").Input(name);
    }

    private void SaveAndWaitForTheList(IRenderedComponent<ScriptsPage> cut, string name)
    {
        cut.Find("[data-testid=save-script]").Click();
        cut.WaitForAssertion(() => cut.FindAll($"[data-testid=script-row][data-name='{name}']").ShouldHaveSingleItem(), Wait);
    }

    [Fact]
    public async Task An_admin_builds_the_three_kinds_of_step_by_hand_and_publishes_version_1()
    {
        var refund = await W.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", null, Text("Explain", "Fourteen days")));
        var cut = RenderPage();
        NewScript(cut, "Billing dispute");
        await ChooseAsync(cut, "script-queues", General);

        // 1. A text instruction (the kind a new step starts with).
        Type(cut, 0, "editor-step-title", "Greet the customer");
        Type(cut, 0, "editor-step-text", "Greet {{customer.firstName}} with the quick reply.");

        // 2. A macro: a quick reply, a CRM case from the context, the custom field.
        cut.Find("[data-testid=editor-add-step]").Click();
        await ChooseAsync(cut, "editor-step-kind", ScriptStepKind.Macro, 1);
        Type(cut, 1, "editor-step-title", "Create an incident");
        for (var i = 0; i < 3; i++) cut.Find("[data-testid=editor-add-action]").Click();
        await ChooseAsync(cut, "editor-action-type", MacroActionType.InsertQuickReply, 0);
        await ChooseAsync(cut, "editor-action-quick-reply", "Welcome");
        await ChooseAsync(cut, "editor-action-type", MacroActionType.CreateCrmRecord, 1);
        EditorStep(cut, 1).QuerySelector("[data-testid=editor-action-fields] textarea")!.Input("subject=Dispute {{context.variables.orderNumber}}");
        await ChooseAsync(cut, "editor-action-type", MacroActionType.SetCustomField, 2);
        await ChooseAsync(cut, "editor-action-field", "dispute");
        EditorStep(cut, 1).QuerySelector("[data-testid=editor-action-value] input")!.Input("yes");

        // 3. The sub-script.
        cut.Find("[data-testid=editor-add-step]").Click();
        await ChooseAsync(cut, "editor-step-kind", ScriptStepKind.SubScript, 2);
        Type(cut, 2, "editor-step-title", "Refund policy");
        await ChooseAsync<long?>(cut, "editor-step-subscript", refund.Id);

        SaveAndWaitForTheList(cut, "Billing dispute");

        var row = cut.Find("[data-testid=script-row][data-name='Billing dispute']");
        row.TextContent.ShouldContain(General);
        var id = (await W.Scripts.ListAsync(ScriptAdmin)).Single(s => s.Name == "Billing dispute").Id;
        var saved = await W.Scripts.GetAsync(ScriptAdmin, id);
        saved.Version.ShouldBe(1);
        saved.Queues.ShouldBe([General]);
        saved.Steps.Select(s => (s.Kind, s.Title)).ShouldBe([
            (ScriptStepKind.Text, "Greet the customer"), (ScriptStepKind.Macro, "Create an incident"), (ScriptStepKind.SubScript, "Refund policy")]);
        saved.Steps[0].Text.ShouldBe("Greet {{customer.firstName}} with the quick reply.");
        saved.Steps[1].Actions.ShouldBe([
            new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "Welcome" },
            new MacroAction { Type = MacroActionType.CreateCrmRecord, RecordType = "case", Fields = saved.Steps[1].Actions[1].Fields },
            new MacroAction { Type = MacroActionType.SetCustomField, Field = "dispute", Value = "yes" },
        ]);
        saved.Steps[1].Actions[1].Fields.ShouldBe(new Dictionary<string, string?> { ["subject"] = "Dispute {{context.variables.orderNumber}}" });
        saved.Steps[2].ScriptId.ShouldBe(refund.Id);
    }

    [Fact]
    public async Task An_empty_title_and_an_unknown_placeholder_are_refused_beside_their_steps_in_French_and_nothing_is_saved()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        var cut = RenderPage();
        NewScript(cut, "Accueil");
        Type(cut, 0, "editor-step-text", "Bonjour");
        cut.Find("[data-testid=editor-add-step]").Click();
        Type(cut, 1, "editor-step-title", "Saluer");
        Type(cut, 1, "editor-step-text", "Bonjour {{customer.shoeSize}}");

        cut.Find("[data-testid=save-script]").Click();

        cut.WaitForAssertion(() => EditorStep(cut, 1).QuerySelector("[data-testid=editor-step-error]")!.TextContent
            .ShouldContain("La variable {{customer.shoeSize}} ne désigne rien de connu."), Wait);
        EditorStep(cut, 0).QuerySelector("[data-testid=editor-step-error]")!.TextContent.ShouldContain("L’étape doit avoir un titre.");
        EditorStep(cut, 0).QuerySelector("[data-testid=editor-step-error]")!.TextContent.ShouldNotContain("shoeSize");
        EditorStep(cut, 0).QuerySelector("[data-testid=editor-step-title] .mud-input-error").ShouldNotBeNull();
        // Said beside the button too: the steps may be far above it.
        cut.Find("[data-testid=script-save-refused]").TextContent.ShouldBe("Non publié : 2 problème(s) à corriger, indiqué(s) plus haut à côté des champs.");
        cut.FindAll("[data-testid=script-form]").ShouldHaveSingleItem();
        (await W.Crm.QueryAsync(db => db.Scripts.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task A_sub_script_that_would_contain_the_script_again_is_refused_beside_its_step_naming_the_chain()
    {
        var inner = await W.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", null, Text("Explain", "Fourteen days")));
        var outer = await W.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", null, Text("Greet", "Hello"), Sub("Refund policy", inner.Id)));
        var cut = RenderPage();
        cut.Find("[data-testid=script-row][data-name='Refund policy'] [data-testid=edit-script]").Click();
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=editor-step]").Count.ShouldBe(1), Wait);

        cut.Find("[data-testid=editor-add-step]").Click();
        await ChooseAsync(cut, "editor-step-kind", ScriptStepKind.SubScript, 1);
        Type(cut, 1, "editor-step-title", "Back to billing");
        await ChooseAsync<long?>(cut, "editor-step-subscript", outer.Id);
        cut.Find("[data-testid=save-script]").Click();

        cut.WaitForAssertion(() => EditorStep(cut, 1).QuerySelector("[data-testid=editor-step-error]")!.TextContent
            .ShouldContain("The sub-script would contain this script again (Refund policy → Billing dispute → Refund policy)."), Wait);
        EditorStep(cut, 0).QuerySelectorAll("[data-testid=editor-step-error]").ShouldBeEmpty();
        (await W.Scripts.GetAsync(ScriptAdmin, inner.Id)).Version.ShouldBe(1);
    }

    [Fact]
    public async Task Editing_publishes_a_new_version_and_the_editor_starts_from_the_current_one()
    {
        var saved = await W.Scripts.CreateAsync(ScriptAdmin, Script("Greeting", [General], Text("Greet", "Hello")));
        var cut = RenderPage();
        cut.Find("[data-testid=script-row][data-name=Greeting] td:nth-child(3)").TextContent.ShouldBe("1");

        cut.Find("[data-testid=script-row][data-name=Greeting] [data-testid=edit-script]").Click();
        cut.WaitForAssertion(() => EditorStep(cut, 0).QuerySelector("[data-testid=editor-step-title] input")!.GetAttribute("value").ShouldBe("Greet"), Wait);
        cut.Find("[data-testid=script-form] h2").TextContent.ShouldBe("Edit the script (version 1)");
        Type(cut, 0, "editor-step-title", "Greet warmly");
        SaveAndWaitForTheList(cut, "Greeting");

        cut.WaitForAssertion(() => cut.Find("[data-testid=script-row][data-name=Greeting] td:nth-child(3)").TextContent.ShouldBe("2"), Wait);
        var detail = await W.Scripts.GetAsync(ScriptAdmin, saved.Id);
        (detail.Version, detail.Steps.Single().Title).ShouldBe((2, "Greet warmly"));
        (await W.Crm.QueryAsync(db => db.ScriptVersions.Where(v => v.ScriptId == saved.Id).Select(v => v.Number).OrderBy(n => n).ToListAsync())).ShouldBe([1, 2]);

        cut.Find("[data-testid=script-row][data-name=Greeting] [data-testid=edit-script]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=script-form] h2").TextContent.ShouldBe("Edit the script (version 2)"), Wait);
        EditorStep(cut, 0).QuerySelector("[data-testid=editor-step-title] input")!.GetAttribute("value").ShouldBe("Greet warmly");
    }
}

/// <summary>The editor's reducers, without services.</summary>
public sealed class ScriptsAdminReducerTests
{
    private static ScriptSummary Summary(long id, string name, bool archived = false) => new(id, name, null, "en", 1, archived, 1, [], DateTimeOffset.UnixEpoch);

    [Fact]
    public void A_script_just_saved_is_offered_as_a_sub_script_at_once_and_an_archived_one_is_marked()
    {
        var options = new ScriptEditorOptions([], [], [], [new ScriptOption(1, "Greeting", false)], [], [], []);
        var state = new ScriptsAdminFeature().GetInitialState() with { Options = options };

        var saved = ScriptsAdminReducers.Reduce(state, new ScriptSavedAction(new ScriptSaved(2, 1), [Summary(1, "Greeting"), Summary(2, "Refund policy")]));
        saved.Options!.Scripts.ShouldBe([new ScriptOption(1, "Greeting", false), new ScriptOption(2, "Refund policy", false)]);
        saved.Options.Queues.ShouldBeSameAs(options.Queues);

        var archived = ScriptsAdminReducers.Reduce(saved, new ScriptArchivedAction([Summary(1, "Greeting", archived: true), Summary(2, "Refund policy")]));
        archived.Options!.Scripts.ShouldContain(new ScriptOption(1, "Greeting", true));
    }
}
