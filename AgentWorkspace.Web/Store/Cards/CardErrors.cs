using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Cards;

/// <summary>The message shown next to a field, in the agent's language, for an error the domain raised about it.</summary>
public static class CardErrors
{
    public static string ForField(IStringLocalizer<CardsResource> l, string field, Exception ex, CustomFieldType? type = null) => ex switch
    {
        FieldReadOnlyException => l["ErrorReadOnly"],
        ConflictException => l["ErrorLocked"],
        ForbiddenException { Code: { } code } refused when l["Err_" + code, [.. refused.Args]] is { ResourceNotFound: false } said => said,
        ForbiddenException => l["ErrorForbidden"],
        NotFoundException => l["ErrorNotFound"],
        CardMergedException m => l["ErrorMerged", m.SurvivorId],
        DomainException when type is { } t => l["ErrorType_" + t],
        DomainException { Code: { } code } d when l["Err_" + code, [.. d.Args]] is { ResourceNotFound: false } s => s,
        DomainException d when d.Field is { } f && l["Error_" + f] is { ResourceNotFound: false } s => s,
        DomainException => l["ErrorTooLong"],
        _ => Unexpected(l, ex),
    };

    /// <summary>An error about the card as a whole (not one field).</summary>
    public static string General(IStringLocalizer<CardsResource> l, Exception ex) => ex switch
    {
        ConflictException => l["ErrorLocked"],
        ForbiddenException { Code: { } code } refused when l["Err_" + code, [.. refused.Args]] is { ResourceNotFound: false } said => said,
        ForbiddenException => l["ErrorForbidden"],
        NotFoundException => l["ErrorNotFound"],
        CardMergedException m => l["ErrorMerged", m.SurvivorId],
        DomainException { Code: { } code } d when l["Err_" + code, [.. d.Args]] is { ResourceNotFound: false } s => s,
        DomainException d when d.Field is { } f && l["Error_" + f] is { ResourceNotFound: false } s => s,
        _ => Unexpected(l, ex),
    };

    /// <summary>A refusal without a code keeps the service's words; a fault (logged where it happened) is said as such, without its technical text.</summary>
    private static string Unexpected(IStringLocalizer<CardsResource> l, Exception ex) => EffectFailure.IsRefusal(ex) ? ex.Message : l["ErrorUnexpected"];
}
