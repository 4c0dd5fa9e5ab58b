using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Crm;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Crm;

/// <summary>
/// After-call work and the push outbox (issue 18, seed 001): calls push after the wrap-up, digital cases on transfer or
/// unassignment; retries with back-off, idempotent, picked up again after a restart, skipped once unlinked.
/// </summary>
[Trait("Category", "Service")]
public sealed class CrmOutboxTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task UseFakeAsync(CrmWorld w) =>
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 5), Ct);

    [Fact]
    public async Task ACallIsPushedToItsLinkedRecordsAfterTheWrapUp_NotBefore()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync(channel: Channel.Voice, assignedTo: CrmWorld.Camille.UserId);
        await w.Inbox.QueryAsync(async db => { db.Dispositions.Add(new Disposition("Vente", 1, DateTimeOffset.UtcNow)); return await db.SaveChangesAsync(); });
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Account, Ct);

        (await Should.ThrowAsync<DomainException>(() => w.Cases.WrapUpAsync(CrmWorld.Camille, s.CaseId, "Vente", null, Ct))).Code.ShouldBe("WrapUpBeforeCallEnd");
        await w.Cases.EndCallAsync(CrmWorld.Camille, s.CaseId, Ct);
        (await w.QueryAsync(db => db.CrmPushes.CountAsync())).ShouldBe(0);
        (await Should.ThrowAsync<DomainException>(() => w.Cases.WrapUpAsync(CrmWorld.Camille, s.CaseId, "Autre", null, Ct))).Code.ShouldBe("DispositionUnknown");
        (await Should.ThrowAsync<DomainException>(() => w.Cases.WrapUpAsync(CrmWorld.Camille, s.CaseId, null, null, Ct))).Code.ShouldBe("DispositionRequired");

        await w.Cases.WrapUpAsync(CrmWorld.Camille, s.CaseId, " vente ", "Client rappelé, commande relancée.", Ct);

        var pending = await w.Crm.GetLinksAsync(CrmWorld.Camille, s.CaseId, ct: Ct);
        pending.Select(l => l.Push!.State).ShouldBe([CrmPushState.Pending, CrmPushState.Pending]);
        await w.DrainAsync();
        var activities = await w.QueryAsync(db => db.CrmActivities.OrderBy(a => a.Id).ToListAsync());
        activities.Count.ShouldBe(2);
        var a = activities[0];
        (a.IsCall, a.Disposition, a.Notes, a.Agent, a.ContactName, a.Queue).ShouldBe((true, "Vente", "Client rappelé, commande relancée.", "Camille Laurent", "Zoé Le Gall", Queue.DefaultName));
        a.CaseUrl.ShouldBe($"https://aw.example/cards/{s.CardId}?case={s.CaseId}");
        (await w.Crm.GetLinksAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).Select(l => l.Push!.State).ShouldBe([CrmPushState.Sent, CrmPushState.Sent]);
        var history = await w.Inbox.Inbox.HistoryAsync(CrmWorld.Camille, s.CaseId, ct: Ct);
        history.Entries.Count(e => e.Type == CaseEventType.CrmPushed).ShouldBe(2);
        history.Entries.ShouldContain(e => e.Type == CaseEventType.WrapUpCompleted && e.Detail == "Vente");
        (await Should.ThrowAsync<ConflictException>(() => w.Cases.WrapUpAsync(CrmWorld.Camille, s.CaseId, "Vente", null, Ct))).Code.ShouldBe("WrapUpAlreadyDone");
        var acw = await w.Inbox.Inbox.AfterCallWorkAsync(CrmWorld.Camille, s.CaseId, Ct);
        (acw.IsCall, acw.State, acw.Disposition).ShouldBe((true, AfterCallWork.Completed, "Vente"));
    }

    [Fact]
    public async Task ADigitalCaseIsPushedOnTransferAndOnUnassign_AndAVoiceCaseIsNot()
    {
        await using var w = await CrmWorld.CreateAsync();
        var digital = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Crm.LinkAsync(CrmWorld.Camille, digital.CaseId, digital.Contact, Ct);
        await w.Cases.TransferToAsync(CrmWorld.Camille, digital.CaseId, "Support", null, Ct);
        await w.Cases.AssignAsync(CrmWorld.Sophie, digital.CaseId, CrmWorld.Camille.UserId, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, digital.CaseId, Ct);
        (await w.QueryAsync(db => db.CrmPushes.Select(p => p.Trigger).ToListAsync())).ShouldBe([CrmPushTrigger.Transfer, CrmPushTrigger.Unassign], ignoreOrder: true);

        var call = await w.SeedContactAsync(channel: Channel.Voice, assignedTo: CrmWorld.Camille.UserId);
        await w.QueryAsync(db => db.Users.ExecuteUpdateAsync(u => u.SetProperty(x => x.NormalizedEmail, x => x.Email!.ToUpper())));
        await w.Crm.LinkAsync(CrmWorld.Camille, call.CaseId, call.Contact, Ct);
        await w.Cases.TransferToAsync(CrmWorld.Camille, call.CaseId, null, "u-lucas@test", Ct);
        (await w.QueryAsync(db => db.CrmPushes.CountAsync(p => p.CaseId == call.CaseId))).ShouldBe(0);
        (await Should.ThrowAsync<DomainException>(() => w.Cases.EndCallAsync(CrmWorld.Camille, digital.CaseId, Ct))).Code.ShouldBe("CallEndNotVoice");
    }

    [Fact]
    public async Task UnlinkedBeforeThePush_NothingIsPushedToThatRecord()
    {
        var fake = new FakeCrmKind();
        await using var w = await CrmWorld.CreateAsync(fake);
        await UseFakeAsync(w);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var kept = await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, new CrmRecordRef(CrmRecordType.Contact, "kept"), Ct);
        var dropped = await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, new CrmRecordRef(CrmRecordType.Account, "dropped"), Ct);
        await w.Cases.TransferAsync(CrmWorld.Camille, s.CaseId, w.Inbox.Queues["Support"], CrmWorld.Camille.UserId, Ct);

        await w.Crm.UnlinkAsync(CrmWorld.Camille, s.CaseId, dropped.Id, Ct);
        await w.DrainAsync();

        fake.Pushed.Select(p => p.Target.Id).ShouldBe(["kept"]);
        var pushes = await w.QueryAsync(db => db.CrmPushes.ToDictionaryAsync(p => p.LinkId, p => p.State));
        (pushes[kept.Id], pushes[dropped.Id]).ShouldBe((CrmPushState.Sent, CrmPushState.Skipped));
    }

    [Fact]
    public async Task ATransientFailureIsRetriedWithADelayThatDoubles_ThenSent()
    {
        var fails = 2;
        var fake = new FakeCrmKind();
        fake.Push = (_, a, _) => fails-- > 0 ? throw new CrmException(CrmFailure.Unavailable, "503 Service Unavailable") : Task.FromResult("act-1");
        await using var w = await CrmWorld.CreateAsync(fake);
        await UseFakeAsync(w);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        var link = await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, s.CaseId, Ct);

        (await w.Pushes.ProcessDueAsync(Ct)).ShouldBe(1);
        var push = await w.QueryAsync(db => db.CrmPushes.SingleAsync());
        (push.State, push.Attempts, push.LastError, push.NextAttemptAt).ShouldBe((CrmPushState.Pending, 1, "503 Service Unavailable", w.Clock.Now + TimeSpan.FromSeconds(2)));
        (await w.Pushes.ProcessDueAsync(Ct)).ShouldBe(0, "not due before its delay");

        w.Clock.Advance(TimeSpan.FromSeconds(2));
        (await w.Pushes.ProcessDueAsync(Ct)).ShouldBe(1);
        (await w.QueryAsync(db => db.CrmPushes.SingleAsync())).NextAttemptAt.ShouldBe(w.Clock.Now + TimeSpan.FromSeconds(4));
        w.Clock.Advance(TimeSpan.FromSeconds(3));
        (await w.Pushes.ProcessDueAsync(Ct)).ShouldBe(0);
        w.Clock.Advance(TimeSpan.FromSeconds(1));
        (await w.Pushes.ProcessDueAsync(Ct)).ShouldBe(1);

        push = await w.QueryAsync(db => db.CrmPushes.SingleAsync());
        (push.State, push.Attempts, push.ExternalId).ShouldBe((CrmPushState.Sent, 3, "act-1"));
        fake.Pushed.Select(p => p.Activity.IdempotencyKey).Distinct().ShouldHaveSingleItem().ShouldBe(push.IdempotencyKey);
        (await w.Crm.GetLinksAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).Single(l => l.Id == link.Id).Push!.State.ShouldBe(CrmPushState.Sent);
    }

    [Fact]
    public void TheDelayDoublesUpToTenMinutes()
    {
        CrmPush.DelayAfter(1).ShouldBe(TimeSpan.FromSeconds(2));
        CrmPush.DelayAfter(2).ShouldBe(TimeSpan.FromSeconds(4));
        CrmPush.DelayAfter(5).ShouldBe(TimeSpan.FromSeconds(32));
        CrmPush.DelayAfter(20).ShouldBe(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task ARefusalFailsThePushWithTheCrmsReason_TheAdministratorSeesItAndRetries()
    {
        var refuse = true;
        var fake = new FakeCrmKind();
        fake.Push = (_, _, _) => refuse ? throw new CrmException(CrmFailure.Rejected, "The CRM refused the activity.", "Required field missing: Subject") : Task.FromResult("act-9");
        await using var w = await CrmWorld.CreateAsync(fake);
        await UseFakeAsync(w);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, s.CaseId, Ct);
        await w.DrainAsync();

        var failures = await w.Pushes.ListFailedAsync(CrmWorld.Admin, ct: Ct);
        var failure = failures.Items.ShouldHaveSingleItem();
        failure.Reason.ShouldBe("The CRM refused the activity. (Required field missing: Subject)");
        failure.Attempts.ShouldBe(1);
        (await w.Inbox.Inbox.HistoryAsync(CrmWorld.Camille, s.CaseId, ct: Ct)).Entries[0].Type.ShouldBe(CaseEventType.CrmPushFailed);
        await Should.ThrowAsync<ForbiddenException>(() => w.Pushes.ListFailedAsync(CrmWorld.Sophie, ct: Ct));
        await Should.ThrowAsync<ForbiddenException>(() => w.Pushes.RetryAsync(CrmWorld.Camille, failure.PushId, Ct));

        refuse = false;
        await w.Pushes.RetryAsync(CrmWorld.Admin, failure.PushId, Ct);
        (await Should.ThrowAsync<DomainException>(() => w.Pushes.RetryAsync(CrmWorld.Admin, failure.PushId, Ct))).Code.ShouldBe("CrmPushNotFailed");
        await w.DrainAsync();
        (await w.QueryAsync(db => db.CrmPushes.SingleAsync())).State.ShouldBe(CrmPushState.Sent);
        (await w.Pushes.ListFailedAsync(CrmWorld.Admin, ct: Ct)).Items.ShouldBeEmpty();
    }

    [Fact]
    public async Task TheSamePushTwiceIsOneActivity_InTheBuiltInCrm()
    {
        await using var w = await CrmWorld.CreateAsync();
        var s = await w.SeedContactAsync();
        var activity = new CrmActivity("same-key", false, "Sms: Commande", "sms", null, null, null, DateTimeOffset.UtcNow, null, null, null, null);
        var first = await w.BuiltIn.PushAsync(s.Contact, activity, Ct);
        var second = await w.BuiltIn.PushAsync(s.Contact, activity, Ct);
        second.ShouldBe(first);
        (await w.QueryAsync(db => db.CrmActivities.CountAsync())).ShouldBe(1);
    }

    [Fact]
    public async Task AnAnswerLostAfterTheBuiltInCrmRecordedThePush_TheRetryCreatesNoSecondActivity()
    {
        // A CRM in front of the built-in one that records the push and then loses its answer once.
        CrmWorld? world = null;
        var lost = 1;
        var fake = new FakeCrmKind();
        fake.Push = async (target, activity, ct) =>
        {
            var id = await world!.BuiltIn.PushAsync(target, activity, ct);
            if (lost-- > 0) throw new CrmException(CrmFailure.Unavailable, "connection reset");
            return id;
        };
        await using var w = world = await CrmWorld.CreateAsync(fake);
        await UseFakeAsync(w);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, s.CaseId, Ct);

        await w.DrainAsync();
        w.Clock.Advance(TimeSpan.FromSeconds(2));
        await w.DrainAsync();

        (await w.QueryAsync(db => db.CrmPushes.SingleAsync())).State.ShouldBe(CrmPushState.Sent);
        (await w.QueryAsync(db => db.CrmActivities.CountAsync())).ShouldBe(1);
        fake.Pushed.Count.ShouldBe(1, "the first try's answer was lost; the second found the activity");
    }

    [Fact]
    public async Task PendingPushesSurviveARestart_ANewProcessorSendsThem_AndOneThatDiedMidSendIsTakenAgainAfterItsLease()
    {
        var hang = true;
        var fake = new FakeCrmKind();
        fake.Push = async (_, a, ct) =>
        {
            if (hang) await Task.Delay(Timeout.Infinite, ct);
            return "act-" + a.IdempotencyKey;
        };
        await using var w = await CrmWorld.CreateAsync(fake);
        await w.Settings.SaveAsync(CrmWorld.Admin, new CrmSettingsInput("fake", new Dictionary<string, string?>(), new Dictionary<string, string?>(),
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 60), Ct);
        var s = await w.SeedContactAsync(assignedTo: CrmWorld.Camille.UserId);
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Contact, Ct);
        await w.Crm.LinkAsync(CrmWorld.Camille, s.CaseId, s.Account, Ct);
        await w.Cases.UnassignAsync(CrmWorld.Camille, s.CaseId, Ct);

        // The first processor takes a push and dies in the middle of sending it (the process stops).
        using (var dying = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            var run = w.Pushes.ProcessDueAsync(dying.Token);
            await CrmServiceTests.WaitForAsync(async () => await w.QueryAsync(db => db.CrmPushes.CountAsync(p => p.Attempts == 1)) == 1);
            await dying.CancelAsync();
            await Should.ThrowAsync<OperationCanceledException>(() => run);
        }
        hang = false;

        // After the restart: a new processor sends the push nobody took at once, and the abandoned one after its lease.
        var restarted = w.NewProcessor();
        await w.DrainAsync(restarted);
        (await w.QueryAsync(db => db.CrmPushes.CountAsync(p => p.State == CrmPushState.Sent))).ShouldBe(1);
        w.Clock.Advance(CrmPushService.Lease);
        await w.DrainAsync(restarted);
        (await w.QueryAsync(db => db.CrmPushes.CountAsync(p => p.State == CrmPushState.Sent))).ShouldBe(2);
        fake.Pushed.Select(p => p.Target).Distinct().Count().ShouldBe(2);
    }
}
