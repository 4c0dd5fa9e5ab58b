using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Merge;

/// <summary>Issue 21, "the seed's story must work": names equal after normalisation, initials, close names, common names.</summary>
[Trait("Category", "Service")]
public class NameMatchingTests
{
    private static readonly Actor Script = new("apikey:test", "Connector", Role.Agent);
    private static readonly Actor Camille = new("u-camille", "Camille Laurent", Role.Agent);
    private static readonly Actor Sophie = new("u-sophie", "Sophie Moreau", Role.Supervisor);

    // ---- the rule table

    [Theory]
    [InlineData("Edward", "Ferrars", "Edward", "Ferrars")]
    [InlineData("Edward", "Ferrars", "Ferrars", "Edward")]            // swapped fields
    [InlineData("Edward", "Ferrars", "EDWARD", "FERRARS")]            // case
    [InlineData("Edward", "Ferrars", "édward", "férrars")]            // accents
    [InlineData("Edward Ferrars", null, "Edward", "Ferrars")]         // the whole name in one field
    [InlineData("Jean-Pierre", "Dupont", "Jean Pierre", "Dupont")]    // hyphen and space
    [InlineData("Jean-Pierre", "Dupont", "Jeanpierre", "Dupont")]     // hyphen and nothing
    [InlineData("Zoé", "Le Gall", "Zoe", "Legall")]                   // a particle written apart or together
    [InlineData("Anne", "O'Brien", "Anne", "OBrien")]                 // apostrophe
    [InlineData("Jürgen", "Straße", "Jurgen", "Strasse")]             // ß spelt out
    [InlineData("Søren", "Kierkegaard", "Soren", "Kierkegaard")]      // ø
    [InlineData("Łukasz", "Nowak", "Lukasz", "Nowak")]                // ł
    [InlineData("İlker", "Şahin", "ilker", "sahin")]                   // Turkish dotted capital I, cedilla
    [InlineData("أحمد", "الشامي", "احمد", "الشامي")]                  // Arabic: hamza on alif is a mark
    [InlineData("مُحَمَّد", "علي", "محمد", "علي")]                       // Arabic vowel marks
    [InlineData("محمـــد", "علي", "محمد", "علي")]                       // Arabic tatweel
    [InlineData("小明", "王", "王", "小明")]                             // Chinese: family name first or last
    [InlineData("𠀋", "𡈽", "𡈽", "𠀋")]                                 // letters outside the BMP, kept whole
    public void NamesThatAreTheSameAfterNormalisationHaveOneKey(string? first1, string? last1, string? first2, string? last2)
    {
        var a = NameKeys.Key(first1, last1);
        a.ShouldNotBeEmpty();
        NameKeys.Key(first2, last2).ShouldBe(a);
    }

