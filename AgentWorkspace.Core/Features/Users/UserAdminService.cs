using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Core.Features.Users;

public sealed record UserView(string Id, string Email, string DisplayName, Role Role, bool IsDisabled, IReadOnlyList<long> QueueIds, DateTimeOffset CreatedAt);

public sealed record NewUserInput(string? Email, string? DisplayName, Role Role, string? Password, IReadOnlyList<long>? QueueIds);

/// <summary>
/// Users and roles for administrators: create, disable and re-enable, change role, queue membership,
/// password reset. Identity's <see cref="UserManager{TUser}"/> does the hashing and validation; each
/// operation runs in its own scope and ONE transaction with its audit rows. There is always at least
/// one active administrator: the last one cannot be disabled or demoted.
/// </summary>
public sealed class UserAdminService(IServiceScopeFactory scopes, UseCaseRunner run)
{
    private const string Entity = "User";

    public async Task<IReadOnlyList<UserView>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AgentWorkspaceDbContext>();
        var users = await db.Users.AsNoTracking().ToListAsync(ct);
        var members = await db.QueueMembers.AsNoTracking().ToListAsync(ct);
        return users.OrderBy(u => u.DisplayName, StringComparer.CurrentCultureIgnoreCase)
            .Select(u => View(u, members.Where(m => m.UserId == u.Id).Select(m => m.QueueId).ToList())).ToList();
    }

    public static IReadOnlyList<AdminRuleException> Check(NewUserInput input, int minimumPasswordLength = 12)
    {
        var errors = new List<AdminRuleException>();
        if (string.IsNullOrWhiteSpace(input.Email)) errors.Add(new("EmailRequired", "The e-mail address is required.", "email"));
        else
        {
            try { EmailAddress.Parse(input.Email, "email"); }
            catch (DomainException) { errors.Add(new("EmailInvalid", $"'{input.Email}' is not an e-mail address.", "email")); }
        }
        if (string.IsNullOrWhiteSpace(input.DisplayName)) errors.Add(new("DisplayNameRequired", "The name is required.", "displayName"));
        else if (input.DisplayName.Trim().Length > 200) errors.Add(new("NameTooLong", "The name must be at most 200 characters.", "displayName", 200));
        if (!Enum.IsDefined(input.Role)) errors.Add(new("RoleUnknown", "The role is Agent, Supervisor or Admin.", "role"));
        if (CheckPassword(input.Password, minimumPasswordLength) is { } p) errors.Add(p);
        return errors;
    }

    public static AdminRuleException? CheckPassword(string? password, int minimumLength = 12) =>
        string.IsNullOrEmpty(password) || password.Length < minimumLength
            ? new AdminRuleException("PasswordTooShort", $"The password must be at least {minimumLength} characters.", "password", minimumLength)
            : null;

    public async Task<UserView> CreateAsync(Actor actor, NewUserInput input, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (Check(input) is { Count: > 0 } errors) throw errors[0];
        await using var scope = scopes.CreateAsyncScope();
        var (db, users) = Resolve(scope);
        return await run.RunOnAsync(db, "User.Create", actor, Role.Admin, async use =>
        {
            var email = EmailAddress.Parse(input.Email, "email").Value;
            if (await users.FindByEmailAsync(email) is not null)
                throw new ConflictException($"A user with the e-mail address {email} already exists.", "email");
            var user = new AppUser { UserName = email, Email = email, EmailConfirmed = true, DisplayName = input.DisplayName!.Trim(), Role = input.Role, CreatedAt = use.Now };
            Ensure(await users.CreateAsync(user, input.Password!));
            Ensure(await users.AddToRoleAsync(user, input.Role.ToString()));
            var queueIds = await SetQueuesCoreAsync(db, user.Id, input.QueueIds ?? [], use.Cancellation);
            use.Audit(Entity, user.Id, "Created", "user", null, Audit.AuditValues.Summary(("name", user.DisplayName), ("email", email), ("role", input.Role), ("queues", queueIds.Count)));
            return View(user, queueIds);
        }, ct);
    }

    public async Task<UserView> SetDisabledAsync(Actor actor, string userId, bool disabled, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (db, users) = Resolve(scope);
        return await run.RunOnAsync(db, disabled ? "User.Disable" : "User.Enable", actor, Role.Admin, async use =>
        {
            var user = await FindAsync(users, userId);
            if (user.IsDisabled == disabled) return await ViewAsync(db, user, use.Cancellation);
            if (disabled && user.Role == Role.Admin) await RequireAnotherAdminAsync(db, user.Id, "disabled", use.Cancellation);
            user.IsDisabled = disabled;
            Ensure(await users.UpdateAsync(user));
            // A new security stamp signs the user out of every browser at the next validation.
            Ensure(await users.UpdateSecurityStampAsync(user));
            use.Audit(Entity, user.Id, disabled ? "Disabled" : "Enabled", "disabled", (!disabled).ToString(), disabled.ToString());
            // Their API keys go with them, and stay revoked if the user is enabled again.
            if (disabled) await ApiKeys.ApiKeyService.RevokeBeyondOwnerAsync(use, user.Id, ownerDisabled: true, user.Role);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged, AgentId: user.Id));
            return await ViewAsync(db, user, use.Cancellation);
        }, ct);
    }

    public async Task<UserView> SetRoleAsync(Actor actor, string userId, Role role, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (!Enum.IsDefined(role)) throw new AdminRuleException("RoleUnknown", "The role is Agent, Supervisor or Admin.", "role");
        await using var scope = scopes.CreateAsyncScope();
        var (db, users) = Resolve(scope);
        return await run.RunOnAsync(db, "User.SetRole", actor, Role.Admin, async use =>
        {
            var user = await FindAsync(users, userId);
            if (user.Role == role) return await ViewAsync(db, user, use.Cancellation);
            if (user.Role == Role.Admin && !user.IsDisabled) await RequireAnotherAdminAsync(db, user.Id, "role", use.Cancellation);
            var before = user.Role;
            user.Role = role;
            Ensure(await users.UpdateAsync(user));
            var current = await users.GetRolesAsync(user);
            if (current.Count > 0) Ensure(await users.RemoveFromRolesAsync(user, current));
            Ensure(await users.AddToRoleAsync(user, role.ToString()));
            Ensure(await users.UpdateSecurityStampAsync(user));
            use.Audit(Entity, user.Id, "RoleChanged", "role", before.ToString(), role.ToString());
            // A key above the new role is revoked (not lowered: an integration does not change what it may do silently).
            if (role < before) await ApiKeys.ApiKeyService.RevokeBeyondOwnerAsync(use, user.Id, user.IsDisabled, role);
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged, AgentId: user.Id));
            return await ViewAsync(db, user, use.Cancellation);
        }, ct);
    }

    public async Task<UserView> SetQueuesAsync(Actor actor, string userId, IReadOnlyList<long> queueIds, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (db, users) = Resolve(scope);
        return await run.RunOnAsync(db, "User.SetQueues", actor, Role.Admin, async use =>
        {
            var user = await FindAsync(users, userId);
            var before = await db.QueueMembers.Where(m => m.UserId == user.Id).Select(m => m.QueueId).OrderBy(i => i).ToListAsync(use.Cancellation);
            var after = await SetQueuesCoreAsync(db, user.Id, queueIds, use.Cancellation);
            use.AuditChange(Entity, user.Id, "QueuesChanged", "queues", string.Join(",", before), string.Join(",", after.Order()));
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged, AgentId: user.Id));
            return View(user, after);
        }, ct);
    }

    /// <summary>Sets a new password chosen by the administrator (who gives it to the user); every session of the user ends.</summary>
    public async Task ResetPasswordAsync(Actor actor, string userId, string? newPassword, CancellationToken ct = default)
    {
        actor.Require(Role.Admin);
        if (CheckPassword(newPassword) is { } error) throw error;
        await using var scope = scopes.CreateAsyncScope();
        var (db, users) = Resolve(scope);
        await run.RunOnAsync(db, "User.ResetPassword", actor, Role.Admin, async use =>
        {
            var user = await FindAsync(users, userId);
            foreach (var validator in users.PasswordValidators)
                Ensure(await validator.ValidateAsync(users, user, newPassword));
            user.PasswordHash = users.PasswordHasher.HashPassword(user, newPassword!);
            Ensure(await users.UpdateSecurityStampAsync(user));
            // The audit says that the password changed, never what it is.
            use.Audit(Entity, user.Id, "PasswordReset", "password");
            return true;
        }, ct);
    }

    private static (AgentWorkspaceDbContext Db, UserManager<AppUser> Users) Resolve(AsyncServiceScope scope) =>
        (scope.ServiceProvider.GetRequiredService<AgentWorkspaceDbContext>(), scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>());

    private static async Task<AppUser> FindAsync(UserManager<AppUser> users, string userId) =>
        await users.FindByIdAsync(userId) ?? throw new NotFoundException($"There is no user {userId}.");

    private static async Task RequireAnotherAdminAsync(AgentWorkspaceDbContext db, string userId, string field, CancellationToken ct)
    {
        if (!await db.Users.AnyAsync(u => u.Id != userId && u.Role == Role.Admin && !u.IsDisabled, ct))
            throw new AdminRuleException("LastAdmin", "This is the last active administrator: make another user an administrator first.", field);
    }

    private static async Task<List<long>> SetQueuesCoreAsync(AgentWorkspaceDbContext db, string userId, IReadOnlyList<long> queueIds, CancellationToken ct)
    {
        var wanted = queueIds.Distinct().ToList();
        var known = await db.Queues.Where(q => wanted.Contains(q.Id)).Select(q => q.Id).ToListAsync(ct);
        if (wanted.Except(known).FirstOrDefault() is var unknown && unknown != 0)
            throw new AdminRuleException("QueueUnknown", $"There is no queue {unknown}.", "queueIds", unknown);
        var current = await db.QueueMembers.Where(m => m.UserId == userId).ToListAsync(ct);
        db.QueueMembers.RemoveRange(current.Where(m => !wanted.Contains(m.QueueId)));
        foreach (var id in wanted.Where(id => current.All(m => m.QueueId != id)))
            db.QueueMembers.Add(new QueueMember(id, userId));
        return wanted;
    }

    private static void Ensure(IdentityResult result)
    {
        if (result.Succeeded) return;
        var error = result.Errors.First();
        throw error.Code switch
        {
            "DuplicateEmail" or "DuplicateUserName" => new ConflictException(error.Description, "email"),
            "InvalidEmail" or "InvalidUserName" => new AdminRuleException("EmailInvalid", error.Description, "email"),
            "PasswordTooShort" => new AdminRuleException("PasswordTooShort", error.Description, "password", 12),
            "PasswordRequiresUniqueChars" => new AdminRuleException("PasswordUniqueChars", error.Description, "password"),
            var code when code.StartsWith("Password", StringComparison.Ordinal) => new AdminRuleException("PasswordWeak", error.Description, "password"),
            _ => new DomainException(error.Description),
        };
    }

    private static async Task<UserView> ViewAsync(AgentWorkspaceDbContext db, AppUser user, CancellationToken ct) =>
        View(user, await db.QueueMembers.Where(m => m.UserId == user.Id).Select(m => m.QueueId).ToListAsync(ct));

    private static UserView View(AppUser u, IReadOnlyList<long> queues) =>
        new(u.Id, u.Email ?? u.UserName ?? "", u.DisplayName, u.Role, u.IsDisabled, queues, u.CreatedAt);
}
