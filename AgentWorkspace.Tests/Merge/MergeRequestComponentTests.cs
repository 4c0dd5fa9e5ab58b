using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Merge;

/// <summary>Issue 21 in the UI: the propose dialog, the merge-or-propose button, the supervisors' queue (bUnit, real SQLite).</summary>
public class MergeRequestComponentTests : BunitContext, IAsyncLifetime
{
    private static readonly Actor Camille = new("agent-1", "Camille Laurent", Role.Agent);
    private TestDatabase _db = default!;
    private long _a, _b;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await using (var db = _db.Factory.CreateDbContext())
        {
            var now = DateTimeOffset.UtcNow;
            var a = new CustomerCard(new CardProfile { FirstName = "Edward", LastName = "Ferrars", MobilePhone = "+33611223344" }, "FR", now);
            var b = new CustomerCard(new CardProfile { FirstName = "Edward", LastName = "Ferrars", PrimaryEmail = "edward@example.org" }, "FR", now);
            db.Cards.AddRange(a, b);
            await db.SaveChangesAsync();
            (_a, _b) = (a.Id, b.Id);
        }
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        Services.AddSingleton(new SettingsDefaults());
        Services.AddSingleton<SettingsService>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<AgentWorkspace.Core.UseCases.UseCaseRunner>();
        Services.AddSingleton<MergeService>();
        Services.AddSingleton<MergeRequestService>();
        Services.AddSingleton<PrivacyService>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Sophie Moreau");
        auth.SetRoles("Supervisor");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "sup"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public void TheButtonIsMergeOrProposeOrAWaitingChip_AndNothingWhileTheRightIsUnknown()
    {
        IRenderedComponent<MergeOrPropose> Show(MergeRight? right, bool pending) => Render<MergeOrPropose>(p => p
            .Add(x => x.Right, right).Add(x => x.Pending, pending).Add(x => x.TestId, "merge-suggestion"));
        Show(null, false).FindAll("button").ShouldBeEmpty();
        Show(MergeRight.Merge, false).Find("[data-testid=merge-suggestion]").TextContent.ShouldContain("Merge");
        var propose = Show(MergeRight.Propose, false);
        propose.FindAll("[data-testid=merge-suggestion]").ShouldBeEmpty("an agent who may not merge is never offered Merge");
        propose.Find("[data-testid=propose-merge-suggestion]").TextContent.ShouldContain("Propose merge");
        var waiting = Show(MergeRight.Propose, true);
        waiting.FindAll("button").ShouldBeEmpty("a second proposal of the pair would be refused");
        waiting.Find("[data-testid=proposal-pending-merge-suggestion]").TextContent.ShouldContain("Merge proposed");
    }

    [Fact]
    public async Task TheProposeDialogReturnsTheComment_AndTheDeclineDialogWillNotCloseWithoutOne()
    {
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        Task<string?> asked = null!;
        // Not awaited inside the renderer: the dialog's answer comes only once it is clicked below.
        await provider.InvokeAsync(() => { asked = MergeCommentDialog.AskAsync(dialogs, "Propose a merge", "Comment for the supervisor", "Propose", required: false,
            which: "Card #2 (Edward Ferrars) would go into card #1 (Edward Ferrars)."); });
        provider.WaitForElement("[data-testid=merge-comment-which]").TextContent.ShouldContain("would go into card #1");
        provider.Find("textarea").Input("Il a écrit hier");
        provider.Find("[data-testid=confirm-merge-comment]").Click();
        (await asked.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("Il a écrit hier");

        Task<string?> declined = null!;
        await provider.InvokeAsync(() => { declined = MergeCommentDialog.AskAsync(dialogs, "Decline", "Why", "Decline", required: true); });
        provider.WaitForElement("[data-testid=confirm-merge-comment]").Click();
        provider.WaitForAssertion(() => provider.Markup.ShouldContain("Say why you decline"));
        declined.IsCompleted.ShouldBeFalse("nothing is sent without the comment");
        provider.Find("textarea").Input("Deux personnes");
        provider.Find("[data-testid=confirm-merge-comment]").Click();
        (await declined.WaitAsync(TimeSpan.FromSeconds(10))).ShouldBe("Deux personnes");
    }

    [Fact]
    public async Task TheQueueShowsEachProposal_DeclinesWithTheComment_AndOffersOnlyDeclineWhenTheMergeWouldBeRefused()
    {
        var requests = Services.GetRequiredService<MergeRequestService>();
        var first = await requests.ProposeAsync(Camille, _a, _b, "Il a écrit hier");
        var provider = Render<MudDialogProvider>();
        var queue = Render<MergeRequestsQueue>();
        queue.WaitForElement($"[data-request-id='{first.Id}']");
        queue.Find("[data-testid=merge-request-comment]").TextContent.ShouldBe("Il a écrit hier");
        queue.Markup.ShouldContain("Proposed by Camille Laurent");
        queue.FindAll("[data-testid=approve-merge-request]").Count.ShouldBe(1);

        // Locked since: approving would be refused, so it is not offered; the reason is said.
        await Services.GetRequiredService<PrivacyService>().LockAsync(new Actor("sup", "Sophie Moreau", Role.Supervisor), _b);
        Services.GetRequiredService<Web.Store.Core.IDispatcher>().Dispatch(new Web.Store.Merge.LoadMergeRequestsAction());
        queue.WaitForAssertion(() => queue.Find("[data-testid=merge-request-blocked]").TextContent.ShouldContain($"Card {_b} is locked"), TimeSpan.FromSeconds(10));
        queue.FindAll("[data-testid=approve-merge-request]").ShouldBeEmpty();

        queue.Find("[data-testid=decline-merge-request]").Click();
        provider.WaitForElement("textarea").Input("Carte verrouillée");
        provider.Find("[data-testid=confirm-merge-comment]").Click();
        queue.WaitForAssertion(() => queue.Find("[data-testid=merge-request-done]").TextContent.ShouldContain("Camille Laurent is told"), TimeSpan.FromSeconds(10));
        queue.Find("[data-testid=no-merge-requests]");
        (await requests.GetAsync(Camille, first.Id)).Status.ShouldBe(MergeRequestStatus.Declined);
        (await requests.GetAsync(Camille, first.Id)).DecisionComment.ShouldBe("Carte verrouillée");
    }
}
