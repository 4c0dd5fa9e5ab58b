using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.QuickReplies;

public sealed record QuickReplyInput(string? Title, string? Body, string? Language, IReadOnlyList<string>? Tags);

public sealed record QuickReplyView(long Id, string Title, string Body, string Language, IReadOnlyList<string> Tags);

/// <summary>The knowledge base of quick replies the inbox offers. Agents read it; administrators change it (audited).</summary>
public sealed class QuickReplyService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, TimeProvider clock)
{
    private const string Entity = "QuickReply";

    public async Task<IReadOnlyList<QuickReplyView>> ListAsync(Actor actor, string? language = null, CancellationToken ct = default)
    {
        actor.Require(Role.Agent);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var q = db.QuickReplies.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(language)) q = q.Where(r => r.Language == language.Trim().ToLower());
        var rows = await q.OrderBy(r => r.Language).ThenBy(r => r.Title).ToListAsync(ct);
        return rows.Select(View).ToList();
    }

    public static IReadOnlyList<AdminRuleException> Check(QuickReplyInput input)
    {
        var errors = new List<AdminRuleException>();
        if (string.IsNullOrWhiteSpace(input.Title)) errors.Add(new("TitleRequired", "A quick reply needs a title.", "title"));
        else if (input.Title.Trim().Length > 120) errors.Add(new("TitleTooLong", "The title must be at most 120 characters.", "title", 120));
        if (string.IsNullOrWhiteSpace(input.Body)) errors.Add(new("BodyRequired", "A quick reply needs a body.", "body"));
        else if (input.Body.Trim().Length > 5000) errors.Add(new("BodyTooLong", "The body must be at most 5000 characters.", "body", 5000));
        if ((input.Language ?? "").Trim().ToLowerInvariant() is not ("fr" or "en")) errors.Add(new("LanguageUnknown", "The language is fr or en.", "language"));
        if ((input.Tags ?? []).Any(t => t?.Trim().Length > 40)) errors.Add(new("TagTooLong", "A tag must be at most 40 characters.", "tags", 40));
        else if ((input.Tags ?? []).Any(t => t?.Contains('|') == true)) errors.Add(new("TagPipe", "A tag cannot contain '|'.", "tags"));
        return errors;
    }

    public async Task<QuickReplyView> CreateAsync(Actor actor, QuickReplyInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var reply = new QuickReply(input.Title!, input.Body!, input.Language!, input.Tags);
        db.QuickReplies.Add(reply);
        await db.SaveChangesAsync(ct);
        AdminAudit.Event(db, clock.GetUtcNow(), actor, Entity, Key(reply.Id), "Created", "title", null, reply.Title);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        feed.Publish(new ChangeEvent(ChangeKind.SettingsChanged, ActorId: actor.UserId));
        return View(reply);
    }

    public async Task<QuickReplyView> UpdateAsync(Actor actor, long id, QuickReplyInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reply = await db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException($"There is no quick reply {id}.");
        var before = (reply.Title, reply.Body, reply.Language, reply.Tags);
        reply.Update(input.Title!, input.Body!, input.Language!, input.Tags ?? []);
        var now = clock.GetUtcNow();
        AdminAudit.Changed(db, now, actor, Entity, Key(id), "Updated", "title", before.Title, reply.Title);
        AdminAudit.Changed(db, now, actor, Entity, Key(id), "Updated", "body", before.Body, reply.Body);
        AdminAudit.Changed(db, now, actor, Entity, Key(id), "Updated", "language", before.Language, reply.Language);
        AdminAudit.Changed(db, now, actor, Entity, Key(id), "Updated", "tags", before.Tags, reply.Tags);
        await db.SaveChangesAsync(ct);
        feed.Publish(new ChangeEvent(ChangeKind.SettingsChanged, ActorId: actor.UserId));
        return View(reply);
    }

    public async Task DeleteAsync(Actor actor, long id, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var reply = await db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw new NotFoundException($"There is no quick reply {id}.");
        db.QuickReplies.Remove(reply);
        AdminAudit.Event(db, clock.GetUtcNow(), actor, Entity, Key(id), "Deleted", "title", reply.Title, null);
        await db.SaveChangesAsync(ct);
        feed.Publish(new ChangeEvent(ChangeKind.SettingsChanged, ActorId: actor.UserId));
    }

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static QuickReplyView View(QuickReply r) =>
        new(r.Id, r.Title, r.Body, r.Language, r.Tags.Length == 0 ? [] : r.Tags.Split('|'));
}
