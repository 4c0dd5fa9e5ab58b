using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
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

namespace AgentWorkspace.Tests.Merge;

/// <summary>
/// Undoing a merge (issue 17): who may, what the survivor changed since is kept, what cannot be kept refuses the undo by
/// name, and the merge stays in both cards' timelines, read from the database.
/// </summary>
[Trait("Category", "Service")]
public class MergeUndoTests : IAsyncLifetime
{
    private static readonly Actor Supervisor = new("sup-1", "Sophie Moreau", Role.Supervisor);
    private static readonly Actor Admin = new("admin-1", "Alex Admin", Role.Admin);
    private static readonly Actor Agent = new("agent-1", "Camille Laurent", Role.Agent);
    private static readonly Actor OtherAgent = new("agent-2", "Hugo Bernard", Role.Agent);
    private const string SurvivorPhone = "+33611111111";
    private const string MergedPhone = "+33622222222";

    private TestDatabase _test = default!;
    private readonly InProcessChangeFeed _feed = new();
    private SettingsService _settings = default!;
    private MergeService _merge = default!;
    private CardKit _cards = default!;
    private long _survivor, _merged, _mergedCase;

    public async ValueTask InitializeAsync()
    {
        _test = await TestDatabase.CreateAsync();
        await new ReferenceData(_test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        _settings = new SettingsService(_test.Factory, _test.Runner(_feed), new SettingsDefaults());
        _merge = new MergeService(_test.Factory, _test.Runner(_feed), _settings);
        _cards = CardKit.Over(_test, _feed, _settings);
        var start = new DateTimeOffset(2026, 1, 1, 8, 0, 0, TimeSpan.Zero);
        (_survivor, _) = await CardTestData.CardWithMessagesAsync(_test.Factory, 3, "Martin", SurvivorPhone, start);
        (_merged, _mergedCase) = await CardTestData.CardWithMessagesAsync(_test.Factory, 4, "Martin", MergedPhone, start.AddDays(2));
        await SetProfileAsync(_survivor, p => p with { City = "Lyon", Company = "Acme", JobTitle = null });
        await SetProfileAsync(_merged, p => p with { FirstName = "Zoe", City = "Paris", Company = "Globex", JobTitle = "Buyer" });
        await _cards.Edits.SetCustomFieldAsync(Agent, _survivor, "loyalty-tier", "Gold");
        await _cards.Edits.SetCustomFieldAsync(Agent, _merged, "loyalty-tier", "Silver");
        await _cards.Edits.SetCustomFieldAsync(Agent, _merged, "newsletter", "true");
    }

    public async ValueTask DisposeAsync() => await _test.DisposeAsync();

    private async Task SetProfileAsync(long cardId, Func<CardProfile, CardProfile> change)
    {
        var card = await _cards.Reads.GetFirstViewAsync(Agent, cardId);
        await _cards.Edits.UpdateProfileAsync(Agent, cardId, card.Version, change(card.Profile));
    }

    private async Task<CustomerCard> CardAsync(long id)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.Cards.AsNoTracking().SingleAsync(c => c.Id == id);
    }

