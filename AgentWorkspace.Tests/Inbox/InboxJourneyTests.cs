using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace AgentWorkspace.Tests.Inbox;

[Collection(BrowserCollection.Name)]
public class InboxJourneyTests(BrowserFixture browser)
{
    /// <summary>An inbound SMS on a new card and case in the Support queue, stored as ingest stores it, then announced on the change feed.</summary>
    private async Task<(long CardId, long CaseId)> InboundSmsAsync(string firstName, string text, string queue = "Support")
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var now = DateTimeOffset.UtcNow;
        await using var db = factory.CreateDbContext();
        var card = new CustomerCard(new CardProfile { FirstName = firstName, LastName = "Journey", Company = "Acme" }, "FR", now);
        var number = "+3367" + Random.Shared.Next(1_000_000, 9_999_999);
        card.AddIdentity(Channel.Sms, number, IdentityAddress.Normalize(Channel.Sms, number, "FR"), now);
        db.Cards.Add(card);
        await db.SaveChangesAsync();
        var queueId = await db.Queues.Where(q => q.Name == queue).Select(q => q.Id).SingleAsync();
        var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
        db.Cases.Add(@case);
        await db.SaveChangesAsync();
        db.Messages.Add(new Message(@case.Id, card.Id, Channel.Sms, "journey-" + Guid.NewGuid().ToString("N"), Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, text, null, Sentiment.Neutral, now));
        @case.MessageArrived(Direction.Inbound, text, now);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, now);
        db.CaseEvents.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", null, now));
        await db.SaveChangesAsync();
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.MessageArrived, card.Id, @case.Id, queueId));
        return (card.Id, @case.Id);
    }

    private static ILocator Tile(IPage page, long caseId) => page.Locator($"[data-testid=case-tile][data-case-id='{caseId}']");

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(1366, 768)]
    public async Task TheCaseListRendersTheTilesInView_TheArrowsHomeAndEndReachTilesNotYetRendered_AndScrollingShowsTheRest(int width, int height)
    {
        // Issue 20: only the tiles in view and a margin are rendered; the others are the list's padding.
        for (var i = 0; i < 16; i++) await InboundSmsAsync("Fenêtre" + i, "Bonjour");
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", viewport: new ViewportSize { Width = width, Height = height });
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        const string tiles = "[data-testid=case-tiles] > li";
        var count = int.Parse((await page.Locator("[data-testid=case-tiles]").GetAttributeAsync("data-count"))!, CultureInfo.InvariantCulture);
        count.ShouldBeGreaterThanOrEqualTo(16);
        var rendered = await page.Locator(tiles).CountAsync();
        rendered.ShouldBeLessThan(count, "the tiles out of view are not rendered");
        (await page.Locator(tiles).EvaluateAllAsync<string[]>("els => els.map(e => e.getAttribute('aria-setsize'))")).ShouldAllBe(v => v == count.ToString(CultureInfo.InvariantCulture));
        // The list takes the height of all its tiles: the column scrolls as far as before. Tiles differ in height (a name
        // or a preview on two lines, other journeys' cases in a full run): measured against the rendered tiles' mean,
        // within 15 % (the rendered tiles alone would be about a third of it).
        await BrowserFixture.WaitUntilAsync(page, "() => { const lis = [...document.querySelectorAll('[data-testid=case-tiles] > li')]; " +
            "const mean = lis.reduce((a, li) => a + li.getBoundingClientRect().height, 0) / lis.length; " +
            "return Math.abs(document.querySelector('[data-testid=case-tiles]').getBoundingClientRect().height / mean - " + count.ToString(CultureInfo.InvariantCulture) + ") < " +
            (count * 0.15).ToString(CultureInfo.InvariantCulture) + "; }");

        // The arrow keys move the focus through the tiles, to those not rendered at first too; End and Home to the ends.
        await page.Locator($"{tiles}[aria-posinset='1'] button").FocusAsync();
        var target = Math.Min(count, rendered + 3);
        for (var at = 2; at <= target; at++) await page.Keyboard.PressAsync("ArrowDown");
        await FocusedAtAsync(page, target);
        await page.Keyboard.PressAsync("ArrowUp");
        await FocusedAtAsync(page, target - 1);
        await page.Keyboard.PressAsync("End");
        await FocusedAtAsync(page, count);
        (await page.Locator($"{tiles}[aria-posinset='1']").CountAsync()).ShouldBe(0, "the first tiles left the render tree");
        await page.Keyboard.PressAsync("Home");
        await FocusedAtAsync(page, 1);
        // Tab too goes from tile to tile past the first rendered ones, and Shift+Tab back (inbox.js waits for the render).
        for (var at = 2; at <= rendered + 1; at++)
        {
            await page.Keyboard.PressAsync("Tab");
            await FocusedAtAsync(page, at);
        }
        await page.Keyboard.PressAsync("Shift+Tab");
        await FocusedAtAsync(page, rendered);

        // Scrolled to the bottom, the last tile is rendered and in view, and opens its case. Rendered tiles taller or
        // shorter than the estimate move the bottom as they come: like a user, the journey scrolls down again until it
        // is there.
        await BrowserFixture.WaitUntilAsync(page, "() => { const p = document.querySelector('.aw-inbox-panel'); p.scrollTop = p.scrollHeight; " +
            $"const li = document.querySelector(\"[data-testid=case-tiles] > li[aria-posinset='{count}']\"); if (!li) return false; " +
            "const r = li.getBoundingClientRect(), b = p.getBoundingClientRect(); return r.height > 0 && r.top >= b.top && r.bottom <= b.bottom + 1; }");
        var last = page.Locator($"{tiles}[aria-posinset='{count}'] [data-testid=case-tile]");
        var lastId = await last.GetAttributeAsync("data-case-id");
        await last.ClickAsync();
        await page.Locator($"[data-testid=active-case][data-case-id='{lastId}']").WaitForAsync();
        // And back at the top, the first.
        await page.EvaluateAsync("() => { document.querySelector('.aw-inbox-panel').scrollTop = 0; }");
        await page.Locator($"{tiles}[aria-posinset='1']").WaitForAsync();
        await page.Context.CloseAsync();

        static Task FocusedAtAsync(IPage page, int position) => BrowserFixture.WaitUntilAsync(page,
            $"() => document.activeElement?.closest('[data-testid=case-tiles] > li')?.getAttribute('aria-posinset') === '{position}'");
    }

    [Fact]
    public async Task AnAgentSeesANewSmsArriveLive_TakesIt_RepliesAndSeesItDelivered_AddsANote_AndTheHistoryListsIt()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var name = "Inès" + Random.Shared.Next(1000, 9999);

        var (_, caseId) = await InboundSmsAsync(name, "Bonjour, mon colis n'est toujours pas arrivé.");

        // Live: the tile and the notice appear without reload.
        await Tile(page, caseId).WaitForAsync();
        (await Tile(page, caseId).InnerTextAsync()).ShouldContain(name + " Journey");
        (await Tile(page, caseId).Locator("[data-testid=unread-mark]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-testid=inbox-notice]").InnerTextAsync()).ShouldContain(name);

        await Tile(page, caseId).ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        await active.WaitForAsync();
        (await active.Locator("[data-testid=thread-entry][data-kind=inbound]").InnerTextAsync()).ShouldContain("mon colis n'est toujours pas arrivé");
        (await page.Locator("[data-testid=condensed-name]").InnerTextAsync()).ShouldBe(name + " Journey");

        await active.Locator("[data-testid=take-case]").ClickAsync();
        await active.Locator("[data-testid=case-status]", new() { HasTextString = "Open" }).WaitForAsync();

        await active.Locator("[data-testid=composer-text]").FillAsync("Bonjour, votre colis sera livré demain matin.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        var reply = active.Locator("[data-testid=thread-entry][data-kind=outbound]");
        await reply.WaitForAsync();
        (await reply.InnerTextAsync()).ShouldContain("votre colis sera livré demain matin");
        await reply.Locator("[data-testid=delivery-status][data-status=Delivered]").WaitForAsync();
        (await active.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBeEmpty();

        await active.Locator("[data-testid=composer-mode-note]").ClickAsync();
        await active.Locator("[data-testid=composer-text]").FillAsync("Client prévenu, vérifier la livraison demain.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await active.Locator("[data-testid=thread-entry][data-kind=note]").WaitForAsync();

        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        await page.Locator("[data-testid=history-entry][data-type=NoteAdded]").WaitForAsync();
        var history = await page.Locator("[data-testid=case-history]").InnerTextAsync();
        history.ShouldContain("Replied");
        history.ShouldContain("Assigned");
        history.ShouldContain("Camille Laurent");
        await BrowserFixture.ScreenshotAsync(page, "inbox-case");

        await active.Locator("[data-testid=resolve-case]").ClickAsync();
        await active.Locator("[data-testid=case-status]", new() { HasTextString = "Resolved" }).WaitForAsync();
        await active.Locator("[data-testid=reopen-case]").WaitForAsync();

        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        (await db.OutboundDeliveries.CountAsync(d => db.Messages.Any(m => m.Id == d.MessageId && m.CaseId == caseId))).ShouldBe(1);
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("en-US", "Channel", "Facebook", "All channels")]
    [InlineData("fr-FR", "Canal", "Facebook", "Tous les canaux")]
    public async Task TheFiltersAreLabelledSelectsTheKeyboardCanUse_AndTheListFollowsThem(string locale, string channelLabel, string facebook, string allChannels)
    {
        // Issue 20: plain selects instead of MudSelects (a tenth of their weight in every circuit); they still filter.
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale);
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var (_, smsCase) = await InboundSmsAsync("Filtre" + Random.Shared.Next(1000, 9999), "Bonjour");
        await Tile(page, smsCase).WaitForAsync();

        var channel = page.GetByLabel(channelLabel, new() { Exact = true });
        // Six selects, six ids: each label names its own.
        (await page.EvaluateAsync<int>("() => new Set([...document.querySelectorAll('.aw-plain-select select')].map(s => s.id)).size")).ShouldBe(6);
        (await channel.EvaluateAsync<string>("s => s.options[s.selectedIndex].text")).ShouldBe(allChannels);
        await channel.FocusAsync();
        await channel.SelectOptionAsync(new SelectOptionValue { Label = "SMS" });
        await BrowserFixture.WaitUntilAsync(page, "() => [...document.querySelectorAll('[data-testid=case-tile] .aw-channel-icon')].every(e => e.title === 'SMS')");
        await Tile(page, smsCase).WaitForAsync();
        await channel.SelectOptionAsync(new SelectOptionValue { Label = facebook });
        await Tile(page, smsCase).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        foreach (var title in await page.Locator("[data-testid=case-tile] .aw-channel-icon").EvaluateAllAsync<string[]>("els => els.map(e => e.title)"))
            title.ShouldBe(facebook);

        await channel.SelectOptionAsync(new SelectOptionValue { Label = allChannels });
        await Tile(page, smsCase).WaitForAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ASupervisorApprovesADraftedReply_AndTheAgentSeesItApprovedAndSentLive()
    {
        var agent = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await agent.WaitForSelectorAsync("[data-testid=case-tile]");
        var name = "Léa" + Random.Shared.Next(1000, 9999);
        var (_, caseId) = await InboundSmsAsync(name, "Puis-je être remboursée ?");
        await Tile(agent, caseId).ClickAsync();
        var active = agent.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        await active.WaitForAsync();
        await active.Locator("[data-testid=composer-mode-draft]").ClickAsync();
        await active.Locator("[data-testid=composer-text]").FillAsync("Oui, le remboursement part aujourd'hui.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await active.Locator("[data-testid=draft][data-status=Pending]").WaitForAsync();
        (await active.Locator("[data-testid=thread-entry][data-kind=outbound]").CountAsync()).ShouldBe(0);
        await BrowserFixture.ScreenshotAsync(agent, "inbox-draft-pending");

        var supervisor = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/approvals");
        var draft = supervisor.Locator("[data-testid=pending-draft]", new() { HasTextString = name });
        await draft.WaitForAsync();
        (await draft.Locator("[data-testid=draft-text]").InnerTextAsync()).ShouldBe("Oui, le remboursement part aujourd'hui.");
        (await draft.InnerTextAsync()).ShouldContain("Puis-je être remboursée ?");
        await draft.Locator("[data-testid=review-comment]").FillAsync("Parfait, merci.");
        await BrowserFixture.ScreenshotAsync(supervisor, "inbox-approvals");
        await draft.Locator("[data-testid=approve-draft]").ClickAsync();
        await supervisor.Locator("[data-testid=approval-confirmation]").WaitForAsync();
        (await supervisor.Locator("[data-testid=pending-draft]", new() { HasTextString = name }).CountAsync()).ShouldBe(0);

        // The agent's page changes without reload: notice, draft approved, reply in the thread, delivered.
        var notice = agent.Locator("[data-testid=inbox-notice][data-kind=DraftApproved]");
        await notice.WaitForAsync();
        (await notice.InnerTextAsync()).ShouldContain(name);
        await active.Locator("[data-testid=draft][data-status=Approved]").WaitForAsync();
        (await active.Locator("[data-testid=draft-comment]").InnerTextAsync()).ShouldBe("Parfait, merci.");
        var sent = active.Locator("[data-testid=thread-entry][data-kind=outbound]");
        await sent.Locator("[data-testid=delivery-status][data-status=Delivered]").WaitForAsync();
        (await sent.InnerTextAsync()).ShouldContain("Oui, le remboursement part aujourd'hui.");
        await BrowserFixture.ScreenshotAsync(agent, "inbox-draft-approved");
        await supervisor.Context.CloseAsync();
        await agent.Context.CloseAsync();
    }

    [Fact]
    public async Task ARejectionWithoutACommentIsRefusedNextToTheField_InFrench()
    {
        var name = "Hugo" + Random.Shared.Next(1000, 9999);
        var (_, caseId) = await InboundSmsAsync(name, "Allô ?");
        var cases = browser.App.Services.GetRequiredService<Core.Features.Inbox.CaseCommands>();
        await cases.SubmitDraftAsync(await AgentAsync(), caseId, "Brouillon");

        var supervisor = await browser.SignInAsAsync(Role.Supervisor, "/supervisor/approvals", locale: "fr-FR");
        var draft = supervisor.Locator("[data-testid=pending-draft]", new() { HasTextString = name });
        await draft.WaitForAsync();
        await draft.Locator("[data-testid=reject-draft]").ClickAsync();
        await draft.GetByText("Dites à l'agent pourquoi la réponse est rejetée.").WaitForAsync();
        (await supervisor.Locator("h1").InnerTextAsync()).ShouldBe("Approbation des réponses");
        await draft.Locator("[data-testid=review-comment]").FillAsync("Trop court.");
        await draft.Locator("[data-testid=reject-draft]").ClickAsync();
        await supervisor.Locator("[data-testid=approval-confirmation]").WaitForAsync();
        await supervisor.Context.CloseAsync();
    }

    [Fact]
    public async Task AnSmsPostedToTheApiAppearsLiveInTheAgentsInbox_TheAgentRepliesAndTheHistoryTabListsTheReply()
    {
        var page = await browser.SignInAsAsync(Role.Agent, "/inbox");
        await page.WaitForSelectorAsync("[data-testid=case-tile]");
        var name = "Api" + Random.Shared.Next(10_000, 99_999);
        using var api = browser.App.CreateClient();
        var response = await api.PostAsync("api/v1/interactions", new StringContent(System.Text.Json.JsonSerializer.Serialize(new
        {
            channel = "sms",
            externalId = "journey-sms-" + Guid.NewGuid().ToString("N"),
            kind = "sms",
            from = new { address = "07 99 " + Random.Shared.Next(10, 99) + " " + Random.Shared.Next(10, 99) + " " + Random.Shared.Next(10, 99), displayName = name },
            body = "Bonjour, je souhaite changer mon adresse de livraison.",
            queue = "Support",
        }), System.Text.Encoding.UTF8, "application/json"));
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.Created);
        using var created = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var caseId = created.RootElement.GetProperty("caseId").GetInt64();

        // Live, without reload.
        await Tile(page, caseId).WaitForAsync();
        await Tile(page, caseId).ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{caseId}']");
        // The number may already be known to the demo data: then the message joins that card's open case; look for ours.
        await active.Locator("[data-testid=thread-entry][data-kind=inbound]", new() { HasTextString = "changer mon adresse de livraison" }).WaitForAsync();

        await active.Locator("[data-testid=composer-text]").FillAsync("C'est noté, l'adresse est mise à jour.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await active.Locator("[data-testid=thread-entry][data-kind=outbound]", new() { HasTextString = "l'adresse est mise à jour" })
            .Locator("[data-testid=delivery-status][data-status=Delivered]").WaitForAsync();

        await page.GetByRole(AriaRole.Tab, new() { Name = "History" }).ClickAsync();
        var replied = page.Locator("[data-testid=history-entry][data-type=Replied]", new() { HasTextString = "l'adresse est mise à jour" });
        await replied.WaitForAsync();
        (await replied.InnerTextAsync()).ShouldContain("l'adresse est mise à jour");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AMessengerConversationIsAnswered_AndAReplyThatCannotBeDeliveredSaysWhyNextToTheReplyBox_InFrench()
    {
        // As the channel sends it: a Messenger user id, through the real ingest. The card may hold other addresses.
        var ingest = browser.App.Services.GetRequiredService<Core.Features.Ingest.IngestService>();
        var name = "Maëlys" + Random.Shared.Next(1000, 9999);
        var psid = "67" + Random.Shared.NextInt64(10_000_000_000_000, 99_999_999_999_999);
        var received = await ingest.IngestAsync(await AgentAsync(), new Core.Features.Ingest.InteractionRequest
        {
            Channel = Channel.Messenger,
            Kind = MessageKind.DirectMessage,
            ExternalId = "journey-" + Guid.NewGuid().ToString("N"),
            From = new Core.Features.Ingest.InteractionSender { Address = psid, DisplayName = name + " Messenger" },
            Body = "Bonjour, je n'ai pas reçu mon remboursement.",
        });

        var page = await browser.SignInAsAsync(Role.Agent, "/inbox", locale: "fr-FR");
        await Tile(page, received.CaseId).ClickAsync();
        var active = page.Locator($"[data-testid=active-case][data-case-id='{received.CaseId}']");
        await active.WaitForAsync();
        await active.Locator("[data-testid=take-case]").ClickAsync();
        await active.Locator("[data-testid=composer-text]").FillAsync("Il est parti hier, vous le verrez sous trois jours.");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await active.Locator("[data-testid=thread-entry][data-kind=outbound]", new() { HasTextString = "sous trois jours" })
            .Locator("[data-testid=delivery-status][data-status=Delivered]").WaitForAsync();

        // The address the conversation came from is erased meanwhile: the next reply is refused, the reason shown
        // under the reply box in French, and the text stays there.
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
        {
            var identity = await db.Identities.SingleAsync(i => i.CardId == received.CardId && i.NormalizedAddress == psid);
            identity.Erase();
            await db.SaveChangesAsync();
        }
        await active.Locator("[data-testid=composer-text]").FillAsync("Autre chose ?");
        await active.Locator("[data-testid=composer-submit]").ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, "() => document.querySelector('[data-testid=composer]')?.innerText.includes('a été effacée')");
        (await active.Locator("[data-testid=composer]").InnerTextAsync()).ShouldContain("L'adresse d'où vient cette conversation a été effacée");
        (await active.Locator("[data-testid=composer-text]").InputValueAsync()).ShouldBe("Autre chose ?");
        await using (var db = factory.CreateDbContext())
            (await db.Messages.CountAsync(m => m.CaseId == received.CaseId && m.Direction == Direction.Outbound)).ShouldBe(1);
        await page.Context.CloseAsync();
    }

    private async Task<Actor> AgentAsync()
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        return (await db.Users.SingleAsync(u => u.Email == "agent@demo.local")).ToActor();
    }
}
