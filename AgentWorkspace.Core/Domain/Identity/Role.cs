using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Identity;

/// <summary>Roles are cumulative: a Supervisor may do all an Agent may, an Admin all a Supervisor may.</summary>
public enum Role
{
    Agent = 1,
    Supervisor = 2,
    Admin = 3,
}

public static class Roles
{
    public const string Agent = nameof(Role.Agent);
    public const string Supervisor = nameof(Role.Supervisor);
    public const string Admin = nameof(Role.Admin);

    public static readonly IReadOnlyList<string> All = [Agent, Supervisor, Admin];

    /// <summary>The role names that satisfy <paramref name="minimum"/> (for role-based policies).</summary>
    public static string[] AtLeast(Role minimum) =>
        Enum.GetValues<Role>().Where(r => r >= minimum).Select(r => r.ToString()).ToArray();
}

/// <summary>The user on whose behalf a service method runs.</summary>
public sealed record Actor(string UserId, string DisplayName, Role Role)
{
    public static readonly Actor System = new("system", "System", Role.Admin);

    public bool IsAtLeast(Role role) => Role >= role;

    public void Require(Role minimum)
    {
        if (!IsAtLeast(minimum))
            throw new ForbiddenException($"This action needs the {minimum} role; {DisplayName} is {Role}.");
    }
}
