using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Browser;

[Collection(BrowserCollection.Name)]
public class LiveDashboardJourneyTests(BrowserFixture browser)
{
    [Fact]
    public async Task AChangePublishedElsewhereReachesEveryOpenCircuitWithoutReload()
    {
        var supervisor = await browser.SignInAsAsync(Role.Supervisor);
        var admin = await browser.SignInAsAsync(Role.Admin);
        var figure = "[data-testid=open-cases] .aw-figure";
        await supervisor.WaitForSelectorAsync(figure);
        await admin.WaitForSelectorAsync(figure);
        var before = int.Parse(await supervisor.InnerTextAsync(figure));

        // Another part of the product resolves an open case and publishes the change.
        var factory = browser.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        long caseId;
        await using (var db = factory.CreateDbContext())
        {
            var open = await db.Cases.FirstAsync(c => c.Status == CaseStatus.Open);
            open.Resolve(DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
            caseId = open.Id;
        }
        browser.App.Services.GetRequiredService<IChangeFeed>().Publish(new ChangeEvent(ChangeKind.CaseChanged, CaseId: caseId));

        var expected = (before - 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await BrowserFixture.WaitUntilAsync(supervisor, $"() => document.querySelector('{figure}').textContent.trim() === '{expected}'");
        await BrowserFixture.WaitUntilAsync(admin, $"() => document.querySelector('{figure}').textContent.trim() === '{expected}'");
        await supervisor.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }
}
