using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Browser;

/// <summary>
/// What an agent meets in a working day (issue 22, items 2 to 4): notices on every page, nothing typed lost, and the
/// inbox and the card at 1280×720 and 1366×768, in English and French.
/// </summary>
[Collection(BrowserCollection.Name)]
public class AgentDayJourneyTests(BrowserFixture browser)
{
    private static readonly ViewportSize Small = new() { Width = 1280, Height = 720 };

    /// <summary>
    /// Stands in for the browser's Notification API (granted on asking, counting the questions), its audio and the
    /// page's visibility, so that the journey sees what notices.js does. Runs before the page's scripts.
    /// </summary>
    private const string BrowserApis = """
        window.__aw = { notifications: [], rings: 0, asked: 0, hidden: false };
        class FakeNotification {
          constructor(title, options) { this.title = title; this.body = options && options.body; this.tag = options && options.tag; window.__aw.notifications.push(this); }
          close() { this.closed = true; }
        }
        FakeNotification.permission = "default";
        FakeNotification.requestPermission = () => { window.__aw.asked++; FakeNotification.permission = "granted"; return Promise.resolve("granted"); };
        Object.defineProperty(window, "Notification", { value: FakeNotification, configurable: true, writable: true });
        Object.defineProperty(document, "hidden", { get: () => window.__aw.hidden === true, configurable: true });
        window.AudioContext = class {
          constructor() { window.__aw.rings++; this.currentTime = 0; this.destination = {}; }
          createOscillator() { return { type: "", frequency: { value: 0 }, connect() { }, start() { }, stop() { } }; }
          createGain() { return { gain: { setValueAtTime() { }, exponentialRampToValueAtTime() { } }, connect() { } }; }
          close() { }
        };
        """;

    private AgentWorkspaceDbContextFactory Factory => browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();

