using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Matching;

/// <summary>
/// Issue 21, shared identifiers (ADR 020): a number or address on many cards, or on the administrators' list, links
/// no message to a card and suggests no duplicate; a message from it lands on the card of the sender's name, or on
/// a new card, and the case says so.
/// </summary>
[Trait("Category", "Service")]
public class SharedIdentifierTests
{
    private static readonly Actor Script = new("apikey:test", "Connector", Role.Agent);
    private static readonly Actor Camille = new("u-camille", "Camille Laurent", Role.Agent);
    private static readonly Actor Admin = new("u-admin", "Alex Martin", Role.Admin);
    private const string Switchboard = "+33140000000";

    private sealed record World(TestDatabase Test, IngestService Ingest, DuplicateService Duplicates, CardEdits Cards, SharedIdentifierService Shared, SettingsService Settings)
        : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Test.DisposeAsync();
    }

    private static async Task<World> WorldAsync(bool groupCommit = true)
    {
        var test = await TestDatabase.CreateAsync();
        await new Core.Features.Demo.ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var runner = test.Runner(new InProcessChangeFeed());
        var settings = new SettingsService(test.Factory, runner, new SettingsDefaults("FR"));
        var ingest = new IngestService(test.Factory, runner, settings, new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System) { GroupCommitForTests = groupCommit };
        return new World(test, ingest, new DuplicateService(test.Factory, runner, settings), new CardEdits(test.Factory, runner, settings, TimeProvider.System),
            new SharedIdentifierService(test.Factory, runner, settings), settings);
    }

    private static int _external;

    private static Task<IngestResult> CallAsync(World w, string from, string? name) => w.Ingest.IngestAsync(Script, new InteractionRequest
    {
        Channel = Channel.Voice, ExternalId = "call-" + Interlocked.Increment(ref _external), Body = "Appel entrant",
        From = new InteractionSender { Address = from, DisplayName = name },
    });

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task FromASharedNumber_EachSenderHasACardOfTheirOwn_FoundAgainByName_AndTheCaseSaysSo(bool groupCommit)
    {
        await using var w = await WorldAsync(groupCommit);
        // Before it is shared, the switchboard's first caller owns the number.
        var first = await CallAsync(w, "01 40 00 00 00", "Edward Ferrars");
        await w.Shared.AddAsync(Admin, SharedKind.Phone, "01.40.00.00.00", "Standard du siège");

        var elinor = await CallAsync(w, "+33 1 40 00 00 00", "Elinor Dashwood");
        elinor.CardCreated.ShouldBeTrue("another name from a shared number is another person");
        var edward = await CallAsync(w, "0140000000", "FERRARS Edward");
        edward.CardId.ShouldBe(first.CardId, "the first owner is found by name");
        var elinorAgain = await CallAsync(w, "0140000000", "Elinor Dashwood");
        elinorAgain.CardId.ShouldBe(elinor.CardId);
        var nobody1 = await CallAsync(w, "0140000000", null);
        var nobody2 = await CallAsync(w, "0140000000", null);
        nobody1.CardCreated.ShouldBeTrue();
        nobody2.CardCreated.ShouldBeTrue("with no name nothing else matches: a new card each time");
        nobody2.CardId.ShouldNotBe(nobody1.CardId);

        await using var db = w.Test.Factory.CreateDbContext();
        var events = await db.CaseEvents.AsNoTracking().Where(e => e.Type == CaseEventType.SharedAddress).ToListAsync();
        events.ShouldContain(e => e.CaseId == elinor.CaseId && e.Detail == IngestService.SharedAddressNewCard + Switchboard);
        events.ShouldContain(e => e.CaseId == nobody1.CaseId && e.Detail == IngestService.SharedAddressNewCard + Switchboard);
        events.ShouldNotContain(e => e.CaseId == first.CaseId, "the first call came before the number was shared");
        InboxQueries.SharedSenderOf(events.First(e => e.CaseId == elinor.CaseId).Detail).ShouldBe(new SharedSender(Switchboard, true));
        InboxQueries.SharedSenderOf(IngestService.SharedAddressFoundByName + Switchboard).ShouldBe(new SharedSender(Switchboard, false));
        InboxQueries.SharedSenderOf(null).ShouldBeNull();
        (await db.Identities.CountAsync(i => i.NormalizedAddress == Switchboard)).ShouldBe(4);
    }

    [Fact]
    public async Task ASharedNumberSuggestsNoDuplicate_WhereItDidBefore()
    {
        await using var w = await WorldAsync();
        var a = await w.Cards.CreateAsync(Camille, new CardProfile { FirstName = "Marianne", LastName = "Dashwood", MobilePhone = "06 12 34 56 78" }, []);
        var b = await w.Cards.CreateAsync(Camille, new CardProfile { FirstName = "John", LastName = "Willoughby", MobilePhone = "+33612345678" }, []);
        (await w.Duplicates.SuggestAsync(Camille, a)).ShouldContain(c => c.CardId == b && c.Reasons.Any(r => r.Kind == DuplicateReasonKind.SamePhone));

        await w.Shared.AddAsync(Admin, SharedKind.Phone, "06 12 34 56 78", null);
        (await w.Duplicates.SuggestAsync(Camille, a)).ShouldNotContain(c => c.CardId == b);
        (await w.Duplicates.SharedAmongAsync(["+33612345678", "+33699999999"])).ShouldBe(new HashSet<string> { "+33612345678" });
    }

    [Fact]
    public async Task AnAddressReachingTheThresholdIsSharedAtOnce_AndAnExemptOneStaysPersonal()
    {
        await using var w = await WorldAsync();
        await w.Shared.SetThresholdAsync(Admin, 3);
        var ids = new List<long>();
        foreach (var name in new[] { "Anne", "Bruno", "Chloé" })
            ids.Add(await w.Cards.CreateAsync(Camille, new CardProfile { FirstName = name, LastName = "Martin", PrimaryEmail = "Contact@Acme.example" }, []));
        var list = await w.Shared.ListAsync(Admin);
        var found = list.Items.ShouldHaveSingleItem();
        (found.Address, found.Origin, found.Cards, found.Kind).ShouldBe(("contact@acme.example", SharedIdentifierOrigin.Detected, 3, SharedKind.Email));
        (await w.Settings.SharedAddressesAsync()).Contains(IdentitySpace.Email, "contact@acme.example").ShouldBeTrue();

        // Declared personal: kept as exempt, and a new count does not share it again.
        await w.Shared.RemoveAsync(Admin, found.Id);
        (await w.Shared.DetectAllAsync(Admin)).ShouldBe(0);
        (await w.Shared.ListAsync(Admin)).Items.ShouldHaveSingleItem().IsExempt.ShouldBeTrue();
        (await w.Settings.SharedAddressesAsync()).Count.ShouldBe(0);
        await w.Shared.RestoreAsync(Admin, found.Id);
        (await w.Settings.SharedAddressesAsync()).Count.ShouldBe(1);
    }

    [Fact]
    public async Task TheCountSeesAnAddressSpreadOverIdentitiesAndProfileColumns()
    {
        await using var w = await WorldAsync();
        await CallAsync(w, "+33 5 56 00 00 00", "Agence Bordeaux");
        await w.Cards.CreateAsync(Camille, new CardProfile { FirstName = "Luc", LastName = "Perrin", HomePhone = "05 56 00 00 00" }, []);
        await w.Cards.CreateAsync(Camille, new CardProfile { FirstName = "Inès", LastName = "Roy", MobilePhone = "0556000000" }, []);
        (await w.Shared.ListAsync(Admin)).Items.ShouldBeEmpty("three cards are under the default threshold");
        (await w.Shared.SetThresholdAsync(Admin, 3)).ShouldBe(1);
        (await w.Shared.ListAsync(Admin)).Items.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            i => i.Address.ShouldBe("+33556000000"), i => i.Cards.ShouldBe(3));
    }

    [Fact]
    public async Task RefusalsNameTheFieldAndTheRule_AndOnlyAdministratorsChangeTheList()
    {
        await using var w = await WorldAsync();
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.AddAsync(Admin, SharedKind.Phone, "not a number", null)))
            .ShouldSatisfyAllConditions(e => e.Code.ShouldBe("SharedPhoneInvalid"), e => e.Field.ShouldBe("address"));
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.AddAsync(Admin, SharedKind.Email, "+33140000000", null))).Code.ShouldBe("SharedEmailInvalid");
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.AddAsync(Admin, SharedKind.Email, "  ", null))).Code.ShouldBe("SharedAddressRequired");
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.AddAsync(Admin, SharedKind.Email, "a@b.example", new string('x', 201)))).Field.ShouldBe("note");
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.SetThresholdAsync(Admin, 1))).Field.ShouldBe("threshold");
        await w.Shared.AddAsync(Admin, SharedKind.Email, "NoReply@Shop.example", null);
        (await Should.ThrowAsync<AdminRuleException>(() => w.Shared.AddAsync(Admin, SharedKind.Email, "noreply@shop.example", null))).Code.ShouldBe("SharedAlready");
        await Should.ThrowAsync<ForbiddenException>(() => w.Shared.AddAsync(Camille, SharedKind.Email, "x@shop.example", null));
        await Should.ThrowAsync<ForbiddenException>(() => w.Shared.ListAsync(Camille));
        await using var db = w.Test.Factory.CreateDbContext();
        (await db.SharedIdentifiers.CountAsync()).ShouldBe(1, "a refused change writes nothing");
        (await db.Audit.CountAsync(a => a.EntityType == "SharedIdentifier" && a.Action == "Shared")).ShouldBe(1);
    }

    /// <summary>
    /// Property: whatever the order and the names of the calls from a shared number, no card holds two senders'
    /// names, every named sender has exactly one card, and no suggestion ever rests on the shared number.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task SharedNumbersNeverMergeAnyone(int seed)
    {
        await using var w = await WorldAsync(groupCommit: seed != 2);
        await w.Shared.AddAsync(Admin, SharedKind.Phone, Switchboard, null);
        var random = new Random(seed);
        string?[] names = ["Edward Ferrars", "FERRARS Edward", "Elinor Dashwood", "dashwood, elinor", "Lucy Steele", "marguerite_92", null, "Lucy  Steele"];
        var cardsByName = new Dictionary<string, HashSet<long>>();
        var all = new List<IngestResult>();
        for (var i = 0; i < 40; i++)
        {
            var name = names[random.Next(names.Length)];
            var sent = await CallAsync(w, random.Next(2) == 0 ? "01 40 00 00 00" : "+33140000000", name);
            all.Add(sent);
            if (name is null) { sent.CardCreated.ShouldBeTrue(); continue; }
            var key = IngestService.ShareKeyOf(name);
            (cardsByName.TryGetValue(key, out var set) ? set : cardsByName[key] = []).Add(sent.CardId);
        }
        foreach (var (key, cards) in cardsByName) cards.Count.ShouldBe(1, $"'{key}' should have one card");
        cardsByName.Values.SelectMany(c => c).Distinct().Count().ShouldBe(cardsByName.Count, "no card holds two senders");
        foreach (var cardId in all.Select(r => r.CardId).Distinct())
            foreach (var candidate in await w.Duplicates.SuggestAsync(Camille, cardId))
                candidate.Reasons.ShouldNotContain(r => r.Detail.Contains(Switchboard, StringComparison.Ordinal));
    }
}
