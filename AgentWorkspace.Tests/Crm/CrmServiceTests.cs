using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Crm;

/// <summary>The CRM on the card (issue 18) on a real SQLite database: sections, link, unlink, create, with the case's acting rules.</summary>
[Trait("Category", "Service")]
public sealed class CrmServiceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheCurrentSectionHasTheContactTheCardMatches_AndRelatedPutsPersonLevelRecordsBeforeTheHouseholdAndTheCases()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);

        var sections = await w.Crm.GetForCaseAsync(CrmWorld.Camille, s.CaseId, Ct);

        sections.Kind.ShouldBe("builtin");
        var contact = sections.Current.ShouldHaveSingleItem();
        (contact.Ref, contact.Linked, contact.LinkId).ShouldBe((s.Contact, false, (long?)null));
        contact.Record.Url!.ToString().ShouldBe($"/crm/contact/{s.ContactId}");
        contact.Children.Select(c => c.Ref.Type).ShouldBe([CrmRecordType.Account, CrmRecordType.Contact, CrmRecordType.Case]);
        sections.Related.Select(r => (r.Ref.Type, r.Record.Relation)).ShouldBe(
            [(CrmRecordType.Account, CrmRelations.Account), (CrmRecordType.Contact, CrmRelations.Household), (CrmRecordType.Case, CrmRelations.Case)]);
        sections.Related[1].Record.Id.ShouldBe(s.MemberId);
    }

    [Fact]
    public async Task LinkingShowsTheRecordLinked_InTheCaseHistoryAndTheCardTimeline_AndLinkingItAgainIsAConflict()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var events = new List<ChangeEvent>();
        w.Inbox.Feed.Subscribe(e => { lock (events) events.Add(e); return Task.CompletedTask; });

        var link = await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Account, Ct);

        var sections = await w.Crm.GetForCaseAsync(CrmWorld.Camille, s.CaseId, Ct);
        var first = sections.Current[0];
        (first.Ref, first.Linked, first.LinkId).ShouldBe((s.Account, true, (long?)link.Id));
        sections.Current.Single(r => r.Ref == s.Contact).Linked.ShouldBeFalse();
        var history = await w.Inbox.Inbox.HistoryAsync(CrmWorld.Camille, s.CaseId, ct: Ct);
        history.Entries[0].Type.ShouldBe(CaseEventType.CrmLinked);
        var timeline = await new CardReads(w.Db, w.Inbox.Feed, TimeProvider.System).GetTimelineAsync(CrmWorld.Camille, s.CardId, TimelineFilter.Case, ct: Ct);
        timeline.Items.ShouldContain(i => i.EventType == CaseEventType.CrmLinked);
        (await w.QueryAsync(db => db.Audit.CountAsync(a => a.EntityType == "CrmLink" && a.Action == "Linked"))).ShouldBe(1);

        var again = await Should.ThrowAsync<ConflictException>(() => w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Account, Ct));
        again.Code.ShouldBe("CrmAlreadyLinked");
        (await w.QueryAsync(db => db.CrmLinks.CountAsync())).ShouldBe(1);
        await WaitForAsync(() => { lock (events) return events.Any(e => e.Kind == ChangeKind.CrmChanged && e.CaseId == s.CaseId); });
    }

    [Fact]
    public async Task AnAgentMayNotLinkOnACaseAnotherAgentHolds_ButASupervisorMay()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Lucas.UserId);

        var refused = await Should.ThrowAsync<ForbiddenException>(() => w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct));
        refused.Code.ShouldBe("CaseAssignedToOther");
        (await w.QueryAsync(db => db.CrmLinks.CountAsync())).ShouldBe(0);

        var link = await w.Crm.LinkAsync(CrmWorld.Sophie, s.CaseId, s.Contact, Ct);
        link.CreatedByName.ShouldBe(CrmWorld.Sophie.DisplayName);
        await Should.ThrowAsync<ForbiddenException>(() => w.Crm.UnlinkAsync(CrmWorld.Camille, s.CaseId, link.Id, Ct));
    }

    [Fact]
    public async Task ARecordTheCrmDoesNotHaveIsNotFound_AndNothingIsLinked()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await Should.ThrowAsync<NotFoundException>(() => w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, new CrmRecordRef(CrmRecordType.Contact, "999999"), Ct));
        await Should.ThrowAsync<NotFoundException>(() => w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, new CrmRecordRef(CrmRecordType.Contact, "x'; drop table"), Ct));
        (await w.QueryAsync(db => db.CrmLinks.CountAsync())).ShouldBe(0);
    }

    [Fact]
    public async Task UnlinkingTwiceIsNotFound_AndTheUnlinkIsInTheHistory()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var link = await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);

        await w.Crm.UnlinkAsync(CrmWorld.Camille, s.CaseId, link.Id, Ct);

        (await w.Crm.GetLinksAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).ShouldBeEmpty();
        (await w.Crm.GetLinksAsync(CrmWorld.Camille, s.CaseId, includeUnlinked: true, ct: Ct)).ShouldHaveSingleItem().UnlinkedAt.ShouldNotBeNull();
        await Should.ThrowAsync<NotFoundException>(() => w.Crm.UnlinkAsync(CrmWorld.Camille, s.CaseId, link.Id, Ct));
        await Should.ThrowAsync<NotFoundException>(() => w.Crm.UnlinkAsync(CrmWorld.Camille, s.CaseId + 1000, link.Id, Ct));
        (await w.Inbox.Inbox.HistoryAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).Entries[0].Type.ShouldBe(CaseEventType.CrmUnlinked);
        // Linked again after an unlink: a new link.
        (await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct)).Id.ShouldNotBe(link.Id);
    }

    [Fact]
    public async Task CreatingAContactFromTheCardLinksItToTheCase_AndItAppearsLinkedOnTheCard()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var prefill = await w.Crm.GetPrefillAsync(CrmWorld.Camille, s.CardId, s.CaseId, Ct);
        prefill.Subject.ShouldBe("Commande");
        prefill.Description!.ShouldContain("commande");

        var fields = new Dictionary<string, string?>(prefill.FieldsFor(CrmRecordType.Contact)) { [CrmFields.Email] = "  Nouvelle.Adresse@Example.com ", [CrmFields.Phone] = "06 99 88 77 66" };
        var created = await w.Crm.CreateRecordAsync(CrmWorld.Camille, s.CardId, new CrmNewRecord(CrmRecordType.Contact, fields), s.CaseId, Ct);

        created.LinkId.ShouldNotBeNull();
        var stored = await w.QueryAsync(db => db.CrmContacts.SingleAsync(c => c.Id == long.Parse(created.Record.Id)));
        (stored.Email, stored.Phone, stored.LastName).ShouldBe(("nouvelle.adresse@example.com", "+33699887766", "Le Gall"));
        var sections = await w.Crm.GetForCaseAsync(CrmWorld.Camille, s.CaseId, Ct);
        sections.Current.ShouldContain(r => r.Ref == created.Record.Ref && r.Linked && r.LinkId == created.LinkId);
        (await w.Inbox.Inbox.HistoryAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).Entries[0].Type.ShouldBe(CaseEventType.CrmRecordCreated);
    }

    [Fact]
    public async Task ANewCrmCaseFromTheCardConcernsTheCardsContact()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var created = await w.Crm.CreateRecordAsync(CrmWorld.Camille, s.CardId,
            new CrmNewRecord(CrmRecordType.Case, new Dictionary<string, string?> { [CrmFields.Subject] = "Retour produit", [CrmFields.Description] = "Carton abîmé" }), null, Ct);
        created.LinkId.ShouldBeNull();
        created.Record.Title.ShouldStartWith("CAS-");
        (await w.QueryAsync(db => db.CrmCases.SingleAsync(c => c.Id == long.Parse(created.Record.Id)))).ContactId.ShouldBe(long.Parse(s.ContactId));
    }

    [Theory]
    [InlineData("email", "pas-une-adresse", "CrmEmailInvalid")]
    [InlineData("phone", "12", "CrmPhoneInvalid")]
    [InlineData("lastName", "", "CrmLastNameRequired")]
    [InlineData("nickname", "Zozo", "CrmFieldUnknown")]
    public async Task AnInvalidFieldIsRefusedNamingIt_AndTheCrmIsNotCalled(string field, string value, string code)
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var fields = new Dictionary<string, string?> { [CrmFields.LastName] = "Martin", [field] = value };
        var ex = await Should.ThrowAsync<DomainException>(() => w.Crm.CreateRecordAsync(CrmWorld.Camille, s.CardId, new CrmNewRecord(CrmRecordType.Contact, fields), s.CaseId, Ct));
        (ex.Field, ex.Code).ShouldBe((field, code));
        (await w.QueryAsync(db => db.CrmContacts.CountAsync())).ShouldBe(2);
    }

    [Fact]
    public async Task ATypeTheAdministratorsDoNotAllowIsRefused()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("builtin", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            [CrmRecordType.Case], CrmPushedFields.All, 5), Ct);
        var ex = await Should.ThrowAsync<DomainException>(() => w.Crm.CreateRecordAsync(CrmWorld.Camille, s.CardId,
            new CrmNewRecord(CrmRecordType.Lead, new Dictionary<string, string?> { [CrmFields.LastName] = "Martin" }), null, Ct));
        (ex.Field, ex.Code).ShouldBe(("type", "CrmTypeNotAllowed"));
        (await w.Settings.AgentOptionsAsync(CrmWorld.Camille, Ct)).CreatableTypes.ShouldBe([CrmRecordType.Case]);
    }

    [Fact]
    public async Task AnAgentMayNotCreateAndLinkOnACaseAnotherAgentHolds()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Lucas.UserId);
        await Should.ThrowAsync<ForbiddenException>(() => w.Crm.CreateRecordAsync(CrmWorld.Camille, s.CardId,
            new CrmNewRecord(CrmRecordType.Contact, new Dictionary<string, string?> { [CrmFields.LastName] = "Martin" }), s.CaseId, Ct));
        (await w.QueryAsync(db => db.CrmContacts.CountAsync())).ShouldBe(2);
    }

    [Fact]
    public async Task ACrmThatDoesNotAnswerWithinTheTimeOutIsUnavailable_InOneLine()
    {
        var slow = new FakeCrmKind { Find = async (_, ct) => { await Task.Delay(Timeout.Infinite, ct); return []; } };
        await using var w = await CrmWorld.CreateAsync(slow);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 1), Ct);

        var ex = await Should.ThrowAsync<CrmException>(() => w.Crm.GetForCaseAsync(CrmWorld.Camille, s.CaseId, Ct));
        ex.Failure.ShouldBe(CrmFailure.Unavailable);
        ex.Message.ShouldBe("The CRM did not answer within 1 s.");
    }

    [Fact]
    public async Task AConnectorThatThrowsSomethingElseIsWrappedAsUnavailable()
    {
        var broken = new FakeCrmKind { Find = (_, _) => throw new InvalidOperationException("garbage from the CRM") };
        await using var w = await CrmWorld.CreateAsync(broken);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 5), Ct);
        (await Should.ThrowAsync<CrmException>(() => w.Crm.GetForCaseAsync(CrmWorld.Camille, s.CaseId, Ct))).Failure.ShouldBe(CrmFailure.Unavailable);
    }

    [Fact]
    public async Task TheBuiltInRecordPageShowsTheRecordItsAssociationsAndItsActivities()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync();
        await w.BuiltIn.PushAsync(s.Contact, new CrmActivity("k-1", true, "Call", "voice", "Zoé", "General", "Camille", DateTimeOffset.UtcNow, null, "Sale", "Notes", null), Ct);

        var page = await w.Records.GetRecordAsync(CrmWorld.Camille, CrmRecordType.Contact, s.ContactId, Ct);
        page.Record.Title.ShouldBe("Zoé Le Gall");
        page.Associated.Count.ShouldBe(3);
        page.Activities.ShouldHaveSingleItem().Disposition.ShouldBe("Sale");
        await Should.ThrowAsync<NotFoundException>(() => w.Records.GetRecordAsync(CrmWorld.Camille, CrmRecordType.Lead, s.ContactId, Ct));
    }

    internal static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++) await Task.Delay(25, Ct);
        (await condition()).ShouldBeTrue();
    }

    internal static async Task WaitForAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25, Ct);
        condition().ShouldBeTrue();
    }
}
