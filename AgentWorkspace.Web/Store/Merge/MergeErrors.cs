using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Merge;

/// <summary>
/// A refused or failed merge, duplicate or privacy action, said in the user's language. A refusal the merge rules
/// raise without a code keeps the service's words after "Not done:"; a fault is said as such, without its technical text.
/// </summary>
public static class MergeErrors
{
    public static string Of(IStringLocalizer<MergeResource> l, Exception error) => error switch
    {
        ForbiddenException => l["ErrorForbidden"],
        NotFoundException => l["ErrorNotFound"],
        ConflictException => l["ErrorConflict"],
        CardMergedException merged => l["ErrorCardMerged", merged.SurvivorId],
        DomainException { Field: "force" } => l["ErrorOpenCases"],
        DomainException { Code: { } code } rule when l["Err_" + code, [.. rule.Args]] is { ResourceNotFound: false } text => text.Value,
        _ when EffectFailure.IsRefusal(error) => $"{l["ActionRefused"]} {error.Message}",
        _ => l["ErrorUnexpected"],
    };
}
