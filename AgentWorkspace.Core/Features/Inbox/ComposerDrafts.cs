using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.Inbox;

/// <summary>What an agent had typed in a case's composer, as last saved.</summary>
public sealed record ComposerDraftView(long CaseId, ComposerMode Mode, string Text, DateTimeOffset SavedAt);

/// <summary>
/// The text an agent is writing on a case, kept server-side per agent and case (<see cref="ComposerDraft"/>): saved as
/// they type (the inbox saves it a moment after the last key), read back when the case opens again. Sending the text
/// (<see cref="CaseCommands.ReplyAsync"/>, <see cref="CaseCommands.AddNoteAsync"/>, <see cref="CaseCommands.SubmitDraftAsync"/>)
/// removes it in the same transaction.
/// </summary>
public sealed class ComposerDrafts(UseCaseRunner run, IDbContextFactory<AgentWorkspaceDbContext> dbFactory)
{
    /// <summary>Keeps <paramref name="text"/> as the actor's draft on the case; a blank text removes the draft.</summary>
    public Task SaveAsync(Actor actor, long caseId, ComposerMode mode, string? text, CancellationToken ct = default) =>
        run.RunAsync("ComposerDraft.Save", actor, Role.Agent, async use =>
        {
            var db = use.Db;
            var draft = await db.ComposerDrafts.FirstOrDefaultAsync(d => d.UserId == actor.UserId && d.CaseId == caseId, use.Cancellation);
            if (string.IsNullOrWhiteSpace(text))
            {
                if (draft is not null) db.ComposerDrafts.Remove(draft);
                return;
            }
            if (draft is not null)
            {
                draft.Write(mode, text, use.Now);
                return;
            }
            // A first save checks the case as any read of it does; later saves only touch the agent's own row.
            var @case = await db.Cases.AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, use.Cancellation) ?? throw InboxQueries.NotFound(caseId);
            await InboxQueries.EnsureVisibleAsync(db, actor, @case, use.Cancellation);
            db.ComposerDrafts.Add(new ComposerDraft(actor.UserId, caseId, mode, text, use.Now));
        }, ct);

    /// <summary>The actor's draft on the case, if they left one.</summary>
    public async Task<ComposerDraftView?> FindAsync(Actor actor, long caseId, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        return await db.ComposerDrafts.AsNoTracking().Where(d => d.UserId == actor.UserId && d.CaseId == caseId)
            .Select(d => new ComposerDraftView(d.CaseId, d.Mode, d.Text, d.SavedAt)).FirstOrDefaultAsync(ct);
    }

    /// <summary>Inside a use case that sends the text: the author's draft on the case goes with it.</summary>
    internal static async Task RemoveAsync(AgentWorkspaceDbContext db, string userId, long caseId, CancellationToken ct)
    {
        var draft = await db.ComposerDrafts.FirstOrDefaultAsync(d => d.UserId == userId && d.CaseId == caseId, ct);
        if (draft is not null) db.ComposerDrafts.Remove(draft);
    }
}
