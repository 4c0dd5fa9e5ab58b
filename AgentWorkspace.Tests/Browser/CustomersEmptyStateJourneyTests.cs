using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

/// <summary>Issue 22 item 12: before a search, the Customers page lists the recently active customers, not a blank page.</summary>
[Collection(BrowserCollection.Name)]
public class CustomersEmptyStateJourneyTests(BrowserFixture browser)
{
    [Theory]
    [InlineData("en-US", "Recently active customers")]
    [InlineData("fr-FR", "Clients récemment actifs")]
    public async Task BeforeASearch_TheAgentSeesTheCustomersOfTheirLatestCases_AndOpensOne(string locale, string heading)
    {
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        var name = "Océane" + Random.Shared.Next(1000, 9999);
        long cardId, caseId;
        var now = DateTimeOffset.UtcNow.AddMinutes(5); // the newest activity of all, whatever else the demo data holds
        await using (var db = factory.CreateDbContext())
        {
            var card = new CustomerCard(new CardProfile { FirstName = name, LastName = "Récente", Company = "Acme" }, "FR", now);
            db.Cards.Add(card);
            await db.SaveChangesAsync();
            var queueId = await db.Queues.Where(q => q.Name == "Support").Select(q => q.Id).SingleAsync();
            var @case = new Case(card.Id, Channel.Sms, queueId, "SMS", now);
            db.Cases.Add(@case);
            await db.SaveChangesAsync();
            @case.MessageArrived(Direction.Inbound, "Bonjour", now);
            await db.SaveChangesAsync();
            (cardId, caseId) = (card.Id, @case.Id);
        }
        await using (var db = factory.CreateDbContext())
        {
            var agent = (await db.Users.SingleAsync(u => u.Email == "agent@demo.local")).ToActor();
            await browser.App.Services.GetRequiredService<Core.Features.Inbox.CaseCommands>().TakeAsync(agent, caseId);
        }

        var page = await browser.SignInAsAsync(Role.Agent, "/cards", locale);
        var recent = page.Locator("[data-testid=recent-cards]");
        await recent.WaitForAsync();
        (await page.Locator("h2", new() { HasTextString = heading }).CountAsync()).ShouldBe(1);
        var first = recent.Locator("[data-testid=card-result]").First;
        (await first.GetAttributeAsync("data-card-id")).ShouldBe(cardId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await first.InnerTextAsync()).ShouldContain(name + " Récente");
        (await recent.Locator("[data-testid=card-result]").CountAsync()).ShouldBeLessThanOrEqualTo(10);
        await BrowserFixture.ScreenshotAsync(page, "customers-recent-" + locale);

        // The card opens from the list.
        await first.GetByRole(Microsoft.Playwright.AriaRole.Link).ClickAsync();
        await BrowserFixture.WaitUntilAsync(page, $"() => location.pathname === '/cards/{cardId}'");
        await page.Context.CloseAsync();
    }
}
