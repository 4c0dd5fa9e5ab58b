using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Crm;

/// <summary>
/// Says a CRM failure or refusal in the user's language: the CRM's failure by its kind (<c>Crm_{Failure}</c>, the
/// CRM's own words for a refusal), a rule by its code (<c>Err_{Code}</c>, the CRM's strings first, then the inbox's:
/// linking follows the case's acting rules), anything else as a fault without its technical text.
/// </summary>
public sealed class CrmErrors(IStringLocalizer<CrmResource> crm, IStringLocalizer<InboxResource> inbox)
{
    public string Say(Exception ex) => ex switch
    {
        CrmException { Failure: CrmFailure.Rejected } rejected => crm["Crm_Rejected", rejected.VendorMessage ?? rejected.Message],
        CrmException failed => crm["Crm_" + failed.Failure],
        DomainException { Code: { } code } rule => Coded(code, rule.Args) ?? rule.Message,
        ForbiddenException { Code: { } code } refused => Coded(code, refused.Args) ?? refused.Message,
        ForbiddenException => crm["Err_Forbidden"],
        NotFoundException => crm["Err_NotFound"],
        CardMergedException merged => crm["Err_CardMerged", merged.SurvivorId],
        _ when EffectFailure.IsRefusal(ex) => ex.Message,
        _ => crm["Err_Unexpected"],
    };

    /// <summary>The field a refusal names (a CRM's refused field, or the domain's), if any.</summary>
    public static string? FieldOf(Exception ex) => ex switch
    {
        CrmException { Field: { } field } => field,
        DomainException { Field: { } field } => field,
        _ => null,
    };

    private string? Coded(string code, IReadOnlyList<object> args)
    {
        var key = "Err_" + code;
        if (crm[key, [.. args]] is { ResourceNotFound: false } text) return text.Value;
        return inbox[key, [.. args]] is { ResourceNotFound: false } inboxText ? inboxText.Value : null;
    }

    /// <summary>
    /// Logs as the other effects do; a CRM that is slow, down or refusing is a warning without a stack (the connector
    /// logged what it knew), not a fault of ours.
    /// </summary>
    public static void Log(ILogger logger, object action, Exception error)
    {
        if (error is CrmException crm) logger.LogWarning("{Action}: the CRM failed ({Failure}): {Reason}", action.GetType().Name, crm.Failure, crm.Message);
        else EffectFailure.Log(logger, action, error);
    }
}
