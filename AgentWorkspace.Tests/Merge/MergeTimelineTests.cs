using System.Globalization;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Cards;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Merge;

/// <summary>
/// The merge's entry in the card's timeline (issue 17): read from the database with what the reader may do, an Undo only
/// where it will not be refused, and after the undo who undid it and when.
/// </summary>
public class MergeTimelineTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private readonly InProcessChangeFeed _feed = new();
    private Bunit.TestDoubles.BunitAuthorizationContext _auth = default!;
    private long _survivor, _merged;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await new ReferenceData(_db.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        (_survivor, _) = await CardTestData.CardWithMessagesAsync(_db.Factory, 2, "Martin", "+33611111111");
        (_merged, _) = await CardTestData.CardWithMessagesAsync(_db.Factory, 2, "Martin", "+33622222222");
        await using (var db = _db.Factory.CreateDbContext())
        {
            await db.Cards.Where(c => c.Id == _merged).ExecuteUpdateAsync(s => s.SetProperty(c => c.Company, "Globex"));
        }
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed>(_feed);
        Services.AddSingleton(new SettingsDefaults());
        Services.AddSingleton<SettingsService>();
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton<UseCaseRunner>();
        Services.AddSingleton<MergeService>();
        Services.AddSingleton<CardReads>();
        Services.AddSingleton<CardSearch>();
        Services.AddSingleton<CardEdits>();
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        // The agent script panel beside the summary has its own tests (Tests/Scripts); here it stands as a stub.
        ComponentFactories.AddStub<AgentWorkspace.Web.Components.Shared.Scripts.AgentScriptPanel>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        _auth = AddAuthorization();
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private void SignInAs(string name, string role, string userId)
    {
        _auth.SetAuthorized(name);
        _auth.SetRoles(role);
        _auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, userId));
    }

    private Task<MergeResult> MergeAsync(IReadOnlyDictionary<string, MergeChoice>? choices = null) =>
        Services.GetRequiredService<MergeService>().MergeAsync(CardTestData.Supervisor, _survivor, _merged, choices);

    /// <summary>The survivor's page, its Timeline tab open, once the merge's entry is there.</summary>
    private IRenderedComponent<CardPage> RenderTimeline()
    {
        Render<MudPopoverProvider>();
        var cut = Render<CardPage>(p => p.Add(c => c.CardId, _survivor));
        cut.WaitForElement("[role=tab][data-tab=timeline]", TimeSpan.FromSeconds(10)).Click();
        cut.WaitForElement("[data-testid=timeline] [data-kind=Merge]", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public async Task ASupervisorUndoesTheMergeFromItsTimelineEntry_WhichThenSaysWhoUndidIt()
    {
        var merge = await MergeAsync();
        SignInAs("Sophie Moreau", "Supervisor", CardTestData.Supervisor.UserId);
        var cut = RenderTimeline();

        var entry = cut.Find("[data-testid=timeline] [data-kind=Merge]");
        entry.GetAttribute("data-merge-id").ShouldBe(merge.MergeId.ToString(CultureInfo.InvariantCulture));
        entry.QuerySelector("[data-testid=merge-merged-card]")!.GetAttribute("href").ShouldBe($"/cards/{_merged}");
        entry.QuerySelector("[data-testid=merge-survivor-card]")!.GetAttribute("href").ShouldBe($"/cards/{_survivor}");
        entry.TextContent.ShouldContain("Sophie Moreau");

        cut.Find("[data-testid=timeline-undo-merge]").Click();

        cut.WaitForAssertion(() => cut.Find("[data-testid=timeline] [data-testid=merge-undone]").TextContent.ShouldStartWith("Undone by Sophie Moreau"), TimeSpan.FromSeconds(10));
        cut.FindAll("[data-testid=timeline-undo-merge]").ShouldBeEmpty();
        await using var db = _db.Factory.CreateDbContext();
        (await db.Merges.SingleAsync()).UndoneBy.ShouldBe("Sophie Moreau");
    }

    [Fact]
    public async Task AnAgentWhoMayNotUndoSeesTheEntryButIsOfferedNoUndo()
    {
        await MergeAsync();
        SignInAs("Camille Laurent", "Agent", CardTestData.Agent.UserId);
        var cut = RenderTimeline();

        cut.Find("[data-testid=timeline] [data-kind=Merge]").TextContent.ShouldContain("Cards merged");
        cut.FindAll("[data-testid=timeline-undo-merge]").ShouldBeEmpty();
        cut.FindAll("[data-testid=merge-undo-refused]").ShouldBeEmpty("a refusal is said only to those who may undo");
    }

    [Fact]
    public async Task AnUndoThatWouldBeRefusedIsNotOffered_TheEntrySaysWhyInTheUsersLanguage()
    {
        await MergeAsync(new Dictionary<string, MergeChoice> { ["company"] = MergeChoice.Merged });
        var edits = Services.GetRequiredService<CardEdits>();
        var card = await Services.GetRequiredService<CardReads>().GetFirstViewAsync(CardTestData.Agent, _survivor);
        await edits.UpdateProfileAsync(CardTestData.Agent, _survivor, card.Version, card.Profile with { Company = "Initech" });
        SignInAs("Sophie Moreau", "Supervisor", CardTestData.Supervisor.UserId);
        var culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = new CultureInfo("fr");
        try
        {
            var cut = RenderTimeline();
            cut.WaitForAssertion(() => cut.Find("[data-testid=merge-undo-refused]").TextContent
                .ShouldBe("Cette fusion ne peut plus être annulée sans perdre ce qui a changé depuis : Entreprise."), TimeSpan.FromSeconds(10));
            cut.FindAll("[data-testid=timeline-undo-merge]").ShouldBeEmpty();
        }
        finally
        {
            CultureInfo.CurrentUICulture = culture;
        }
    }

    [Fact]
    public void AListWithoutAnUndoHandlerOffersNoUndo_AnUndoneEntrySaysWhenAndByWhom()
    {
        SignInAs("Sophie Moreau", "Supervisor", CardTestData.Supervisor.UserId);
        var at = new DateTimeOffset(2026, 5, 4, 10, 30, 0, TimeSpan.Zero);
        TimelineItem Item(long id, TimelineMerge merge) => new(TimelineKind.Merge, id, at, null, "Hugo Bernard", string.Empty, Merge: merge);
        var offered = Item(1, new TimelineMerge(1, 10, "Zoé Martin", 11, null, null, null, new MergeUndoOffer(1, true)));
        var undone = Item(2, new TimelineMerge(2, 10, "Zoé Martin", 12, "Zoe Martin", at.AddHours(1), "Sophie Moreau"));

        var summary = Render<TimelineList>(p => p.Add(l => l.Items, [offered, undone]));
        summary.FindAll("[data-testid=timeline-undo-merge]").ShouldBeEmpty();
        summary.FindAll("[data-testid=merge-merged-card]")[0].TextContent.ShouldBe("#11");
        summary.Find("[data-merge-id='2'] [data-testid=merge-undone]").TextContent
            .ShouldBe($"Undone by Sophie Moreau on {at.AddHours(1).ToString("g", CultureInfo.CurrentCulture)}");

        long? asked = null;
        var timeline = Render<TimelineList>(p => p.Add(l => l.Items, [offered, undone]).Add(l => l.OnUndoMerge, (long id) => asked = id));
        timeline.FindAll("[data-testid=timeline-undo-merge]").Count.ShouldBe(1);
        timeline.Find("[data-merge-id='1'] [data-testid=timeline-undo-merge]").Click();
        asked.ShouldBe(1);
    }
}
