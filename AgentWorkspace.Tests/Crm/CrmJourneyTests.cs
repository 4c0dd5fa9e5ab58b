using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Crm;

/// <summary>
/// Seed 001 in a real browser at 1280×720, with the built-in CRM: an agent on a call links the contact's account,
/// creates a Case from the card, ends the call and completes the wrap-up, and the CRM's record page shows the pushed
/// call; a digital case is pushed when the agent transfers it; the administrators' CRM page.
/// </summary>
[Collection(BrowserCollection.Name)]
public class CrmJourneyTests(BrowserFixture browser)
{
    private AgentWorkspaceDbContext Db() => browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    private sealed record Seeded(long CardId, long CaseId, long ContactId, long AccountId, string AccountName);

    /// <summary>
    /// A contact on a new card and case, assigned to Camille in Support, and the built-in CRM's contact of the same
    /// phone with its account: what ingest and the CRM would hold when the call comes in.
    /// </summary>
    private async Task<Seeded> ContactOnACaseAsync(Channel channel, string firstName, string text)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = Db();
        var camille = await db.Users.Where(u => u.NormalizedEmail == "AGENT@DEMO.LOCAL").Select(u => u.Id).SingleAsync();
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999);
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Ferrars", Company = "Norland" }, "FR", now);
        card.AddIdentity(channel, number, IdentityAddress.Normalize(channel, number, "FR"), now);
        db.Cards.Add(card);
        var account = new CrmAccount("Norland " + Guid.NewGuid().ToString("N")[..6], null, null, "Sussex", "Retail", now);
        db.CrmAccounts.Add(account);
        await db.SaveChangesAsync();
        var contact = new CrmContact(firstName, "Ferrars", null, number, account.Name, null, "Sussex", null, now);
        db.CrmContacts.Add(contact);
        var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, channel, queueId, channel == Channel.Voice ? "Appel entrant" : "SMS", now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.CrmAccountContacts.Add(new CrmAccountContact(account.Id, contact.Id, "Primary contact"));
        db.Messages.Add(new Message(@case.Id, card.Id, channel, "crm-journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound,
            channel == Channel.Voice ? MessageKind.Call : MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        @case.AssignTo(camille);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        db.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId));
        return new Seeded(card.Id, @case.Id, contact.Id, account.Id, account.Name);
    }

    private static string Row(string type, long id) => $"[data-testid=crm-record][data-type={type}][data-id='{id.ToString(CultureInfo.InvariantCulture)}']";

    private static async Task<(IPage Page, ILocator Case, ILocator Crm)> OpenCaseAsync(IPage page, Seeded s)
    {
        await page.SetViewportSizeAsync(1280, 720);
        var tile = page.Locator($"[data-testid=case-tile][data-case-id='{s.CaseId}']");
        await tile.WaitForAsync();
        await tile.ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{s.CaseId}']");
        await active.WaitForAsync();
        var crm = page.Locator($"[data-testid=crm-sections][data-case-id='{s.CaseId}']");
        await crm.Locator($"[data-testid=crm-current] {Row("contact", s.ContactId)}").WaitForAsync();
        return (page, active, crm);
    }

    [Fact]
    public async Task AnAgentOnACallLinksTheAccount_CreatesACase_EndsTheCall_CompletesTheWrapUp_AndTheCrmRecordShowsTheCall()
    {
        var s = await ContactOnACaseAsync(Channel.Voice, "Edward" + Random.Shared.Next(100, 999), "Appel au sujet d'une livraison.");
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        var (_, active, crm) = await OpenCaseAsync(page, s);
        (await active.Locator("[data-testid=call-state]").InnerTextAsync()).ShouldBe("Call in progress");

        // Seed 001: the account is among the related interactions; Link, and it is the interaction's.
        var account = crm.Locator($"[data-testid=crm-related] > {Row("account", s.AccountId)}");
        (await account.Locator("[data-testid=crm-link]").GetAttributeAsync("aria-pressed")).ShouldBe("false");
        await account.Locator("[data-testid=crm-link]").ClickAsync();
        var linkedAccount = crm.Locator($"[data-testid=crm-current] > {Row("account", s.AccountId)}[data-linked=true]");
        await linkedAccount.WaitForAsync();
        (await linkedAccount.Locator("[data-testid=crm-linked]").GetAttributeAsync("aria-pressed")).ShouldBe("true");

        // Create new → Case: prefilled from the case, saved, shown linked with Open in CRM.
        await crm.Locator("[data-testid=crm-create] button").ClickAsync();
        await page.Locator("[data-testid=crm-create-case]").ClickAsync();
        var dialog = page.Locator("[data-testid=crm-create-dialog]");
        // MudDialog puts its attributes on the content; the actions are beside it.
        var save = page.Locator(".mud-dialog [data-testid=crm-create-save]");
        await page.Locator(".mud-dialog [data-testid=crm-create-save]:not([disabled])").WaitForAsync();
        (await dialog.Locator("[data-testid=crm-field-subject] input").InputValueAsync()).ShouldBe("Appel entrant");
        (await dialog.Locator("[data-testid=crm-field-description] textarea").InputValueAsync()).ShouldContain("Appel au sujet d'une livraison.");
        await dialog.Locator("[data-testid=crm-field-subject] input").FillAsync("Livraison en retard");
        await BrowserFixture.ScreenshotAsync(page, "crm-create-dialog");
        await save.ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });
        long crmCaseId;
        await using (var db = Db())
            crmCaseId = await db.CrmCases.Where(c => c.ContactId == s.ContactId).Select(c => c.Id).SingleAsync();
        var createdCase = crm.Locator($"[data-testid=crm-current] > {Row("case", crmCaseId)}[data-linked=true]");
        await createdCase.WaitForAsync();
        (await createdCase.Locator("[data-testid=crm-open]").GetAttributeAsync("href")).ShouldBe($"/crm/case/{crmCaseId}");
        await crm.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "crm-card-inbox");

        // The call ends; the wrap-up asks for a disposition, said next to the field when missing.
        await active.Locator("[data-testid=end-call]").ClickAsync();
        var wrapUp = active.Locator("[data-testid=wrap-up]");
        await wrapUp.WaitForAsync();
        (await active.Locator("[data-testid=call-state]").InnerTextAsync()).ShouldBe("After-call work");
        await wrapUp.Locator("[data-testid=complete-wrap-up]").ClickAsync();
        await wrapUp.Locator("[data-testid=wrap-up-disposition]", new() { HasTextString = "Choose a disposition." }).WaitForAsync();
        await wrapUp.Locator("[data-testid=wrap-up-disposition] .mud-select").First.ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "Callback scheduled" }).First.ClickAsync();
        await page.Locator(".mud-popover-open").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await wrapUp.Locator("[data-testid=wrap-up-notes] textarea").FillAsync("Rappel demain 10 h, colis à relancer.");
        await wrapUp.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "crm-wrap-up");
        await wrapUp.Locator("[data-testid=complete-wrap-up]").ClickAsync();
        await active.Locator("[data-testid=wrap-up-done]").WaitForAsync();
        (await active.Locator("[data-testid=wrap-up-disposition-done]").InnerTextAsync()).ShouldBe("Callback scheduled");

        // The push leaves the outbox: both linked records say so, live.
        await crm.Locator($"[data-testid=crm-current] > {Row("account", s.AccountId)} [data-testid=crm-push][data-state=Sent]").WaitForAsync(new() { Timeout = 20_000 });
        await crm.Locator($"[data-testid=crm-current] > {Row("case", crmCaseId)} [data-testid=crm-push][data-state=Sent]").WaitForAsync();

        // Open in CRM: the built-in CRM's page of the account, with the call pushed to it.
        var record = await page.RunAndWaitForPopupAsync(() => linkedAccount.Locator("[data-testid=crm-open]").ClickAsync());
        await record.SetViewportSizeAsync(1280, 720);
        await BrowserFixture.WaitForInteractiveAsync(record);
        (await record.Locator("[data-testid=crm-record-name]").InnerTextAsync()).ShouldBe(s.AccountName);
        var activity = record.Locator("[data-testid=crm-activity]").First;
        await activity.WaitForAsync();
        (await activity.GetAttributeAsync("data-call")).ShouldBe("true");
        (await activity.Locator("[data-testid=crm-activity-disposition]").InnerTextAsync()).ShouldBe("Callback scheduled");
        (await activity.Locator("[data-testid=crm-activity-notes]").InnerTextAsync()).ShouldBe("Rappel demain 10 h, colis à relancer.");
        (await record.Locator("[data-testid=crm-record-associated]").InnerTextAsync()).ShouldContain("Ferrars");
        await BrowserFixture.ScreenshotAsync(record, "crm-record");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task InFrench_TheSectionsTheCreateDialogWithItsFieldError_TheWrapUp_AndTheRecordPageSpeakFrench()
    {
        var s = await ContactOnACaseAsync(Channel.Voice, "Élinor" + Random.Shared.Next(100, 999), "Appel au sujet d'une facture.");
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale: "fr-FR");
        var (_, active, crm) = await OpenCaseAsync(page, s);
        (await crm.Locator("h4").First.TextContentAsync()).ShouldBe("Interaction en cours");
        (await active.Locator("[data-testid=call-state]").InnerTextAsync()).ShouldBe("Appel en cours");
        await crm.Locator($"[data-testid=crm-related] > {Row("account", s.AccountId)} [data-testid=crm-link]").ClickAsync();
        await crm.Locator($"[data-testid=crm-current] > {Row("account", s.AccountId)}[data-linked=true]").WaitForAsync();
        await crm.ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "crm-card-inbox-fr");

        // Create new → Contact: an address that is not one is refused next to its field, in French; nothing is created.
        await crm.Locator("[data-testid=crm-create] button").ClickAsync();
        await page.Locator("[data-testid=crm-create-contact]").ClickAsync();
        await page.Locator(".mud-dialog [data-testid=crm-create-save]:not([disabled])").WaitForAsync();
        var dialog = page.Locator("[data-testid=crm-create-dialog]");
        (await dialog.Locator("[data-testid=crm-field-lastName] input").InputValueAsync()).ShouldBe("Ferrars");
        await dialog.Locator("[data-testid=crm-field-email] input").FillAsync("pas-une-adresse");
        await page.Locator(".mud-dialog [data-testid=crm-create-save]").ClickAsync();
        await dialog.Locator("[data-testid=crm-field-email]", new() { HasTextString = "n'est pas une adresse courriel valide" }).WaitForAsync();
        (await dialog.Locator("[data-testid=crm-field-email] .mud-input-error").CountAsync()).ShouldBeGreaterThan(0);
        await BrowserFixture.ScreenshotAsync(page, "crm-create-dialog-fr");
        await using (var db = Db())
            (await db.CrmContacts.CountAsync(c => c.Email == "pas-une-adresse")).ShouldBe(0);
        await page.Locator(".mud-dialog [data-testid=crm-create-cancel]").ClickAsync();
        await dialog.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        // The call ends: the wrap-up in French.
        await active.Locator("[data-testid=end-call]").ClickAsync();
        await active.Locator("[data-testid=wrap-up]").WaitForAsync();
        (await active.Locator("[data-testid=call-state]").InnerTextAsync()).ShouldBe("Traitement après appel");
        await active.Locator("[data-testid=wrap-up]").ScrollIntoViewIfNeededAsync();
        await BrowserFixture.ScreenshotAsync(page, "crm-wrap-up-fr");

        await page.GotoAsync($"/crm/account/{s.AccountId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        (await page.Locator("[data-testid=crm-record-name]").InnerTextAsync()).ShouldBe(s.AccountName);
        (await page.Locator("h2", new() { HasTextString = "Activités" }).CountAsync()).ShouldBe(1);
        await BrowserFixture.ScreenshotAsync(page, "crm-record-fr");
        await page.Context.CloseAsync();

        var admin = await browser.SignInAsAsync(Role.Admin, "/admin/crm", locale: "fr-FR");
        await admin.SetViewportSizeAsync(1280, 720);
        await admin.Locator("[data-testid=crm-kind-select]").WaitForAsync();
        await BrowserFixture.WaitForInteractiveAsync(admin);
        (await admin.Locator("[data-testid=crm-test]").TextContentAsync() ?? "").ShouldContain("Tester la connexion");
        await BrowserFixture.ScreenshotAsync(admin, "admin-crm-fr");
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task ADigitalCaseIsPushedToItsLinkedContactWhenTheAgentTransfersIt()
    {
        var s = await ContactOnACaseAsync(Channel.Sms, "Marianne" + Random.Shared.Next(100, 999), "Je voudrais changer mon adresse de livraison.");
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        var (_, active, crm) = await OpenCaseAsync(page, s);
        (await active.Locator("[data-testid=end-call]").CountAsync()).ShouldBe(0);
        await crm.Locator($"[data-testid=crm-current] > {Row("contact", s.ContactId)} [data-testid=crm-link]").ClickAsync();
        var contact = crm.Locator($"[data-testid=crm-current] > {Row("contact", s.ContactId)}[data-linked=true]");
        await contact.WaitForAsync();

        // Back to the Support queue (still Camille's): a transfer, and the interaction goes to the contact.
        await active.Locator("[data-testid=transfer-case]").ClickAsync();
        await page.Locator("[data-testid=confirm-transfer]").ClickAsync();
        await active.Locator("[data-testid=take-case]").WaitForAsync();
        await contact.Locator("[data-testid=crm-push][data-state=Sent]").WaitForAsync(new() { Timeout = 20_000 });

        await page.GotoAsync($"/crm/contact/{s.ContactId}");
        await BrowserFixture.WaitForInteractiveAsync(page);
        var activity = page.Locator("[data-testid=crm-activity]").First;
        await activity.WaitForAsync();
        (await activity.GetAttributeAsync("data-call")).ShouldBe("false");
        (await activity.InnerTextAsync()).ShouldContain("SMS");

        // An unknown record is the app's 404 page.
        await page.GotoAsync("/crm/contact/999999999");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.Locator("h1", new() { HasTextString = "not found" }).WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AnAdministratorSeesTheConnection_SecretsOnlyAsSet_TestsIt_AndKeepsTheDispositions()
    {
        var page = await browser.SignInAsAsync(Role.Admin, "/admin/crm");
        await page.SetViewportSizeAsync(1280, 720);
        await page.Locator("[data-testid=crm-kind-select]").WaitForAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);

        // A time-out out of range is said next to its field, nothing saved.
        await page.Locator("[data-testid=crm-timeout] input").FillAsync("0");
        await page.Locator("[data-testid=crm-save]").ClickAsync();
        await page.Locator("[data-testid=crm-timeout]", new() { HasTextString = "between 1 and 60 seconds" }).WaitForAsync();
        await page.Locator("[data-testid=crm-timeout] input").FillAsync("5");

        await page.Locator("[data-testid=crm-test]").ClickAsync();
        await page.Locator("[data-testid=crm-test-result] [data-ok=true]").WaitForAsync();

        // A disposition added, then a duplicate refused next to the field.
        var label = "Escalated " + Random.Shared.Next(1000, 9999);
        await page.Locator("[data-testid=disposition-new] input").FillAsync(label);
        await page.Locator("[data-testid=disposition-add]").ClickAsync();
        await page.Locator($"[data-testid=disposition-row][data-label='{label}']").WaitForAsync();
        await page.Locator("[data-testid=disposition-new] input").FillAsync(label.ToUpperInvariant());
        await page.Locator("[data-testid=disposition-add]").ClickAsync();
        await page.Locator("[data-testid=disposition-new]", new() { HasTextString = "already exists" }).WaitForAsync();
        await BrowserFixture.ScreenshotAsync(page, "admin-crm");

        // Salesforce: its settings, and its secret as a password field that never shows a value.
        await page.Locator("[data-testid=crm-kind-select]").ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasTextString = "Salesforce" }).First.ClickAsync();
        await page.Locator("[data-testid=crm-setting-loginUrl]").WaitForAsync();
        (await page.Locator("[data-testid=crm-secret-clientSecret] input").GetAttributeAsync("type")).ShouldBe("password");
        await page.Context.CloseAsync();
    }
}
