using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.CustomFields;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;
using static AgentWorkspace.Tests.Admin.AdminTestData;
using CustomFieldsPage = AgentWorkspace.Web.Components.Pages.CustomFields.CustomFields;

namespace AgentWorkspace.Tests.CustomFields;

/// <summary>The custom-fields page shows its own command's answer once; another administrator's change reaches it live.</summary>
public class CustomFieldsLiveTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private readonly List<object> _actions = [];

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton<AgentWorkspace.Core.UseCases.UseCaseRunner>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<CustomFieldService>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Alex Martin");
        auth.SetRoles("Admin");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, AdminActor.UserId));
        var fields = Services.GetRequiredService<CustomFieldService>();
        foreach (var ident in new[] { "first", "second", "third" }) await fields.CreateAsync(AdminActor, TextField(ident));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private int Count<TAction>() { lock (_actions) return _actions.OfType<TAction>().Count(); }

    private IRenderedComponent<CustomFieldsPage> RenderPage()
    {
        Services.GetRequiredService<Web.Store.Core.Store>().ActionDispatched += a => { lock (_actions) _actions.Add(a); };
        Render<MudDialogProvider>();
        var page = Render<CustomFieldsPage>();
        page.WaitForAssertion(() => page.FindAll("[data-testid=field-row]").Count.ShouldBe(3), TimeSpan.FromSeconds(10));
        return page;
    }

    private static string[] Idents(IRenderedComponent<CustomFieldsPage> page) =>
        page.FindAll("[data-testid=field-row]").Select(r => r.GetAttribute("data-ident")!).ToArray();

    [Fact]
    public async Task AMoveShowsTheServicesAnswerOnce_ItsEchoOnTheChangeFeedDoesNotReloadTheList()
    {
        var page = RenderPage();
        var loads = Count<CustomFieldsLoadedAction>();

        page.FindAll("[data-testid=field-down]")[0].Click();

        page.WaitForAssertion(() => Idents(page).ShouldBe(["second", "first", "third"]), TimeSpan.FromSeconds(10));
        page.WaitForAssertion(() => Count<CustomFieldsLoadedAction>().ShouldBe(loads + 1), TimeSpan.FromSeconds(10));
        // The service announced the move on the feed; give the echo time to arrive, and be ignored.
        await Task.Delay(700);
        Count<RefreshCustomFieldsAction>().ShouldBe(0);
        Count<CustomFieldsLoadedAction>().ShouldBe(loads + 1);
    }

    [Fact]
    public async Task AnotherAdministratorsChangeReloadsTheListLive()
    {
        var page = RenderPage();

        await Services.GetRequiredService<CustomFieldService>().CreateAsync(new Actor("admin-2", "Noa Petit", Role.Admin), TextField("fourth"));

        page.WaitForAssertion(() => Idents(page).ShouldBe(["first", "second", "third", "fourth"]), TimeSpan.FromSeconds(10));
        Count<RefreshCustomFieldsAction>().ShouldBe(1);
    }

    [Fact]
    public async Task TheSameAdministratorInAnotherTabIsNews_NotAnEcho()
    {
        var page = RenderPage();

        // Same user, another circuit: this page did not make the change, so it reads it.
        await Services.GetRequiredService<CustomFieldService>().CreateAsync(AdminActor, TextField("fourth"));

        page.WaitForAssertion(() => Idents(page).ShouldContain("fourth"), TimeSpan.FromSeconds(10));
    }
}
