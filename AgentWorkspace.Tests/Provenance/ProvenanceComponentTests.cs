using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Pages.Cards;
using AgentWorkspace.Web.Components.Pages.Merge;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Cards;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Provenance;

/// <summary>
/// The card says where each value came from (issue 21): a focusable source button after each profile and custom field whose
/// text (tooltip and accessible name) names the source and time, the field's history newest first, in English and French;
/// and the merge dialog preselects the value field survivorship proposes, saying why.
/// </summary>
public class ProvenanceComponentTests : BunitContext, IAsyncLifetime
{
    private static readonly Actor Alice = new("agent-1", "Alice Martin", Role.Agent);
    private static readonly Actor Key = new("apikey:3", "API key Zapier", Role.Agent);
    private TestDatabase _db = default!;
    private readonly InProcessChangeFeed _feed = new();
    private CardKit _cards = default!;
    private long _cardId, _legacyId;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await new Core.Features.Demo.ReferenceData(_db.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var settings = new SettingsService(_db.Factory, _db.Runner(_feed), new SettingsDefaults());
        _cards = CardKit.Over(_db, _feed, settings);
        _cardId = await _cards.Edits.CreateAsync(Key, new CardProfile { FirstName = "Marianne", LastName = "Dashwood", City = "Barton" }, []);
        var read = await _cards.Reads.GetFirstViewAsync(Alice, _cardId);
        await _cards.Edits.UpdateProfileAsync(Alice, _cardId, read.Version, read.Profile with { City = "Cleveland" });
        await _cards.Edits.SetCustomFieldAsync(Alice, _cardId, "loyalty-tier", "Gold");
        (_legacyId, _) = await CardTestData.CardWithMessagesAsync(_db.Factory, 1, "Ancienne");

        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed>(_feed);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(settings);
        Services.AddSingleton(_cards.Reads);
        Services.AddSingleton(_cards.Search);
        Services.AddSingleton(_cards.Edits);
        Services.AddSingleton(new MergeService(_db.Factory, _db.Runner(_feed), settings));
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Sophie Moreau");
        auth.SetRoles("Supervisor");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "sup-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<CardProfileTab> RenderTab(long cardId)
    {
        Render<MudPopoverProvider>();
        var state = Services.GetRequiredService<IState<CardDetailState>>();
        var cut = Render<CardProfileTab>();
        cut.InvokeAsync(() => Services.GetRequiredService<IDispatcher>().Dispatch(new OpenCardAction(cardId)));
        cut.WaitForAssertion(() => state.Value.Card?.Id.ShouldBe(cardId), TimeSpan.FromSeconds(10));
        cut.WaitForElement("[data-testid=source-city]", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Theory]
    [InlineData("en-US", "Set by Alice Martin (agent)", "Set through the API key Zapier", "Source unknown", "History of City")]
    [InlineData("fr-FR", "Saisi par Alice Martin (agent)", "Saisi via la clé d'API Zapier", "Source inconnue", "Historique de Ville")]
    public void EachValueHasAFocusableSourceButtonNamingItsSource_ChoosingItListsTheFieldsValuesNewestFirst(string culture, string byAgent, string byKey, string unknown, string historyTitle)
    {
        using var _ = new CultureScope(culture);
        var cut = RenderTab(_cardId);

        var city = cut.Find("[data-testid=source-city]");
        city.TagName.ShouldBe("BUTTON", "reachable by keyboard, not by hover only");
        city.GetAttribute("title")!.ShouldStartWith(byAgent);
        city.GetAttribute("aria-label")!.ShouldContain(byAgent);
        city.GetAttribute("data-source").ShouldBe("Agent");
        cut.Find("[data-testid=source-firstName]").GetAttribute("title")!.ShouldStartWith(byKey);
        cut.Find("[data-testid='source-cf:loyalty-tier']").GetAttribute("title")!.ShouldStartWith(byAgent);
        cut.Find("[data-testid=source-company]").GetAttribute("title")!.ShouldStartWith(unknown);
        cut.FindAll("[data-testid=value-history]").ShouldBeEmpty();

        city.Click();
        var history = cut.Find("[data-testid=value-history]");
        history.TextContent.ShouldContain(historyTitle);
        cut.FindAll("[data-testid=value-history-value]").Select(v => v.TextContent).ShouldBe(["Cleveland", "Barton"]);
        var sources = cut.FindAll("[data-testid=value-history-source]").Select(s => s.TextContent).ToList();
        sources[0].ShouldStartWith(byAgent);
        sources[1].ShouldStartWith(byKey);
    }

    [Fact]
    public void ACardOlderThanProvenanceSaysSourceUnknownForEveryValue_AndItsHistoryIsEmpty()
    {
        using var _ = new CultureScope("en-US");
        var cut = RenderTab(_legacyId);
        cut.FindAll("[data-source]").ShouldAllBe(b => b.GetAttribute("data-source") == "Unknown");
        cut.Find("[data-testid=source-lastName]").Click();
        cut.Find("[data-testid=value-history-empty]").ShouldNotBeNull();
    }

    [Fact]
    public async Task TheMergeDialogPreselectsTheProposedValueAndSaysWhy()
    {
        using var _ = new CultureScope("en-US");
        // The other card's city was typed by an agent later: most recent (the default rule for a city) proposes it.
        var other = await _cards.Edits.CreateAsync(Alice, new CardProfile { FirstName = "Marianne", LastName = "Dashwood", City = "Delaford" }, []);
        var provider = Render<MudDialogProvider>();
        var dialogs = Services.GetRequiredService<IDialogService>();
        IDialogReference? reference = null;
        await provider.InvokeAsync(async () => reference = await dialogs.ShowAsync<MergeDialog>("Merge", new DialogParameters<MergeDialog>
        {
            { d => d.FirstCardId, _cardId },
            { d => d.SecondCardId, other },
        }));
        provider.WaitForElement("[data-testid=confirm-merge]:not([disabled])", TimeSpan.FromSeconds(10));

        provider.Find("[data-testid=proposal-city]").TextContent.ShouldStartWith("Proposed: the most recent value");
        provider.Find("[data-testid=take-merged-city]").HasAttribute("checked").ShouldBeTrue();
        provider.Find("[data-testid=confirm-merge]").Click();
        var result = await reference!.Result;
        var decision = (MergeDialog.MergeDecision)result!.Data!;
        decision.Choices["city"].ShouldBe(MergeChoice.Merged);
        decision.Choices["firstName"].ShouldBe(MergeChoice.Survivor);
    }
}

/// <summary>Sets the culture and UI culture for one test, and puts them back.</summary>
internal sealed class CultureScope : IDisposable
{
    private readonly System.Globalization.CultureInfo _culture = System.Globalization.CultureInfo.CurrentCulture;
    private readonly System.Globalization.CultureInfo _ui = System.Globalization.CultureInfo.CurrentUICulture;

    public CultureScope(string name)
    {
        System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo(name);
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(name);
    }

    public void Dispose()
    {
        System.Globalization.CultureInfo.CurrentCulture = _culture;
        System.Globalization.CultureInfo.CurrentUICulture = _ui;
    }
}
