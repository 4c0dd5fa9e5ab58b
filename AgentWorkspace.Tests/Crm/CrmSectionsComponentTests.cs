using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Web.Components.Shared.Crm;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Crm;

/// <summary>
/// The card's two CRM sections and the create dialog (seed 001) over the real services on SQLite: the built-in CRM, or
/// a connector the test drives (slow, down). Rendered as Camille, who works the case.
/// </summary>
public sealed class CrmSectionsComponentTests : BunitContext, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly FakeCrmKind _fake = new();
    private CrmWorld _w = default!;
    private CrmWorld.Seeded _s = default!;

    public async ValueTask InitializeAsync()
    {
        _w = await CrmWorld.CreateAsync(_fake);
        _s = await _w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IChangeFeed>(_w.Inbox.Feed);
        Services.AddSingleton(_w.Crm);
        Services.AddSingleton(_w.Settings);
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized(CrmWorld.Camille.DisplayName);
        auth.SetRoles("Agent");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, CrmWorld.Camille.UserId));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _w.DisposeAsync();
    }

    private IRenderedComponent<CrmCardSections> RenderSections(long? caseId = -1) =>
        Render<CrmCardSections>(p => p.Add(c => c.CardId, _s.CardId).Add(c => c.CaseId, caseId == -1 ? _s.CaseId : caseId));

    private static string Row(CrmRecordRef r) => $"[data-testid=crm-record][data-type={r.Type.WireName()}][data-id='{r.Id}']";

    private Task UseFakeAsync(int timeoutSeconds = 5) => _w.Settings.SaveAsync(CrmWorld.Admin,
        new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(), CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, timeoutSeconds));

    private static CrmRecord Contact(string id, string title) => new(CrmRecordType.Contact, id, title, null, new Dictionary<string, string?>(), new Uri("https://crm.example/contact/" + id));

    [Fact]
    public async Task TheSectionsShowASkeletonWhileTheCrmIsRead_AndTheRecordsOnceItAnswers()
    {
        await UseFakeAsync();
        var answer = new TaskCompletionSource<IReadOnlyList<CrmRecord>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var asked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _fake.Find = (_, ct) => { asked.TrySetResult(); return answer.Task.WaitAsync(ct); };

        var cut = RenderSections();

        // The CRM was asked and has not answered: the section holds the place, nothing else waits.
        await asked.Task.WaitAsync(Wait, Xunit.TestContext.Current.CancellationToken);
        cut.Find("[data-testid=crm-skeleton]").ShouldNotBeNull();
        cut.Find("[data-testid=crm-sections]").GetAttribute("aria-busy").ShouldBe("true");
        cut.FindAll("[data-testid=crm-record]").ShouldBeEmpty();

        answer.SetResult([Contact("c-1", "Zoé Le Gall (CRM)")]);
        cut.WaitForAssertion(() => cut.Find("[data-testid=crm-current] [data-testid=crm-record-title]").TextContent.ShouldBe("Zoé Le Gall (CRM)"), Wait);
        cut.FindAll("[data-testid=crm-skeleton]").ShouldBeEmpty();
        cut.Find("[data-testid=crm-sections]").GetAttribute("aria-busy").ShouldBe("false");
        // An outside CRM's record opens there, in a new tab.
        var open = cut.Find($"{Row(new CrmRecordRef(CrmRecordType.Contact, "c-1"))} [data-testid=crm-open]");
        open.GetAttribute("href").ShouldBe("https://crm.example/contact/c-1");
        open.GetAttribute("target").ShouldBe("_blank");
    }

    [Fact]
    public async Task ACrmThatIsDownIsOneLineWithRetry_AndRetryShowsTheRecords()
    {
        await UseFakeAsync();
        var calls = 0;
        _fake.Find = (_, _) => Interlocked.Increment(ref calls) == 1
            ? throw new CrmException(CrmFailure.Unavailable, "HTTP 503 from the CRM.")
            : Task.FromResult<IReadOnlyList<CrmRecord>>([Contact("c-2", "Zoé (second try)")]);

        var cut = RenderSections();

        cut.WaitForAssertion(() => cut.Find("[data-testid=crm-error]").TextContent.ShouldContain("The CRM is not answering right now. Try again in a moment."), Wait);
        cut.Find("[data-testid=crm-error]").GetAttribute("role").ShouldBe("alert");
        cut.FindAll("[data-testid=crm-skeleton]").ShouldBeEmpty();
        cut.FindAll("[data-testid=crm-record]").ShouldBeEmpty();

        cut.Find("[data-testid=crm-retry]").Click();
        cut.WaitForAssertion(() => cut.Find("[data-testid=crm-record-title]").TextContent.ShouldBe("Zoé (second try)"), Wait);
        cut.FindAll("[data-testid=crm-error]").ShouldBeEmpty();
        calls.ShouldBe(2);
    }

    [Fact]
    public async Task LinkShowsTheRecordLinked_AndClickingLinkedUnlinksIt()
    {
        var cut = RenderSections();
        // The contact the card matches is current and not linked; its account is among the related records.
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);
        var link = cut.Find($"[data-testid=crm-related] > {Row(_s.Account)} [data-testid=crm-link]");
        link.GetAttribute("aria-pressed").ShouldBe("false");
        link.GetAttribute("aria-label").ShouldStartWith("Link ");

        link.Click();

        // Linked, the account is the case's: it moves to the current interaction, with the green check pressed.
        cut.WaitForAssertion(() => cut.Find($"[data-testid=crm-current] > {Row(_s.Account)}").GetAttribute("data-linked").ShouldBe("true"), Wait);
        var linked = cut.Find($"[data-testid=crm-current] > {Row(_s.Account)} [data-testid=crm-linked]");
        linked.GetAttribute("aria-pressed").ShouldBe("true");
        linked.GetAttribute("title").ShouldBe("Linked — click to unlink");
        var row = await _w.QueryAsync(db => db.CrmLinks.SingleAsync());
        (row.CaseId, row.RecordType, row.RecordId, row.IsActive).ShouldBe((_s.CaseId, CrmRecordType.Account, _s.AccountId, true));

        linked.Click();

        cut.WaitForAssertion(() => cut.FindAll($"[data-testid=crm-current] > {Row(_s.Account)}").ShouldBeEmpty(), Wait);
        cut.Find($"[data-testid=crm-related] > {Row(_s.Account)}").GetAttribute("data-linked").ShouldBe("false");
        (await _w.QueryAsync(db => db.CrmLinks.SingleAsync())).IsActive.ShouldBeFalse();
    }

    [Fact]
    public void TheArrowShowsARecordsAssociatedRecords_FromTheSectionsOrReadFromTheCrm()
    {
        var cut = RenderSections();
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);

        // The contact came with its associated records: the arrow shows them at once.
        var arrow = cut.Find($"[data-testid=crm-current] > {Row(_s.Contact)} [data-testid=crm-expand]");
        arrow.GetAttribute("aria-expanded").ShouldBe("false");
        arrow.Click();
        cut.WaitForAssertion(() => cut.FindAll($"[data-testid=crm-current] > {Row(_s.Contact)} [data-testid=crm-children] > [data-testid=crm-record]")
            .Select(r => r.GetAttribute("data-type")).ShouldBe(["account", "contact", "case"]), Wait);
        cut.Find($"[data-testid=crm-current] > {Row(_s.Contact)} [data-testid=crm-expand]").GetAttribute("aria-expanded").ShouldBe("true");

        // The related account's are read when asked: its primary contact.
        cut.Find($"[data-testid=crm-related] > {Row(_s.Account)} [data-testid=crm-expand]").Click();
        cut.WaitForAssertion(() => cut.Find($"[data-testid=crm-related] > {Row(_s.Account)} [data-testid=crm-children] {Row(_s.Contact)}").ShouldNotBeNull(), Wait);

        // Closed again, they go.
        cut.Find($"[data-testid=crm-related] > {Row(_s.Account)} [data-testid=crm-expand]").Click();
        cut.WaitForAssertion(() => cut.FindAll($"[data-testid=crm-related] > {Row(_s.Account)} [data-testid=crm-children]").ShouldBeEmpty(), Wait);
    }

    [Fact]
    public async Task ALinkMadeElsewhereShowsLive_WithThePushStateOnceTheInteractionIsPushed()
    {
        var cut = RenderSections();
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);

        // Sophie, a supervisor, links the contact from her own screen, then puts the case back in the queue: a push is due.
        await _w.Crm.LinkAsync(CrmWorld.Sophie, _s.CaseId, _s.Contact, Xunit.TestContext.Current.CancellationToken);
        cut.WaitForAssertion(() => cut.Find($"[data-testid=crm-current] > {Row(_s.Contact)}").GetAttribute("data-linked").ShouldBe("true"), Wait);

        await _w.Cases.UnassignAsync(CrmWorld.Sophie, _s.CaseId, Xunit.TestContext.Current.CancellationToken);
        await _w.DrainAsync();
        cut.WaitForAssertion(() => cut.Find($"[data-testid=crm-current] > {Row(_s.Contact)} [data-testid=crm-push]").GetAttribute("data-state").ShouldBe(nameof(CrmPushState.Sent)), Wait);
        cut.Find($"[data-testid=crm-current] > {Row(_s.Contact)} [data-testid=crm-push]").TextContent.ShouldBe("Pushed");
    }

    [Fact]
    public void WithoutACaseTheRecordsShowWithoutLink()
    {
        var cut = RenderSections(caseId: null);
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);
        cut.Find("[data-testid=crm-no-case]").TextContent.ShouldBe("Open a case to link records to it.");
        cut.FindAll("[data-testid=crm-link]").ShouldBeEmpty();
        cut.FindAll("[data-testid=crm-open]").ShouldNotBeEmpty();
    }

    private IRenderedComponent<MudDialogProvider> OpenCreate(IRenderedComponent<CrmCardSections> cut, IRenderedComponent<MudPopoverProvider> popovers, string type)
    {
        var dialogs = Render<MudDialogProvider>();
        cut.WaitForElement("[data-testid=crm-create] button", Wait).Click();
        popovers.WaitForElement($"[data-testid=crm-create-{type}]", Wait).Click();
        dialogs.WaitForElement("[data-testid=crm-create-save]:not([disabled])", Wait);
        return dialogs;
    }

    [Fact]
    public async Task CreateNewCase_IsPrefilledFromTheCase_AndSavedItShowsLinkedWithOpenInCrm()
    {
        var popovers = Render<MudPopoverProvider>();
        var cut = RenderSections();
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);

        var dialog = OpenCreate(cut, popovers, "case");

        // Prefilled: the case's title as subject, the contact's words as description.
        dialog.Find("[data-testid=crm-field-subject] input").GetAttribute("value").ShouldBe("Commande");
        dialog.Find("[data-testid=crm-field-description] textarea").TextContent.ShouldContain("Bonjour, ma commande n'est pas arrivée.");
        dialog.Find("[data-testid=crm-field-subject] input").Input("Colis perdu — rappel demandé");
        dialog.Find("[data-testid=crm-create-save]").Click();

        dialog.WaitForAssertion(() => dialog.FindAll("[data-testid=crm-create-dialog]").ShouldBeEmpty(), Wait);
        var created = await _w.QueryAsync(db => db.CrmCases.OrderByDescending(c => c.Id).FirstAsync());
        created.Subject.ShouldBe("Colis perdu — rappel demandé");
        created.ContactId.ShouldBe((long?)long.Parse(_s.ContactId, System.Globalization.CultureInfo.InvariantCulture));
        var record = new CrmRecordRef(CrmRecordType.Case, created.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cut.WaitForAssertion(() => cut.Find($"[data-testid=crm-current] > {Row(record)}").GetAttribute("data-linked").ShouldBe("true"), Wait);
        cut.Find($"[data-testid=crm-current] > {Row(record)} [data-testid=crm-open]").GetAttribute("href").ShouldBe($"/crm/case/{created.Id}");
    }

    [Fact]
    public async Task ARefusedFieldIsSaidNextToIt_AndTheDialogStaysOpen()
    {
        var popovers = Render<MudPopoverProvider>();
        var cut = RenderSections();
        cut.WaitForElement($"[data-testid=crm-current] {Row(_s.Contact)}", Wait);
        var contacts = await _w.QueryAsync(db => db.CrmContacts.CountAsync());

        var dialog = OpenCreate(cut, popovers, "contact");
        dialog.Find("[data-testid=crm-field-lastName] input").GetAttribute("value").ShouldBe("Le Gall");
        dialog.Find("[data-testid=crm-field-email] input").Input("zoe.at.example");
        dialog.Find("[data-testid=crm-create-save]").Click();

        dialog.WaitForAssertion(() => dialog.Find("[data-testid=crm-field-email]").TextContent.ShouldContain("'zoe.at.example' is not a valid e-mail address."), Wait);
        dialog.Find("[data-testid=crm-field-email] .mud-input-error").ShouldNotBeNull();
        dialog.Find("[data-testid=crm-field-lastName]").TextContent.ShouldNotContain("not a valid");
        dialog.FindAll("[data-testid=crm-create-dialog]").ShouldNotBeEmpty();
        (await _w.QueryAsync(db => db.CrmContacts.CountAsync())).ShouldBe(contacts);

        dialog.Find("[data-testid=crm-create-cancel]").Click();
        dialog.WaitForAssertion(() => dialog.FindAll("[data-testid=crm-create-dialog]").ShouldBeEmpty(), Wait);
    }
}
