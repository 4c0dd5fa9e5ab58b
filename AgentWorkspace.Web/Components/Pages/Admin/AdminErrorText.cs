using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Administration;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Pages.Admin;

/// <summary>
/// Says a refused administration change in the user's language: a coded rule by its resx key
/// ("Err_{Code}"), a duplicate by the field it collides on; another refusal keeps the service's words; a fault
/// (not a refusal: it was logged where it happened) is said as such, without its technical text.
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
            case DomainException { Code: { } code } coded when !l["Err_" + code].ResourceNotFound:
                return l["Err_" + code, coded.Args.ToArray()].Value;
            case DomainException:
                return error.Message;
            default:
                return l["Err_Unexpected"];
        }
    }

}
