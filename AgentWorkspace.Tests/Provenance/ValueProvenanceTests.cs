using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
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

/// <summary>
/// Provenance of each value (issue 21): every write path records where a card's value came from and when, in its own use
/// case; a merge records the card it took the value from and who had set it there; its undo puts the rows back as they were.
/// </summary>
[Trait("Category", "Service")]
public class ValueProvenanceTests : IAsyncLifetime
{
    private static readonly Actor Agent = new("agent-1", "Alice Martin", Role.Agent);
    private static readonly Actor OtherAgent = new("agent-2", "Hugo Bernard", Role.Agent);
    private static readonly Actor Supervisor = new("sup-1", "Sophie Moreau", Role.Supervisor);
    private static readonly Actor Key = new("apikey:7", "API key Zapier", Role.Agent);

    private TestDatabase _test = default!;
    private readonly InProcessChangeFeed _feed = new();
    private SettingsService _settings = default!;
    private CardKit _cards = default!;
    private MergeService _merge = default!;

    public async ValueTask InitializeAsync()
    {
        _test = await TestDatabase.CreateAsync();
        await new ReferenceData(_test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        _settings = new SettingsService(_test.Factory, _test.Runner(_feed), new SettingsDefaults());
        _cards = CardKit.Over(_test, _feed, _settings);
        _merge = new MergeService(_test.Factory, _test.Runner(_feed), _settings);
    }

    public async ValueTask DisposeAsync() => await _test.DisposeAsync();

    private IngestService Ingest(bool groupCommit) => new(_test.Factory, _test.Runner(_feed), _settings, new LexiconSentimentAnalyzer(),
        new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System) { GroupCommitForTests = groupCommit };

    private async Task<List<ValueProvenance>> RowsAsync(long cardId)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.ValueProvenance.AsNoTracking().Where(p => p.CardId == cardId).OrderBy(p => p.Id).ToListAsync();
    }

    private async Task SaveAsync(Actor actor, long cardId, Func<CardProfile, CardProfile> change)
    {
        var card = await _cards.Reads.GetFirstViewAsync(actor, cardId);
        await _cards.Edits.UpdateProfileAsync(actor, cardId, card.Version, change(card.Profile));
    }

    [Fact]
    public async Task AnApiKeyCreatesTheCard_AnAgentChangesAndClearsFields_EachValueNamesItsSourceAndTime()
    {
        var id = await _cards.Edits.CreateAsync(Key, new CardProfile { FirstName = "Elinor", LastName = "Dashwood", City = "Barton" }, []);
        var created = await RowsAsync(id);
        created.Select(r => r.Field).Order().ToArray().ShouldBe(new[] { "city", "firstName", "lastName" }, "only the fields that hold a value (no unspecified gender, no empty tags)");
        created.ShouldAllBe(r => r.SourceKind == ValueSourceKind.ApiKey && r.SourceRef == "7" && r.SourceLabel == "Zapier");

        await SaveAsync(Agent, id, p => p with { City = "Norland", Company = "Ferrars & Co", LastName = null });
        await _cards.Edits.SetCustomFieldAsync(OtherAgent, id, "loyalty-tier", "Gold");

        var rows = await RowsAsync(id);
        rows.Skip(3).Select(r => (r.Field, r.Value, r.SourceKind, r.SourceRef, r.SourceLabel)).OrderBy(r => r.Field).ShouldBe(
        [
            ("cf:loyalty-tier", "Gold", ValueSourceKind.Agent, "agent-2", "Hugo Bernard"),
            ("city", "Norland", ValueSourceKind.Agent, "agent-1", "Alice Martin"),
            ("company", "Ferrars & Co", ValueSourceKind.Agent, "agent-1", "Alice Martin"),
            ("lastName", null, ValueSourceKind.Agent, "agent-1", "Alice Martin"),
        ]);
        rows.ShouldAllBe(r => r.At > DateTimeOffset.UtcNow.AddMinutes(-5));

        // The card's first view carries them (one query): the current value's source, and each field's history newest first.
        var view = await _cards.Reads.GetFirstViewAsync(Agent, id);
        view.Provenance.SourceOf("city", "Norland")!.Label.ShouldBe("Alice Martin");
        view.Provenance.SourceOf("firstName", "Elinor")!.Kind.ShouldBe(ValueSourceKind.ApiKey);
        view.Provenance.HistoryOf("city").Select(h => h.Value).ShouldBe(["Norland", "Barton"]);
        view.Provenance.SourceOf("cf:loyalty-tier", "Gold")!.Label.ShouldBe("Hugo Bernard");
    }

