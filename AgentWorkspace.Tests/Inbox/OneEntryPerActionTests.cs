using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>Issue 22 item 7: one action, one entry, in the case's History tab and in the card's activity log.</summary>
[Trait("Category", "Service")]
public class OneEntryPerActionTests
{
    [Fact]
    public async Task EveryInboxCommand_AddsExactlyOneEntry_ToTheCaseHistory_AndToTheCardsActivityLog()
    {
        await using var w = await CreateAsync();
        var cards = new CardReads(w.Db.Factory, w.Feed, TimeProvider.System);
        var (cardId, caseId) = await w.InboundAsync("Support", Channel.Sms, address: "+33 6 11 22 33 44");
        long draftToApprove = 0, draftToReject = 0;
        var steps = new (string Name, Func<Task> Run)[]
        {
            ("take", () => w.Cases.TakeAsync(Camille, caseId)),
            ("note", () => w.Cases.AddNoteAsync(Camille, caseId, "Client rappelé, il attend un avoir.")),
            ("reply", () => w.Cases.ReplyAsync(Camille, caseId, "Bonjour, je regarde votre commande.")),
            ("submit draft", async () => draftToApprove = (await w.Cases.SubmitDraftAsync(Camille, caseId, "Un geste commercial vous est accordé.")).Id),
            ("approve draft", () => w.Approvals.ApproveAsync(Sophie, draftToApprove, "Parfait.")),
            ("submit another draft", async () => draftToReject = (await w.Cases.SubmitDraftAsync(Camille, caseId, "Remboursement intégral.")).Id),
            ("reject draft", () => w.Approvals.RejectAsync(Sophie, draftToReject, "Trop généreux.")),
            ("resubmit draft", () => w.Cases.ResubmitDraftAsync(Camille, caseId, draftToReject, "Un avoir de 10 € vous est accordé.")),
            ("pend", () => w.Cases.SetPendingAsync(Camille, caseId)),
            ("resolve", () => w.Cases.ResolveAsync(Camille, caseId)),
            ("reopen", () => w.Cases.ReopenAsync(Camille, caseId)),
            ("unassign", () => w.Cases.UnassignAsync(Camille, caseId)),
            ("assign", () => w.Cases.AssignAsync(Sophie, caseId, Camille.UserId)),
            ("transfer", () => w.Cases.TransferAsync(Sophie, caseId, w.Queues["Support"], Lucas.UserId)),
            ("cancel", () => w.Cases.CancelAsync(Sophie, caseId)),
        };
        foreach (var (name, run) in steps)
        {
            var historyBefore = await HistoryCountAsync(w, caseId);
            var timelineBefore = await TimelineCountAsync(cards, cardId);
            await run();
            (await HistoryCountAsync(w, caseId) - historyBefore).ShouldBe(1, $"history entries added by: {name}");
            (await TimelineCountAsync(cards, cardId) - timelineBefore).ShouldBe(1, $"activity log entries added by: {name}");
        }

        // The replies (the agent's and the approved draft) are in the activity log once each, as their messages.
        var all = await TimelineAsync(cards, cardId, TimelineFilter.All);
        all.Count(i => i.Kind == TimelineKind.Message && i.Text.StartsWith("Bonjour, je regarde", StringComparison.Ordinal)).ShouldBe(1);
        all.Count(i => i.Kind == TimelineKind.Message && i.Text.StartsWith("Un geste commercial", StringComparison.Ordinal)).ShouldBe(1);
        all.ShouldNotContain(i => i.EventType == CaseEventType.Replied || i.EventType == CaseEventType.NoteAdded || i.EventType == CaseEventType.DraftApproved);
        // Without the messages and notes, their events stand in for them: nothing is lost from the Case filter.
        var caseOnly = await TimelineAsync(cards, cardId, TimelineFilter.Case);
        caseOnly.Count(i => i.EventType == CaseEventType.Replied).ShouldBe(1);
        caseOnly.Count(i => i.EventType == CaseEventType.NoteAdded).ShouldBe(1);
        caseOnly.Count(i => i.EventType == CaseEventType.DraftApproved).ShouldBe(1);
    }

