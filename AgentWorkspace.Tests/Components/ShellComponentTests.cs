using System.Globalization;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Layout;
using AgentWorkspace.Web.Components.Pages.Home;
using AgentWorkspace.Web.Components.Shared;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Components;

public class ShellComponentTests : BunitContext
{
    public ShellComponentTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private void SignIn(Role role, string name = "Camille Laurent")
    {
        var auth = AddAuthorization();
        auth.SetAuthorized(name);
        auth.SetRoles(Roles.AtLeast(Role.Agent).Where(r => Enum.Parse<Role>(r) <= role).ToArray());
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "user-1"),
            new System.Security.Claims.Claim(IdentitySetup.DisplayNameClaim, name));
        var policies = new List<string> { Policies.Agent };
        if (role >= Role.Supervisor) policies.Add(Policies.Supervisor);
        if (role >= Role.Admin) policies.Add(Policies.Admin);
        auth.SetPolicies([.. policies]);
    }

    [Fact]
    public void AnAgentSeesNoAdministrationInTheNavigation()
    {
        SignIn(Role.Agent);
        var nav = Render<NavMenu>();
        nav.Markup.ShouldContain("Overview");
        nav.Markup.ShouldNotContain("Administration");
    }

    [Fact]
    public void AnAdminSeesTheAdministrationGroup()
    {
        SignIn(Role.Admin, "Alex Martin");
        var nav = Render<NavMenu>();
        nav.Markup.ShouldContain("Administration");
    }

    [Fact]
    public void TheChannelIconIsNamedForScreenReaders()
    {
        var icon = Render<ChannelIcon>(p => p.Add(c => c.Channel, Core.Domain.Channels.Channel.WhatsApp));
        icon.Find("svg").GetAttribute("aria-label").ShouldBe("WhatsApp");
    }

    [Fact]
    public void TheChannelIconSpeaksFrenchInFrench()
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        try
        {
            var icon = Render<ChannelIcon>(p => p.Add(c => c.Channel, Core.Domain.Channels.Channel.Email));
            icon.Find("svg").GetAttribute("aria-label").ShouldBe("Courriel");
        }
        finally { CultureInfo.CurrentUICulture = previous; }
    }

    [Fact]
    public async Task TheLandingPageShowsOpenCasesByQueueAndChannelFromTheDatabase()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(80), []);
        int open;
        await using (var db = test.Factory.CreateDbContext())
            open = await db.Cases.CountAsync(c => c.Status == Core.Domain.Cases.CaseStatus.New || c.Status == Core.Domain.Cases.CaseStatus.Open || c.Status == Core.Domain.Cases.CaseStatus.Pending);

        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(test.Factory);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton<DashboardService>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        SignIn(Role.Supervisor, "Sophie Moreau");

        var page = Render<Home>();
        page.WaitForElement("[data-testid=by-queue]", TimeSpan.FromSeconds(10));
        page.Find("[data-testid=open-cases] .aw-figure").TextContent.ShouldBe(open.ToString(CultureInfo.InvariantCulture));
        page.Find("[data-testid=by-queue]").TextContent.ShouldContain("Support");
        page.FindAll("[data-testid=by-channel] li").Count.ShouldBeGreaterThan(3);
    }
}
