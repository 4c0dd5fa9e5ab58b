using System.Globalization;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Admin;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Admin.Queues;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MudBlazor.Services;
using static AgentWorkspace.Tests.Admin.AdminTestData;

namespace AgentWorkspace.Tests.Admin;

/// <summary>An administration page reads its store and dispatches; its refusals are said next to the field, its faults logged and said.</summary>
public class AdminPageTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private readonly RecordingLogger _log = new();
    private readonly List<object> _actions = [];
    private readonly CultureInfo _culture = CultureInfo.CurrentUICulture;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton<AgentWorkspace.Core.UseCases.UseCaseRunner>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<QueueService>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        _log.AddTo(Services);
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Alex Martin");
        auth.SetRoles("Admin");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, AdminActor.UserId));
        await Services.GetRequiredService<QueueService>().CreateAsync(AdminActor, new QueueInput("General", [], 60, 1440));
    }

    public new async ValueTask DisposeAsync()
    {
        CultureInfo.CurrentUICulture = _culture;
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<Queues> RenderQueues()
    {
        Services.GetRequiredService<Web.Store.Core.Store>().ActionDispatched += a => { lock (_actions) _actions.Add(a); };
        var page = Render<Queues>();
        page.WaitForElement("[data-testid=queue-row]", TimeSpan.FromSeconds(10));
        return page;
    }

    private int Count<TAction>() { lock (_actions) return _actions.OfType<TAction>().Count(); }

    private static void Fill(IRenderedComponent<Queues> page, string name)
    {
        page.Find("[data-testid=new-queue]").Click();
        page.Find("[data-testid=queue-name] input").Input(name);
        page.Find("[data-testid=save-queue]").Click();
    }

    [Fact]
    public async Task ARefusedSaveIsSaidNextToTheFieldInFrench_AndNothingIsSaved()
    {
        await Services.GetRequiredService<QueueService>().CreateAsync(AdminActor, new QueueInput("Facturation", [], 60, 1440));
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        var page = RenderQueues();

        Fill(page, "facturation");

        page.WaitForAssertion(() => page.Find("[data-testid=queue-name]").TextContent.ShouldContain("Ce nom est déjà utilisé."), TimeSpan.FromSeconds(10));
        page.Find("[data-testid=queue-form]").ShouldNotBeNull();
        await using var db = _db.Factory.CreateDbContext();
        (await db.Queues.CountAsync(q => q.Name.ToLower() == "facturation")).ShouldBe(1);
        _log.At(LogLevel.Information).ShouldContain(l => l.Message.Contains(nameof(SaveQueueAction)));
    }

    [Fact]
    public void ASavedQueueIsShownFromTheServicesAnswer_TheListIsNotReadAgain()
    {
        var page = RenderQueues();
        var loads = Count<QueuesLoadedAction>();

        Fill(page, "Billing");

        page.WaitForAssertion(() => page.FindAll("[data-testid=queue-row][data-name=Billing]").ShouldHaveSingleItem(), TimeSpan.FromSeconds(10));
        page.FindAll("[data-testid=queue-form]").ShouldBeEmpty();
        Count<QueueSavedAction>().ShouldBe(1);
        Count<QueuesLoadedAction>().ShouldBe(loads);
    }

    [Fact]
    public async Task AFaultIsLoggedAsAnError_AndTheAdministratorIsToldInTheirLanguage()
    {
        CultureInfo.CurrentUICulture = new CultureInfo("en");
        var page = RenderQueues();
        // The database loses the table under the page: not a rule the input breaks, a fault.
        await using (var db = _db.Factory.CreateDbContext())
            await db.Database.ExecuteSqlRawAsync("DROP TABLE QueueMembers; DROP TABLE Queues;");

        Fill(page, "Billing");

        page.WaitForAssertion(() => page.Find("[role=alert]").TextContent.ShouldContain("Something went wrong and this was not done."), TimeSpan.FromSeconds(10));
        page.Markup.ShouldNotContain("SQLite");
        _log.At(LogLevel.Error).ShouldContain(l => l.Message.Contains(nameof(SaveQueueAction)) && l.Error != null);
        page.Find("[data-testid=save-queue]").HasAttribute("disabled").ShouldBeFalse("the administrator can try again");
    }
}
