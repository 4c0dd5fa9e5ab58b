using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Scripts;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Scripts.ScriptWorld;

namespace AgentWorkspace.Tests.Scripts;

/// <summary>Agent scripts on a real SQLite database: versions, assignments, the rules at save, steps done and macros run.</summary>
[Trait("Category", "Service")]
public sealed class ScriptServiceTests
{
    private const string General = Core.Domain.Queues.Queue.DefaultName;

    [Fact]
    public async Task A_case_that_started_keeps_its_version_and_a_new_case_opens_the_new_one()
    {
        await using var w = await CreateAsync();
        var saved = await w.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", [General], Text("Greet", "Hello {{customer.firstName}}"), Text("Listen", "Ask for the invoice")));
        Assert.Equal(1, saved.Version);
        var (_, first) = await w.Crm.Inbox.InboundAsync(General, assignedTo: Camille.UserId);
        var view = await w.CaseScripts.GetForCaseAsync(Camille, first);
        Assert.NotNull(view);
        await w.CaseScripts.MarkDoneAsync(Camille, first, view!.Steps[0].Id);

        var v2 = await w.Scripts.UpdateAsync(ScriptAdmin, saved.Id, Script("Billing dispute", [General], Text("Greet warmly", "Bonjour {{customer.firstName}}")));
        Assert.Equal(2, v2.Version);

        var kept = await w.CaseScripts.GetForCaseAsync(Camille, first);
        Assert.Equal(1, kept!.Version);
        Assert.Equal(["Greet", "Listen"], kept.Steps.Select(s => s.Title));
        Assert.Equal(ScriptStepState.Done, kept.Steps[0].State);
        Assert.Equal("Hello Zoé", kept.Steps[0].Text);

        var (_, second) = await w.Crm.Inbox.InboundAsync(General);
        var fresh = await w.CaseScripts.GetForCaseAsync(Camille, second);
        Assert.Equal(2, fresh!.Version);
        Assert.Equal(["Greet warmly"], fresh.Steps.Select(s => s.Title));

        var audit = await w.Crm.QueryAsync(db => db.Audit.Where(a => a.EntityType == "AgentScript").Select(a => a.Action).ToListAsync());
        Assert.Contains("Created", audit);
        Assert.Contains("Published", audit);
        Assert.Contains("Assigned", audit);
    }

    [Fact]
    public async Task A_step_done_is_in_the_history_and_a_colleague_sees_it()
    {
        await using var w = await CreateAsync();
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Greeting", [General], Text("Greet", "Say hello")));
        var (_, caseId) = await w.Crm.Inbox.InboundAsync(General, assignedTo: Camille.UserId);
        var step = (await w.CaseScripts.GetForCaseAsync(Camille, caseId))!.Steps[0];
        await w.CaseScripts.MarkDoneAsync(Camille, caseId, step.Id);

        var seen = await w.CaseScripts.GetForCaseAsync(Sophie, caseId);
        Assert.Equal(ScriptStepState.Done, seen!.Steps[0].State);
        Assert.Equal(Camille.DisplayName, seen.Steps[0].ByName);
        var events = await w.Crm.QueryAsync(db => db.CaseEvents.Where(e => e.CaseId == caseId && e.Type == CaseEventType.ScriptStepDone).Select(e => e.Detail).ToListAsync());
        Assert.Equal(["Greet"], events);
    }

