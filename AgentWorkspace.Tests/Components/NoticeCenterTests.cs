using System.Security.Claims;
using AgentWorkspace.Web.Components.Layout;
using AgentWorkspace.Web.Store.Core;
using AgentWorkspace.Web.Store.Notices;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Components;

/// <summary>
/// Issue 20 (notices per burst): the first notice shows at once; those that follow within <see cref="NoticeCenter.Burst"/>
/// show together in one toast that names the newest three, each line opening its own case, and counts the others.
/// </summary>
public class NoticeCenterTests : BunitContext
{
    public NoticeCenterTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Camille Laurent");
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, "user-1"));
    }

    [Fact]
    public void TheFirstNoticeShowsAtOnce_ABurstShowsAsOneToastWhoseLinesOpenTheirCases_AndTheRestAreCounted()
    {
        var toasts = Render<MudSnackbarProvider>();
        Render<NoticeCenter>();
        var store = Services.GetRequiredService<IDispatcher>();

        store.Dispatch(new CaseNewsAction(NoticeKind.MessageArrived, 101, "Zoé Martin"));
        toasts.WaitForAssertion(() => toasts.FindAll("[data-testid=inbox-notice]").Count.ShouldBe(1));
        toasts.Find("[data-testid=inbox-notice]").TagName.ShouldBe("SPAN", "one notice: the toast's Open button opens it");
        // Shown without MudBlazor's transitions (a render each, issue 20): it fades in by CSS.
        toasts.Find(".mud-snackbar").ClassList.ShouldContain("aw-notice-toast");

        // Five more within the burst: held, then one toast naming the newest three, the two others counted.
        for (var id = 102; id <= 106; id++) store.Dispatch(new CaseNewsAction(NoticeKind.MessageArrived, id, "Client " + id));
        toasts.FindAll("[data-testid=inbox-notice]").Count.ShouldBe(1, "held until the burst's interval ends");
        toasts.WaitForAssertion(() => toasts.FindAll("[data-testid=inbox-notice]").Count.ShouldBe(4), NoticeCenter.Burst * 5);
        var lines = toasts.FindAll("button[data-testid=inbox-notice]");
        lines.Select(l => l.GetAttribute("data-case-id")).ShouldBe(["104", "105", "106"]);
        lines[0].TextContent.ShouldContain("Client 104");
        toasts.Find("[data-testid=inbox-notice-more]").TextContent.ShouldBe("And 2 more.");

        // A line opens its own case, not the newest: the inbox opens with it, and its news is seen.
        toasts.Find("button[data-testid=inbox-notice][data-case-id='104']").Click();
        // The test navigation manager navigates on the renderer's dispatcher after the click's handler returns, as the
        // browser does after an event: wait for it rather than read the address in the same instant.
        var navigation = Services.GetRequiredService<NavigationManager>();
        toasts.WaitForAssertion(() => navigation.Uri.ShouldEndWith("/inbox"));
        var unseen = Services.GetRequiredService<IState<NoticesState>>().Value.Unseen;
        unseen.ShouldNotContain(104);
        unseen.ShouldContain(106);
    }
}
