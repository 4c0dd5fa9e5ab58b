using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

[Trait("Category", "Service")]
public class InboxServiceTests
{
    [Fact]
    public async Task AnAgentSeesTheCasesOfTheirQueuesAndTheCasesAssignedToThem_AndNothingElse()
    {
        await using var w = await CreateAsync();
        var (_, support) = await w.InboundAsync("Support");
        var (_, general) = await w.InboundAsync(Queue.DefaultName);
        var (_, sales) = await w.InboundAsync("Sales");
        var (_, vipForCamille) = await w.InboundAsync("VIP", assignedTo: Camille.UserId);

        var camille = (await w.Inbox.ListAsync(Camille, new InboxFilter())).Tiles.Select(t => t.Id).ToList();
        camille.ShouldBe([vipForCamille, general, support], ignoreOrder: true);
        var lucas = (await w.Inbox.ListAsync(Lucas, new InboxFilter())).Tiles.Select(t => t.Id).ToList();
        lucas.ShouldBe([sales, general], ignoreOrder: true);

        (await w.Inbox.ListAsync(Camille, new InboxFilter(Scope: InboxScope.Mine))).Tiles.Select(t => t.Id).ShouldBe([vipForCamille]);
        (await w.Inbox.ListAsync(Camille, new InboxFilter(Scope: InboxScope.Unassigned))).Tiles.Select(t => t.Id).ShouldBe([general, support], ignoreOrder: true);
        await Should.ThrowAsync<ForbiddenException>(() => w.Inbox.OpenAsync(Lucas, support));
        await Should.ThrowAsync<ForbiddenException>(() => w.Cases.TakeAsync(Lucas, support));
        (await w.Inbox.OpenAsync(Sophie, sales)).Case.Id.ShouldBe(sales); // a supervisor sees every queue
    }

    [Fact]
    public async Task FiltersByQueueChannelAndStatus_AndSortsNewestOrOldestFirst()
    {
        await using var w = await CreateAsync();
        var t0 = DateTimeOffset.UtcNow.AddHours(-3);
        var (_, sms) = await w.InboundAsync("Support", Channel.Sms, at: t0);
        var (_, mail) = await w.InboundAsync("Support", Channel.Email, at: t0.AddMinutes(10));
        var (_, chat) = await w.InboundAsync(Queue.DefaultName, Channel.Chat, at: t0.AddMinutes(20));
        await w.Cases.TakeAsync(Camille, chat);
        await w.Cases.ResolveAsync(Camille, chat);

        (await w.Inbox.ListAsync(Camille, new InboxFilter(QueueId: w.Queues["Support"]))).Tiles.Select(t => t.Id).ShouldBe([mail, sms]);
        (await w.Inbox.ListAsync(Camille, new InboxFilter(QueueId: w.Queues["Support"], Sort: InboxSort.Oldest))).Tiles.Select(t => t.Id).ShouldBe([sms, mail]);
        (await w.Inbox.ListAsync(Camille, new InboxFilter(Channel: Channel.Email))).Tiles.Select(t => t.Id).ShouldBe([mail]);
        (await w.Inbox.ListAsync(Camille, new InboxFilter())).Tiles.ShouldNotContain(t => t.Id == chat);
        (await w.Inbox.ListAsync(Camille, new InboxFilter(Status: CaseStatus.Resolved))).Tiles.Select(t => t.Id).ShouldBe([chat]);
        (await w.Inbox.ListAsync(Camille, new InboxFilter(QueueId: w.Queues["Sales"]))).Tiles.ShouldBeEmpty(); // not a queue of hers
    }