    [Theory]
    [InlineData("Edward", "Ferrars", "Robert", "Ferrars")]
    [InlineData("Edward", "Ferrars", "Edward", "Ferrar")]
    [InlineData("王", "小明", "王", "小红")]
    [InlineData("محمد", "علي", "محمود", "علي")]
    [InlineData("Anna", "Lee", "Ann", "Alee")]
    public void DifferentNamesHaveDifferentKeys(string first1, string last1, string first2, string last2) =>
        NameKeys.Key(first2, last2).ShouldNotBe(NameKeys.Key(first1, last1));

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "  ")]
    [InlineData(".", "-")]
    [InlineData("'", "’")]
    public void ANameWithoutLettersHasNoKey(string? first, string? last)
    {
        NameKeys.Key(first, last).ShouldBeEmpty();
        NameKeys.InitialKey(first, last).ShouldBeEmpty();
        NameKeys.InitialVariants(first, last).ShouldBeEmpty();
    }

    [Fact]
    public void AnInitialMeetsTheFullName()
    {
        NameKeys.HasInitial("E.", "Ferrars").ShouldBeTrue();
        NameKeys.HasInitial("Edward", "Ferrars").ShouldBeFalse();
        NameKeys.Key("E.", "Ferrars").ShouldBe(NameKeys.InitialKey("Edward", "Ferrars"));
        NameKeys.Key("É", "FERRARS").ShouldBe(NameKeys.InitialKey("Edward", "Ferrars"));
        NameKeys.InitialVariants("Edward", "Ferrars").ShouldContain(NameKeys.Key("E.", "Ferrars"));
        NameKeys.InitialVariants("Edward", "Ferrars").ShouldContain(NameKeys.Key("Edward", "F."));
        NameKeys.InitialKey("𠀋x", "Wang").ShouldBe(NameKeys.Key("𠀋", "Wang"));
    }

    [Fact]
    public void AMergedOrAnonymizedCardHasNoNameKey_AndAnUndoneMergeGetsItBack()
    {
        var now = DateTimeOffset.UtcNow;
        var a = new CustomerCard(new CardProfile { FirstName = "Edward", LastName = "Ferrars" }, "FR", now, 1);
        var b = new CustomerCard(new CardProfile { FirstName = "E.", LastName = "Ferrars" }, "FR", now, 2);
        (b.NameKey, b.InitialKey).ShouldBe((NameKeys.Key("E", "Ferrars"), NameKeys.Key("E", "Ferrars")));
        a.Absorb(b, a.Profile, "FR", now);
        (b.NameKey, b.InitialKey).ShouldBe(("", ""));
        b.RestoreFromMerge(now);
        b.NameKey.ShouldBe(NameKeys.Key("E", "Ferrars"));
        a.Anonymize(now);
        (a.NameKey, a.InitialKey).ShouldBe(("", ""));
    }

    // ---- scoring, without a database

    [Fact]
    public void ACloseNameAloneIsNotSuggested_WithOneMoreSharedSignalItIs()
    {
        var now = DateTimeOffset.UtcNow;
        var a = new CustomerCard(new CardProfile { FirstName = "Edward", LastName = "Ferrars", Company = "Norland", PrimaryEmail = "edward@norland-park.co.uk" }, "FR", now, 1);
        var alone = new CustomerCard(new CardProfile { FirstName = "Edwart", LastName = "Ferrars" }, "FR", now, 2);
        var scoredAlone = DuplicateService.Score(a, [], ["edward@norland-park.co.uk"], alone);
        scoredAlone.Reasons.Select(r => r.Kind).ShouldBe([DuplicateReasonKind.SimilarName]);
        DuplicateService.IsSuggested(scoredAlone).ShouldBeFalse();

        foreach (var (profile, signal) in new (CardProfile, DuplicateReasonKind)[]
        {
            (new CardProfile { FirstName = "Edwart", LastName = "Ferrars", Company = "NORLAND" }, DuplicateReasonKind.SameCompany),
            (new CardProfile { FirstName = "Edwart", LastName = "Ferrars", PrimaryEmail = "e.ferrars@Norland-Park.co.uk" }, DuplicateReasonKind.SameEmailDomain),
        })
        {
            var other = new CustomerCard(profile, "FR", now, 3);
            var scored = DuplicateService.Score(a, [], ["edward@norland-park.co.uk"], other);
            scored.Reasons.Select(r => r.Kind).ShouldBe([DuplicateReasonKind.SimilarName, signal], ignoreOrder: true);
            DuplicateService.IsSuggested(scored).ShouldBeTrue(signal.ToString());
        }

        // A public mail service says nothing; a number one digit away from another does (same office line).
        var gmailA = new CustomerCard(new CardProfile { FirstName = "Edward", LastName = "Ferrars", PrimaryEmail = "edward@gmail.com", MobilePhone = "+33612345678" }, "FR", now, 4);
        var gmailB = new CustomerCard(new CardProfile { FirstName = "Edwart", LastName = "Ferrars", PrimaryEmail = "ferrars@gmail.com" }, "FR", now, 5);
        DuplicateService.IsSuggested(DuplicateService.Score(gmailA, ["+33612345678"], ["edward@gmail.com"], gmailB)).ShouldBeFalse();
        var office = new CustomerCard(new CardProfile { FirstName = "Edwart", LastName = "Ferrars", MobilePhone = "+33612345699" }, "FR", now, 6);
        var byPrefix = DuplicateService.Score(gmailA, ["+33612345678"], ["edward@gmail.com"], office);
        byPrefix.Reasons.ShouldContain(r => r.Kind == DuplicateReasonKind.SamePhonePrefix && r.Detail == "+336123456xx");
        DuplicateService.IsSuggested(byPrefix).ShouldBeTrue();
    }

    [Fact]
    public void TheSameNameIsAlwaysSuggested_AndACommonOneWeighsLessAndSaysSo()
    {
        var now = DateTimeOffset.UtcNow;
        var a = new CustomerCard(new CardProfile { FirstName = "Marie", LastName = "Martin" }, "FR", now, 1);
        var b = new CustomerCard(new CardProfile { FirstName = "MARTIN", LastName = "Marie" }, "FR", now, 2);
        var rare = DuplicateService.Score(a, [], [], b, nameCards: 2);
        rare.Reasons.Select(r => r.Kind).ShouldBe([DuplicateReasonKind.SameName]);
        rare.Score.ShouldBe(DuplicateService.SameNameWeight);

        var common = DuplicateService.Score(a, [], [], b, nameCards: 300);
        common.Reasons.Select(r => r.Kind).ShouldBe([DuplicateReasonKind.SameName, DuplicateReasonKind.CommonName]);
        var penalty = common.Reasons.Single(r => r.Kind == DuplicateReasonKind.CommonName);
        (penalty.Detail, penalty.Weight < 0).ShouldBe(("300", true));
        common.Score.ShouldBeLessThan(rare.Score);
        common.Score.ShouldBeLessThan(DuplicateService.Threshold);
        DuplicateService.IsSuggested(common).ShouldBeTrue("the same name is always suggested, however common");
        DuplicateService.Score(a, [], [], b, nameCards: 3000).Score.ShouldBeLessThan(common.Score);
    }

    // ---- the seed's story on a real database

    [Fact]
    public async Task ACallAndAnEmailFromEdwardFerrarsSuggestEachOther_OnTheCardAndForSupervisors()
    {
        var (test, ingest, duplicates, _) = await WorldAsync();
        await using var _ = test;
        var call = await ingest.IngestAsync(Script, new InteractionRequest
        {
            Channel = Channel.Voice, ExternalId = "call-1", From = new InteractionSender { Address = "+33 6 11 22 33 44", DisplayName = "Edward Ferrars" }, Body = "Appel entrant",
        });
        var mail = await ingest.IngestAsync(Script, new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = "<m1@classics.example>", From = new InteractionSender { Address = "edward.f@gmail.com", DisplayName = "Edward Ferrars" },
            Subject = "Ma commande", Body = "Bonjour",
        });
        call.CardId.ShouldNotBe(mail.CardId);

        var fromCall = await duplicates.SuggestAsync(Camille, call.CardId);
        var match = fromCall.ShouldHaveSingleItem();
        match.CardId.ShouldBe(mail.CardId);
        match.Reasons.ShouldContain(r => r.Kind == DuplicateReasonKind.SameName && r.Weight == DuplicateService.SameNameWeight);
        (await duplicates.SuggestAsync(Camille, mail.CardId)).ShouldContain(c => c.CardId == call.CardId);
        (await duplicates.TopPairsAsync(Sophie)).ShouldContain(p => new[] { p.CardId, p.Candidate.CardId }.Order().SequenceEqual(new[] { call.CardId, mail.CardId }.Order()));
    }

    [Theory]
    [InlineData("FERRARS Edward", DuplicateReasonKind.SameName)]
    [InlineData("édward ferrars", DuplicateReasonKind.SameName)]
    [InlineData("Ferrars, Edward", DuplicateReasonKind.SameName)]
    [InlineData("E. Ferrars", DuplicateReasonKind.SameNameWithInitial)]
    public async Task EveryWayOfWritingTheNameFindsTheCard_BothWays(string displayName, DuplicateReasonKind kind)
    {
        var (test, ingest, duplicates, _) = await WorldAsync();
        await using var _ = test;
        var call = await ingest.IngestAsync(Script, new InteractionRequest
        {
            Channel = Channel.Voice, ExternalId = "call-1", From = new InteractionSender { Address = "+33611223344", DisplayName = "Edward Ferrars" }, Body = "Appel",
        });
        var other = await ingest.IngestAsync(Script, new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = "<m2@x.example>", From = new InteractionSender { Address = "someone@x.example", DisplayName = displayName }, Body = "Bonjour",
        });
        (await duplicates.SuggestAsync(Camille, call.CardId)).ShouldHaveSingleItem().Reasons.ShouldContain(r => r.Kind == kind);
        (await duplicates.SuggestAsync(Camille, other.CardId)).ShouldHaveSingleItem().CardId.ShouldBe(call.CardId);
    }

    [Fact]
    public async Task ACommonNameIsCountedOnWrite_AndRanksBelowTheSameNameWithMoreInCommon()
    {
        var (test, _, duplicates, cards) = await WorldAsync();
        await using var _ = test;
        var ids = new List<long>();
        for (var i = 0; i < 12; i++)
            ids.Add(await cards.CreateAsync(Camille, new CardProfile { FirstName = "Marie", LastName = "Martin", City = i == 5 ? "Lyon" : null }, []));
        var withLyon = await cards.CreateAsync(Camille, new CardProfile { FirstName = "marie", LastName = "MARTIN", City = "Lyon" }, []);
        var suggestions = await duplicates.SuggestAsync(Camille, withLyon);
        suggestions.Count.ShouldBe(10, "the same name is always suggested, up to the limit");
        suggestions[0].CardId.ShouldBe(ids[5], "the same name and the same city first");
        var penalty = suggestions[1].Reasons.Where(r => r.Kind == DuplicateReasonKind.CommonName).ShouldHaveSingleItem();
        penalty.Detail.ShouldBe("13");
        suggestions[1].Score.ShouldBeLessThan(DuplicateService.SameNameWeight);
    }

    [Fact]
    public async Task TheNameCountsFollowEveryWrite_CreateEditMergeUndoErase()
    {
        var (test, ingest, _, cards) = await WorldAsync();
        await using var _ = test;
        var settings = new SettingsService(test.Factory, test.Runner(), new SettingsDefaults("FR"));
        var merges = new MergeService(test.Factory, test.Runner(), settings);
        var privacy = new PrivacyService(test.Factory, test.Runner(), TimeProvider.System);
        var a = await cards.CreateAsync(Camille, new CardProfile { FirstName = "Elinor", LastName = "Dashwood" }, []);
        var b = (await ingest.IngestAsync(Script, new InteractionRequest
        {
            Channel = Channel.Sms, ExternalId = "sms-1", From = new InteractionSender { Address = "+33699887766", DisplayName = "DASHWOOD Elinor" }, Body = "Bonjour",
        })).CardId;
        var c = await cards.CreateAsync(Camille, new CardProfile { FirstName = "Marianne", LastName = "Dashwood" }, []);
        await CountsMatchTheCardsAsync(test, (NameKeys.Key("Elinor", "Dashwood"), 2), (NameKeys.Key("Marianne", "Dashwood"), 1));

        long version;
        await using (var db = test.Factory.CreateDbContext()) version = await db.Cards.Where(x => x.Id == c).Select(x => x.Version).SingleAsync();
        await cards.UpdateProfileAsync(Camille, c, version, new CardProfile { FirstName = "Elinor", LastName = "Dashwood" });
        await CountsMatchTheCardsAsync(test, (NameKeys.Key("Elinor", "Dashwood"), 3));

        var merge = await merges.MergeAsync(Sophie, a, b);
        await CountsMatchTheCardsAsync(test, (NameKeys.Key("Elinor", "Dashwood"), 2));
        await merges.UndoAsync(Sophie, merge.MergeId);
        await CountsMatchTheCardsAsync(test, (NameKeys.Key("Elinor", "Dashwood"), 3));

        foreach (var id in new[] { a, b, c }) await privacy.AnonymizeAsync(Sophie, id, force: true);
        await CountsMatchTheCardsAsync(test);
    }

    /// <summary>The counts the triggers keep are exactly the active cards' keys counted now, and nothing else.</summary>
    private static async Task CountsMatchTheCardsAsync(TestDatabase test, params (string Key, int Count)[] expected)
    {
        await using var db = test.Factory.CreateDbContext();
        var kept = (await db.NameFrequencies.AsNoTracking().ToListAsync()).Select(f => (f.NameKey, f.CardCount)).OrderBy(x => x.NameKey, StringComparer.Ordinal).ToList();
        var counted = (await db.Cards.Where(c => c.NameKey != "").GroupBy(c => c.NameKey).Select(g => new { g.Key, Count = g.Count() }).ToListAsync())
            .Select(x => (x.Key, x.Count)).OrderBy(x => x.Key, StringComparer.Ordinal).ToList();
        kept.ShouldBe(counted);
        kept.ShouldBe(expected.OrderBy(x => x.Key, StringComparer.Ordinal).ToList());
        (await db.Cards.CountAsync(c => c.Status != CardStatus.Active && (c.NameKey != "" || c.InitialKey != ""))).ShouldBe(0);
    }

    private static async Task<(TestDatabase, IngestService, DuplicateService, CardEdits)> WorldAsync()
    {
        var test = await TestDatabase.CreateAsync();
        await new Core.Features.Demo.ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var runner = test.Runner(new InProcessChangeFeed());
        var settings = new SettingsService(test.Factory, runner, new SettingsDefaults("FR"));
        var ingest = new IngestService(test.Factory, runner, settings, new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        return (test, ingest, new DuplicateService(test.Factory, runner), new CardEdits(test.Factory, runner, settings, TimeProvider.System));
    }
}
