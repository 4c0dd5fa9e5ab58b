using System.Globalization;
using System.Resources;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Inbox;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Access;

/// <summary>
/// docs/decisions/014: every agent reads every card and all of its cases; acting on a case (note, comment, reply,
/// take, transfer, cancel...) follows the inbox: the case is in one of the agent's queues or assigned to them, and
/// handling it needs it not to be another agent's. Supervisors act on any case. Camille works General and Support,
/// Lucas General and Sales; Sophie supervises.
/// </summary>
[Trait("Category", "Service")]
public class CardAndCaseAccessTests
{
    private static async Task<(InboxWorld World, CardKit Cards)> WorldAsync()
    {
        var w = await CreateAsync();
        var settings = new SettingsService(w.Db.Factory, w.Db.Runner(w.Feed), new SettingsDefaults());
        return (w, CardKit.Over(w.Db, w.Feed, settings));
    }

    private static async Task<long> FirstMessageAsync(InboxWorld w, long caseId) =>
        await w.QueryAsync(db => db.Messages.Where(m => m.CaseId == caseId).Select(m => m.Id).FirstAsync());

    private static async Task ShouldBeOutsideAsync(Func<Task> act, string queue)
    {
        var refused = await Should.ThrowAsync<ForbiddenException>(act);
        refused.Code.ShouldBe("CaseOutsideYourQueues");
        refused.Args.ShouldBe([queue]);
        refused.Message.ShouldContain(queue);
    }

    [Fact]
    public async Task AnAgentOutsideTheQueueReadsTheCardAndItsCases_ButEveryActionOnTheCaseIsRefusedWithTheReason_AndNothingIsWritten()
    {
        var (w, cards) = await WorldAsync();
        await using var _ = w;
        var (cardId, caseId) = await w.InboundAsync("Support", text: "Mon colis est abîmé.");
        var message = await FirstMessageAsync(w, caseId);

        // Reading: the whole history, on the card.
        (await cards.Reads.GetFirstViewAsync(Lucas, cardId)).Messages.Items.ShouldContain(m => m.Text == "Mon colis est abîmé.");
        (await cards.Reads.GetCasesAsync(Lucas, cardId)).Select(c => c.Id).ShouldBe([caseId]);
        (await cards.Reads.GetCaseThreadsAsync(Lucas, cardId)).Single().Messages.Single().Id.ShouldBe(message);
        (await cards.Reads.GetTimelineAsync(Lucas, cardId, TimelineFilter.All)).Items.ShouldNotBeEmpty();

        // Acting, from the card and from the inbox alike.
        await ShouldBeOutsideAsync(() => cards.Edits.AddCommentAsync(Lucas, caseId, message, "Je regarde."), "Support");
        await ShouldBeOutsideAsync(() => cards.Edits.AddNoteAsync(Lucas, cardId, "Note sur le cas", caseId), "Support");
        await ShouldBeOutsideAsync(() => cards.Edits.CancelCaseAsync(Lucas, caseId), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.TakeAsync(Lucas, caseId), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.ReplyAsync(Lucas, caseId, "Bonjour"), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.AddNoteAsync(Lucas, caseId, "Note interne"), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.SubmitDraftAsync(Lucas, caseId, "Brouillon"), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.TransferAsync(Lucas, caseId, w.Queues["Sales"], null), "Support");
        await ShouldBeOutsideAsync(() => w.Cases.CancelAsync(Lucas, caseId), "Support");

        // A note on the card itself (about the contact, not the case) stays every agent's.
        await cards.Edits.AddNoteAsync(Lucas, cardId, "Client joignable le matin.");

        await using var db = w.Db.Factory.CreateDbContext();
        (await db.CaseComments.CountAsync(c => c.CaseId == caseId)).ShouldBe(0);
        (await db.Notes.CountAsync(n => n.CaseId == caseId)).ShouldBe(0);
        (await db.Drafts.CountAsync(d => d.CaseId == caseId)).ShouldBe(0);
        (await db.Messages.CountAsync(m => m.CaseId == caseId)).ShouldBe(1);
        var @case = await db.Cases.SingleAsync(c => c.Id == caseId);
        (@case.Status, @case.AssignedAgentId, @case.QueueId).ShouldBe((CaseStatus.New, (string?)null, w.Queues["Support"]));
        (await db.CaseEvents.CountAsync(e => e.CaseId == caseId)).ShouldBe(1, "only its creation");
    }