    [Fact]
    public async Task ACallsEndAndWrapUp_AreOneEntryEach()
    {
        await using var w = await CreateAsync();
        var cards = new CardReads(w.Db.Factory, w.Feed, TimeProvider.System);
        var (cardId, caseId) = await w.InboundAsync("Support", Channel.Voice, text: "Appel entrant");
        await w.Cases.TakeAsync(Camille, caseId);
        foreach (var (name, run) in new (string, Func<Task>)[]
                 {
                     ("end call", () => w.Cases.EndCallAsync(Camille, caseId)),
                     ("wrap up", async () => await w.Cases.WrapUpAsync(Camille, caseId, await w.QueryAsync(db => db.Dispositions.Where(d => d.IsActive).Select(d => d.Label).FirstAsync()), "Rappeler demain.")),
                 })
        {
            var historyBefore = await HistoryCountAsync(w, caseId);
            var timelineBefore = await TimelineCountAsync(cards, cardId);
            await run();
            (await HistoryCountAsync(w, caseId) - historyBefore).ShouldBe(1, name);
            (await TimelineCountAsync(cards, cardId) - timelineBefore).ShouldBe(1, name);
        }
    }

    [Fact]
    public async Task ARejectedDraft_IsEditedBySomeoneWhoReadTheComment_AndTheSupervisorSeesTheNewVersion()
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        await using var w = await CreateAsync(connector);
        var (_, caseId) = await w.InboundAsync("Support", Channel.Sms, address: "+33 6 11 22 33 44");
        await w.Cases.TakeAsync(Camille, caseId);
        var draft = await w.Cases.SubmitDraftAsync(Camille, caseId, "C'est votre faute.");
        (await Should.ThrowAsync<DomainException>(() => w.Cases.ResubmitDraftAsync(Camille, caseId, draft.Id, "Encore en attente"))).Code.ShouldBe("DraftNotRejected");
        await w.Approvals.RejectAsync(Sophie, draft.Id, "Trop sec : excusez-vous d'abord.");
        (await w.Inbox.OpenAsync(Camille, caseId)).Drafts.Single().ReviewComment.ShouldBe("Trop sec : excusez-vous d'abord.");

        // Only its author changes it, and never to nothing.
        (await Should.ThrowAsync<ForbiddenException>(() => w.Cases.ResubmitDraftAsync(Sophie, caseId, draft.Id, "Le mien"))).Code.ShouldBe("DraftNotYours");
        (await Should.ThrowAsync<DomainException>(() => w.Cases.ResubmitDraftAsync(Camille, caseId, draft.Id, "   "))).Code.ShouldBe("DraftEmpty");
        await Should.ThrowAsync<NotFoundException>(() => w.Cases.ResubmitDraftAsync(Camille, caseId, 424242, "Bonjour"));

        var again = await w.Cases.ResubmitDraftAsync(Camille, caseId, draft.Id, "Toutes nos excuses : nous renvoyons votre colis aujourd'hui.");
        (again.Id, again.Status, again.ReviewComment).ShouldBe((draft.Id, DraftStatus.Pending, (string?)null));
        var row = (await w.Approvals.PendingAsync(Sophie)).Drafts.ShouldHaveSingleItem();
        (row.Id, row.Text).ShouldBe((draft.Id, "Toutes nos excuses : nous renvoyons votre colis aujourd'hui."));
        connector.Requests.ShouldBeEmpty();
        var history = (await w.Inbox.HistoryAsync(Camille, caseId)).Entries;
        history.Select(e => e.Type).Take(3).ShouldBe([CaseEventType.DraftSubmitted, CaseEventType.DraftRejected, CaseEventType.DraftSubmitted]);
        history[1].Detail.ShouldBe("Trop sec : excusez-vous d'abord.");
        (await w.QueryAsync(db => db.Audit.CountAsync(a => a.Action == "DraftResubmitted" && a.Before == "C'est votre faute."))).ShouldBe(1);

        await w.Approvals.ApproveAsync(Sophie, draft.Id, null);
        connector.Requests.ShouldHaveSingleItem().Body.ShouldBe("Toutes nos excuses : nous renvoyons votre colis aujourd'hui.");
        // Approved: it is not changed again.
        (await Should.ThrowAsync<DomainException>(() => w.Cases.ResubmitDraftAsync(Camille, caseId, draft.Id, "Autre"))).Code.ShouldBe("DraftNotRejected");
    }

    private static async Task<int> HistoryCountAsync(InboxWorld w, long caseId) => (await w.Inbox.HistoryAsync(Sophie, caseId, pageSize: 200)).Entries.Count;

    private static async Task<int> TimelineCountAsync(CardReads cards, long cardId) => (await TimelineAsync(cards, cardId, TimelineFilter.All)).Count;

    private static async Task<List<TimelineItem>> TimelineAsync(CardReads cards, long cardId, TimelineFilter filter)
    {
        var items = new List<TimelineItem>();
        TimelineCursor? cursor = null;
        do
        {
            var page = await cards.GetTimelineAsync(Sophie, cardId, filter, cursor, 100);
            items.AddRange(page.Items);
            cursor = page.Next;
        } while (cursor is not null);
        return items;
    }
}
