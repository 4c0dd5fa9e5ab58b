using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.QuickReplies;

public sealed record QuickReplyInput(string? Title, string? Body, string? Language, IReadOnlyList<string>? Tags,
    string? Category = null, string? LinkLabel = null, string? LinkUrl = null);

public sealed record QuickReplyView(long Id, string Title, string Body, string Language, IReadOnlyList<string> Tags,
    string? Category = null, string? LinkLabel = null, string? LinkUrl = null);

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
        // A placeholder the inbox cannot fill would reach customers as "{{...}}": refused where the administrator writes it.
        if (QuickReplyPlaceholders.UnknownIn(input.Body) is { Count: > 0 } unknown)
            errors.Add(new("PlaceholderUnknown", $"Unknown placeholder {{{{{unknown[0]}}}}}; use one of: {string.Join(", ", QuickReplyPlaceholders.Names)}.", "body",
                "{{" + unknown[0] + "}}", string.Join(", ", QuickReplyPlaceholders.Names.Select(n => "{{" + n + "}}"))));
        if (input.Category?.Trim().Length > 60) errors.Add(new("CategoryTooLong", "The category must be at most 60 characters.", "category", 60));
        var url = input.LinkUrl?.Trim();
        if (!string.IsNullOrEmpty(url) && !QuickReply.IsWebAddress(url)) errors.Add(new("LinkUrlInvalid", "The link's address must start with http:// or https://.", "linkUrl"));
        if (!string.IsNullOrEmpty(url) && string.IsNullOrWhiteSpace(input.LinkLabel)) errors.Add(new("LinkLabelRequired", "A link needs a label.", "linkLabel"));
        else if (input.LinkLabel?.Trim().Length > 120) errors.Add(new("LinkLabelTooLong", "The link's label must be at most 120 characters.", "linkLabel", 120));
        if (string.IsNullOrEmpty(url) && !string.IsNullOrWhiteSpace(input.LinkLabel)) errors.Add(new("LinkUrlRequired", "A link needs an address.", "linkUrl"));
        return errors;
    }

    public Task<QuickReplyView> CreateAsync(Actor actor, QuickReplyInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("QuickReply.Create", actor, Role.Admin, async use =>
        {
            var reply = new QuickReply(input.Title!, input.Body!, input.Language!, input.Tags, input.Category, input.LinkLabel, input.LinkUrl);
            use.Db.QuickReplies.Add(reply);
            await use.SaveAsync();
            use.Audit(Entity, Key(reply.Id), "Created", "title", null, reply.Title);
            if (reply.Category is not null) use.Audit(Entity, Key(reply.Id), "Created", "category", null, reply.Category);
            if (reply.LinkUrl is not null) use.Audit(Entity, Key(reply.Id), "Created", "link", null, Link(reply));
            use.Publish(new ChangeEvent(ChangeKind.QuickRepliesChanged));
            return View(reply);
        }, ct);
    }

    public Task<QuickReplyView> UpdateAsync(Actor actor, long id, QuickReplyInput input, CancellationToken ct = default)
    {
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("QuickReply.Update", actor, Role.Admin, async use =>
        {
            var reply = await use.Db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no quick reply {id}.");
            var before = (reply.Title, reply.Body, reply.Language, reply.Tags, reply.Category, Link: Link(reply));
            reply.Update(input.Title!, input.Body!, input.Language!, input.Tags ?? [], input.Category, input.LinkLabel, input.LinkUrl);
            use.AuditChange(Entity, Key(id), "Updated", "title", before.Title, reply.Title);
            use.AuditChange(Entity, Key(id), "Updated", "body", before.Body, reply.Body);
            use.AuditChange(Entity, Key(id), "Updated", "language", before.Language, reply.Language);
            use.AuditChange(Entity, Key(id), "Updated", "tags", before.Tags, reply.Tags);
            use.AuditChange(Entity, Key(id), "Updated", "category", before.Category, reply.Category);
            use.AuditChange(Entity, Key(id), "Updated", "link", before.Link, Link(reply));
            use.Publish(new ChangeEvent(ChangeKind.QuickRepliesChanged));
            return View(reply);
        }, ct);
    }

    public Task DeleteAsync(Actor actor, long id, CancellationToken ct = default) =>
        run.RunAsync("QuickReply.Delete", actor, Role.Admin, async use =>
        {
            var reply = await use.Db.QuickReplies.FirstOrDefaultAsync(r => r.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no quick reply {id}.");
            use.Db.QuickReplies.Remove(reply);
            use.Audit(Entity, Key(id), "Deleted", "title", reply.Title, null);
            use.Publish(new ChangeEvent(ChangeKind.QuickRepliesChanged));
        }, ct);

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string? Link(QuickReply r) => r.LinkUrl is null ? null : $"{r.LinkLabel} <{r.LinkUrl}>";

    private static QuickReplyView View(QuickReply r) =>
        new(r.Id, r.Title, r.Body, r.Language, r.Tags.Length == 0 ? [] : r.Tags.Split('|'), r.Category, r.LinkLabel, r.LinkUrl);
}