    [Fact]
    public async Task AValueWithoutARowOrWhoseNewestRowHoldsAnotherValueHasNoKnownSource()
    {
        var (legacy, _) = await CardTestData.CardWithMessagesAsync(_test.Factory, 1, "Ancien");
        var view = await _cards.Reads.GetFirstViewAsync(Agent, legacy);
        view.Provenance.Rows.ShouldBeEmpty();
        view.Provenance.SourceOf("lastName", "Ancien").ShouldBeNull("a card older than provenance: source unknown");

        await SaveAsync(Agent, legacy, p => p with { City = "Lyon" });
        await using (var db = _test.Factory.CreateDbContext())
            await db.Cards.Where(c => c.Id == legacy).ExecuteUpdateAsync(s => s.SetProperty(c => c.City, "Écrit ailleurs"));
        view = await _cards.Reads.GetFirstViewAsync(Agent, legacy);
        view.Provenance.SourceOf("city", "Écrit ailleurs").ShouldBeNull("the newest row says Lyon: this value came another way");
        view.Provenance.SourceOf("city", "Lyon").ShouldNotBeNull();
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AChannelsNewCardHasItsNameAndNumberFromTheIdentity_AndAPhotoTheChannelGivesLaterToo(bool groupCommit)
    {
        var ingest = Ingest(groupCommit);
        var phone = groupCommit ? "+33612340001" : "+33612340002";
        var first = await ingest.IngestAsync(IngestKit.Script, IngestKit.On(Channel.Sms, phone, displayName: "Edward Ferrars"));
        await using (var db = _test.Factory.CreateDbContext())
        {
            var identity = await db.Identities.SingleAsync(i => i.CardId == first.CardId);
            var rows = await RowsAsync(first.CardId);
            rows.Select(r => (r.Field, r.Value)).OrderBy(r => r.Field).ShouldBe([("firstName", "Edward"), ("lastName", "Ferrars"), ("mobilePhone", phone)]);
            rows.ShouldAllBe(r => r.SourceKind == ValueSourceKind.Channel && r.SourceRef == identity.Id.ToString() && r.SourceLabel == "sms " + phone);
        }

        var photo = "https://cdn.example.com/edward.png";
        await ingest.IngestAsync(IngestKit.Script, IngestKit.On(Channel.Sms, phone, displayName: "Edward Ferrars") with { From = new() { Address = phone, DisplayName = "Edward Ferrars", AvatarUrl = photo } });
        var avatar = (await RowsAsync(first.CardId)).Where(r => r.Field == "avatarUrl").ShouldHaveSingleItem();
        (avatar.Value, avatar.SourceKind).ShouldBe((photo, ValueSourceKind.Channel));

        // A photo an agent set is kept (the channel's is not taken), and no row claims otherwise.
        await SaveAsync(Agent, first.CardId, p => p with { AvatarUrl = "https://cdn.example.com/agent.png" });
        await ingest.IngestAsync(IngestKit.Script, IngestKit.On(Channel.Sms, phone) with { From = new() { Address = phone, DisplayName = "Edward Ferrars", AvatarUrl = "https://cdn.example.com/other.png" } });
        (await RowsAsync(first.CardId)).Where(r => r.Field == "avatarUrl").Select(r => r.SourceKind).ShouldBe([ValueSourceKind.Channel, ValueSourceKind.Agent]);
    }

    [Fact]
    public async Task AMergeRecordsTheCardEachTakenValueCameFromAndWhoSetItThere_ItsUndoLeavesEveryRowAsItWas()
    {
        var survivor = await _cards.Edits.CreateAsync(Agent, new CardProfile { FirstName = "Edward", LastName = "Ferrars", City = "Lyon" }, []);
        var merged = await _cards.Edits.CreateAsync(OtherAgent, new CardProfile { FirstName = "Edward", LastName = "Ferrars", City = "Paris", JobTitle = "Clergyman" }, []);
        await _cards.Edits.SetCustomFieldAsync(OtherAgent, merged, "loyalty-tier", "Silver");
        await _cards.Edits.SetCustomFieldAsync(Agent, survivor, "newsletter", "true");
        await _cards.Edits.SetCustomFieldAsync(OtherAgent, merged, "newsletter", "false");
        var before = (await RowsAsync(survivor)).Concat(await RowsAsync(merged)).Select(Row).ToList();

        var result = await _merge.MergeAsync(Supervisor, survivor, merged, new Dictionary<string, MergeChoice> { ["city"] = MergeChoice.Merged, ["cf:newsletter"] = MergeChoice.Merged });

        var taken = (await RowsAsync(survivor)).Where(r => r.MergeId == result.MergeId).OrderBy(r => r.Field).ToList();
        taken.Select(r => (r.Field, r.Value)).ShouldBe([("cf:loyalty-tier", "Silver"), ("cf:newsletter", "false"), ("city", "Paris"), ("jobTitle", "Clergyman")],
            "the values the survivor took (the survivor's own, and equal ones, need no row)");
        taken.ShouldAllBe(r => r.SourceKind == ValueSourceKind.Merge && r.SourceRef == merged.ToString()
            && r.OriginKind == ValueSourceKind.Agent && r.OriginLabel == "Hugo Bernard" && r.OriginAt != null);
        var view = await _cards.Reads.GetFirstViewAsync(Agent, survivor);
        view.Provenance.SourceOf("city", "Paris")!.Kind.ShouldBe(ValueSourceKind.Merge);
        view.Provenance.SourceOf("firstName", "Edward")!.Label.ShouldBe("Alice Martin", "kept: the survivor's own");

        await _merge.UndoAsync(Supervisor, result.MergeId);
        (await RowsAsync(survivor)).Concat(await RowsAsync(merged)).Select(Row).ShouldBe(before);
        (await _cards.Reads.GetFirstViewAsync(Agent, survivor)).Provenance.SourceOf("city", "Lyon")!.Label.ShouldBe("Alice Martin");
    }

    [Fact]
    public async Task AValueMergedTwiceKeepsItsFirstSource()
    {
        var a = await _cards.Edits.CreateAsync(Agent, new CardProfile { LastName = "Dashwood" }, []);
        var b = await _cards.Edits.CreateAsync(Agent, new CardProfile { LastName = "Dashwood" }, []);
        var c = await _cards.Edits.CreateAsync(Key, new CardProfile { LastName = "Dashwood", Company = "Barton Park" }, []);
        await _merge.MergeAsync(Supervisor, b, c);
        await _merge.MergeAsync(Supervisor, a, b);
        var row = (await RowsAsync(a)).Single(r => r.Field == "company");
        (row.SourceKind, row.SourceRef, row.OriginKind, row.OriginLabel).ShouldBe((ValueSourceKind.Merge, b.ToString(), ValueSourceKind.ApiKey, "Zapier"));
    }

    private static string Row(ValueProvenance r) => $"{r.Id}|{r.CardId}|{r.Field}|{r.Value}|{r.SourceKind}|{r.SourceRef}|{r.SourceLabel}|{r.At:O}|{r.MergeId}|{r.OriginKind}";
}
