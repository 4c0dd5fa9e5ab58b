using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Tests.Crm;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Privacy;

/// <summary>
/// Which CRM records an erasure takes (docs/decisions/010, "The CRM"): the person's records of the built-in CRM go,
/// the other people's (a household member, a namesake) and the shared ones (an account, a household with others) stay;
/// outside CRMs' records are listed in the audit by id; nothing is pushed for the contact after the erasure.
/// The completeness (no byte left) is <see cref="ErasureLeavesNothingTests"/>.
/// </summary>
[Trait("Category", "Service")]
public sealed class CrmErasureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task TheBuiltInCrmLosesThePersonsRecordsAndKeepsOtherPeopleAndSharedRecords()
    {
        await using var w = await CrmWorld.CreateAsync();
        // The card (an SMS number), the CRM contact with that number, its household with Yann, its account, its CRM case.
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var phone = await w.QueryAsync(db => db.CrmContacts.Where(c => c.Id == long.Parse(s.ContactId)).Select(c => c.Phone!).SingleAsync());
        var now = DateTimeOffset.UtcNow;
        var (_, solo, namesake, lead, plumber) = await w.QueryAsync(async db =>
        {
            var soloHousehold = new CrmHousehold("Foyer solo", "2 impasse des Lilas", now);
            var plumbing = new CrmAccount("Le Gall Plomberie", phone, "contact@plomberie.example", "Brest", null, now);
            db.AddRange(soloHousehold, plumbing);
            await db.SaveChangesAsync();
            // The same person twice in the CRM (same number), alone in a household; a namesake with other addresses; a lead.
            var twice = new CrmContact("Zoé", "Le Gall", null, phone, null, null, null, soloHousehold.Id, now);
            var other = new CrmContact("Zoé", "Le Gall", "zoe.autre@example.net", "+33700000002", null, null, null, null, now);
            var prospect = new CrmLead("Zoé", "Le Gall", null, phone, null, "Abonnement", now);
            db.AddRange(twice, other, prospect);
            await db.SaveChangesAsync();
            return (twice.Id, soloHousehold.Id, other.Id, prospect.Id, plumbing.Id);
        });
        // The case linked to the shared account and given back: the account gets an activity of the contact's case.
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Account, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, s.CaseId, Ct);
        await w.DrainAsync();
        // Another person's activity on the same account, which the erasure must not touch.
        await w.QueryAsync(async db =>
        {
            db.CrmActivities.Add(new CrmActivityEntry(CrmRecordType.Account, long.Parse(s.AccountId),
                new CrmActivity("other-key", false, "Sms: autre client", "sms", "Yann Le Gall", "Support", "Lucas", now, null, null, "Notes d'un autre", null), now));
            return await db.SaveChangesAsync();
        });

        await new PrivacyService(w.Db, w.Runner, w.Clock).AnonymizeAsync(CrmWorld.Sophie, s.CardId, force: true, Ct);

        await w.QueryAsync(async db =>
        {
            // The person: both CRM contacts with their number, the lead with it, their place at the account, the household only they were in.
            (await db.CrmContacts.Select(c => c.Id).ToListAsync()).ShouldBe([long.Parse(s.MemberId), namesake], ignoreOrder: true);
            (await db.CrmLeads.AnyAsync(l => l.Id == lead)).ShouldBeFalse();
            (await db.CrmAccountContacts.AnyAsync()).ShouldBeFalse();
            (await db.CrmHouseholds.AnyAsync(h => h.Id == solo)).ShouldBeFalse("nobody else belonged to it");
            // The household shared with Yann stays, as it was.
            (await db.CrmHouseholds.SingleAsync()).Name.ShouldBe("Foyer Le Gall");
            // The CRM case of the person stays, without its text and its contact; its account and number stay.
            var crmCase = await db.CrmCases.SingleAsync(k => k.Id == long.Parse(s.CrmCaseId));
            (crmCase.Subject, crmCase.Description, crmCase.ContactId, crmCase.AccountId).ShouldBe((PrivacyService.Erased, (string?)null, (long?)null, long.Parse(s.AccountId)));
            crmCase.Number.ShouldStartWith("CAS-");
            // Accounts are organisations: a number of the person's goes, the rest stays.
            var plumbing = await db.CrmAccounts.SingleAsync(a => a.Id == plumber);
            (plumbing.Name, plumbing.Phone, plumbing.Email).ShouldBe(("Le Gall Plomberie", (string?)null, "contact@plomberie.example"));
            (await db.CrmAccounts.CountAsync()).ShouldBe(2);
            // The contact's activity on the account stays without its text; the other person's is untouched.
            var activities = await db.CrmActivities.OrderBy(a => a.Id).ToListAsync();
            activities.Count.ShouldBe(2);
            (activities[0].Subject, activities[0].ContactName, activities[0].Agent, activities[0].Queue).ShouldBe((PrivacyService.Erased, PrivacyService.Erased, "Camille Laurent", Core.Domain.Queues.Queue.DefaultName));
            (activities[1].Subject, activities[1].Notes).ShouldBe(("Sms: autre client", "Notes d'un autre"));
            // Our link: kept as history, without the title, ended; its push without the interaction.
            var link = await db.CrmLinks.SingleAsync();
            (link.Title, link.IsActive, link.UnlinkedByName, link.RecordId).ShouldBe((PrivacyService.Erased, false, "Sophie Moreau", s.AccountId));
            var push = await db.CrmPushes.SingleAsync();
            (push.Payload, push.State).ShouldBe((CrmErasure.ErasedPayload, CrmPushState.Sent));
            return 0;
        });
    }

    [Fact]
    public async Task OutsideCrmRecordsAreListedInTheAuditById_AndNothingOfTheContactIsPushedAfterTheErasure()
    {
        var fake = new FakeCrmKind();
        await using var w = await CrmWorld.CreateAsync(fake);
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 5), Ct);
        var (cardId, caseId) = await w.Inbox.InboundAsync(Core.Domain.Queues.Queue.DefaultName, assignedTo: CrmWorld.Camille.UserId);
        // Linked, pushed (the CRM's activity id comes back), created from the card without a link.
        await w.Crm.LinkAsync(CrmWorld.Camille, caseId, new CrmRecordRef(CrmRecordType.Contact, "ext-42"), Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, caseId, Ct);
        await w.DrainAsync();
        var activityId = await w.QueryAsync(db => db.CrmPushes.Select(p => p.ExternalId!).SingleAsync());
        await w.Crm.CreateRecordAsync(CrmWorld.Camille, cardId, new CrmNewRecord(CrmRecordType.Case, new Dictionary<string, string?> { [CrmFields.Subject] = "Colis perdu de Zoé" }), ct: Ct);
        // Another record linked, and a push still waiting when the erasure comes.
        await w.Cases.TakeAsync(CrmWorld.Camille, caseId, Ct);
        await w.Crm.LinkAsync(CrmWorld.Camille, caseId, new CrmRecordRef(CrmRecordType.Lead, "ext-43"), Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, caseId, Ct);
        (await w.QueryAsync(db => db.CrmPushes.CountAsync(p => p.State == CrmPushState.Pending))).ShouldBe(2);

        await new PrivacyService(w.Db, w.Runner, w.Clock).AnonymizeAsync(CrmWorld.Sophie, cardId, force: true, Ct);

        var listed = await w.QueryAsync(db => db.Audit.Where(a => a.EntityType == "Card" && a.EntityId == cardId.ToString() && a.Action == PrivacyService.EraseInCrm)
            .Select(a => new { a.Field, a.After, a.Before }).ToListAsync());
        listed.Select(a => $"{a.Field}={a.After}").ShouldBe(["fake:activity=" + activityId, "fake:case=new-1", "fake:contact=ext-42", "fake:lead=ext-43"], ignoreOrder: true);
        listed.ShouldAllBe(a => a.Before == null);
        // The audit of the CRM work on the contact's case keeps who and when, not the values (the card the record came from, the records' ids).
        (await w.QueryAsync(db => db.Audit.Where(a => (a.EntityType == "CrmRecord" || a.EntityType == "CrmLink" || a.EntityType == "CrmPush") && a.After != null)
            .Select(a => a.After).Distinct().ToListAsync())).ShouldBe([PrivacyService.Erased]);

        // The waiting pushes never leave; none can be retried.
        var pushed = fake.Pushed.Count;
        await w.DrainAsync();
        fake.Pushed.Count.ShouldBe(pushed);
        var pushes = await w.QueryAsync(db => db.CrmPushes.OrderBy(p => p.Id).ToListAsync());
        pushes.Select(p => p.State).ShouldBe([CrmPushState.Sent, CrmPushState.Skipped, CrmPushState.Skipped]);
        pushes.ShouldAllBe(p => p.Payload == CrmErasure.ErasedPayload);
        (await Should.ThrowAsync<DomainException>(() => w.Pushes.RetryAsync(CrmWorld.Admin, pushes[1].Id, Ct))).Code.ShouldBe("CrmPushUnlinked");
        (await w.Crm.GetLinksAsync(CrmWorld.Sophie, caseId, ct: Ct)).ShouldBeEmpty("the links are ended");
    }
}