    /// <summary>An inbound SMS on a new card and case, stored as ingest stores it, then announced on the change feed.</summary>
    private async Task<(long CardId, long CaseId)> InboundSmsAsync(string firstName, string lastName, string text, string queue = "Support", string? company = null, string? assignedTo = null,
        string? context = null)
    {
        var now = DateTimeOffset.UtcNow;
        await using var db = Factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = lastName, Company = company ?? "Acme" }, "FR", now);
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        card.AddIdentity(Channel.Sms, number, IdentityAddress.Normalize(Channel.Sms, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == queue).Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
        @case.SetContext(context);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        if (assignedTo is not null) @case.AssignTo(assignedTo);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        db.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId, AgentId: assignedTo));
        return (card.Id, @case.Id);
    }

    private async Task<Actor> ActorAsync(string email)
    {
        await using var db = Factory.CreateDbContext();
        return (await db.Users.SingleAsync(u => u.Email == email)).ToActor();
    }

    private static string Unique(string name) => name + Random.Shared.Next(1000, 9999).ToString(CultureInfo.InvariantCulture);

    private static async Task<int> CountAsync(ILocator badge) => int.Parse((await badge.GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture);

    /// <summary>Waits until the notices have started (their first count read), and answers that count.</summary>
    private static async Task<int> NoticesStartedAsync(IPage page)
    {
        await page.Locator("[data-testid=appbar-news][data-started=true]").WaitForAsync();
        return await CountAsync(page.Locator("[data-testid=appbar-news]"));
    }

    private static Task CountIsAsync(IPage page, int count) =>
        BrowserFixture.WaitUntilAsync(page, $"() => document.querySelector('[data-testid=appbar-news]')?.getAttribute('data-count') === '{count}'");

    private static async Task<string> MenuCountAsync(IPage page) =>
        await page.Locator("[data-testid=nav-inbox-count]").CountAsync() == 0 ? "0" : (await page.Locator("[data-testid=nav-inbox-count]").GetAttributeAsync("data-count"))!;

    // ------------------------------------------------------------------ item 2: notices everywhere

    [Theory]
    [InlineData("en-US", "New message from", "The case of", "was assigned to you", "Open")]
    [InlineData("fr-FR", "Nouveau message de", "Le cas de", "vous a été attribué", "Ouvrir")]
    public async Task AMessageAndACaseGivenToTheAgentOnCustomers_CountOnTheMenuAndTheAppBar_AndTheToastOpensTheCase(
        string locale, string messageText, string assignedStart, string assignedEnd, string open)
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/cards", locale);
        var before = await NoticesStartedAsync(page);

        var name = Unique("Noémie");
        var (_, caseId) = await InboundSmsAsync(name, "Notice", "Bonjour, où en est ma commande ?");
        var toast = page.Locator($"[data-testid=inbox-notice][data-case-id='{caseId}']");
        await toast.WaitForAsync();
        (await toast.InnerTextAsync()).ShouldBe($"{messageText} {name} Notice.");
        await CountIsAsync(page, before + 1);
        (await MenuCountAsync(page)).ShouldBe((before + 1).ToString(CultureInfo.InvariantCulture));
        new Uri(page.Url).AbsolutePath.ShouldBe("/cards", "the notice reaches the agent where they are");

        // A message in a queue that is not the agent's says nothing; the same case given to the agent does.
        var other = Unique("Basile");
        var (_, salesCase) = await InboundSmsAsync(other, "Ventes", "Un devis, svp.", queue: "Sales");
        var supervisor = await ActorAsync("supervisor@demo.local");
        var agent = await ActorAsync("agent@demo.local");
        await browser.App.Services.GetRequiredService<CaseCommands>().AssignAsync(supervisor, salesCase, agent.UserId);
        var assigned = page.Locator($"[data-testid=inbox-notice][data-case-id='{salesCase}']");
        await assigned.WaitForAsync();
        (await assigned.GetAttributeAsync("data-kind")).ShouldBe("CaseAssigned");
        var said = await assigned.InnerTextAsync();
        said.ShouldStartWith(assignedStart);
        said.ShouldContain(other + " Ventes");
        said.ShouldContain(assignedEnd);
        (await page.Locator("[data-testid=inbox-notice]").CountAsync()).ShouldBe(2, "one toast each: the Sales message itself was not the agent's news");
        await CountIsAsync(page, before + 2);
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(page, "notice-toast");
        // The toasts pass WCAG AA: their text and their Open button on the toast's colour. The pointer on the newest holds
        // it (a toast under the pointer does not hide), and axe runs once it has stopped fading in.
        var newest = page.Locator(".mud-snackbar", new() { Has = assigned });
        await newest.HoverAsync();
        await BrowserFixture.WaitForToastsStillAsync(page);
        var axe = await Deque.AxeCore.Playwright.LocatorExtensions.RunAxe(newest, new Deque.AxeCore.Commons.AxeRunOptions
        {
            RunOnly = new Deque.AxeCore.Commons.RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
        });
        axe.Passes.Where(p => p.Id == "color-contrast").SelectMany(p => p.Nodes).Select(n => n.Html).ShouldContain(h => h.Contains($">{open}<"), "the Open button's contrast was checked and passed");
        axe.Violations.SelectMany(v => v.Nodes.Select(n => $"{v.Id}: {n.Target} {string.Join(" | ", n.Any.Concat(n.All).Concat(n.None).Select(c => c.Message))}")).ShouldBeEmpty();

        // The toast opens its case in the inbox; the case leaves the count. The newest toast: a toast hides after 10 s, and
        // on a busy machine the first one may be going by now. The pointer rests on it first, which holds it as it holds
        // it for a user reaching for it; then by keyboard: toasts come and go around it (another journey's message may
        // arrive in a full run), and a click aimed at a toast that moves lands on another.
        await newest.HoverAsync();
        await newest.GetByRole(AriaRole.Button, new() { Name = open, Exact = true }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync("**/inbox", new() { WaitUntil = WaitUntilState.Commit });
        await page.Locator($"[data-testid=active-case][data-case-id='{salesCase}']").WaitForAsync();
        await CountIsAsync(page, before + 1);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task WithTheTabHidden_ADesktopNotificationSaysIt_AndOpensTheCase_AndAnAwayAgentIsLeftInPeace()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", initScript: BrowserApis);
        await NoticesStartedAsync(page);

        // Switched on: the browser is asked once, inside the click.
        var desktop = page.Locator("[data-testid=desktop-toggle]");
        await desktop.ClickAsync();
        await page.Locator("[data-testid=desktop-toggle][data-permission=Granted][aria-pressed=true]").WaitForAsync();
        await desktop.ClickAsync();
        await page.Locator("[data-testid=desktop-toggle][aria-pressed=false]").WaitForAsync();
        await desktop.ClickAsync();
        await page.Locator("[data-testid=desktop-toggle][aria-pressed=true]").WaitForAsync();
        (await page.EvaluateAsync<int>("() => window.__aw.asked")).ShouldBe(1);

        // To another page inside the app (the same circuit, as an agent moves around).
        await page.GetByRole(AriaRole.Link, new() { Name = "Customers", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/cards");
        var before = await NoticesStartedAsync(page);

        // In view, the toast says it; hidden, the desktop does too, and rings.
        var seen = Unique("Inès");
        var (_, inView) = await InboundSmsAsync(seen, "Visible", "Bonjour");
        await page.Locator($"[data-testid=inbox-notice][data-case-id='{inView}']").WaitForAsync();
        (await page.EvaluateAsync<int>("() => window.__aw.notifications.length")).ShouldBe(0);
        await page.EvaluateAsync("() => { window.__aw.hidden = true; }");
        var name = Unique("Margaux");
        var (_, caseId) = await InboundSmsAsync(name, "Bureau", "Mon colis est abîmé.");
        await BrowserFixture.WaitUntilAsync(page, "() => window.__aw.notifications.length === 1");
        (await page.EvaluateAsync<string>("() => window.__aw.notifications[0].body")).ShouldBe($"New message from {name} Bureau.");
        (await page.EvaluateAsync<string>("() => window.__aw.notifications[0].tag")).ShouldBe($"aw-case-{caseId}");
        (await page.EvaluateAsync<int>("() => window.__aw.rings")).ShouldBeGreaterThanOrEqualTo(2);
        await CountIsAsync(page, before + 2);

        await page.EvaluateAsync("() => { window.__aw.hidden = false; window.__aw.notifications[0].onclick(); }");
        await page.WaitForURLAsync("**/inbox");
        await page.Locator($"[data-testid=active-case][data-case-id='{caseId}']").WaitForAsync();

        // Away: the count still moves, nothing rings, no toast, no desktop notice; the choice survives a reload.
        await page.GetByLabel("My state").SelectOptionAsync(new SelectOptionValue { Label = "Away (no notices)" });
        // The choice is kept in the browser once the page has drawn it: the reload waits for that, as a person's would.
        await BrowserFixture.WaitUntilAsync(page, "() => Object.keys(localStorage).some(k => (localStorage.getItem(k) || '').includes('\"away\":true'))");
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        var atRest = await NoticesStartedAsync(page);
        (await page.GetByLabel("My state").EvaluateAsync<string>("s => s.options[s.selectedIndex].text")).ShouldBe("Away (no notices)");
        var rings = await page.EvaluateAsync<int>("() => window.__aw.rings");
        await page.EvaluateAsync("() => { window.__aw.hidden = true; }");
        var (_, quiet) = await InboundSmsAsync(Unique("Paul"), "Calme", "Rappelez-moi.");
        await CountIsAsync(page, atRest + 1);
        (await page.Locator($"[data-testid=inbox-notice][data-case-id='{quiet}']").CountAsync()).ShouldBe(0);
        (await page.EvaluateAsync<int>("() => window.__aw.notifications.length")).ShouldBe(0, "a fresh page after the reload; nothing shown since");
        (await page.EvaluateAsync<int>("() => window.__aw.rings")).ShouldBe(rings);
        await page.Context.CloseAsync();
    }

    // ------------------------------------------------------------------ item 3: nothing typed is lost

    [Theory]
    [InlineData("en-US", "Text kept", "Open the detailed card in a new browser tab")]
    [InlineData("fr-FR", "Texte conservé", "Ouvrir la carte détaillée dans un nouvel onglet du navigateur")]
    public async Task TheReplyBeingWrittenSurvivesSwitchingCases_GoingToDetailAndBack_AndAReload_AndGoesWhenSent(string locale, string kept, string newTab)
    {
        var first = Unique("Alix");
        var second = Unique("Bérénice");
        var (_, a) = await InboundSmsAsync(first, "Brouillon", "Ma facture est fausse.");
        var (_, b) = await InboundSmsAsync(second, "Brouillon", "Je veux résilier.");
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        var caseA = page.Locator($"[data-testid=active-case][data-case-id='{a}']");
        var caseB = page.Locator($"[data-testid=active-case][data-case-id='{b}']");
        await page.Locator($"[data-testid=case-tile][data-case-id='{a}']").ClickAsync();
        await caseA.WaitForAsync();
        const string textA = "Bonjour,\nje corrige votre facture dès aujourd'hui ";
        await caseA.Locator("[data-testid=composer-text]").FillAsync(textA);
        await caseA.Locator("[data-testid=draft-save][data-save=Saved]").WaitForAsync();
        (await caseA.Locator("[data-testid=draft-save]").InnerTextAsync()).ShouldBe(kept);

        await page.Locator($"[data-testid=case-tile][data-case-id='{b}']").ClickAsync();
        await caseB.WaitForAsync();
        (await caseB.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBeEmpty();
        await caseB.Locator("[data-testid=composer-mode-note]").ClickAsync();
        await caseB.Locator("[data-testid=composer-text]").FillAsync("Rappeler après 18 h");
        await caseB.Locator("[data-testid=draft-save][data-save=Saved]").WaitForAsync();

        await page.Locator($"[data-testid=case-tab] >> text={first} Brouillon").ClickAsync();
        await caseA.WaitForAsync();
        (await caseA.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBe(textA);

        // Detail opens the card in this tab, and says how to get a new one.
        (await page.Locator("[data-testid=condensed-detail-new-tab]").GetAttributeAsync("aria-label")).ShouldBe(newTab);
        (await page.Locator("[data-testid=condensed-detail-new-tab]").GetAttributeAsync("target")).ShouldBe("_blank");
        await page.Locator("[data-testid=condensed-detail]").ClickAsync();
        await page.WaitForURLAsync("**/cards/*");
        await page.Locator("[data-testid=card-name]").WaitForAsync();
        page.Context.Pages.Count.ShouldBe(1);
        await page.GoBackAsync();
        await caseA.WaitForAsync();
        (await caseA.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBe(textA);

        // A reload: the same tabs, the same case shown, the same texts.
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await caseA.Locator("[data-testid=draft-save][data-save=Saved]").WaitForAsync();
        (await caseA.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBe(textA);
        var tabs = await page.Locator("[data-testid=case-tab]").AllInnerTextsAsync();
        tabs.ShouldContain(t => t.Contains(first));
        tabs.ShouldContain(t => t.Contains(second));
        if (locale == "en-US") await BrowserFixture.ScreenshotAsync(page, "inbox-kept-reply");
        await page.Locator($"[data-testid=case-tab] >> text={second} Brouillon").ClickAsync();
        await caseB.WaitForAsync();
        (await caseB.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBe("Rappeler après 18 h");
        (await caseB.Locator("[data-testid=composer-mode-note]").GetAttributeAsync("aria-pressed")).ShouldBe("true");

        // Sent: gone from the box and from the server.
        await caseB.Locator("[data-testid=composer-submit]").ClickAsync();
        await caseB.Locator("[data-testid=thread-entry][data-kind=note]").WaitForAsync();
        await BrowserFixture.WaitUntilAsync(page, $"() => document.querySelector(\"[data-testid=active-case][data-case-id='{b}'] [data-testid=composer-text]\")?.value === ''");
        var agent = await ActorAsync("agent@demo.local");
        await using (var db = Factory.CreateDbContext())
        {
            (await db.ComposerDrafts.AnyAsync(d => d.UserId == agent.UserId && d.CaseId == b)).ShouldBeFalse();
            (await db.ComposerDrafts.SingleAsync(d => d.UserId == agent.UserId && d.CaseId == a)).Text.ShouldBe(textA);
        }
        await page.ReloadAsync();
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.Locator($"[data-testid=case-tab] >> text={second} Brouillon").ClickAsync();
        await caseB.Locator("[data-testid=thread-entry][data-kind=note]").WaitForAsync();
        (await caseB.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBeEmpty();
        await page.Context.CloseAsync();
    }

    // ------------------------------------------------------------------ item 4: small screens

    [Theory]
    [InlineData(1280, 720, "en-US")]
    [InlineData(1366, 768, "en-US")]
    [InlineData(1280, 720, "fr-FR")]
    [InlineData(1366, 768, "fr-FR")]
    public async Task OnASmallScreen_TheReplyBoxAndSendAreInView_TheOpenCasesScroll_AndLongAndRightToLeftNamesKeepTheirPlace(int width, int height, string locale)
    {
        // A name written right to left, a company far too long for a line, and five more cases to open.
        const string rtlFirst = "مريم";
        var rtlLast = "الحسيني" + Random.Shared.Next(100, 999).ToString(CultureInfo.InvariantCulture);
        var company = "Compagnie Internationale des Wagons-Lits et des Grands Express Européens " + Unique("n°");
        // With its conversation context, as the customer panel shows it (item 5): fields, not JSON.
        const string context = """
            {"preChatSurvey": {"Motif": "Livraison en retard", "N° de commande": "CMD-2026-0481"},
             "visitor": {"Page": "https://boutique.example.com/suivi", "Navigateur": "Firefox 133"},
             "selfService": [{"type": "articleViewed", "title": "Où est mon colis ?", "at": "2026-12-07T08:10:00Z"}]}
            """;
        var (_, rtlCase) = await InboundSmsAsync(rtlFirst, rtlLast, "مرحبا، طلبي لم يصل بعد.", company: company, context: context);
        var others = new List<long>();
        for (var i = 0; i < 5; i++) others.Add((await InboundSmsAsync(Unique("Maximilienne-Alexandrine"), "de La Tour d'Auvergne-Lauraguais", "Bonjour")).CaseId);

        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale, new ViewportSize { Width = width, Height = height });
        await page.Locator($"[data-testid=case-tile][data-case-id='{rtlCase}']").WaitForAsync();
        foreach (var id in others.Append(rtlCase))
        {
            await page.Locator($"[data-testid=case-tile][data-case-id='{id}']").ClickAsync();
            await page.Locator($"[data-testid=active-case][data-case-id='{id}']").WaitForAsync();
        }

        // The page itself does not scroll: the reply box and Send are on screen as it opens.
        (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollHeight <= window.innerHeight + 1")).ShouldBeTrue("the page must not scroll");
        var send = await page.Locator("[data-testid=composer-submit]").BoundingBoxAsync();
        var box = await page.Locator("[data-testid=composer-text]").BoundingBoxAsync();
        send.ShouldNotBeNull();
        box.ShouldNotBeNull();
        (send.Y >= 0 && send.Y + send.Height <= height && send.X + send.Width <= width).ShouldBeTrue($"Send at {send.X},{send.Y} {send.Width}×{send.Height}");
        (box.Y >= 0 && box.Y + box.Height <= height).ShouldBeTrue($"reply box at {box.Y}, {box.Height} high");
        // With text to send (a disabled button lets the pointer through), nothing lies over Send.
        await page.Locator("[data-testid=active-case] [data-testid=composer-text]").FillAsync("Bonjour, je regarde cela tout de suite.");
        await page.Locator("[data-testid=composer-submit]:not([disabled])").WaitForAsync();
        (await page.EvaluateAsync<bool>("() => { const b = document.querySelector('[data-testid=composer-submit]').getBoundingClientRect(); const e = document.elementFromPoint(b.x + b.width / 2, b.y + b.height / 2); return !!e && !!e.closest('[data-testid=composer-submit]'); }"))
            .ShouldBeTrue("nothing covers Send");

        // The composer's modes keep one line, and Send its place at the right of the foot.
        var modeTops = await page.EvaluateAsync<double[]>("() => [...document.querySelectorAll('[data-testid=active-case] .aw-composer-bar > button')].map(b => b.getBoundingClientRect().top)");
        modeTops.Length.ShouldBe(3);
        var quick = await page.Locator("[data-testid=active-case] [data-testid=quick-replies]").BoundingBoxAsync();
        if (quick is not null) ((double)quick.Y + quick.Height / 2).ShouldBeInRange(modeTops.Min() - 2, modeTops.Min() + 30, "the quick replies on the modes' line");
        (modeTops.Max() - modeTops.Min()).ShouldBeLessThan(4, $"Reply, Note and Draft for approval on one line: {string.Join(", ", modeTops)}");
        (await page.EvaluateAsync<bool>("() => { const f = document.querySelector('[data-testid=active-case] .aw-composer-foot').getBoundingClientRect(); const b = document.querySelector('[data-testid=active-case] [data-testid=composer-submit]').getBoundingClientRect(); return Math.abs(f.right - b.right) < 2 && b.top - f.top < 8; }"))
            .ShouldBeTrue("Send at the right of the foot's first line");

        // Six open cases do not fit: the row scrolls with arrows, and the case shown stays in view.
        var strip = page.Locator("[data-testid=case-strip]");
        await page.Locator("[data-testid=case-strip][data-overflow]").WaitForAsync();
        await ActiveTabInViewAsync(page);
        const string scrolled = "document.querySelector('[data-testid=case-tabs]').scrollLeft";
        var end = await page.EvaluateAsync<double>("() => " + scrolled);
        end.ShouldBeGreaterThan(0, "the last case opened, the row scrolled to show it");
        await page.Locator("[data-testid=case-tabs-back]").ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, $"() => {scrolled} < {end.ToString(CultureInfo.InvariantCulture)} - 50");
        var back = await page.EvaluateAsync<double>("() => " + scrolled);
        await page.Locator("[data-testid=case-tabs-forward]").ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, $"() => {scrolled} > {back.ToString(CultureInfo.InvariantCulture)} + 50");
        await page.Locator("[data-testid=case-tab]").First.ClickAsync();
        await ActiveTabInViewAsync(page);
        await page.Locator("[data-testid=case-tab]").Last.ClickAsync();
        await ActiveTabInViewAsync(page);
        (await strip.GetAttributeAsync("hidden")).ShouldBeNull();

        // The right-to-left name is isolated, cut with "…" where the line is short, and whole on hover.
        var name = $"{rtlFirst} {rtlLast}";
        var tileName = page.Locator($"[data-testid=case-tile][data-case-id='{rtlCase}'] [data-testid=tile-contact]");
        (await tileName.EvaluateAsync<string>("e => e.tagName")).ShouldBe("BDI");
        (await tileName.GetAttributeAsync("title")).ShouldBe(name);
        var condensed = page.Locator("[data-testid=condensed-name]");
        (await condensed.GetAttributeAsync("title")).ShouldBe(name);
        (await page.Locator("[data-testid=condensed-company]").GetAttributeAsync("title")).ShouldBe(company);
        (await page.EvaluateAsync<bool>("() => { const c = document.querySelector('[data-testid=condensed-card]'); return c.scrollWidth <= c.clientWidth + 1; }"))
            .ShouldBeTrue("the long company does not widen the customer panel");
        (await page.Locator("[data-testid=thread-entry][data-kind=inbound] .aw-entry-text").Last.GetAttributeAsync("dir")).ShouldBe("auto");
        await BrowserFixture.ScreenshotAsync(page, $"inbox-{width}x{height}{(locale == "fr-FR" ? "-fr" : "")}");

        // The detailed card: every tab is on screen, the last (Identities) too, and it opens.
        await page.Locator("[data-testid=condensed-detail]").ClickAsync();
        await page.Locator("[data-testid=card-tabs]").WaitForAsync();
        var identities = page.Locator("[data-tab=identities]");
        var tab = await identities.BoundingBoxAsync();
        var bar = await page.Locator("[data-testid=card-tabs] [data-strip-scroller]").BoundingBoxAsync();
        tab.ShouldNotBeNull();
        bar.ShouldNotBeNull();
        (tab.X >= bar.X && tab.X + tab.Width <= bar.X + bar.Width + 0.5 && tab.X + tab.Width <= width).ShouldBeTrue($"Identities at {tab.X}..{tab.X + tab.Width}, the row {bar.X}..{bar.X + bar.Width}");
        (await page.Locator("[data-testid=card-name] bdi").InnerTextAsync()).ShouldBe(name);
        await identities.ClickAsync();
        await page.Locator("[data-tab=identities][aria-selected=true]").WaitForAsync();
        await page.WaitForURLAsync("**tab=identities");
        (await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollWidth <= window.innerWidth + 1")).ShouldBeTrue("the card page does not scroll sideways");
        await BrowserFixture.ScreenshotAsync(page, $"card-{width}x{height}{(locale == "fr-FR" ? "-fr" : "")}");
        await page.Context.CloseAsync();
    }

    // ------------------------------------------------------------------ items 11 and 12: who wrote, the breadcrumb, channel names

    [Theory]
    [InlineData("en-US", "History", "Customers")]
    [InlineData("fr-FR", "Historique", "Clients")]
    public async Task ASenderKnownByAHandle_IsThatNameOnTheTileTabCardAndInSearch_TheBreadcrumbNamesThem_AndTheHistorySaysSms(string locale, string history, string customers)
    {
        // As a channel gives it: a handle with digits, no first or last name (before: "#427" or the bare number).
        var handle = "marguerite_" + Random.Shared.Next(10_000, 99_999).ToString(CultureInfo.InvariantCulture);
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999).ToString(CultureInfo.InvariantCulture);
        var script = new Actor("apikey:journey", "Journey", Role.Agent);
        var sent = await browser.App.Services.GetRequiredService<IngestService>().IngestAsync(script, new InteractionRequest
        {
            Channel = Channel.Sms,
            ExternalId = Guid.NewGuid().ToString("N"),
            From = new InteractionSender { Address = number, DisplayName = handle },
            Body = "Bonjour, mon colis n'est pas arrivé.",
            Queue = "Support",
        });

        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        var tile = page.Locator($"[data-testid=case-tile][data-case-id='{sent.CaseId}']");
        (await tile.Locator("[data-testid=tile-contact]").InnerTextAsync()).ShouldBe(handle);
        await tile.ClickAsync();
        await page.Locator($"[data-testid=active-case][data-case-id='{sent.CaseId}']").WaitForAsync();
        (await page.Locator("[data-testid=case-tab]").AllInnerTextsAsync()).ShouldContain(t => t.Contains(handle));
        (await page.Locator("[data-testid=condensed-name]").InnerTextAsync()).ShouldBe(handle);

        // The case's history says where it came from in words for people: "SMS → Support", not "Sms → Support".
        await page.GetByRole(AriaRole.Tab, new() { Name = history, Exact = true }).ClickAsync();
        var created = page.Locator("[data-testid=history-entry][data-type=Created] .aw-history-detail");
        await created.WaitForAsync();
        (await created.InnerTextAsync()).ShouldBe("SMS → Support");

        // Search finds the handle, whole or begun.
        await page.GotoAsync("/cards");
        await BrowserFixture.WaitForInteractiveAsync(page);
        await page.FillAsync("[data-testid=card-search] input", handle[..12]);
        await page.ClickAsync("[data-testid=card-search-submit]");
        var hit = page.Locator($"[data-testid=card-result][data-card-id='{sent.CardId}']");
        await hit.WaitForAsync();
        (await hit.InnerTextAsync()).ShouldContain(handle);

        // The card: its name, and the breadcrumb "Customers › marguerite_…", not "#427".
        await hit.GetByRole(AriaRole.Link, new() { Name = handle }).ClickAsync();
        await page.WaitForURLAsync($"**/cards/{sent.CardId}");
        (await page.Locator("[data-testid=card-name]").InnerTextAsync()).ShouldBe(handle);
        var crumbs = (await page.Locator("[data-testid=card-breadcrumb] li.mud-breadcrumb-item").AllInnerTextsAsync()).Select(t => t.Trim()).ToList();
        crumbs.ShouldBe([customers, handle]);
        (await page.Locator("[data-testid=card-header]").InnerTextAsync()).ShouldNotContain("Version", Shouldly.Case.Insensitive, "agents do not see the card's version number");
        (await page.Locator("[data-testid=card-breadcrumb]").InnerTextAsync()).ShouldNotContain("#" + sent.CardId.ToString(CultureInfo.InvariantCulture));
        await page.Context.CloseAsync();
    }

    private static Task ActiveTabInViewAsync(IPage page) => BrowserFixture.WaitUntilAsync(page, """
        () => {
          const scroller = document.querySelector('[data-testid=case-tabs]');
          const active = scroller.querySelector("[data-strip-active='true']");
          if (!active) return false;
          const a = active.getBoundingClientRect(), s = scroller.getBoundingClientRect();
          return a.left >= s.left - 1 && a.right <= s.right + 1;
        }
        """);
}
