using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Web.Hosting;

/// <summary>The demo's users, one per role (and a second agent), with their queues. Listed in the README.</summary>
public static class DemoUsers
{
    public sealed record DemoUser(string Email, string Password, string DisplayName, Role Role, string[] Queues);

    public static readonly IReadOnlyList<DemoUser> All =
    [
        new("agent@demo.local", "Agent-Demo-2026!", "Camille Laurent", Role.Agent, [Queue.DefaultName, "Support", "Social Media"]),
        new("agent2@demo.local", "Agent2-Demo-2026!", "Lucas Bernard", Role.Agent, [Queue.DefaultName, "Sales", "VIP"]),
        new("supervisor@demo.local", "Supervisor-Demo-2026!", "Sophie Moreau", Role.Supervisor, [Queue.DefaultName, "Support", "Sales", "Social Media", "VIP"]),
        new("admin@demo.local", "Admin-Demo-2026!", "Alex Martin", Role.Admin, []),
    ];

    /// <summary>Creates the roles and demo users when missing; returns the agents and their queues for the seeder.</summary>
    public static async Task<IReadOnlyList<DemoAgent>> EnsureAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        var factory = scope.ServiceProvider.GetRequiredService<IDbContextFactory<AgentWorkspaceDbContext>>();
        await EnsureRolesAsync(roles);

        await using var db = await factory.CreateDbContextAsync();
        var queues = await db.Queues.ToDictionaryAsync(q => q.Name, q => q.Id, StringComparer.OrdinalIgnoreCase);
        var result = new List<DemoAgent>();
        foreach (var demo in All)
        {
            var user = await users.FindByEmailAsync(demo.Email);
            if (user is null)
            {
                user = new AppUser { UserName = demo.Email, Email = demo.Email, EmailConfirmed = true, DisplayName = demo.DisplayName, Role = demo.Role };
                var created = await users.CreateAsync(user, demo.Password);
                if (!created.Succeeded) throw new InvalidOperationException($"Demo user {demo.Email}: {string.Join(" ", created.Errors.Select(e => e.Description))}");
                await users.AddToRoleAsync(user, demo.Role.ToString());
                foreach (var q in demo.Queues)
                    if (queues.TryGetValue(q, out var qid)) db.QueueMembers.Add(new QueueMember(qid, user.Id));
                await db.SaveChangesAsync();
            }
            if (demo.Role <= Role.Supervisor) result.Add(new DemoAgent(user.Id, demo.DisplayName, demo.Queues));
        }
        return result;
    }

    public static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
    }
}
