using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.QuickReplies;

public sealed record QuickReplyInput(string? Title, string? Body, string? Language, IReadOnlyList<string>? Tags);

public sealed record QuickReplyView(long Id, string Title, string Body, string Language, IReadOnlyList<string> Tags);

/// <summary>The knowledge base of quick replies the inbox offers. Agents read it; administrators change it (audited).</summary>
public sealed class QuickReplyService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
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

    public Task<QuickReplyView> CreateAsync(Actor actor, QuickReplyInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("QuickReply.Create", actor, Role.Admin, async use =>
        {
            var reply = new QuickReply(input.Title!, input.Body!, input.Language!, input.Tags);
            use.Db.QuickReplies.Add(reply);
            await use.SaveAsync();
            use.Audit(Entity, Key(reply.Id), "Created", "title", null, reply.Title);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            return View(reply);
        }, ct);
    }

    public Task<QuickReplyView> UpdateAsync(Actor actor, long id, QuickReplyInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("QuickReply.Update", actor, Role.Admin, async use =>
        {
            var reply = await use.Db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no quick reply {id}.");
            var before = (reply.Title, reply.Body, reply.Language, reply.Tags);
            reply.Update(input.Title!, input.Body!, input.Language!, input.Tags ?? []);
            use.AuditChange(Entity, Key(id), "Updated", "title", before.Title, reply.Title);
            use.AuditChange(Entity, Key(id), "Updated", "body", before.Body, reply.Body);
            use.AuditChange(Entity, Key(id), "Updated", "language", before.Language, reply.Language);
            use.AuditChange(Entity, Key(id), "Updated", "tags", before.Tags, reply.Tags);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            return View(reply);
        }, ct);
    }

    public Task DeleteAsync(Actor actor, long id, CancellationToken ct = default) =>
        run.RunAsync("QuickReply.Delete", actor, Role.Admin, async use =>
        {
            var reply = await use.Db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no quick reply {id}.");
            use.Db.QuickReplies.Remove(reply);
            use.Audit(Entity, Key(id), "Deleted", "title", reply.Title, null);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
        }, ct);

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static QuickReplyView View(QuickReply r) =>
        new(r.Id, r.Title, r.Body, r.Language, r.Tags.Length == 0 ? [] : r.Tags.Split('|'));
}
