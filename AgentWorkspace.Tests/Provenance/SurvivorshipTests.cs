using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Tests.Ingest;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Provenance;

/// <summary>Field survivorship (issue 21): the rules, their ties and empty values, the admin setting, and the merge preview's proposal.</summary>
public class SurvivorshipTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly SurvivorshipRules Recent = Only(SurvivorshipRule.MostRecent);
    private static readonly SurvivorshipRules Frequent = Only(SurvivorshipRule.MostFrequent);
    private static readonly SurvivorshipRules Priority = Only(SurvivorshipRule.SourcePriority);

    private static SurvivorshipRules Only(SurvivorshipRule rule) => new(new Dictionary<string, SurvivorshipRule> { ["city"] = rule });

    /// <summary>A card whose city is <paramref name="city"/>, set by <paramref name="kind"/> <paramref name="hoursAgo"/> hours before T0 (null: no row).</summary>
    private static SurvivorshipCandidate Card(long id, string? city, ValueSourceKind? kind = null, int? hoursAgo = null)
    {
        var sources = new Dictionary<string, ValueProvenance>();
        if (kind is { } k)
            sources["city"] = new ValueProvenance(id, "city", city, new ValueSource(k, "ref", "label"), T0.AddHours(-(hoursAgo ?? 0)));
        return new SurvivorshipCandidate(id, new Dictionary<string, string?> { ["city"] = city }, sources);
    }

    private static SurvivingValue City(SurvivorshipRules rules, params SurvivorshipCandidate[] cards) =>
        SurvivorshipService.Decide(cards, rules, ["city"]).Single();

    [Fact]
    public void MostRecentTakesTheNewerValue_AKnownTimeBeatsAnUnknownOne_TwoUnknownTimesKeepTheSurvivors()
    {
        var v = City(Recent, Card(1, "Lyon", ValueSourceKind.Agent, 48), Card(2, "Paris", ValueSourceKind.Channel, 1));
        (v.CardId, v.Value, v.Reason, v.Source).ShouldBe((2L, "Paris", SurvivorshipReason.MostRecent, ValueSourceKind.Channel));
        City(Recent, Card(1, "Lyon"), Card(2, "Paris", ValueSourceKind.Agent, 1000)).CardId.ShouldBe(2);
        var tie = City(Recent, Card(1, "Lyon"), Card(2, "Paris"));
        (tie.CardId, tie.Reason).ShouldBe((1L, SurvivorshipReason.Tie));
        var sameTime = City(Recent, Card(1, "Lyon", ValueSourceKind.Agent, 2), Card(2, "Paris", ValueSourceKind.Agent, 2));
        (sameTime.CardId, sameTime.Reason).ShouldBe((1L, SurvivorshipReason.Tie));
    }

    [Theory]
    [InlineData(SurvivorshipRule.MostRecent)]
    [InlineData(SurvivorshipRule.MostFrequent)]
    [InlineData(SurvivorshipRule.SourcePriority)]
    public void AnEmptyValueNeverWins_EqualValuesUpToCaseAndAccentsAreOne_NoValueAtAllSaysSo(SurvivorshipRule rule)
    {
        var rules = Only(rule);
        var only = City(rules, Card(1, null, ValueSourceKind.Agent, 0), Card(2, "Paris", ValueSourceKind.Channel, 100), Card(3, "  "));
        (only.CardId, only.Value, only.Reason, only.Cards).ShouldBe((2L, "Paris", SurvivorshipReason.OnlyValue, 1));
        var same = City(rules, Card(1, "Orléans"), Card(2, "orleans", ValueSourceKind.Agent, 0));
        (same.CardId, same.Reason, same.Cards).ShouldBe((1L, SurvivorshipReason.Same, 2));
        City(rules, Card(1, null), Card(2, "")).Reason.ShouldBe(SurvivorshipReason.NoValue);
    }

    [Fact]
    public void MostFrequentTakesTheValueMostCardsHold_ATieFallsBackToTheMostRecentThenTheSurvivor()
    {
        var v = City(Frequent, Card(1, "Lyon", ValueSourceKind.Agent, 0), Card(2, "Paris", ValueSourceKind.Channel, 5), Card(3, "paris", ValueSourceKind.Channel, 9));
        (v.CardId, v.Value, v.Reason, v.Cards).ShouldBe((2L, "Paris", SurvivorshipReason.MostFrequent, 2));
        var tie = City(Frequent, Card(1, "Lyon", ValueSourceKind.Agent, 10), Card(2, "Paris", ValueSourceKind.Channel, 5));
        (tie.CardId, tie.Reason).ShouldBe((2L, SurvivorshipReason.MostRecent));
        City(Frequent, Card(1, "Lyon"), Card(2, "Paris")).Reason.ShouldBe(SurvivorshipReason.Tie);
    }

    [Fact]
    public void SourcePriorityPutsAgentsBeforeApiKeysBeforeCrmBeforeChannels_AMergedValueCountsAsItsOrigin_ATieFallsBackToTheMostRecent()
    {
        City(Priority, Card(1, "Lyon", ValueSourceKind.Channel, 0), Card(2, "Paris", ValueSourceKind.Agent, 500)).ShouldSatisfyAllConditions(
            v => v.CardId.ShouldBe(2), v => v.Reason.ShouldBe(SurvivorshipReason.SourcePriority), v => v.Source.ShouldBe(ValueSourceKind.Agent));
        City(Priority, Card(1, "Lyon", ValueSourceKind.Channel, 0), Card(2, "Paris", ValueSourceKind.Crm, 9)).CardId.ShouldBe(2);
        City(Priority, Card(1, "Lyon", ValueSourceKind.ApiKey, 9), Card(2, "Paris", ValueSourceKind.Crm, 0)).CardId.ShouldBe(1);
        City(Priority, Card(1, "Lyon"), Card(2, "Paris", ValueSourceKind.Channel, 9)).CardId.ShouldBe(2, "unknown is the lowest");

        // A value the survivor took from another card by a merge is worth what its origin was worth (here an agent's).
        var mergedIn = new ValueProvenance(1, "city", "Lyon", ValueSource.FromCard(9), T0,  mergeId: 3,
            origin: new ValueProvenance(9, "city", "Lyon", new ValueSource(ValueSourceKind.Agent, "a", "Alice"), T0.AddDays(-30)));
        var survivor = new SurvivorshipCandidate(1, new Dictionary<string, string?> { ["city"] = "Lyon" }, new Dictionary<string, ValueProvenance> { ["city"] = mergedIn });
        var v = City(Priority, survivor, Card(2, "Paris", ValueSourceKind.Channel, 0));
        (v.CardId, v.Source, v.At).ShouldBe((1L, ValueSourceKind.Agent, T0.AddDays(-30)));
        City(Recent, survivor, Card(2, "Paris", ValueSourceKind.Channel, 1)).CardId.ShouldBe(2, "the merged value dates from when it was first set");

        var tie = City(Priority, Card(1, "Lyon", ValueSourceKind.Agent, 30), Card(2, "Paris", ValueSourceKind.Agent, 3));
        (tie.CardId, tie.Reason).ShouldBe((2L, SurvivorshipReason.MostRecent));
    }

    [Fact]
    public void DefaultsCoverEveryProfileFieldAndCustomFields_AStoredRuleOverridesItsField()
    {
        SurvivorshipRules.ProfileFields.ShouldAllBe(f => SurvivorshipRules.Defaults.Fields.ContainsKey(f));
        SurvivorshipRules.Defaults.RuleFor("cf:anything").ShouldBe(SurvivorshipRule.MostRecent);
        SurvivorshipRules.Defaults.RuleFor("firstName").ShouldBe(SurvivorshipRule.SourcePriority);
    }

    [Fact]
    [Trait("Category", "Service")]
    public async Task AdministratorsSetRulesAudited_UnknownFieldsAreRefused_TheMergePreviewPreselectsTheProposalAndSaysWhy()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var feed = new InProcessChangeFeed();
        var settings = new SettingsService(test.Factory, test.Runner(feed), new SettingsDefaults());
        var cards = CardKit.Over(test, feed, settings);
        var service = new SurvivorshipService(test.Factory, test.Runner(feed));
        var merge = new MergeService(test.Factory, test.Runner(feed), settings);
        var admin = new Actor("admin-1", "Alex Admin", Role.Admin);
        var agent = new Actor("agent-1", "Alice Martin", Role.Agent);

        await Should.ThrowAsync<Core.Domain.Common.ForbiddenException>(() => service.SaveRulesAsync(agent, new Dictionary<string, SurvivorshipRule> { ["city"] = SurvivorshipRule.MostFrequent }));
        var refused = await Should.ThrowAsync<AdminRuleException>(() => service.SaveRulesAsync(admin, new Dictionary<string, SurvivorshipRule> { ["shoeSize"] = SurvivorshipRule.MostFrequent }));
        refused.Code.ShouldBe("SurvivorshipUnknownField");
        (await Should.ThrowAsync<AdminRuleException>(() => service.SaveRulesAsync(admin, new Dictionary<string, SurvivorshipRule> { ["city"] = (SurvivorshipRule)42 }))).Code.ShouldBe("SurvivorshipUnknownRule");

        var saved = await service.SaveRulesAsync(admin, new Dictionary<string, SurvivorshipRule> { ["lastName"] = SurvivorshipRule.MostRecent, ["cf:loyalty-tier"] = SurvivorshipRule.SourcePriority });
        saved.RuleFor("lastName").ShouldBe(SurvivorshipRule.MostRecent);
        (await service.GetRulesAsync(agent)).RuleFor("cf:loyalty-tier").ShouldBe(SurvivorshipRule.SourcePriority);
        (await service.GetRulesAsync(agent)).RuleFor("city").ShouldBe(SurvivorshipRule.MostRecent, "the others keep their defaults");
        await using (var db = test.Factory.CreateDbContext())
            (await db.Audit.Where(a => a.EntityType == "Setting" && a.EntityId == AppSetting.Survivorship).Select(a => a.Field + ":" + a.Before + ">" + a.After).ToListAsync())
                .Order().ShouldBe(["cf:loyalty-tier:MostRecent>SourcePriority", "lastName:SourcePriority>MostRecent"]);

        // The channel made the survivor (its first name from the SMS display name); an agent typed the other card's first name.
        var ingest = new IngestService(test.Factory, test.Runner(feed), settings, new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        var survivor = (await ingest.IngestAsync(IngestKit.Script, IngestKit.On(Core.Domain.Channels.Channel.Sms, "+33699887766", displayName: "Ed Ferrar"))).CardId;
        var other = await cards.Edits.CreateAsync(agent, new CardProfile { FirstName = "Edward", LastName = "Ferrars", City = "Norland" }, []);

        var proposal = await service.ProposeAsync(agent, [survivor, other]);
        proposal.Single(p => p.Field == "firstName").ShouldSatisfyAllConditions(
            p => p.CardId.ShouldBe(other), p => p.Reason.ShouldBe(SurvivorshipReason.SourcePriority), p => p.Source.ShouldBe(ValueSourceKind.Agent));
        proposal.Single(p => p.Field == "lastName").ShouldSatisfyAllConditions(p => p.CardId.ShouldBe(other), p => p.Reason.ShouldBe(SurvivorshipReason.MostRecent));
        proposal.Single(p => p.Field == "mobilePhone").Reason.ShouldBe(SurvivorshipReason.OnlyValue);
        await Should.ThrowAsync<Core.Domain.Common.DomainException>(() => service.ProposeAsync(agent, [survivor, survivor]));

        var preview = await merge.PreviewAsync(admin, survivor, other);
        preview.Single(f => f.Field == "firstName").ShouldSatisfyAllConditions(
            f => f.Proposed.ShouldBe(MergeChoice.Merged), f => f.Proposal!.Reason.ShouldBe(SurvivorshipReason.SourcePriority));
        preview.Single(f => f.Field == "mobilePhone").Proposed.ShouldBe(MergeChoice.Survivor);
        preview.Single(f => f.Field == "jobTitle").Proposed.ShouldBeNull("no card has a value");
    }
}