    private async Task<Dictionary<string, string>> FieldsAsync(long cardId)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.CustomFieldValues.Where(v => v.CardId == cardId)
            .Join(db.CustomFields, v => v.FieldId, f => f.Id, (v, f) => new { f.Ident, v.Value }).ToDictionaryAsync(x => x.Ident, x => x.Value);
    }

    private Task AllowAgentsToMergeAsync(bool allowed) => _settings.UpdateAsync(Admin, "FR", agentsMayMerge: allowed);

    // ------------------------------------------------------------------ who may undo

    [Fact]
    public async Task AnAgentUndoesTheirOwnMergeWhileAgentsMayMerge_AnotherAgentOrTheSameAfterTheSettingIsOffIsRefused_ASupervisorAlwaysMay()
    {
        await AllowAgentsToMergeAsync(true);
        var merge = await _merge.MergeAsync(Agent, _survivor, _merged);

        var refused = await Should.ThrowAsync<ForbiddenException>(() => _merge.UndoAsync(OtherAgent, merge.MergeId));
        refused.Code.ShouldBe("UnmergeNotYours");
        refused.Args.ShouldBe(["Camille Laurent"]);
        (await _merge.GetUndoOffersAsync(OtherAgent, [merge.MergeId]))[merge.MergeId].ShouldBe(new MergeUndoOffer(merge.MergeId, false));
        (await _merge.GetUndoOffersAsync(Agent, [merge.MergeId]))[merge.MergeId].Offered.ShouldBeTrue();

        await AllowAgentsToMergeAsync(false);
        (await Should.ThrowAsync<ForbiddenException>(() => _merge.UndoAsync(Agent, merge.MergeId))).Code.ShouldBe("UnmergeNeedsSupervisor");
        (await _merge.GetUndoOffersAsync(Agent, [merge.MergeId]))[merge.MergeId].Permitted.ShouldBeFalse();
        (await CardAsync(_merged)).Status.ShouldBe(CardStatus.Merged, "a refused undo changes nothing");

        await AllowAgentsToMergeAsync(true);
        await _merge.UndoAsync(Agent, merge.MergeId);
        (await CardAsync(_merged)).Status.ShouldBe(CardStatus.Active);
    }

    [Fact]
    public async Task SupervisorsAndAdministratorsUndoAnyonesMerge_AndAnUndoneMergeIsNeitherOfferedNorUndoneTwice()
    {
        await AllowAgentsToMergeAsync(true);
        var first = await _merge.MergeAsync(Agent, _survivor, _merged);
        (await _merge.GetUndoOffersAsync(Supervisor, [first.MergeId]))[first.MergeId].Offered.ShouldBeTrue();
        await _merge.UndoAsync(Supervisor, first.MergeId);
        (await _merge.GetUndoOffersAsync(Supervisor, [first.MergeId]))[first.MergeId].Offered.ShouldBeFalse();
        (await Should.ThrowAsync<DomainException>(() => _merge.UndoAsync(Supervisor, first.MergeId))).Code.ShouldBe("UnmergeAlreadyUndone");

        var second = await _merge.MergeAsync(Supervisor, _merged, _survivor);
        await _merge.UndoAsync(Admin, second.MergeId);
        (await CardAsync(_survivor)).Status.ShouldBe(CardStatus.Active);
    }

    // ------------------------------------------------------------------ what is kept

    [Fact]
    public async Task WhatTheSurvivorChangedSinceTheMergeIsKept_AndWhatCameWithTheMergedCardGoesBackWithIt()
    {
        var mergedBefore = await CardAsync(_merged);
        var survivorBefore = await CardAsync(_survivor);
        // No choice: the survivor keeps its values; the job title, which only the merged card had, comes over.
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged);
        (await CardAsync(_survivor)).JobTitle.ShouldBe("Buyer");
        (await FieldsAsync(_survivor))["newsletter"].ShouldBe("true");

        // Since the merge: the survivor's own city and loyalty tier edited, a note and a birth date added,
        // and an agent answered in the case that came with the merged card.
        await SetProfileAsync(_survivor, p => p with { City = "Marseille" });
        await _cards.Edits.SetCustomFieldAsync(Agent, _survivor, "loyalty-tier", "Platinum");
        await _cards.Edits.SetCustomFieldAsync(Agent, _survivor, "birth-date", "1990-05-04");
        var note = await _cards.Edits.AddNoteAsync(Agent, _survivor, "Rappeler jeudi.");
        var replyAt = new DateTimeOffset(2026, 2, 1, 9, 0, 0, TimeSpan.Zero);
        long replyId;
        await using (var db = _test.Factory.CreateDbContext())
        {
            var reply = new Message(_mergedCase, _survivor, Channel.Sms, "reply-" + Guid.NewGuid(), Direction.Outbound, MessageKind.Sms, "Camille", Agent.UserId, null, "C'est noté.", null, Sentiment.Neutral, replyAt);
            db.Messages.Add(reply);
            (await db.Cards.SingleAsync(c => c.Id == _survivor)).RecordMessage(Sentiment.Neutral, Direction.Outbound, replyAt);
            await db.SaveChangesAsync();
            replyId = reply.Id;
        }

        await _merge.UndoAsync(Supervisor, merge.MergeId);

        var survivor = await CardAsync(_survivor);
        survivor.Status.ShouldBe(CardStatus.Active);
        survivor.City.ShouldBe("Marseille", "the survivor's own edit since the merge stays");
        survivor.JobTitle.ShouldBeNull("the value that came from the merged card, unchanged since, goes");
        survivor.Company.ShouldBe("Acme");
        (survivor.PositiveCount, survivor.NeutralCount, survivor.NegativeCount).ShouldBe((survivorBefore.PositiveCount, survivorBefore.NeutralCount, survivorBefore.NegativeCount));
        survivor.LastContactAt.ShouldBe(survivorBefore.LastContactAt);
        var survivorFields = await FieldsAsync(_survivor);
        survivorFields["loyalty-tier"].ShouldBe("Platinum");
        survivorFields["birth-date"].ShouldBe("1990-05-04");
        survivorFields.ShouldNotContainKey("newsletter");

        var restored = await CardAsync(_merged);
        restored.Status.ShouldBe(CardStatus.Active);
        restored.MergedIntoId.ShouldBeNull();
        (restored.FirstName, restored.City, restored.Company, restored.JobTitle).ShouldBe(("Zoe", "Paris", "Globex", "Buyer"));
        (restored.NeutralCount, restored.Followers).ShouldBe((mergedBefore.NeutralCount, mergedBefore.Followers));
        restored.LastContactAt.ShouldBe(replyAt, "the answer given since went back with its case");
        var restoredFields = await FieldsAsync(_merged);
        restoredFields["loyalty-tier"].ShouldBe("Silver");
        restoredFields["newsletter"].ShouldBe("true");

        await using var check = _test.Factory.CreateDbContext();
        (await check.Identities.SingleAsync(i => i.NormalizedAddress == MergedPhone)).CardId.ShouldBe(_merged);
        (await check.Identities.SingleAsync(i => i.NormalizedAddress == SurvivorPhone)).CardId.ShouldBe(_survivor);
        (await check.Cases.SingleAsync(c => c.Id == _mergedCase)).CardId.ShouldBe(_merged);
        (await check.Messages.SingleAsync(m => m.Id == replyId)).CardId.ShouldBe(_merged);
        (await check.Messages.CountAsync(m => m.CaseId == _mergedCase && m.CardId != _merged)).ShouldBe(0);
        (await check.Notes.SingleAsync(n => n.Id == note.Id)).CardId.ShouldBe(_survivor);
        (await check.Merges.SingleAsync(m => m.Id == merge.MergeId)).UndoneBy.ShouldBe("Sophie Moreau");
    }

    // ------------------------------------------------------------------ what refuses the undo

    [Fact]
    public async Task AnUndoThatWouldLoseAChangeIsRefusedNamingEachFieldIdentityAndCase_AndChangesNothing()
    {
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged,
            new Dictionary<string, MergeChoice> { ["company"] = MergeChoice.Merged, ["cf:loyalty-tier"] = MergeChoice.Merged });
        (await CardAsync(_survivor)).Company.ShouldBe("Globex");

        // Since the merge: two values that came from the merged card changed, the contact wrote from the merged card's
        // number, and someone kept the survivor's own city edit (which alone would not refuse anything).
        await SetProfileAsync(_survivor, p => p with { Company = "Initech", City = "Nice" });
        await _cards.Edits.SetCustomFieldAsync(Agent, _survivor, "loyalty-tier", "Bronze");
        var ingest = new IngestService(_test.Factory, _test.Runner(_feed), _settings, new LexiconSentimentAnalyzer(),
            new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        await ingest.IngestAsync(IngestKit.Script, IngestKit.Sms(MergedPhone, "Toujours pas reçu mon colis") with { SentAt = new DateTimeOffset(2026, 3, 1, 10, 0, 0, TimeSpan.Zero) });

        var refused = await Should.ThrowAsync<MergeUndoRefusedException>(() => _merge.UndoAsync(Supervisor, merge.MergeId));
        refused.Code.ShouldBe("UnmergeChangedSince");
        refused.Blockers.ShouldContain(new UndoBlocker(UndoBlockerKind.Field, "company", "company"));
        refused.Blockers.ShouldContain(new UndoBlocker(UndoBlockerKind.CustomField, "cf:loyalty-tier", "Loyalty tier"));
        refused.Blockers.ShouldContain(b => b.Kind == UndoBlockerKind.Identity && b.Label == "Sms " + MergedPhone);
        refused.Blockers.ShouldNotContain(b => b.Key == "city", "the city was the survivor's own: its edit is kept, not a reason to refuse");
        refused.Args.Single().ToString()!.ShouldContain("company");
        refused.Args.Single().ToString()!.ShouldContain("Loyalty tier");
        refused.Message.ShouldContain("company");

        var offer = (await _merge.GetUndoOffersAsync(Supervisor, [merge.MergeId]))[merge.MergeId];
        (offer.Permitted, offer.Offered, offer.RefusalCode).ShouldBe((true, false, "UnmergeChangedSince"));
        offer.Blockers!.ShouldBe(refused.Blockers);

        (await CardAsync(_merged)).Status.ShouldBe(CardStatus.Merged);
        (await CardAsync(_survivor)).Company.ShouldBe("Initech");
        await using var check = _test.Factory.CreateDbContext();
        (await check.Merges.SingleAsync(m => m.Id == merge.MergeId)).UndoneAt.ShouldBeNull();
        (await check.Identities.SingleAsync(i => i.NormalizedAddress == MergedPhone)).CardId.ShouldBe(_survivor);
    }

    [Fact]
    public async Task AMovedCaseTheContactWroteInSinceRefusesTheUndoByItsNumber()
    {
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged);
        await using (var db = _test.Factory.CreateDbContext())
        {
            db.Messages.Add(new Message(_mergedCase, _survivor, Channel.Sms, "late-" + Guid.NewGuid(), Direction.Inbound, MessageKind.Sms, "Zoé", null, null, "Et alors ?", null, Sentiment.Negative,
                new DateTimeOffset(2026, 3, 2, 10, 0, 0, TimeSpan.Zero)));
            await db.SaveChangesAsync();
        }
        var refused = await Should.ThrowAsync<MergeUndoRefusedException>(() => _merge.UndoAsync(Supervisor, merge.MergeId));
        refused.Blockers.ShouldBe([new UndoBlocker(UndoBlockerKind.Case, _mergedCase.ToString(System.Globalization.CultureInfo.InvariantCulture), "#" + _mergedCase)]);
    }

    [Fact]
    public async Task AMovedIdentityThatANewCaseOfTheSurvivorCameThroughRefusesTheUndo()
    {
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged);
        await using (var db = _test.Factory.CreateDbContext())
        {
            // A conversation started since through the merged card's number (its identity row itself unchanged).
            var identity = await db.Identities.SingleAsync(i => i.NormalizedAddress == MergedPhone);
            var queue = await db.Queues.FirstAsync(q => q.IsDefault);
            var started = new Case(_survivor, Channel.WhatsApp, queue.Id, "Nouvelle question", DateTimeOffset.UtcNow);
            started.CameFrom(identity.Id);
            db.Cases.Add(started);
            await db.SaveChangesAsync();
        }
        var refused = await Should.ThrowAsync<MergeUndoRefusedException>(() => _merge.UndoAsync(Supervisor, merge.MergeId));
        refused.Blockers.ShouldBe([new UndoBlocker(UndoBlockerKind.Identity, (await IdentityIdAsync(MergedPhone)).ToString(System.Globalization.CultureInfo.InvariantCulture), "Sms " + MergedPhone)]);
    }

    private async Task<long> IdentityIdAsync(string phone)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await db.Identities.Where(i => i.NormalizedAddress == phone).Select(i => i.Id).SingleAsync();
    }

    [Fact]
    public async Task ALockedSurvivorRefusesTheUndoUntilUnlocked()
    {
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged);
        await using (var db = _test.Factory.CreateDbContext())
        {
            (await db.Cards.SingleAsync(c => c.Id == _survivor)).Lock();
            await db.SaveChangesAsync();
        }
        (await Should.ThrowAsync<DomainException>(() => _merge.UndoAsync(Supervisor, merge.MergeId))).Code.ShouldBe("UnmergeLocked");
        (await _merge.GetUndoOffersAsync(Supervisor, [merge.MergeId]))[merge.MergeId].RefusalCode.ShouldBe("UnmergeLocked");

        await using (var db = _test.Factory.CreateDbContext())
        {
            (await db.Cards.SingleAsync(c => c.Id == _survivor)).Unlock();
            await db.SaveChangesAsync();
        }
        (await _merge.GetUndoOffersAsync(Supervisor, [merge.MergeId]))[merge.MergeId].Offered.ShouldBeTrue();
        await _merge.UndoAsync(Supervisor, merge.MergeId);
        (await CardAsync(_merged)).Status.ShouldBe(CardStatus.Active);
    }

    // ------------------------------------------------------------------ the timeline

    [Fact]
    public async Task TheMergeIsInBothCardsTimelinesReadAfresh_AndAfterTheUndoSaysWhoUndidItAndWhen()
    {
        var merge = await _merge.MergeAsync(Supervisor, _survivor, _merged);

        // A fresh read model, as after a reload: nothing of a page's memory.
        var entry = await MergeEntryAsync(new CardReads(_test.Factory, _feed, TimeProvider.System), _survivor, merge.MergeId);
        entry.ShouldBe(new TimelineMerge(merge.MergeId, _survivor, "Zoé Martin", _merged, "Zoe Martin", null, null));
        (await MergeEntryAsync(new CardReads(_test.Factory, _feed, TimeProvider.System), _merged, merge.MergeId)).MergeId.ShouldBe(merge.MergeId);
        (await new CardReads(_test.Factory, _feed, TimeProvider.System).GetTimelineAsync(Supervisor, _survivor, TimelineFilter.Conversation))
            .Items.ShouldNotContain(i => i.Kind == TimelineKind.Merge, "a merge is customer activity");

        await _merge.UndoAsync(Supervisor, merge.MergeId);

        foreach (var card in new[] { _survivor, _merged })
        {
            var undone = await MergeEntryAsync(new CardReads(_test.Factory, _feed, TimeProvider.System), card, merge.MergeId);
            undone.UndoneBy.ShouldBe("Sophie Moreau");
            undone.UndoneAt.ShouldNotBeNull();
        }
    }

    [Fact]
    public async Task TheTimelinePagesThroughMergesAndEverythingElseEachItemOnce()
    {
        var first = await _merge.MergeAsync(Supervisor, _survivor, _merged);
        await _merge.UndoAsync(Supervisor, first.MergeId);
        await _merge.MergeAsync(Supervisor, _survivor, _merged);
        var reads = new CardReads(_test.Factory, _feed, TimeProvider.System);
        var all = await reads.GetTimelineAsync(Supervisor, _survivor, TimelineFilter.All, pageSize: 200);
        all.Items.Count(i => i.Kind == TimelineKind.Merge).ShouldBe(2);

        var seen = new List<(TimelineKind, long)>();
        TimelineCursor? next = null;
        do
        {
            var page = await reads.GetTimelineAsync(Supervisor, _survivor, TimelineFilter.All, next, pageSize: 2);
            seen.AddRange(page.Items.Select(i => (i.Kind, i.Id)));
            next = page.Next;
        } while (next is not null);
        seen.ShouldBe(all.Items.Select(i => (i.Kind, i.Id)).ToList());
    }

    private static async Task<TimelineMerge> MergeEntryAsync(CardReads reads, long cardId, long mergeId)
    {
        var page = await reads.GetTimelineAsync(Supervisor, cardId, TimelineFilter.All);
        var item = page.Items.SingleOrDefault(i => i.Kind == TimelineKind.Merge && i.Id == mergeId);
        item.ShouldNotBeNull($"card {cardId}'s timeline shows merge {mergeId}");
        return item.Merge.ShouldNotBeNull();
    }
}