    [Fact]
    public async Task A_macro_creates_the_CRM_case_and_sets_the_field_through_the_agents_use_cases_and_asks_before_running_again()
    {
        await using var w = await CreateAsync();
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", [General],
            Macro("Create an incident",
                new MacroAction { Type = MacroActionType.CreateCrmRecord, RecordType = "case", Fields = new Dictionary<string, string?> { ["subject"] = "Dispute {{context.variables.orderNumber}} for {{customer.lastName}}" } },
                new MacroAction { Type = MacroActionType.SetCustomField, Field = "dispute", Value = "yes" },
                new MacroAction { Type = MacroActionType.InsertQuickReply, QuickReply = "welcome" })));
        var seeded = await w.Crm.SeedContactAsync(assignedTo: Camille.UserId);
        var step = (await w.CaseScripts.GetForCaseAsync(Camille, seeded.CaseId))!.Steps[0];

        var run = await w.CaseScripts.RunMacroAsync(Camille, seeded.CaseId, step.Id);

        Assert.True(run.Succeeded, string.Join("; ", run.Actions.Select(a => a.Message)));
        Assert.Equal([MacroActionType.CreateCrmRecord, MacroActionType.SetCustomField, MacroActionType.InsertQuickReply], run.Actions.Select(a => a.Type));
        Assert.Equal("Hello Zoé, thank you for writing to us.", run.Actions[2].Output);
        var link = await w.Crm.QueryAsync(db => db.CrmLinks.SingleAsync(l => l.CaseId == seeded.CaseId && l.RecordType == Core.Features.Crm.CrmRecordType.Case));
        var crmId = long.Parse(link.RecordId, System.Globalization.CultureInfo.InvariantCulture);
        var crmCase = await w.Crm.QueryAsync(db => db.CrmCases.SingleAsync(c => c.Id == crmId));
        Assert.Equal("Dispute  for Le Gall", crmCase.Subject);
        var value = await w.Crm.QueryAsync(db => (from v in db.CustomFieldValues join f in db.CustomFields on v.FieldId equals f.Id
                                                  where v.CardId == seeded.CardId && f.Ident == "dispute" select v.Value).SingleAsync());
        Assert.Equal("yes", value);
        Assert.Equal(ScriptStepState.Ran, run.Script.Steps[0].State);
        var history = await w.Crm.QueryAsync(db => db.CaseEvents.Where(e => e.CaseId == seeded.CaseId).Select(e => e.Type).ToListAsync());
        Assert.Contains(CaseEventType.ScriptMacroRan, history);
        Assert.Contains(CaseEventType.CrmRecordCreated, history);

        var again = await Assert.ThrowsAsync<ConflictException>(() => w.CaseScripts.RunMacroAsync(Camille, seeded.CaseId, step.Id));
        Assert.Equal("ScriptMacroAlreadyRan", again.Code);
        var rerun = await w.CaseScripts.RunMacroAsync(Camille, seeded.CaseId, step.Id, confirmRerun: true);
        Assert.True(rerun.Succeeded);
        Assert.Equal(2, rerun.Script.Steps[0].Runs);
    }

    [Fact]
    public async Task A_failed_action_stops_the_macro_with_its_reason_and_the_earlier_actions_stay_done()
    {
        await using var w = await CreateAsync();
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Escalate", [General],
            Macro("Escalate",
                new MacroAction { Type = MacroActionType.SetCustomField, Field = "dispute", Value = "yes" },
                new MacroAction { Type = MacroActionType.SetPriority, Priority = "urgent" },
                new MacroAction { Type = MacroActionType.AddNote, Text = "Escalated" })));
        // Camille holds the case; Lucas (same queue) may act on the card, not handle Camille's case.
        var (cardId, caseId) = await w.Crm.Inbox.InboundAsync(General, assignedTo: Camille.UserId);
        var step = (await w.CaseScripts.GetForCaseAsync(Lucas, caseId))!.Steps[0];

        var run = await w.CaseScripts.RunMacroAsync(Lucas, caseId, step.Id);

        Assert.False(run.Succeeded);
        Assert.Equal(2, run.Actions.Count);
        Assert.True(run.Actions[0].Ok);
        Assert.False(run.Actions[1].Ok);
        Assert.Contains("Camille", run.Actions[1].Message);
        Assert.Equal(ScriptStepState.Failed, run.Script.Steps[0].State);
        var @case = await w.Crm.QueryAsync(db => db.Cases.SingleAsync(c => c.Id == caseId));
        Assert.Equal(CasePriority.Normal, @case.Priority);
        Assert.False(await w.Crm.QueryAsync(db => db.Notes.AnyAsync(n => n.CaseId == caseId)));
        Assert.True(await w.Crm.QueryAsync(db => db.CustomFieldValues.AnyAsync(v => v.CardId == cardId && v.Value == "yes")));
    }

    [Fact]
    public async Task Unknown_placeholders_read_only_fields_unknown_queues_and_empty_titles_are_refused_at_save_naming_the_step()
    {
        await using var w = await CreateAsync();
        var ex = await Assert.ThrowsAsync<ScriptInvalidException>(() => w.Scripts.CreateAsync(ScriptAdmin, Script("Bad", [General],
            Text("Fine", "Hello {{customer.firstName}}"),
            Text("Greet", "Your shoe size is {{customer.shoeSize}}"),
            Macro("Tier", new MacroAction { Type = MacroActionType.SetCustomField, Field = "tier", Value = "gold" }),
            Macro("Move", new MacroAction { Type = MacroActionType.Transfer, Queue = "Nowhere" }),
            Text(" ", "text"),
            Macro("Open", new MacroAction { Type = MacroActionType.OpenUrl, Url = "{{context.variables.site}}/x" }))));
        var byStep = ex.Problems.ToDictionary(p => p.Field!, p => (p.StepIndex, p.Code));
        Assert.Equal((1, "ScriptPlaceholderUnknown"), byStep["steps[1].text"]);
        Assert.Equal((2, "ScriptFieldReadOnly"), byStep["steps[2].actions[0].field"]);
        Assert.Equal((3, "ScriptTransferQueueUnknown"), byStep["steps[3].actions[0].queue"]);
        Assert.Equal((4, "ScriptStepTitleRequired"), byStep["steps[4].title"]);
        Assert.Equal((5, "ScriptUrlInvalid"), byStep["steps[5].actions[0].url"]);
        Assert.StartsWith("Step 2:", ex.Message);
        Assert.False(await w.Crm.QueryAsync(db => db.Scripts.AnyAsync()));
    }

    [Fact]
    public async Task A_script_that_would_contain_itself_through_a_sub_script_is_refused_with_the_chain()
    {
        await using var w = await CreateAsync();
        var refund = await w.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", [], Text("Explain", "Fourteen days")));
        var billing = await w.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", [General], Text("Greet", "Hello"), Sub("Refund", refund.Id)));

        var ex = await Assert.ThrowsAsync<ScriptInvalidException>(() =>
            w.Scripts.UpdateAsync(ScriptAdmin, refund.Id, Script("Refund policy", [], Text("Explain", "Fourteen days"), Sub("Back", billing.Id))));
        var problem = Assert.Single(ex.Problems);
        Assert.Equal("ScriptCycle", problem.Code);
        Assert.Equal(1, problem.StepIndex);
        Assert.Contains("Refund policy → Billing dispute → Refund policy", problem.Message);

        var self = await Assert.ThrowsAsync<ScriptInvalidException>(() =>
            w.Scripts.UpdateAsync(ScriptAdmin, refund.Id, Script("Refund policy", [], Sub("Me", refund.Id))));
        Assert.Equal("ScriptCycle", self.Problems[0].Code);
    }

    [Fact]
    public async Task A_sub_script_opens_within_the_case_and_its_steps_are_done_there()
    {
        await using var w = await CreateAsync();
        var refund = await w.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", [], Text("Explain", "Fourteen days for {{customer.firstName}}")));
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Billing dispute", [General], Sub("Refund policy", refund.Id)));
        var (_, caseId) = await w.Crm.Inbox.InboundAsync(General, assignedTo: Camille.UserId);
        var root = await w.CaseScripts.GetForCaseAsync(Camille, caseId);
        Assert.Equal("Refund policy", root!.Steps[0].SubScriptName);

        var sub = await w.CaseScripts.GetForCaseAsync(Camille, caseId, refund.Id);
        Assert.False(sub!.IsRoot);
        Assert.Equal("Fourteen days for Zoé", sub.Steps[0].Text);
        var done = await w.CaseScripts.MarkDoneAsync(Camille, caseId, sub.Steps[0].Id);
        Assert.Equal(ScriptStepState.Done, done.Steps[0].State);

        var unrelated = await w.Scripts.CreateAsync(ScriptAdmin, Script("Other", [], Text("x", "y")));
        await Assert.ThrowsAsync<NotFoundException>(() => w.CaseScripts.GetForCaseAsync(Camille, caseId, unrelated.Id));
    }

    [Fact]
    public async Task A_channel_override_wins_over_the_queue_default_and_a_taken_place_is_refused()
    {
        await using var w = await CreateAsync();
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Default", [General], Text("a", "b")));
        await w.Scripts.CreateAsync(ScriptAdmin, new ScriptInput("E-mail only", null, "fr", [General], ["email"], [Text("c", "d")]));
        var (_, sms) = await w.Crm.Inbox.InboundAsync(General, Channel.Sms);
        var (_, mail) = await w.Crm.Inbox.InboundAsync(General, Channel.Email);
        Assert.Equal("Default", (await w.CaseScripts.GetForCaseAsync(Camille, sms))!.Name);
        Assert.Equal("E-mail only", (await w.CaseScripts.GetForCaseAsync(Camille, mail))!.Name);

        var taken = await Assert.ThrowsAsync<ConflictException>(() => w.Scripts.CreateAsync(ScriptAdmin, Script("Again", [General], Text("a", "b"))));
        Assert.Equal("ScriptAssignmentTaken", taken.Code);
    }

    [Fact]
    public async Task An_archived_script_opens_for_no_new_case_and_is_refused_while_a_script_opens_it()
    {
        await using var w = await CreateAsync();
        var refund = await w.Scripts.CreateAsync(ScriptAdmin, Script("Refund policy", [General], Text("Explain", "x")));
        var billing = await w.Scripts.CreateAsync(ScriptAdmin, Script("Billing", [], Sub("Refund", refund.Id)));
        var used = await Assert.ThrowsAsync<ConflictException>(() => w.Scripts.ArchiveAsync(ScriptAdmin, refund.Id));
        Assert.Equal("ScriptUsedAsSubScript", used.Code);

        await w.Scripts.ArchiveAsync(ScriptAdmin, billing.Id);
        await w.Scripts.ArchiveAsync(ScriptAdmin, refund.Id);
        var (_, caseId) = await w.Crm.Inbox.InboundAsync(General);
        Assert.Null(await w.CaseScripts.GetForCaseAsync(Camille, caseId));
        var list = await w.Scripts.ListAsync(ScriptAdmin);
        Assert.All(list, s => Assert.True(s.IsArchived));
        await w.Scripts.RestoreAsync(ScriptAdmin, refund.Id);
        Assert.False((await w.Scripts.GetAsync(ScriptAdmin, refund.Id)).IsArchived);
    }

    [Fact]
    public async Task Only_an_admin_edits_scripts_and_a_value_with_markup_stays_text()
    {
        await using var w = await CreateAsync();
        await Assert.ThrowsAsync<ForbiddenException>(() => w.Scripts.CreateAsync(Camille, Script("x", [], Text("a", "b"))));
        await w.Scripts.CreateAsync(ScriptAdmin, Script("Greeting", [General], Text("Greet", "Hello {{customer.firstName}}")));
        var (_, caseId) = await w.Crm.Inbox.InboundAsync(General, firstName: "<script>alert(1)</script>");
        var step = (await w.CaseScripts.GetForCaseAsync(Camille, caseId))!.Steps[0];
        Assert.Equal("Hello <script>alert(1)</script>", step.Text);
        var options = await w.Scripts.EditorOptionsAsync(ScriptAdmin);
        Assert.Contains("customer.fields.dispute", options.Placeholders);
        Assert.Contains("Welcome", options.QuickReplies);
        Assert.Empty(await w.Scripts.CheckAsync(ScriptAdmin, Script("ok", [], Text("a", "b"))));
    }

    [Fact]
    public async Task The_demo_script_is_one_the_editor_accepts_is_written_once_and_its_macro_runs_on_a_Support_case()
    {
        await using var w = await CreateAsync();
        var reference = new Core.Features.Demo.ReferenceData(w.Crm.Db, TimeProvider.System);
        await reference.EnsureDemoScriptsAsync();
        await reference.EnsureDemoScriptsAsync();

        var scripts = await w.Scripts.ListAsync(ScriptAdmin);
        var main = Assert.Single(scripts, s => s.Name == Core.Features.Demo.ReferenceData.DemoScriptName);
        var sub = Assert.Single(scripts, s => s.Name == Core.Features.Demo.ReferenceData.DemoSubScriptName);
        Assert.Equal(["Support"], main.Assignments.Select(a => a.Queue));
        foreach (var id in new[] { main.Id, sub.Id })
        {
            var detail = await w.Scripts.GetAsync(ScriptAdmin, id);
            var input = new ScriptInput(detail.Name, detail.Description, detail.Language, detail.Queues, detail.Channels,
                detail.Steps.Select(st => new ScriptStepInput(st.Kind, st.Title, st.Text, st.Actions.Count > 0 ? st.Actions : null, st.ScriptId)).ToList());
            Assert.Empty((await w.Scripts.CheckAsync(ScriptAdmin, input, id)).Select(p => $"{p.Field}: {p.Message}"));
        }

        var (_, caseId) = await w.Crm.Inbox.InboundAsync("Support", assignedTo: Camille.UserId);
        var view = (await w.CaseScripts.GetForCaseAsync(Camille, caseId))!;
        Assert.Equal(main.Id, view.ScriptId);
        Assert.Equal([ScriptStepKind.Text, ScriptStepKind.Macro, ScriptStepKind.SubScript], view.Steps.Select(st => st.Kind));
        Assert.Contains("Zoé", view.Steps[0].Text);
        var run = await w.CaseScripts.RunMacroAsync(Camille, caseId, view.Steps[1].Id);
        Assert.True(run.Succeeded, string.Join("; ", run.Actions.Select(a => a.Message)));
        Assert.Equal(3, run.Actions.Count);
    }
}
