using AgentWorkspace.Core.Domain.Identity;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Shared;

/// <summary>Who did something, as the reader's language says it: the product's own actions are "System" / "Système".</summary>
public static class ActorNames
{
    public static string Actor(this IStringLocalizer<SharedResource> l, string? name) =>
        string.Equals(name, Core.Domain.Identity.Actor.System.DisplayName, StringComparison.Ordinal) ? l["ActorSystem"] : name ?? string.Empty;
}
