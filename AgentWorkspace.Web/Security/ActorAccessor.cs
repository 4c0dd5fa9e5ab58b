using System.Security.Claims;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using Microsoft.AspNetCore.Components.Authorization;

namespace AgentWorkspace.Web.Security;

/// <summary>The signed-in user of this circuit as the <see cref="Actor"/> that Core services check.</summary>
public sealed class ActorAccessor(AuthenticationStateProvider authentication)
{
    /// <summary>
    /// The actor, with the user checked now (not at the last revalidation): an action started after an administrator
    /// disabled the user or changed their role is refused, and the page shows the sign-in page.
    /// </summary>
    public async Task<Actor> GetAsync()
    {
        var state = authentication is RevalidatingUserStateProvider live
            ? await live.CheckNowAsync()
            : await authentication.GetAuthenticationStateAsync();
        return FromPrincipal(state.User) ?? throw new ForbiddenException("Your access has changed or your session has ended: sign in again.") { Code = "SignedOut" };
    }

    public static Actor? FromPrincipal(ClaimsPrincipal user)
    {
        if (user.Identity?.IsAuthenticated != true) return null;
        var id = user.FindFirstValue(ClaimTypes.NameIdentifier);
        var role = user.HighestRole();
        if (id is null || role is null) return null;
        return new Actor(id, user.DisplayName(), role.Value);
    }
}