    [Fact]
    public async Task KeysetPagingWalksEveryVisibleCaseOnceInOrder_EvenWhenTimesTie()
    {
        await using var w = await CreateAsync();
        var t0 = DateTimeOffset.UtcNow.AddDays(-1);
        var expected = new List<(DateTimeOffset At, long Id)>();
        for (var i = 0; i < 23; i++)
        {
            var at = t0.AddMinutes(i / 3); // three cases share each minute
            var (_, id) = await w.InboundAsync(i % 2 == 0 ? "Support" : Queue.DefaultName, at: at, assignedTo: i % 5 == 0 ? Camille.UserId : null);
            expected.Add((at, id));
        }
        await w.InboundAsync("Sales"); // invisible to Camille
        var seen = new List<long>();
        InboxCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await w.Inbox.ListAsync(Camille, new InboxFilter(), cursor, pageSize: 5);
            page.Tiles.Count.ShouldBeLessThanOrEqualTo(5);
            seen.AddRange(page.Tiles.Select(t => t.Id));
            cursor = page.Next;
            pages++;
        } while (cursor is not null);
        seen.ShouldBe(expected.OrderByDescending(e => e.At).ThenByDescending(e => e.Id).Select(e => e.Id).ToList());
        pages.ShouldBe(5);
    }

    [Fact]
    public async Task TakeTransferUnassignResolveReopenCancel_EachLeavesAnEventAndAnAuditEntryAndPublishesAfterCommit()
    {
        await using var w = await CreateAsync();
        var (cardId, caseId) = await w.InboundAsync("Support");
        await w.QueryAsync(db =>
        {
            db.CaseComments.Add(new CaseComment(caseId, null, "x", "X", "a comment", DateTimeOffset.UtcNow));
            return db.SaveChangesAsync();
        });

        var taken = await w.Cases.TakeAsync(Camille, caseId);
        taken.AssignedAgentId.ShouldBe(Camille.UserId);
        taken.AssignedAgentName.ShouldBe("Camille Laurent");
        taken.Status.ShouldBe(CaseStatus.Open);

        var moved = await w.Cases.TransferAsync(Camille, caseId, w.Queues["Sales"], Lucas.UserId);
        moved.QueueId.ShouldBe(w.Queues["Sales"]);
        moved.AssignedAgentId.ShouldBe(Lucas.UserId);
        await Should.ThrowAsync<ForbiddenException>(() => w.Inbox.OpenAsync(Camille, caseId)); // no longer hers, not her queue
        await Should.ThrowAsync<ForbiddenException>(() => w.Cases.AssignAsync(Lucas, caseId, Camille.UserId)); // assigning others: supervisors

        await w.Cases.UnassignAsync(Lucas, caseId);
        await w.Cases.AssignAsync(Sophie, caseId, Lucas.UserId);
        (await w.Cases.ResolveAsync(Lucas, caseId)).Status.ShouldBe(CaseStatus.Resolved);
        await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Lucas, caseId, "encore"));
        (await w.Cases.ReopenAsync(Lucas, caseId)).Status.ShouldBe(CaseStatus.Open);
        (await w.Cases.CancelAsync(Lucas, caseId)).Status.ShouldBe(CaseStatus.Cancelled);

        (await w.QueryAsync(db => db.CaseComments.CountAsync(c => c.CaseId == caseId))).ShouldBe(0); // cancelling removes the comments
        var history = await w.Inbox.HistoryAsync(Sophie, caseId);
        history.Entries.Select(e => e.Type).Reverse().ShouldBe([
            CaseEventType.Created, CaseEventType.Assigned, CaseEventType.Transferred, CaseEventType.Unassigned, CaseEventType.Assigned,
            CaseEventType.StatusChanged, CaseEventType.StatusChanged, CaseEventType.StatusChanged]);
        history.Entries[^2].ActorName.ShouldBe("Camille Laurent");
        (await w.QueryAsync(db => db.Audit.Where(a => a.EntityType == "Case" && a.EntityId == caseId.ToString()).Select(a => a.Action).ToListAsync()))
            .ShouldBe(["Taken", "Transferred", "Unassigned", "Assigned", "Resolved", "Reopened", "Cancelled"], ignoreOrder: true);

        await Task.Delay(200);
        lock (w.Published)
        {
            var changes = w.Published.Where(e => e.Kind == ChangeKind.CaseChanged && e.CaseId == caseId).ToList();
            changes.Count.ShouldBe(8); // 7 changes + the transfer's notice to the queue it left
            changes.ShouldContain(e => e.QueueId == w.Queues["Support"] && e.ActorId == Camille.UserId);
            changes.ShouldAllBe(e => e.CardId == cardId);
        }
    }

    [Fact]
    public async Task TwoAgentsTakingTheSameCaseAtOnce_OneWinsAndTheOtherIsToldWhoHasIt()
    {
        for (var round = 0; round < 5; round++)
        {
            await using var w = await CreateAsync();
            var (_, caseId) = await w.InboundAsync(Queue.DefaultName);
            var start = new TaskCompletionSource();
            async Task<object> Try(Actor a) { await start.Task; try { return await w.Cases.TakeAsync(a, caseId); } catch (Exception ex) { return ex; } }
            var camille = Task.Run(() => Try(Camille));
            var lucas = Task.Run(() => Try(Lucas));
            start.SetResult();
            var results = await Task.WhenAll(camille, lucas);
            results.OfType<CaseTile>().Count().ShouldBe(1);
            var refused = results.OfType<ConflictException>().Single();
            var winner = results.OfType<CaseTile>().Single().AssignedAgentId;
            refused.Message.ShouldContain(winner == Camille.UserId ? "Camille Laurent" : "Lucas Bernard");
            (await w.QueryAsync(db => db.Cases.Where(c => c.Id == caseId).Select(c => c.AssignedAgentId).SingleAsync())).ShouldBe(winner);
            (await w.QueryAsync(db => db.CaseEvents.CountAsync(e => e.CaseId == caseId && e.Type == CaseEventType.Assigned))).ShouldBe(1);
        }
    }

    [Fact]
    public async Task AReplyIsStoredOutboundOnTheCasesChannel_HandedToTheConnector_AndShownDelivered()
    {
        var connector = new SpyConnector(DeliveryStatus.Delivered);
        await using var w = await CreateAsync(connector);
        var (_, caseId) = await w.InboundAsync("Support", Channel.Sms, address: "06 12 34 56 78");

        var tile = await w.Cases.ReplyAsync(Camille, caseId, "  Votre colis arrive demain.  ");

        tile.AssignedAgentId.ShouldBe(Camille.UserId); // replying to an unassigned case takes it
        tile.FirstResponseAt.ShouldNotBeNull();
        var sent = connector.Requests.ShouldHaveSingleItem();
        sent.To.ShouldBe("+33612345678");
        sent.Channel.ShouldBe(Channel.Sms);
        sent.Body.ShouldBe("Votre colis arrive demain.");
        var detail = await w.Inbox.OpenAsync(Camille, caseId);
        var reply = detail.Thread.Last();
        reply.Direction.ShouldBe(Direction.Outbound);
        reply.MessageKind.ShouldBe(MessageKind.Sms);
        reply.Delivery.ShouldBe(DeliveryStatus.Delivered);
        reply.Author.ShouldBe("Camille Laurent");
        detail.Case.Preview.ShouldBe("Votre colis arrive demain.");
        (await w.Inbox.HistoryAsync(Camille, caseId)).Entries.Select(e => e.Type).ShouldContain(CaseEventType.Replied);
    }

    [Fact]
    public async Task TheBuiltInConnectorRecordsWhatItWouldSend_AndAFailingConnectorMarksTheReplyFailed()
    {
        await using (var w = await CreateAsync())
        {
            var (_, caseId) = await w.InboundAsync("Support", Channel.Email, address: "Zoe@Example.com");
            await w.Cases.ReplyAsync(Camille, caseId, "Bonjour Zoé");
            var delivery = await w.QueryAsync(db => db.OutboundDeliveries.SingleAsync());
            delivery.To.ShouldBe("zoe@example.com");
            delivery.Body.ShouldBe("Bonjour Zoé");
            (await w.QueryAsync(db => db.Messages.SingleAsync(m => m.Id == delivery.MessageId))).Subject.ShouldBe("Re: Commande");
        }
        await using (var w = await CreateAsync(new SpyConnector(null)))
        {
            var (_, caseId) = await w.InboundAsync("Support");
            await w.Cases.ReplyAsync(Camille, caseId, "Bonjour");
            (await w.Inbox.OpenAsync(Camille, caseId)).Thread.Last().Delivery.ShouldBe(DeliveryStatus.Failed);
        }
    }

    [Fact]
    public async Task BadRepliesAndRefusedRolesLeaveTheDatabaseUnchanged()
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync("Support", assignedTo: Lucas.UserId);
        var (_, voice) = await w.InboundAsync("Support", Channel.Voice);
        var before = await w.QueryAsync(db => db.Messages.CountAsync());
        (await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Lucas, caseId, "   "))).Field.ShouldBe("text");
        (await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Lucas, caseId, new string('x', 10_001)))).Field.ShouldBe("text");
        await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Camille, voice, "on ne répond pas à un appel par écrit"));
        // Camille sees the case (her queue) but it is Lucas's.
        (await Should.ThrowAsync<ForbiddenException>(() => w.Cases.ReplyAsync(Camille, caseId, "je prends"))).Message.ShouldContain("Lucas Bernard");
        await Should.ThrowAsync<ForbiddenException>(() => w.Cases.ResolveAsync(Camille, caseId));
        await Should.ThrowAsync<ForbiddenException>(() => w.Approvals.PendingAsync(Camille));
        await Should.ThrowAsync<NotFoundException>(() => w.Cases.TakeAsync(Camille, 999_999));
        (await Should.ThrowAsync<DomainException>(() => w.Cases.TransferAsync(Lucas, caseId, 999_999, null))).Field.ShouldBe("queueId");
        (await Should.ThrowAsync<DomainException>(() => w.Cases.AssignAsync(Sophie, caseId, "nobody"))).Field.ShouldBe("agentId");
        (await w.QueryAsync(db => db.Messages.CountAsync())).ShouldBe(before);
        (await w.QueryAsync(db => db.Cases.Where(c => c.Id == caseId).Select(c => new { c.AssignedAgentId, c.QueueId, c.Status }).SingleAsync()))
            .ShouldBe(new { AssignedAgentId = (string?)Lucas.UserId, QueueId = w.Queues["Support"], Status = CaseStatus.Open });
        (await w.QueryAsync(db => db.CaseEvents.CountAsync(e => e.CaseId == caseId))).ShouldBe(1);
    }

    [Fact]
    public async Task ANoteIsInternal_ItShowsInTheThreadAndHistoryButIsNeverSent()
    {
        var connector = new SpyConnector(DeliveryStatus.Delivered);
        await using var w = await CreateAsync(connector);
        var (cardId, caseId) = await w.InboundAsync("Support");
        await w.Cases.AddNoteAsync(Camille, caseId, "Client fidèle, geste commercial possible.");
        var detail = await w.Inbox.OpenAsync(Camille, caseId);
        detail.Thread.Select(e => e.Kind).ShouldBe([ThreadEntryKind.Message, ThreadEntryKind.Note]);
        detail.Thread[1].Text.ShouldBe("Client fidèle, geste commercial possible.");
        connector.Requests.ShouldBeEmpty();
        (await w.QueryAsync(db => db.Notes.SingleAsync())).CardId.ShouldBe(cardId);
        (await w.Inbox.HistoryAsync(Camille, caseId)).Entries[0].Type.ShouldBe(CaseEventType.NoteAdded);
    }

    [Fact]
    public async Task OpeningMyCaseMarksItRead_SocialCommentsHangUnderTheirPost_AndAttachmentsAreListed()
    {
        await using var w = await CreateAsync();
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
        var (_, caseId) = await w.InboundAsync("Support", Channel.Facebook, "Mon post", at: t0, assignedTo: Camille.UserId);
        var postId = await w.QueryAsync(db => db.Messages.Where(m => m.CaseId == caseId).Select(m => m.Id).SingleAsync());
        await w.MoreInboundAsync(caseId, "un message privé", t0.AddMinutes(1), MessageKind.DirectMessage);
        await w.MoreInboundAsync(caseId, "un commentaire", t0.AddMinutes(2), MessageKind.Comment, postId);
        await w.QueryAsync(async db =>
        {
            db.Attachments.Add(new MessageAttachment(postId, "photo.jpg", "image/jpeg", 2048, "https://example.com/p.jpg"));
            await db.Messages.Where(m => m.Id == postId).ExecuteUpdateAsync(s => s.SetProperty(m => m.AttachmentCount, 1));
            return await db.SaveChangesAsync();
        });
        (await w.Inbox.ListAsync(Camille, new InboxFilter())).Tiles.Single().UnreadCount.ShouldBe(3);

        var detail = await w.Inbox.OpenAsync(Camille, caseId);
        detail.Thread.Select(e => (e.Text, e.Depth)).ShouldBe([("Mon post", 0), ("un commentaire", 1), ("un message privé", 0)]);
        detail.Thread[0].Attachments!.ShouldHaveSingleItem().Name.ShouldBe("photo.jpg");
        (await w.Inbox.ListAsync(Camille, new InboxFilter())).Tiles.Single().UnreadCount.ShouldBe(0);

        // A reply on a public post goes under the post.
        await w.MoreInboundAsync(caseId, "encore un commentaire", t0.AddMinutes(3), MessageKind.Comment, postId);
        await w.Cases.ReplyAsync(Camille, caseId, "Merci !");
        var after = await w.Inbox.OpenAsync(Camille, caseId);
        var reply = after.Thread.Single(e => e.Text == "Merci !");
        reply.MessageKind.ShouldBe(MessageKind.Comment);
        reply.ParentMessageId.ShouldBe(postId);
        reply.Depth.ShouldBe(1);
    }

    [Fact]
    public async Task TheSlaBarsComeFromTheQueueTargets()
    {
        var created = new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        var frt = Sla.FirstResponse(created, null, 60, created.AddMinutes(45));
        frt.Elapsed.ShouldBe(TimeSpan.FromMinutes(45));
        frt.Remaining.ShouldBe(TimeSpan.FromMinutes(15));
        frt.Fraction.ShouldBe(0.75);
        frt.AtRisk.ShouldBeTrue();
        frt.Breached.ShouldBeFalse();
        var late = Sla.FirstResponse(created, null, 60, created.AddMinutes(90));
        late.Breached.ShouldBeTrue();
        late.Remaining.ShouldBe(TimeSpan.Zero);
        late.Fraction.ShouldBe(1);
        var met = Sla.FirstResponse(created, created.AddMinutes(10), 60, created.AddDays(3));
        (met.Stopped, met.Breached, met.Elapsed).ShouldBe((true, false, TimeSpan.FromMinutes(10)));

        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync("Support", at: DateTimeOffset.UtcNow.AddMinutes(-20));
        var tile = (await w.Inbox.ListAsync(Camille, new InboxFilter())).Tiles.Single();
        var support = (await w.Inbox.QueuesAsync(Camille)).Single(q => q.Name == "Support");
        tile.FirstResponseTargetMinutes.ShouldBe(support.FirstResponseTargetMinutes);
        tile.ResolutionTargetMinutes.ShouldBe(support.ResolutionTargetMinutes);
        var counts = await w.Inbox.CountsAsync(Camille);
        counts.FirstResponseBreached.ShouldBe(support.FirstResponseTargetMinutes < 20 ? 1 : 0);
        counts.UnassignedInMyQueues.ShouldBe(1);
        await w.Cases.TakeAsync(Camille, caseId);
        (await w.Inbox.CountsAsync(Camille)).ShouldBe(new InboxCounts(1, 1, 0, counts.FirstResponseBreached, 0));
    }

    [Fact]
    public async Task QuickRepliesComeInTheAgentsLanguageFirst()
    {
        await using var w = await CreateAsync();
        var fr = await w.Inbox.QuickRepliesAsync(Camille, "fr");
        fr.Count.ShouldBeGreaterThan(3);
        fr[0].Language.ShouldBe("fr");
        (await w.Inbox.QuickRepliesAsync(Camille, "en"))[0].Language.ShouldBe("en");
        (await w.Inbox.QuickRepliesAsync(Camille, "en", "Refund")).ShouldHaveSingleItem().Title.ShouldBe("Refund");
    }

    internal sealed class SpyConnector(DeliveryStatus? answer) : IOutboundConnector
    {
        public List<OutboundRequest> Requests { get; } = [];
        public Task<DeliveryStatus> SendAsync(OutboundRequest request, CancellationToken ct = default)
        {
            Requests.Add(request);
            return answer is { } a ? Task.FromResult(a) : throw new HttpRequestException("gateway down");
        }
    }
}
