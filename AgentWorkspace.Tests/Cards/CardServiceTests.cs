using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Cards.CardTestData;

namespace AgentWorkspace.Tests.Cards;

[Trait("Category", "Service")]
public class CardServiceTests
{
    [Fact]
    public async Task TheHistoryPagesNewestFirstThroughEveryMessageOnceEvenWhenTimesTie()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 137);

        var first = await cards.Reads.GetFirstViewAsync(Agent, cardId);
        first.Messages.Items.Count.ShouldBe(50);
        var seen = first.Messages.Items.ToList();
        var cursor = first.Messages.Next;
        while (cursor is not null)
        {
            var page = await cards.Reads.GetMessagesAsync(Agent, cardId, cursor, 40);
            seen.AddRange(page.Items);
            cursor = page.Next;
        }
        seen.Count.ShouldBe(137);
        seen.Select(m => m.Id).Distinct().Count().ShouldBe(137);
        seen.ShouldBe(seen.OrderByDescending(m => m.SentAt).ThenByDescending(m => m.Id).ToList());
        seen[0].Text.ShouldBe("Message 136");
    }

    [Fact]
    public async Task AStaleProfileSaveIsRefusedWithBothValuesAndTheFirstSaveStays()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 1);
        var read = await cards.Reads.GetFirstViewAsync(Agent, cardId);

        var v2 = await cards.Edits.UpdateProfileAsync(Agent, cardId, read.Version, read.Profile with { City = "Lyon" });
        v2.ShouldBeGreaterThan(read.Version);
        var conflict = await Should.ThrowAsync<ProfileConflictException>(() =>
            cards.Edits.UpdateProfileAsync(OtherAgent, cardId, read.Version, read.Profile with { City = "Marseille", JobTitle = "Buyer" }));

        conflict.CurrentVersion.ShouldBe(v2);
        conflict.Current.City.ShouldBe("Lyon");
        conflict.Fields.ShouldContain(new FieldConflict("city", "Marseille", "Lyon"));
        conflict.Fields.ShouldContain(new FieldConflict("jobTitle", "Buyer", null));
        (await cards.Reads.GetFirstViewAsync(Agent, cardId)).Profile.City.ShouldBe("Lyon");

        // Keeping theirs: the second agent saves again on the current version.
        await cards.Edits.UpdateProfileAsync(OtherAgent, cardId, conflict.CurrentVersion, conflict.Current with { City = "Marseille" });
        (await cards.Reads.GetFirstViewAsync(Agent, cardId)).Profile.City.ShouldBe("Marseille");
    }

    [Fact]
    public async Task EveryChangedFieldIsAnAuditEntryWithWhoBeforeAndAfter_AndCardChangedIsPublished()
    {
        var (test, cards, feed) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 1);
        var published = new TaskCompletionSource<ChangeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sub = feed.Subscribe(c => { if (c.Kind == ChangeKind.CardChanged && c.CardId == cardId) published.TrySetResult(c); return Task.CompletedTask; });
        var read = await cards.Reads.GetFirstViewAsync(Agent, cardId);

        await cards.Edits.UpdateProfileAsync(Agent, cardId, read.Version, read.Profile with { City = "Nantes", PrimaryEmail = " Zoe@Example.COM ", MobilePhone = "06 11 22 33 44" });

        (await published.Task.WaitAsync(TimeSpan.FromSeconds(5))).ActorId.ShouldBe(Agent.UserId);
        await using var db = test.Factory.CreateDbContext();
        var audit = await db.Audit.Where(a => a.EntityType == "Card" && a.EntityId == cardId.ToString()).ToListAsync();
        audit.Count.ShouldBe(3);
        audit.ShouldAllBe(a => a.ActorName == "Camille Laurent" && a.Action == "ProfileUpdated");
        audit.Single(a => a.Field == "primaryEmail").After.ShouldBe("zoe@example.com");
        audit.Single(a => a.Field == "mobilePhone").After.ShouldBe("+33611223344");
        audit.Single(a => a.Field == "city").Before.ShouldBeNull();
    }

    [Fact]
    public async Task AnInvalidProfileLeavesTheCardUnchanged()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 1);
        var read = await cards.Reads.GetFirstViewAsync(Agent, cardId);
        var error = await Should.ThrowAsync<DomainException>(() => cards.Edits.UpdateProfileAsync(Agent, cardId, read.Version, read.Profile with { City = "Lille", SecondaryEmail = "not-an-email" }));
        error.Field.ShouldBe("secondaryEmail");
        var after = await cards.Reads.GetFirstViewAsync(Agent, cardId);
        after.Version.ShouldBe(read.Version);
        after.Profile.City.ShouldBeNull();
    }

    [Fact]
    public async Task NotesAreAddedEditedAndDeleted_TheEditKeepsThePreviousTextInTheAudit()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, caseId) = await CardWithMessagesAsync(test.Factory, 1);
        var note = await cards.Edits.AddNoteAsync(Agent, cardId, "Prefers calls after 6 pm", caseId);
        await cards.Edits.EditNoteAsync(Agent, note.Id, "Prefers calls after 7 pm");
        await Should.ThrowAsync<ForbiddenException>(() => cards.Edits.EditNoteAsync(OtherAgent, note.Id, "hijack"));
        (await cards.Reads.GetNotesAsync(Agent, cardId)).Single().Text.ShouldBe("Prefers calls after 7 pm");
        await cards.Edits.DeleteNoteAsync(Supervisor, note.Id);
        (await cards.Reads.GetNotesAsync(Agent, cardId)).ShouldBeEmpty();

        await using var db = test.Factory.CreateDbContext();
        var audit = await db.Audit.Where(a => a.Field == "note:" + note.Id).OrderBy(a => a.Id).ToListAsync();
        audit.Select(a => a.Action).ShouldBe(["NoteAdded", "NoteEdited", "NoteDeleted"]);
        audit[1].Before.ShouldBe("Prefers calls after 6 pm");
        audit[1].After.ShouldBe("Prefers calls after 7 pm");
        audit[2].ActorName.ShouldBe("Sophie Moreau");
    }

    [Fact]
    public async Task CommentsOnACaseMessageGoWhenTheCaseIsCancelled()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, caseId) = await CardWithMessagesAsync(test.Factory, 3);
        var thread = (await cards.Reads.GetCaseThreadsAsync(Agent, cardId)).Single();
        await cards.Edits.AddCommentAsync(Agent, caseId, thread.Messages[0].Id, "Customer sounded upset");
        (await cards.Reads.GetCaseThreadsAsync(Agent, cardId)).Single().Comments.Single().Text.ShouldBe("Customer sounded upset");

        await cards.Edits.CancelCaseAsync(Agent, caseId);

        (await cards.Reads.GetCaseThreadsAsync(Agent, cardId)).Single().Comments.ShouldBeEmpty();
        await using var db = test.Factory.CreateDbContext();
        (await db.CaseComments.CountAsync(c => c.CaseId == caseId)).ShouldBe(0);
        await Should.ThrowAsync<DomainException>(() => cards.Edits.AddCommentAsync(Agent, caseId, null, "too late"));
    }

    [Fact]
    public async Task ACommentOnTheCaseFromTheSummary_IsACommentInTheActivityLog_AuditedAndAnnounced_NotANote()
    {
        var (test, cards, feed) = await CreateAsync();
        await using var _ = test;
        var (cardId, caseId) = await CardWithMessagesAsync(test.Factory, 2);
        var announced = new TaskCompletionSource<ChangeEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sub = feed.Subscribe(c => { if (c.Kind == ChangeKind.CardChanged && c.CardId == cardId) announced.TrySetResult(c); return Task.CompletedTask; });

        await cards.Edits.AddCommentAsync(Agent, caseId, null, "Rappeler demain, colis retrouvé");

        var activity = (await cards.Reads.GetTimelineAsync(Agent, cardId, TimelineFilter.All)).Items;
        var comment = activity.Where(i => i.Kind == TimelineKind.Comment).ShouldHaveSingleItem();
        comment.Text.ShouldBe("Rappeler demain, colis retrouvé");
        comment.CaseId.ShouldBe(caseId);
        comment.Actor.ShouldBe(Agent.DisplayName);
        activity.ShouldNotContain(i => i.Kind == TimelineKind.Note || i.EventType == CaseEventType.CommentAdded);
        await using var db = test.Factory.CreateDbContext();
        (await db.Notes.CountAsync(n => n.CardId == cardId)).ShouldBe(0);
        (await db.Audit.CountAsync(a => a.Action == "CommentAdded" && a.After == "Rappeler demain, colis retrouvé")).ShouldBe(1);
        (await db.CaseEvents.CountAsync(e => e.CaseId == caseId && e.Type == CaseEventType.CommentAdded)).ShouldBe(1);
        (await announced.Task.WaitAsync(TimeSpan.FromSeconds(10))).CaseId.ShouldBe(caseId);
    }

    [Fact]
    public async Task ACommentMustBeOnAMessageOfThatCase()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardA, caseA) = await CardWithMessagesAsync(test.Factory, 1, phone: "+33611111111");
        var (cardB, _) = await CardWithMessagesAsync(test.Factory, 1, phone: "+33622222222");
        var foreign = (await cards.Reads.GetFirstViewAsync(Agent, cardB)).Messages.Items[0].Id;
        (await Should.ThrowAsync<DomainException>(() => cards.Edits.AddCommentAsync(Agent, caseA, foreign, "x"))).Field.ShouldBe("messageId");
    }

    [Theory]
    [InlineData("06 12 34 56 78")]
    [InlineData("+33 6.12.34.56.78")]
    [InlineData("0033612345678")]
    public async Task SearchFindsTheCardByPhoneInAnyFormat(string typed)
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 1, phone: "+33612345678");
        await CardWithMessagesAsync(test.Factory, 1, phone: "+33698765432");
        var page = await cards.Search.SearchAsync(Agent, typed);
        page.Items.Select(h => h.Id).ShouldBe([cardId]);
        page.Items[0].Channels.ShouldContain(Channel.Sms);
    }

    [Fact]
    public async Task SearchByNameAndCompanyIsKeysetPagedWithoutRepeats()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var ids = new List<long>();
        for (var i = 0; i < 7; i++) ids.Add((await CardWithMessagesAsync(test.Factory, 0, lastName: $"Durand{i}", phone: $"+3361234560{i}")).CardId);
        var found = new List<long>();
        SearchCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await cards.Search.SearchAsync(Agent, "zoé dur", cursor, 3);
            found.AddRange(page.Items.Select(h => h.Id));
            cursor = page.Next is null ? null : SearchCursor.Decode(page.Next.Encode());
            pages++;
        } while (cursor is not null);
        found.ShouldBe(ids);
        pages.ShouldBe(3);
        (await cards.Search.SearchAsync(Agent, "acm")).Items.Count.ShouldBe(7);
        (await cards.Search.SearchAsync(Agent, "durand3")).Items.Select(h => h.Id).ShouldBe([ids[3]]);
        var byLastName = new List<long>();
        cursor = null;
        do
        {
            var page = await cards.Search.SearchAsync(Agent, "Durand", cursor, 4);
            byLastName.AddRange(page.Items.Select(h => h.Id));
            cursor = page.Next;
        } while (cursor is not null);
        byLastName.ShouldBe(ids);
        (await cards.Search.SearchAsync(Agent, "nobody-like-this")).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task CustomFieldValuesAreValidatedByTypeAndOnlyEditableFieldsChange()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 0);
        (await cards.Edits.SetCustomFieldAsync(Agent, cardId, "loyalty-tier", "gold")).ShouldBe("Gold");
        (await cards.Edits.SetCustomFieldAsync(Agent, cardId, "birth-date", "31/12/1990")).ShouldBe("1990-12-31");
        (await Should.ThrowAsync<DomainException>(() => cards.Edits.SetCustomFieldAsync(Agent, cardId, "loyalty-tier", "Diamond"))).Field.ShouldBe("loyalty-tier");
        (await Should.ThrowAsync<DomainException>(() => cards.Edits.SetCustomFieldAsync(Agent, cardId, "birth-date", "soon"))).Field.ShouldBe("birth-date");
        (await Should.ThrowAsync<DomainException>(() => cards.Edits.SetCustomFieldAsync(Agent, cardId, "customer_number", "C-1"))).Field.ShouldBe("customer_number");
        await Should.ThrowAsync<NotFoundException>(() => cards.Edits.SetCustomFieldAsync(Agent, cardId, "no-such-field", "x"));
        var view = await cards.Reads.GetCondensedAsync(Agent, cardId);
        view.RightPanelFields.Single(f => f.Ident == "loyalty-tier").Value.ShouldBe("Gold");
        view.RightPanelFields.ShouldNotContain(f => f.Ident == "birth-date");
        await cards.Edits.SetCustomFieldAsync(Agent, cardId, "loyalty-tier", "  ");
        (await cards.Reads.GetCondensedAsync(Agent, cardId)).RightPanelFields.Single(f => f.Ident == "loyalty-tier").Value.ShouldBeNull();
    }

    [Fact]
    public async Task ALockedCardRefusesEdits_AMergedCardRedirectsToItsSurvivor()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (a, _) = await CardWithMessagesAsync(test.Factory, 0, phone: "+33611111111");
        var (b, _) = await CardWithMessagesAsync(test.Factory, 0, phone: "+33622222222");
        await using (var db = test.Factory.CreateDbContext())
        {
            var ca = await db.Cards.FirstAsync(c => c.Id == a);
            ca.Lock();
            var cb = await db.Cards.FirstAsync(c => c.Id == b);
            cb.MarkMergedInto(a, DateTimeOffset.UtcNow);
            await db.SaveChangesAsync();
        }
        var read = await cards.Reads.GetFirstViewAsync(Agent, a);
        await Should.ThrowAsync<ConflictException>(() => cards.Edits.UpdateProfileAsync(Agent, a, read.Version, read.Profile with { City = "Brest" }));
        await Should.ThrowAsync<ConflictException>(() => cards.Edits.AddNoteAsync(Agent, a, "hello"));
        (await Should.ThrowAsync<CardMergedException>(() => cards.Reads.GetFirstViewAsync(Agent, b))).SurvivorId.ShouldBe(a);
        (await cards.Reads.ResolveAsync(Agent, b)).ShouldBe(a);
    }

    [Fact]
    public async Task TheTimelineMixesMessagesNotesAndCaseEvents_FilteredAndPaged()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, caseId) = await CardWithMessagesAsync(test.Factory, 5);
        await cards.Edits.AddNoteAsync(Agent, cardId, "Quick note");
        var thread = (await cards.Reads.GetCaseThreadsAsync(Agent, cardId)).Single();
        await cards.Edits.AddCommentAsync(Agent, caseId, thread.Messages[0].Id, "A comment");

        var all = new List<TimelineItem>();
        TimelineCursor? cursor = null;
        do
        {
            var page = await cards.Reads.GetTimelineAsync(Agent, cardId, TimelineFilter.All, cursor, 2);
            all.AddRange(page.Items);
            cursor = page.Next;
        } while (cursor is not null);
        all.Count(i => i.Kind == TimelineKind.Message).ShouldBe(5);
        all.Count(i => i.Kind == TimelineKind.Note).ShouldBe(1);
        // The comment is one entry of its own kind with its text (its CommentAdded case event would say it twice).
        all.Count(i => i.Kind == TimelineKind.CaseEvent).ShouldBe(0);
        all.Single(i => i.Kind == TimelineKind.Comment).Text.ShouldBe("A comment");
        all.Select(i => (i.Kind, i.Id)).Distinct().Count().ShouldBe(7);
        all.ShouldBe(all.OrderByDescending(i => i.At).ThenByDescending(i => i.Kind).ThenByDescending(i => i.Id).ToList());

        var customer = await cards.Reads.GetTimelineAsync(Agent, cardId, TimelineFilter.Customer);
        customer.Items.ShouldHaveSingleItem().Text.ShouldBe("Quick note");
        (await cards.Reads.GetTimelineAsync(Agent, cardId, TimelineFilter.Case)).Items.ShouldHaveSingleItem().Kind.ShouldBe(TimelineKind.Comment);
    }

    [Fact]
    public async Task ACardCreatedFromAScriptHasItsIdentities_AnIdentityTakenElsewhereIsAConflictNamingIt()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (existing, _) = await CardWithMessagesAsync(test.Factory, 0, phone: "+33612345678");
        var id = await cards.Edits.CreateAsync(Agent, new CardProfile { FirstName = "Léa", LastName = "Petit" },
            [new NewIdentity(Channel.Email, "Lea.Petit@Example.com"), new NewIdentity(Channel.Twitter, "@LeaPetit", ProfileUrl: "https://x.com/leapetit", Followers: 120)]);
        var card = await cards.Reads.GetFirstViewAsync(Agent, id);
        card.Identities.Select(i => i.Normalized).ShouldBe(["lea.petit@example.com", "leapetit"]);
        card.Indicators.Followers.ShouldBe(120);

        var conflict = await Should.ThrowAsync<ConflictException>(() => cards.Edits.CreateAsync(Agent, new CardProfile { FirstName = "X" },
            [new NewIdentity(Channel.WhatsApp, "06 12 34 56 78")]));
        conflict.Field.ShouldBe("identities[0].address");
        conflict.Message.ShouldContain(existing.ToString());
        (await Should.ThrowAsync<DomainException>(() => cards.Edits.CreateAsync(Agent, new CardProfile(), [new NewIdentity(Channel.Sms, "12")]))).Field.ShouldBe("identities[0].address");
    }

    [Fact]
    public async Task ACardNeedsANameOrAnIdentity_WhenCreatedAndWhenItsProfileIsSaved()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        int count;
        await using (var db = test.Factory.CreateDbContext()) count = await db.Cards.CountAsync();

        foreach (var profile in new[] { new CardProfile(), new CardProfile { FirstName = "  ", Company = "Acme", PrimaryEmail = "x@example.com" } })
        {
            var refused = await Should.ThrowAsync<DomainException>(() => cards.Edits.CreateAsync(Agent, profile, []));
            (refused.Field, refused.Code).ShouldBe(("lastName", "CardNeedsNameOrIdentity"));
        }
        await using (var db = test.Factory.CreateDbContext()) (await db.Cards.CountAsync()).ShouldBe(count);

        var named = await cards.Edits.CreateAsync(Agent, new CardProfile { LastName = "Petit" }, []);
        var identified = await cards.Edits.CreateAsync(Agent, new CardProfile(), [new NewIdentity(Channel.Email, "sans.nom@example.com")]);

        // Emptying the name of a card that has no identity would leave a card about nobody; with an identity it may.
        var read = await cards.Reads.GetFirstViewAsync(Agent, named);
        var emptied = await Should.ThrowAsync<DomainException>(() => cards.Edits.UpdateProfileAsync(Agent, named, read.Version, read.Profile with { LastName = null, City = "Lyon" }));
        emptied.Code.ShouldBe("CardNeedsNameOrIdentity");
        (await cards.Reads.GetFirstViewAsync(Agent, named)).Profile.LastName.ShouldBe("Petit");
        var other = await cards.Reads.GetFirstViewAsync(Agent, identified);
        await cards.Edits.UpdateProfileAsync(Agent, identified, other.Version, other.Profile with { City = "Lyon" });
    }

    [Fact]
    public async Task TheConversationSummaryReadsTheCaseContext()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, caseId) = await CardWithMessagesAsync(test.Factory, 1);
        await using (var db = test.Factory.CreateDbContext())
        {
            var c = await db.Cases.FirstAsync(x => x.Id == caseId);
            c.SetContext("""{"preChatSurvey":{"topic":"Billing"},"visitor":{"authenticated":true,"browser":"Firefox"},"selfService":[{"type":"pageVisited","title":"Home","at":"2026-01-01T07:00:00Z"},{"type":"searchPhrase","title":"refund","at":"2026-01-01T07:05:00Z"}],"variables":{"orderId":"A-42"}}""");
            await db.SaveChangesAsync();
        }
        var summary = (await cards.Reads.GetConversationSummaryAsync(Agent, cardId))!;
        summary.Case.Id.ShouldBe(caseId);
        summary.Case.QueueName.ShouldBe("General");
        summary.PreChatSurvey.ShouldContain(new KeyValuePair<string, string>("topic", "Billing"));
        summary.Visitor.ShouldContain(new KeyValuePair<string, string>("authenticated", "true"));
        summary.SelfService.Select(s => s.Title).ShouldBe(["refund", "Home"]);
        summary.Variables.ShouldContain(new KeyValuePair<string, string>("orderId", "A-42"));
    }

    [Fact]
    public async Task GivenWhatTheAgentRead_AConflictListsOnlyTheirOwnChangesAndKeepingMineKeepsTheOthersFields()
    {
        var (test, cards, _) = await CreateAsync();
        await using var _ = test;
        var (cardId, _) = await CardWithMessagesAsync(test.Factory, 0);
        var read = await cards.Reads.GetFirstViewAsync(Agent, cardId);
        await cards.Edits.UpdateProfileAsync(Agent, cardId, read.Version, read.Profile with { City = "Lyon", JobTitle = "Buyer" });

        var conflict = await Should.ThrowAsync<ProfileConflictException>(() =>
            cards.Edits.UpdateProfileAsync(OtherAgent, cardId, read.Version, read.Profile with { City = "Marseille", Category = "VIP" }, basis: read.Profile));
        conflict.Fields.ShouldBe([new FieldConflict("city", "Marseille", "Lyon")]);
        conflict.Mine.ShouldNotBeNull();
        await cards.Edits.UpdateProfileAsync(OtherAgent, cardId, conflict.CurrentVersion, conflict.Mine);
        var after = (await cards.Reads.GetFirstViewAsync(Agent, cardId)).Profile;
        (after.City, after.JobTitle, after.Category).ShouldBe(("Marseille", "Buyer", "VIP"));
    }
}
