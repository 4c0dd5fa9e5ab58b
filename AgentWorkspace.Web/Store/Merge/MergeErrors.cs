using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Merge;
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
        MergeUndoRefusedException refused => l["Err_" + MergeUndoRefusedException.RefusalCode, Names(l, refused.Blockers)],
        ForbiddenException { Code: { } code } rule when l["Err_" + code, [.. rule.Args]] is { ResourceNotFound: false } text => text.Value,
        ForbiddenException => l["ErrorForbidden"],
        NotFoundException => l["ErrorNotFound"],
        ConflictException => l["ErrorConflict"],
        CardMergedException merged => l["ErrorCardMerged", merged.SurvivorId],
        DomainException { Field: "force" } => l["ErrorOpenCases"],
        DomainException { Code: { } code } rule when l["Err_" + code, [.. rule.Args]] is { ResourceNotFound: false } text => text.Value,
        _ when EffectFailure.IsRefusal(error) => $"{l["ActionRefused"]} {error.Message}",
        _ => l["ErrorUnexpected"],
    };

    /// <summary>Why a merge the reader may undo cannot be undone now (<see cref="MergeUndoOffer.RefusalCode"/>), or null when nothing refuses it.</summary>
    public static string? Refusal(IStringLocalizer<MergeResource> l, MergeUndoOffer offer) => offer.RefusalCode switch
    {
        null => null,
        MergeUndoRefusedException.RefusalCode => l["Err_" + MergeUndoRefusedException.RefusalCode, Names(l, offer.Blockers ?? [])],
        { } code when l["Err_" + code, [.. offer.RefusalArgs ?? []]] is { ResourceNotFound: false } text => text.Value,
        { } code => $"{l["ActionRefused"]} {code}",
    };

    /// <summary>What changed since the merge, in the user's words: the profile fields' labels, the custom fields' labels, the identities and the cases.</summary>
    public static string Names(IStringLocalizer<MergeResource> l, IEnumerable<UndoBlocker> blockers) => string.Join(", ", blockers.Select(b => b.Kind switch
    {
        UndoBlockerKind.Field when l["Field_" + b.Key] is { ResourceNotFound: false } label => label.Value,
        UndoBlockerKind.Identity => l["BlockerIdentity", b.Label].Value,
        UndoBlockerKind.Case => l["BlockerCase", b.Label].Value,
        _ => b.Label,
    }));
}
