using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>What an agent is writing is kept per agent and case on the server, and goes when its text goes out (issue 22, item 3).</summary>
[Trait("Category", "Service")]
public class ComposerDraftServiceTests
{
    private static ComposerDrafts Drafts(InboxWorld w) => new(w.Db.Runner(w.Feed), w.Db.Factory);

    [Fact]
    public async Task TheTextIsKeptAsTyped_PerAgentAndCase_AndABlankTextRemovesIt()
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync(Queue.DefaultName);
        var (_, other) = await w.InboundAsync(Queue.DefaultName);
        var drafts = Drafts(w);

        await drafts.SaveAsync(Camille, caseId, ComposerMode.Reply, "Bonjour Zoé,\n\nvotre colis ");
        await drafts.SaveAsync(Camille, caseId, ComposerMode.Note, "Bonjour Zoé,\n\nvotre colis part demain ");
        await drafts.SaveAsync(Lucas, caseId, ComposerMode.Reply, "Lucas écrit autre chose");
        var mine = await drafts.FindAsync(Camille, caseId);
        (mine!.Mode, mine.Text).ShouldBe((ComposerMode.Note, "Bonjour Zoé,\n\nvotre colis part demain "), "kept as typed: not trimmed");
        (await drafts.FindAsync(Lucas, caseId))!.Text.ShouldBe("Lucas écrit autre chose", "each agent's own");
        (await drafts.FindAsync(Camille, other)).ShouldBeNull();

        await drafts.SaveAsync(Camille, caseId, ComposerMode.Reply, "   ");
        (await drafts.FindAsync(Camille, caseId)).ShouldBeNull();
        (await w.QueryAsync(db => db.ComposerDrafts.CountAsync())).ShouldBe(1);
        // Kept text is nobody's business but its author's: no audit row, no change event.
        (await w.QueryAsync(db => db.Audit.CountAsync(a => a.EntityType == "ComposerDraft"))).ShouldBe(0);
        lock (w.Published) w.Published.ShouldAllBe(e => e.Kind == ChangeKind.MessageArrived);
    }

    [Fact]
    public async Task ACaseTheAgentMayNotSeeIsRefused_AndSoIsAnOverlongText()
    {
        await using var w = await CreateAsync();
        var (_, sales) = await w.InboundAsync("Sales");
        var drafts = Drafts(w);
        await Should.ThrowAsync<ForbiddenException>(() => drafts.SaveAsync(Camille, sales, ComposerMode.Reply, "Bonjour"));
        await Should.ThrowAsync<NotFoundException>(() => drafts.SaveAsync(Camille, 999_999, ComposerMode.Reply, "Bonjour"));
        var tooLong = await Should.ThrowAsync<DomainException>(() => drafts.SaveAsync(Lucas, sales, ComposerMode.Reply, new string('a', ComposerDraft.MaxLength + 1)));
        (tooLong.Code, tooLong.Field).ShouldBe(("ComposerTextTooLong", "text"));
        await drafts.SaveAsync(Lucas, sales, ComposerMode.Reply, "a\0b");
        (await drafts.FindAsync(Lucas, sales))!.Text.ShouldBe("ab");
    }

    [Theory]
    [InlineData(ComposerMode.Reply)]
    [InlineData(ComposerMode.Note)]
    [InlineData(ComposerMode.Draft)]
    public async Task SendingTheTextRemovesTheSendersDraftInTheSameUseCase_AndLeavesAColleaguesAlone(ComposerMode mode)
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync(Queue.DefaultName);
        var drafts = Drafts(w);
        await drafts.SaveAsync(Camille, caseId, mode, "Votre remboursement part aujourd'hui.");
        await drafts.SaveAsync(Lucas, caseId, ComposerMode.Note, "À vérifier");

        switch (mode)
        {
            case ComposerMode.Reply: await w.Cases.ReplyAsync(Camille, caseId, "Votre remboursement part aujourd'hui."); break;
            case ComposerMode.Note: await w.Cases.AddNoteAsync(Camille, caseId, "Votre remboursement part aujourd'hui."); break;
            default: await w.Cases.SubmitDraftAsync(Camille, caseId, "Votre remboursement part aujourd'hui."); break;
        }
        (await drafts.FindAsync(Camille, caseId)).ShouldBeNull();
        (await drafts.FindAsync(Lucas, caseId)).ShouldNotBeNull();
    }

    [Fact]
    public async Task ARefusedReplyKeepsTheDraft()
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync(Queue.DefaultName);
        var drafts = Drafts(w);
        await w.Cases.TakeAsync(Lucas, caseId);
        await drafts.SaveAsync(Camille, caseId, ComposerMode.Reply, "Je m'en occupe");
        await Should.ThrowAsync<ForbiddenException>(() => w.Cases.ReplyAsync(Camille, caseId, "Je m'en occupe"));
        (await drafts.FindAsync(Camille, caseId))!.Text.ShouldBe("Je m'en occupe");
    }

    [Fact]
    public async Task AChangeThatGivesACaseToAnAgentSaysSo_AndOtherChangesDoNot()
    {
        await using var w = await CreateAsync();
        var (_, caseId) = await w.InboundAsync(Queue.DefaultName);
        await w.Cases.AssignAsync(Sophie, caseId, Camille.UserId);
        await w.Cases.AddNoteAsync(Sophie, caseId, "Cliente fidèle.");
        await w.Cases.TransferAsync(Sophie, caseId, w.Queues["Support"], Lucas.UserId);
        await w.Cases.UnassignAsync(Sophie, caseId);
        await w.Cases.TakeAsync(Camille, caseId);
        // The feed hands events over off the publisher's thread: wait for the six (the transfer also tells the queue it left).
        List<(string? ActorId, string? AgentId, bool Assigned)> changes = [];
        for (var i = 0; i < 100 && changes.Count < 6; i++)
        {
            if (changes.Count > 0 || i > 0) await Task.Delay(50);
            lock (w.Published) changes = w.Published.Where(e => e.Kind == ChangeKind.CaseChanged && e.CaseId == caseId).Select(e => (e.ActorId, e.AgentId, e.Assigned)).ToList();
        }
        changes.Count.ShouldBe(6);
        changes.Count(c => c.Assigned).ShouldBe(3);
        changes.ShouldContain((Sophie.UserId, Camille.UserId, true));
        changes.ShouldContain((Sophie.UserId, Camille.UserId, false)); // the note
        changes.ShouldContain((Sophie.UserId, Lucas.UserId, true));
        changes.ShouldContain((Sophie.UserId, (string?)null, false));
        changes.ShouldContain((Camille.UserId, Camille.UserId, true));
    }
}
