using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static AgentWorkspace.Tests.Admin.AdminTestData;

namespace AgentWorkspace.Tests.Admin;

[Trait("Category", "Service")]
public class UserAdminServiceTests : IAsyncLifetime
{
    private TestDatabase _test = default!;
    private ServiceProvider _services = default!;
    private UserAdminService _users = default!;
    private long _queueId;

    public async ValueTask InitializeAsync()
    {
        _test = await TestDatabase.CreateAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(_test.Factory);
        services.AddScoped<AgentWorkspaceDbContext>(_ => _test.Factory.CreateDbContext());
        services.AddIdentityCore<AppUser>(o => { o.Password.RequiredLength = 12; o.Password.RequireDigit = false; o.Password.RequireUppercase = false; o.Password.RequireNonAlphanumeric = false; o.Password.RequireLowercase = false; o.User.RequireUniqueEmail = true; })
            .AddRoles<IdentityRole>().AddEntityFrameworkStores<AgentWorkspaceDbContext>();
        _services = services.BuildServiceProvider();
        await using (var scope = _services.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var r in Roles.All) await roles.CreateAsync(new IdentityRole(r));
        }
        await using (var db = _test.Factory.CreateDbContext())
        {
            var q = new Core.Domain.Queues.Queue("Support", 30, 600);
            db.Queues.Add(q);
            await db.SaveChangesAsync();
            _queueId = q.Id;
        }
        _users = new UserAdminService(_services.GetRequiredService<IServiceScopeFactory>(), _test.Runner(new RecordingFeed()));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _test.DisposeAsync();
    }

    private Task<UserView> NewAsync(string email, Role role) =>
        _users.CreateAsync(AdminActor, new NewUserInput(email, "User " + email, role, "long-enough-password", []));

    [Fact]
    public async Task AnAdministratorCreatesAUserWithARoleAndQueuesAndTheUserCanSignIn()
    {
        var created = await _users.CreateAsync(AdminActor, new NewUserInput("Nina@Example.org", "Nina Petit", Role.Supervisor, "correct-horse-battery", [_queueId]));
        created.Email.ShouldBe("nina@example.org");
        created.QueueIds.ShouldBe([_queueId]);
        await using var scope = _services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var user = (await manager.FindByEmailAsync("nina@example.org"))!;
        (await manager.CheckPasswordAsync(user, "correct-horse-battery")).ShouldBeTrue();
        (await manager.IsInRoleAsync(user, "Supervisor")).ShouldBeTrue();
        await using var db = _test.Factory.CreateDbContext();
        (await db.Audit.CountAsync(a => a.EntityType == "User" && a.Action == "Created")).ShouldBe(1);
    }

    [Fact]
    public async Task BadInputIsRefusedWithTheFieldAndNothingIsSaved()
    {
        (await Should.ThrowAsync<AdminRuleException>(() => _users.CreateAsync(AdminActor, new NewUserInput("not-an-email", "X", Role.Agent, "long-enough-password", [])))).Field.ShouldBe("email");
        (await Should.ThrowAsync<AdminRuleException>(() => _users.CreateAsync(AdminActor, new NewUserInput("x@example.org", "X", Role.Agent, "short", [])))).Code.ShouldBe("PasswordTooShort");
        (await Should.ThrowAsync<AdminRuleException>(() => _users.CreateAsync(AdminActor, new NewUserInput("x@example.org", "X", Role.Agent, "long-enough-password", [999])))).Code.ShouldBe("QueueUnknown");
        await NewAsync("dup@example.org", Role.Agent);
        (await Should.ThrowAsync<ConflictException>(() => NewAsync("DUP@example.org", Role.Agent))).Field.ShouldBe("email");
        (await _users.ListAsync(AdminActor)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task TheLastAdministratorCanBeNeitherDisabledNorDemoted()
    {
        var only = await NewAsync("boss@example.org", Role.Admin);
        (await Should.ThrowAsync<AdminRuleException>(() => _users.SetDisabledAsync(AdminActor, only.Id, true))).Code.ShouldBe("LastAdmin");
        (await Should.ThrowAsync<AdminRuleException>(() => _users.SetRoleAsync(AdminActor, only.Id, Role.Supervisor))).Code.ShouldBe("LastAdmin");
        var second = await NewAsync("boss2@example.org", Role.Admin);
        (await _users.SetRoleAsync(AdminActor, only.Id, Role.Supervisor)).Role.ShouldBe(Role.Supervisor);
        (await Should.ThrowAsync<AdminRuleException>(() => _users.SetDisabledAsync(AdminActor, second.Id, true))).Code.ShouldBe("LastAdmin");
        (await _users.ListAsync(AdminActor)).Single(u => u.Id == second.Id).IsDisabled.ShouldBeFalse();
    }

    [Fact]
    public async Task ADisabledAdministratorDoesNotCountAsTheOtherAdministrator()
    {
        var a = await NewAsync("a@example.org", Role.Admin);
        var b = await NewAsync("b@example.org", Role.Admin);
        await _users.SetDisabledAsync(AdminActor, b.Id, true);
        await Should.ThrowAsync<AdminRuleException>(() => _users.SetRoleAsync(AdminActor, a.Id, Role.Agent));
        (await _users.SetDisabledAsync(AdminActor, b.Id, false)).IsDisabled.ShouldBeFalse();
        await using var db = _test.Factory.CreateDbContext();
        (await db.Audit.Where(x => x.EntityId == b.Id).Select(x => x.Action).ToListAsync()).ShouldBe(["Created", "Disabled", "Enabled"], ignoreOrder: true);
    }

    [Fact]
    public async Task ARoleChangeMovesTheIdentityRoleToo()
    {
        var u = await NewAsync("agent@example.org", Role.Agent);
        await _users.SetRoleAsync(AdminActor, u.Id, Role.Supervisor);
        await using var scope = _services.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        (await manager.GetRolesAsync((await manager.FindByIdAsync(u.Id))!)).ShouldBe(["Supervisor"]);
    }

    [Fact]
    public async Task QueueMembershipAndPasswordResetAreAuditedWithoutThePassword()
    {
        var u = await NewAsync("q@example.org", Role.Agent);
        (await _users.SetQueuesAsync(AdminActor, u.Id, [_queueId])).QueueIds.ShouldBe([_queueId]);
        await _users.ResetPasswordAsync(AdminActor, u.Id, "a-brand-new-passphrase");
        await using (var scope = _services.CreateAsyncScope())
        {
            var manager = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
            (await manager.CheckPasswordAsync((await manager.FindByIdAsync(u.Id))!, "a-brand-new-passphrase")).ShouldBeTrue();
        }
        await using var db = _test.Factory.CreateDbContext();
        var rows = await db.Audit.Where(a => a.EntityId == u.Id).ToListAsync();
        rows.ShouldContain(a => a.Action == "QueuesChanged");
        rows.ShouldContain(a => a.Action == "PasswordReset");
        rows.ShouldAllBe(a => a.After == null || !a.After.Contains("brand-new"));
        await Should.ThrowAsync<AdminRuleException>(() => _users.ResetPasswordAsync(AdminActor, u.Id, "short"));
    }

    [Fact]
    public async Task OnlyAnAdministratorManagesUsers()
    {
        var u = await NewAsync("x@example.org", Role.Agent);
        await Should.ThrowAsync<ForbiddenException>(() => _users.ListAsync(Supervisor));
        await Should.ThrowAsync<ForbiddenException>(() => _users.CreateAsync(Supervisor, new NewUserInput("y@example.org", "Y", Role.Admin, "long-enough-password", [])));
        await Should.ThrowAsync<ForbiddenException>(() => _users.SetRoleAsync(Agent, u.Id, Role.Admin));
        await Should.ThrowAsync<ForbiddenException>(() => _users.SetDisabledAsync(Supervisor, u.Id, true));
        await Should.ThrowAsync<ForbiddenException>(() => _users.ResetPasswordAsync(Supervisor, u.Id, "long-enough-password"));
        await Should.ThrowAsync<ForbiddenException>(() => _users.SetQueuesAsync(Agent, u.Id, []));
    }
}
