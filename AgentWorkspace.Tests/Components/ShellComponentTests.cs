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
using Microsoft.AspNetCore.Components;
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
        Services.AddAgentWorkspaceStore();
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
    public void OnlyThePagesOwnLinkIsCurrent_NotTheShorterLinkAboveIt()
    {
        SignIn(Role.Admin, "Alex Martin");
        var navigation = Services.GetRequiredService<NavigationManager>();
        navigation.NavigateTo("/admin/matching/auto-merge");
        var nav = Render<NavMenu>();
        nav.FindAll("a[aria-current=page]").Select(a => a.GetAttribute("href")).ShouldBe(["/admin/matching/auto-merge"]);
        navigation.NavigateTo("/admin/matching");
        nav.WaitForAssertion(() => nav.FindAll("a[aria-current=page]").Select(a => a.GetAttribute("href")).ShouldBe(["/admin/matching"]));
        // A page below a link with no longer link of its own still lights it.
        navigation.NavigateTo("/admin/matching/something-else");
        nav.WaitForAssertion(() => nav.FindAll("a[aria-current=page]").Select(a => a.GetAttribute("href")).ShouldBe(["/admin/matching"]));
    }

    [Fact]
    public void TheInboxLinkAndTheAppBarCountTheCasesWithNews_InEnglishAndFrench()
    {
        SignIn(Role.Agent);
        var nav = Render<NavMenu>();
        var badge = Render<InboxNewsBadge>();
        nav.FindAll("[data-testid=nav-inbox-count]").ShouldBeEmpty();
        badge.Find("[data-testid=appbar-news]").GetAttribute("data-count").ShouldBe("0");

        var store = Services.GetRequiredService<IDispatcher>();
        store.Dispatch(new AgentWorkspace.Web.Store.Notices.NoticesStartedAction([11, 12, 13]));
        nav.WaitForAssertion(() => nav.Find("[data-testid=nav-inbox-count]").TextContent.ShouldBe("3"));
        nav.Find("[data-testid=nav-inbox]").TextContent.ShouldContain("3 cases with news");
        badge.WaitForAssertion(() => badge.Find("a").GetAttribute("aria-label").ShouldBe("Digital inbox: 3 cases with news"));

        store.Dispatch(new AgentWorkspace.Web.Store.Notices.ClearCaseNewsAction(11));
        store.Dispatch(new AgentWorkspace.Web.Store.Notices.ClearCaseNewsAction(12));
        badge.WaitForAssertion(() => badge.Find("a").GetAttribute("aria-label").ShouldBe("Digital inbox: 1 case with news"));

        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        try
        {
            var french = Render<NavMenu>();
            french.Find("[data-testid=nav-inbox]").TextContent.ShouldContain("1 cas avec du nouveau");
        }
        finally { CultureInfo.CurrentUICulture = previous; }
        store.Dispatch(new AgentWorkspace.Web.Store.Notices.ClearCaseNewsAction(13));
        nav.WaitForAssertion(() => nav.FindAll("[data-testid=nav-inbox-count]").ShouldBeEmpty());
        NewsCount.Text(250).ShouldBe("99+");
    }

    [Fact]
    public void ANameInASentenceIsIsolated_SoThatARightToLeftNameKeepsTheSentenceInOrder()
    {
        var cut = Render(Bidi.Format("New message from {0}.", "مريم الحسيني"));
        cut.Markup.ShouldBe("New message from <bdi>مريم الحسيني</bdi>.");
        Render(Bidi.Format("{{0}} {1} and {0}", "a", "b")).Markup.ShouldBe("{0} <bdi>b</bdi> and <bdi>a</bdi>");
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
