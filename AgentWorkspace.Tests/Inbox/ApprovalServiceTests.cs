using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

[Trait("Category", "Service")]
public class ApprovalServiceTests
{
    [Fact]
    public async Task ADraftSendsNothingUntilASupervisorApprovesIt_ThenItGoesOutAsTheAgentsReply()
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        await using var w = await CreateAsync(connector);
        var (_, caseId) = await w.InboundAsync("Support", Channel.Sms, address: "+33 6 11 22 33 44");
        await w.Cases.TakeAsync(Camille, caseId);

        var draft = await w.Cases.SubmitDraftAsync(Camille, caseId, "Nous vous remboursons intégralement.");
        draft.Status.ShouldBe(DraftStatus.Pending);
        connector.Requests.ShouldBeEmpty();
        (await w.QueryAsync(db => db.Messages.CountAsync(m => m.CaseId == caseId))).ShouldBe(1);
        var pending = await w.Approvals.PendingAsync(Sophie);
        var row = pending.Drafts.ShouldHaveSingleItem();
        (row.Id, row.AuthorName, row.ContactName, row.LastInbound).ShouldBe((draft.Id, "Camille Laurent", "Zoé Le Gall", "Bonjour, ma commande n'est pas arrivée."));
        (await w.Inbox.CountsAsync(Camille)).PendingDrafts.ShouldBe(1);

        var approved = await w.Approvals.ApproveAsync(Sophie, draft.Id, "Parfait");
        approved.Status.ShouldBe(DraftStatus.Approved);
        approved.ReviewComment.ShouldBe("Parfait");
        connector.Requests.ShouldHaveSingleItem().To.ShouldBe("+33611223344");
        var detail = await w.Inbox.OpenAsync(Camille, caseId);
        var reply = detail.Thread.Last();
        (reply.Text, reply.Author, reply.Direction, reply.Delivery).ShouldBe(("Nous vous remboursons intégralement.", "Camille Laurent", Direction.Outbound, DeliveryStatus.Delivered));
        detail.Drafts.ShouldHaveSingleItem().Status.ShouldBe(DraftStatus.Approved);
        (await w.Approvals.PendingAsync(Sophie)).Drafts.ShouldBeEmpty();
        (await w.Inbox.HistoryAsync(Camille, caseId)).Entries.Select(e => e.Type).Take(2).ShouldBe([CaseEventType.DraftApproved, CaseEventType.DraftSubmitted]);
        (await w.QueryAsync(db => db.Audit.CountAsync(a => a.EntityType == "Draft" && a.Action == "Approved"))).ShouldBe(1);

        await Task.Delay(200);
        lock (w.Published)
            w.Published.ShouldContain(e => e.Kind == ChangeKind.DraftReviewed && e.CaseId == caseId && e.AgentId == Camille.UserId && e.ActorId == Sophie.UserId);
    }

    [Fact]
    public async Task ARejectedDraftComesBackWithTheSupervisorsComment_AndIsNeverSent()
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        await using var w = await CreateAsync(connector);
        var (_, caseId) = await w.InboundAsync("Support");
        var draft = await w.Cases.SubmitDraftAsync(Camille, caseId, "C'est votre faute.");
        (await Should.ThrowAsync<DomainException>(() => w.Approvals.RejectAsync(Sophie, draft.Id, "  "))).Field.ShouldBe("comment");

        var rejected = await w.Approvals.RejectAsync(Sophie, draft.Id, "Trop sec : excusez-vous d'abord.");
        (rejected.Status, rejected.ReviewComment, rejected.ReviewerName).ShouldBe((DraftStatus.Rejected, "Trop sec : excusez-vous d'abord.", "Sophie Moreau"));
        connector.Requests.ShouldBeEmpty();
        (await w.Inbox.OpenAsync(Camille, caseId)).Drafts.Single().ReviewComment.ShouldBe("Trop sec : excusez-vous d'abord.");
        (await w.Inbox.HistoryAsync(Camille, caseId)).Entries[0].Type.ShouldBe(CaseEventType.DraftRejected);
        // Reviewed once only.
        await Should.ThrowAsync<DomainException>(() => w.Approvals.ApproveAsync(Sophie, draft.Id, null));
        (await w.QueryAsync(db => db.Messages.CountAsync(m => m.CaseId == caseId))).ShouldBe(1);
    }

    [Fact]
    public async Task OnlySupervisorsReview_AndNeverTheirOwnDraft()
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync(Core.Domain.Queues.Queue.DefaultName);
        var draft = await w.Cases.SubmitDraftAsync(Camille, caseId, "Bonjour");
        await Should.ThrowAsync<ForbiddenException>(() => w.Approvals.ApproveAsync(Lucas, draft.Id, null));
        await Should.ThrowAsync<ForbiddenException>(() => w.Approvals.RejectAsync(Lucas, draft.Id, "non"));
        var own = await w.Cases.SubmitDraftAsync(Sophie, caseId, "Le mien");
        await Should.ThrowAsync<ForbiddenException>(() => w.Approvals.ApproveAsync(Sophie, own.Id, null));
        await Should.ThrowAsync<NotFoundException>(() => w.Approvals.ApproveAsync(Sophie, 424242, null));
        (await w.QueryAsync(db => db.Drafts.CountAsync(d => d.Status == DraftStatus.Pending))).ShouldBe(2);
    }

    [Fact]
    public async Task PendingDraftsArePagedOldestFirst()
    {
        await using var w = await CreateAsync();
        var ids = new List<long>();
        for (var i = 0; i < 7; i++)
        {
            var (_, caseId) = await w.InboundAsync("Support");
            ids.Add((await w.Cases.SubmitDraftAsync(Camille, caseId, "draft " + i)).Id);
        }
        var seen = new List<long>();
        Core.Features.Inbox.DraftCursor? cursor = null;
        do
        {
            var page = await w.Approvals.PendingAsync(Sophie, cursor, 3);
            seen.AddRange(page.Drafts.Select(d => d.Id));
            cursor = page.Next;
        } while (cursor is not null);
        seen.ShouldBe(ids);
    }
}