    [Fact]
    public async Task AnAgentOfTheQueueActsFromTheCardAndTheInbox()
    {
        var (w, cards) = await WorldAsync();
        await using var _ = w;
        var (cardId, caseId) = await w.InboundAsync("Support");
        var message = await FirstMessageAsync(w, caseId);

        (await cards.Edits.AddCommentAsync(Camille, caseId, message, "Photo du colis demandée.")).Text.ShouldBe("Photo du colis demandée.");
        (await cards.Edits.AddNoteAsync(Camille, cardId, "Note sur le cas", caseId)).CaseId.ShouldBe(caseId);
        (await w.Cases.TakeAsync(Camille, caseId)).AssignedAgentId.ShouldBe(Camille.UserId);
        await w.Cases.ReplyAsync(Camille, caseId, "Pouvez-vous nous envoyer une photo ?");
        await cards.Edits.CancelCaseAsync(Camille, caseId);
        (await w.QueryAsync(db => db.Cases.SingleAsync(c => c.Id == caseId))).Status.ShouldBe(CaseStatus.Cancelled);
    }

    [Fact]
    public async Task ACaseAssignedToTheAgentOutsideTheirQueuesIsTheirsToWork()
    {
        var (w, cards) = await WorldAsync();
        await using var _ = w;
        var (_, caseId) = await w.InboundAsync("VIP", assignedTo: Camille.UserId);
        var message = await FirstMessageAsync(w, caseId);

        await cards.Edits.AddCommentAsync(Camille, caseId, message, "Client VIP, rappel prévu.");
        (await w.Cases.ReplyAsync(Camille, caseId, "Nous vous rappelons.")).AssignedAgentId.ShouldBe(Camille.UserId);
        await ShouldBeOutsideAsync(() => cards.Edits.AddCommentAsync(Lucas, caseId, message, "x"), "VIP");
    }

    [Fact]
    public async Task InTheQueue_AnAgentNotesAndCommentsOnAColleaguesCase_ButHandlingItIsTheHoldersOrASupervisors()
    {
        var (w, cards) = await WorldAsync();
        await using var _ = w;
        var (_, caseId) = await w.InboundAsync(Core.Domain.Queues.Queue.DefaultName, assignedTo: Lucas.UserId);
        var message = await FirstMessageAsync(w, caseId);

        await cards.Edits.AddCommentAsync(Camille, caseId, message, "Déjà appelé hier.");
        await w.Cases.AddNoteAsync(Camille, caseId, "Geste commercial possible.");
        foreach (var handle in new Func<Task>[]
                 {
                     () => w.Cases.ReplyAsync(Camille, caseId, "Bonjour"),
                     () => w.Cases.ResolveAsync(Camille, caseId),
                     () => cards.Edits.CancelCaseAsync(Camille, caseId),
                 })
        {
            var refused = await Should.ThrowAsync<ForbiddenException>(handle);
            refused.Code.ShouldBe("CaseAssignedToOther");
            refused.Args.ShouldBe(["Lucas Bernard"]);
        }

        // A supervisor acts on any case, in any queue, whoever holds it.
        var (_, sales) = await w.InboundAsync("Sales", assignedTo: Lucas.UserId);
        await cards.Edits.AddCommentAsync(Sophie, sales, await FirstMessageAsync(w, sales), "Vu.");
        await w.Cases.ReplyAsync(Sophie, sales, "Bonjour, je reprends votre demande.");
        await cards.Edits.CancelCaseAsync(Sophie, caseId);
        (await w.QueryAsync(db => db.Cases.SingleAsync(c => c.Id == caseId))).Status.ShouldBe(CaseStatus.Cancelled);
    }

    [Theory]
    [InlineData("InboxResource")]
    [InlineData("CardsResource")]
    public void TheRefusalIsSaidWithTheQueueInEnglishAndFrench_WhereverTheAgentActed(string area)
    {
        var resources = new ResourceManager("AgentWorkspace.Web.Resources." + area, typeof(AgentWorkspace.Web.InboxResource).Assembly);
        string Say(string culture) => string.Format(CultureInfo.InvariantCulture, resources.GetString("Err_CaseOutsideYourQueues", new CultureInfo(culture))!, "Support");
        Say("en").ShouldBe("This case is in the queue Support, which is not one of yours, and is not assigned to you: you may read it, not act on it.");
        Say("fr").ShouldBe("Ce cas est dans la file Support, qui n'est pas l'une des vôtres, et ne vous est pas affecté : vous pouvez le lire, pas agir dessus.");
    }
}
