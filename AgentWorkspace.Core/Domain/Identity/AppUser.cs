using Microsoft.AspNetCore.Identity;

namespace AgentWorkspace.Core.Domain.Identity;

public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = string.Empty;

    /// <summary>Highest role held; Identity roles mirror it for policies.</summary>
    public Role Role { get; set; } = Role.Agent;

    public bool IsDisabled { get; set; }

    /// <summary>"fr" or "en"; null follows the browser.</summary>
    public string? PreferredCulture { get; set; }

    public DateTimeOffset CreatedAt { get; set; } = DateTimeOffset.UtcNow;

    public Actor ToActor() => new(Id, DisplayName, Role);
}
