using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Administration;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Pages.Admin;

/// <summary>
/// Says a refused administration change in the user's language: a coded rule by its resx key
/// ("Err_{Code}"), a duplicate by the field it collides on; anything else keeps the service's words.
/// </summary>
public static class AdminErrorText
{
    public static string Of(Exception error, IStringLocalizer<AdminResource> l)
    {
        switch (error)
        {
            case AdminRuleException rule:
                var text = l["Err_" + rule.Code, rule.Args.ToArray()];
                return text.ResourceNotFound ? rule.Message : text.Value;
            case ConflictException conflict when conflict.Field is "ident" && conflict.Message.Contains("archive", StringComparison.Ordinal):
                return l["Err_FieldHasValues"];
            case ConflictException conflict when conflict.Field is "ident" or "name" or "email":
                return l["Err_Taken_" + conflict.Field];
            case ConflictException conflict when conflict.Field is "removedOptions":
                return l["Err_OptionInUse"];
            case ForbiddenException:
                return l["Err_Forbidden"];
            case NotFoundException:
                return l["Err_NotFound"];
            case DomainException { Field: "defaultPhoneRegion" }:
                return l["Err_RegionUnknown"];
            default:
                return error.Message;
        }
    }

    /// <summary>The form field an error belongs to ("" when it concerns the whole form).</summary>
    public static string FieldOf(Exception error) => error is DomainException { Field: { } f } ? f : string.Empty;
}
