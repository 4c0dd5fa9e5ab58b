using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.UseCases;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Features.ApiKeys;

public sealed record ApiKeyView(long Id, string Name, Role Role, string Prefix, DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? RevokedAt)
{
    public bool IsActive => RevokedAt is null;
}

/// <summary>A new key: <see cref="Secret"/> is shown this once and never stored (only its hash is).</summary>
public sealed record CreatedApiKey(ApiKeyView Key, string Secret);

/// <summary>API keys for integrations: created with a name and a role, revoked. Admin only; audited without the secret.</summary>
public sealed class ApiKeyService(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, UseCaseRunner run)
{
    private const string Entity = "ApiKey";

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var db = await dbFactory.CreateDbContextAsync(ct);
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(ct);
        return keys.OrderBy(k => k.RevokedAt is not null).ThenByDescending(k => k.CreatedAt).Select(View).ToList();
    }

    public static IReadOnlyList<AdminRuleException> Check(string? name, Role role)
    {
        var errors = new List<AdminRuleException>();
        if (string.IsNullOrWhiteSpace(name)) errors.Add(new("KeyNameRequired", "An API key needs a name.", "name"));
        else if (name.Trim().Length > 100) errors.Add(new("NameTooLong", "The name must be at most 100 characters.", "name", 100));
        if (!Enum.IsDefined(role)) errors.Add(new("RoleUnknown", "The role is Agent, Supervisor or Admin.", "role"));
        return errors;
    }

    public Task<CreatedApiKey> CreateAsync(Actor actor, string? name, Role role, CancellationToken ct = default)
    {
        if (Check(name, role) is { Count: > 0 } errors) throw errors[0];
        return run.RunAsync("ApiKey.Create", actor, Role.Admin, async use =>
        {
            var (secret, prefix, hash) = ApiKeySecret.Generate();
            // The key is its creator's: it is revoked when they are disabled or lose the role it carries.
            var key = new ApiKey(name!, role, prefix, hash, actor.DisplayName, actor == Actor.System ? null : actor.UserId, use.Now);
            use.Db.ApiKeys.Add(key);
            await use.SaveAsync();
            use.Audit(Entity, Key(key.Id), "Created", "key", null, Audit.AuditValues.Summary(("name", key.Name), ("role", key.Role), ("prefix", key.Prefix)));
            return new CreatedApiKey(View(key), secret);
        }, ct);
    }

    public Task<ApiKeyView> RevokeAsync(Actor actor, long id, CancellationToken ct = default) =>
        run.RunAsync("ApiKey.Revoke", actor, Role.Admin, async use =>
        {
            var key = await use.Db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, use.Cancellation) ?? throw new NotFoundException($"There is no API key {id}.");
            if (key.IsActive)
            {
                key.Revoke(use.Now);
                use.Audit(Entity, Key(id), "Revoked", "key", key.Name, null);
            }
            return View(key);
        }, ct);

    /// <summary>
    /// Inside a user administration use case: revokes the active keys of <paramref name="ownerId"/> that exceed what the
    /// owner may now do (all of them when disabled, those above <paramref name="ownerRole"/> when demoted), one audit row each.
    /// </summary>
    internal static async Task<int> RevokeBeyondOwnerAsync(UseCase use, string ownerId, bool ownerDisabled, Role ownerRole)
    {
        var keys = await use.Db.ApiKeys.Where(k => k.OwnerId == ownerId && k.RevokedAt == null).ToListAsync(use.Cancellation);
        var revoked = 0;
        foreach (var key in keys.Where(k => ApiKey.ExceedsOwner(k.Role, ownerDisabled, ownerRole)))
        {
            key.Revoke(use.Now);
            use.Audit(Entity, Key(key.Id), "Revoked", "owner", key.Name, ownerDisabled
                ? Audit.AuditValues.Sentence("OwnerDisabled") : Audit.AuditValues.Sentence("OwnerDemoted", ownerRole, key.Role));
            revoked++;
        }
        return revoked;
    }

    private static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static ApiKeyView View(ApiKey k) => new(k.Id, k.Name, k.Role, k.Prefix, k.CreatedAt, k.CreatedBy, k.RevokedAt);
}
