using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Components.Shared.Cards;
using AgentWorkspace.Web.Security;
using AgentWorkspace.Web.Store.Core;
using Bunit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;
using Direction = AgentWorkspace.Core.Domain.Channels.Direction;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Cards;

public class CardComponentTests : BunitContext, IAsyncLifetime
{
    private TestDatabase _db = default!;
    private readonly InProcessChangeFeed _feed = new();
    private CardKit _cards = default!;
    private long _cardId, _caseId;

    public async ValueTask InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        await new Core.Features.Demo.ReferenceData(_db.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        (_cardId, _caseId) = await CardTestData.CardWithMessagesAsync(_db.Factory, 2, "Martin");
        var settings = new SettingsService(_db.Factory, _db.Runner(_feed), new SettingsDefaults());
        _cards = CardKit.Over(_db, _feed, settings);
        var read = await _cards.Reads.GetFirstViewAsync(CardTestData.Agent, _cardId);
        await _cards.Edits.UpdateProfileAsync(CardTestData.Agent, _cardId, read.Version, read.Profile with { PrimaryEmail = "zoe.martin@example.com", MobilePhone = "0612345678" });
        await using (var db = _db.Factory.CreateDbContext())
        {
            var card = await db.Cards.Include(c => c.Identities).FirstAsync(c => c.Id == _cardId);
            card.AddIdentity(Channel.Twitter, "@zoe_m", IdentityAddress.Normalize(Channel.Twitter, "@zoe_m", "FR"), DateTimeOffset.UtcNow, "Zoé M.", "https://x.com/zoe_m", 250, 40);
            await db.SaveChangesAsync();
        }
        await _cards.Edits.SetCustomFieldAsync(CardTestData.Agent, _cardId, "loyalty-tier", "Gold");

        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        Services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(_db.Factory);
        Services.AddSingleton<IChangeFeed>(_feed);
        Services.AddSingleton(TimeProvider.System);
        Services.AddSingleton(settings);
        Services.AddSingleton(_cards.Reads);
        Services.AddSingleton(_cards.Search);
        Services.AddSingleton(_cards.Edits);
        Services.AddSingleton(new Core.Features.Merge.MergeService(_db.Factory, _db.Runner(_feed), settings));
        Services.AddScoped<ActorAccessor>();
        Services.AddAgentWorkspaceStore();
        // The agent script panel beside the summary has its own tests (Tests/Scripts); here it stands as a stub.
        ComponentFactories.AddStub<AgentWorkspace.Web.Components.Shared.Scripts.AgentScriptPanel>();
        JSInterop.Mode = JSRuntimeMode.Loose;
        var auth = AddAuthorization();
        auth.SetAuthorized("Camille Laurent");
        auth.SetRoles("Agent");
        auth.SetClaims(new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.NameIdentifier, "agent-1"));
    }

    public new async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _db.DisposeAsync();
    }

    private IRenderedComponent<CondensedCard> RenderCard()
    {
        Render<MudPopoverProvider>();
        var cut = Render<CondensedCard>(p => p.Add(c => c.CardId, _cardId));
        cut.WaitForElement("[data-testid=condensed-name]", TimeSpan.FromSeconds(10));
        return cut;
    }

    [Fact]
    public void TheCondensedCardShowsWhoTheContactIsAtAGlance()
    {
        var cut = RenderCard();
        cut.Find("[data-testid=condensed-name]").TextContent.ShouldBe("Zoé Martin");
        cut.Find("[data-testid=condensed-company]").TextContent.ShouldBe("Acme");
        cut.Find("[data-testid=condensed-email]").TextContent.ShouldBe("zoe.martin@example.com");
        cut.Find("[data-testid=condensed-phone]").TextContent.ShouldBe("+33612345678");
        cut.Find("[data-testid=sentiment-neutral]").TextContent.Trim().ShouldBe("1");
        cut.Find("[data-testid=followers]").TextContent.ShouldContain("250");
        var social = cut.Find("[data-testid=social-link]");
        social.GetAttribute("href").ShouldBe("https://x.com/zoe_m");
        social.GetAttribute("target").ShouldBe("_blank");
        social.GetAttribute("rel").ShouldBe("noopener noreferrer");
        cut.Find("[data-testid=condensed-detail]").GetAttribute("href").ShouldBe($"/cards/{_cardId}");
        // Right-panel fields only: loyalty tier (editable), customer number (read-only); not the birth date.
        cut.Find("[data-testid=cf-loyalty-tier]").GetAttribute("data-editable").ShouldBe("true");
        cut.Find("[data-testid=cf-customer_number]").GetAttribute("data-editable").ShouldBe("false");
        cut.FindAll("[data-testid=cf-birth-date]").ShouldBeEmpty();
    }

    [Fact]
    public async Task TheCondensedCardFollowsEditsMessagesAndFieldDefinitionsLive()
    {
        var cut = RenderCard();

        var read = await _cards.Reads.GetFirstViewAsync(CardTestData.OtherAgent, _cardId);
        await _cards.Edits.UpdateProfileAsync(CardTestData.OtherAgent, _cardId, read.Version, read.Profile with { Company = "Globex" });
        cut.WaitForAssertion(() => cut.Find("[data-testid=condensed-company]").TextContent.ShouldBe("Globex"), TimeSpan.FromSeconds(10));

        await using (var db = _db.Factory.CreateDbContext())
        {
            var card = await db.Cards.FirstAsync(c => c.Id == _cardId);
            db.Messages.Add(new Message(_caseId, _cardId, Channel.Sms, "live-" + Guid.NewGuid(), Direction.Inbound, MessageKind.Sms, "Zoé", null, null, "Merci !", null, Sentiment.Positive, DateTimeOffset.UtcNow));
            card.RecordMessage(Sentiment.Positive, Direction.Inbound, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }
        _feed.Publish(new ChangeEvent(ChangeKind.MessageArrived, CardId: _cardId, CaseId: _caseId));
        cut.WaitForAssertion(() => cut.Find("[data-testid=sentiment-positive]").TextContent.Trim().ShouldBe("1"), TimeSpan.FromSeconds(10));

        // An administrator makes the loyalty tier read-only, hides the customer number and shows the birth date.
        await using (var db = _db.Factory.CreateDbContext())
        {
            var fields = await db.CustomFields.ToListAsync();
            fields.Single(f => f.Ident == "loyalty-tier").SetToggles(true, false, true);
            fields.Single(f => f.Ident == "customer_number").SetToggles(false, false, true);
            fields.Single(f => f.Ident == "birth-date").SetToggles(true, true, true);
            await db.SaveChangesAsync();
        }
        _feed.Publish(new ChangeEvent(ChangeKind.CustomFieldsChanged));
        cut.WaitForAssertion(() =>
        {
            cut.Find("[data-testid=cf-loyalty-tier]").GetAttribute("data-editable").ShouldBe("false");
            cut.Find("[data-testid=cf-loyalty-tier] [data-testid=cf-value]").TextContent.ShouldBe("Gold");
            cut.FindAll("[data-testid=cf-customer_number]").ShouldBeEmpty();
            cut.Find("[data-testid=cf-birth-date]").GetAttribute("data-editable").ShouldBe("true");
        }, TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task AnInvalidValueTypedInTheCondensedCardIsRefusedNextToTheFieldInTheAgentsLanguage()
    {
        await using (var db = _db.Factory.CreateDbContext())
        {
            db.CustomFields.Add(new CustomFieldDefinition(FieldIdent.Parse("website"), "Website", CustomFieldType.Url, null, true, true, true, 9, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
        _cards.Reads.ForgetCustomFields();
        var original = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo("fr");
        try
        {
            await TypeAWebsiteAsync();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = original;
        }
    }

    private async Task TypeAWebsiteAsync()
    {
        var cut = RenderCard();
        cut.Find("[data-testid=cf-website] input").Change("not a url");
        cut.WaitForAssertion(() => cut.Find("[data-testid=cf-website]").TextContent.ShouldContain("Saisissez une adresse http(s)."), TimeSpan.FromSeconds(10));
        await using (var db = _db.Factory.CreateDbContext())
            (await db.CustomFieldValues.CountAsync(v => v.CardId == _cardId)).ShouldBe(1);

        cut.Find("[data-testid=cf-website] input").Change("https://zoe.example.com");
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=cf-website] .mud-input-error").ShouldBeEmpty(), TimeSpan.FromSeconds(10));
        (await _cards.Reads.GetCondensedAsync(CardTestData.Agent, _cardId)).RightPanelFields.Single(f => f.Ident == "website").Value.ShouldBe("https://zoe.example.com/");
    }

    [Fact]
    public void TheProfileEditorSavesTheDraftWithTheVersionItStartedFromAndShowsErrorsByTheirField()
    {
        Render<MudPopoverProvider>();
        (long Version, CardProfile Profile, CardProfile Basis)? saved = null;
        var profile = new CardProfile { FirstName = "Zoé", LastName = "Martin", City = "Lyon" };
        var cut = Render<ProfileEditor>(p => p
            .Add(e => e.Profile, profile).Add(e => e.Version, 4)
            .Add(e => e.OnSave, s => saved = s));
        cut.Find("[data-testid=save-profile]").HasAttribute("disabled").ShouldBeTrue();

        cut.Find("[data-testid=profile-city] input, input[data-testid=profile-city]").Input("Nantes");
        cut.Find("[data-testid=profile-primaryEmail] input, input[data-testid=profile-primaryEmail]").Input("not-an-email");
        // Another agent's save arrives while this one types: the draft and its version stay.
        cut.Render(p => p.Add(e => e.Profile, profile with { City = "Paris" }).Add(e => e.Version, 5));
        cut.Find("[data-testid=profile-city] input, input[data-testid=profile-city]").GetAttribute("value").ShouldBe("Nantes");
        // MudBlazor applies typed values asynchronously: Save is offered once the draft is dirty, as the agent sees it.
        cut.WaitForAssertion(() => cut.Find("[data-testid=save-profile]").HasAttribute("disabled").ShouldBeFalse());
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => saved.ShouldNotBeNull());
        saved.ShouldNotBeNull();
        saved.Value.Version.ShouldBe(4);
        saved.Value.Profile.City.ShouldBe("Nantes");
        saved.Value.Profile.PrimaryEmail.ShouldBe("not-an-email");
        saved.Value.Basis.City.ShouldBe("Lyon");

        cut.Render(p => p.Add(e => e.Errors, new Dictionary<string, string> { ["primaryEmail"] = "Enter a valid e-mail address." }));
        var email = cut.Find("[data-testid=profile-primaryEmail]").Closest(".mud-input-control")!;
        email.TextContent.ShouldContain("Enter a valid e-mail address.");
        cut.Find("[data-testid=profile-city]").Closest(".mud-input-control")!.TextContent.ShouldNotContain("Enter a valid");

        // After the save (a new generation) the form starts again from what is stored.
        cut.Render(p => p.Add(e => e.Profile, profile with { City = "Nantes" }).Add(e => e.Version, 6).Add(e => e.Generation, 1).Add(e => e.Errors, new Dictionary<string, string>()));
        cut.Find("[data-testid=save-profile]").HasAttribute("disabled").ShouldBeTrue();
    }

    [Theory]
    [InlineData("en", "Enter a first or last name: this card has no channel identity to recognise the contact by.")]
    [InlineData("fr", "Saisissez un prénom ou un nom : cette carte n'a aucune identité de canal qui permette de reconnaître le contact.")]
    public async Task EmptyingTheNameOfACardWithoutIdentityIsRefusedNextToTheLastName_InTheAgentsLanguage(string culture, string said)
    {
        var nameless = await _cards.Edits.CreateAsync(CardTestData.Agent, new CardProfile { FirstName = "Inès", LastName = "Sans-Canal" }, []);
        var original = System.Globalization.CultureInfo.CurrentUICulture;
        System.Globalization.CultureInfo.CurrentUICulture = new System.Globalization.CultureInfo(culture);
        try
        {
            var (cut, state) = RenderCardPage(nameless);
            cut.FindAll("[role=tab]").Single(t => t.TextContent.Contains(culture == "fr" ? "Profil" : "Profile", StringComparison.Ordinal)).Click();
            var card = state.Value.Card!;
            var dispatcher = Services.GetRequiredService<IDispatcher>();
            await cut.InvokeAsync(() => dispatcher.Dispatch(new Web.Store.Cards.SaveProfileAction(nameless, card.Version, card.Profile with { FirstName = null, LastName = " " }, card.Profile)));

            cut.WaitForAssertion(() => cut.Find("[data-testid=profile-lastName]").Closest(".mud-input-control")!.TextContent.ShouldContain(said), TimeSpan.FromSeconds(10));
            cut.Find("[data-testid=profile-firstName]").Closest(".mud-input-control")!.TextContent.ShouldNotContain(said);
            (await _cards.Reads.GetFirstViewAsync(CardTestData.Agent, nameless)).Profile.LastName.ShouldBe("Sans-Canal");
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = original;
        }
    }

    /// <summary>The card page of the seeded card (or another), once its first view and extras are in.</summary>
    private (IRenderedComponent<Web.Components.Pages.Cards.CardPage> Cut, IState<Web.Store.Cards.CardDetailState> State) RenderCardPage(long? cardId = null)
    {
        Render<MudPopoverProvider>();
        var state = Services.GetRequiredService<IState<Web.Store.Cards.CardDetailState>>();
        var cut = Render<Web.Components.Pages.Cards.CardPage>(p => p.Add(c => c.CardId, cardId ?? _cardId));
        // The seeded card has a case, hence a conversation summary; a card without cases has none to wait for.
        if (cardId is null) cut.WaitForElement("[data-testid=conversation-summary]", TimeSpan.FromSeconds(10));
        else cut.WaitForAssertion(() => state.Value.Card?.Id.ShouldBe(cardId.Value), TimeSpan.FromSeconds(10));
        cut.WaitForAssertion(() => state.Value.Extras.ShouldNotBeNull(), TimeSpan.FromSeconds(10));
        return (cut, state);
    }

    [Fact]
    public void TheTimelineIsReadWhenItsTabIsShown_NotWithEveryOpenedCard()
    {
        var (cut, state) = RenderCardPage();
        (state.Value.TimelineShown, state.Value.Timeline.Count).ShouldBe((false, 0));

        cut.FindAll("[role=tab]").Single(t => t.TextContent.Contains("Timeline", StringComparison.Ordinal)).Click();
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=timeline-item]").ShouldNotBeEmpty(), TimeSpan.FromSeconds(10));
        state.Value.TimelineShown.ShouldBeTrue();
    }

    [Fact]
    public void TheCardPageRedrawsItsHeaderWhenTheCardChanges_NotWhenTheTabsDataArrives()
    {
        var (cut, state) = RenderCardPage();
        var dispatcher = Services.GetRequiredService<IDispatcher>();
        // The indicators take a record, so they are drawn again whenever the page draws its header.
        var header = cut.FindComponent<CardIndicatorsView>();
        var renders = header.RenderCount;

        var extras = state.Value.Extras!;
        cut.InvokeAsync(() => dispatcher.Dispatch(new Web.Store.Cards.CardExtrasLoadedAction(_cardId, extras with { RecentCases = [] })));
        cut.WaitForAssertion(() => cut.FindAll("[data-testid=recent-cases]").ShouldBeEmpty(), TimeSpan.FromSeconds(10));
        header.RenderCount.ShouldBe(renders);

        var card = state.Value.Card!;
        cut.InvokeAsync(() => dispatcher.Dispatch(new Web.Store.Cards.ProfileSavedAction(_cardId, card.Version + 1, card.Profile with { City = "Nantes" })));
        cut.WaitForAssertion(() => cut.Find("[data-testid=card-header]").GetAttribute("data-version").ShouldBe((card.Version + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), TimeSpan.FromSeconds(10));
        header.RenderCount.ShouldBeGreaterThan(renders);
    }
}
