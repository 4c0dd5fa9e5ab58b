using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Web.Store.Core;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Store.Scripts;

/// <summary>
/// Says a script's refusal, or a macro action's failure, in the user's language: by its code (<c>Err_{Code}</c>) in the
/// scripts' resources, else the inbox's, the CRM's or the cards' (a macro's action fails as the agent's own click would);
/// the service's words when no resource has it; a fault as such, without its technical text.
/// </summary>
public sealed class ScriptErrors(IStringLocalizer<ScriptsResource> scripts, IStringLocalizer<InboxResource> inbox, IStringLocalizer<CrmResource> crm,
    IStringLocalizer<CardsResource> cards)
{
    public string Say(Exception ex) => ex switch
    {
        DomainException { Code: { } code } rule => Coded(code, rule.Args) ?? rule.Message,
        ForbiddenException { Code: { } code } refused => Coded(code, refused.Args) ?? refused.Message,
        ForbiddenException => scripts["Err_Forbidden"],
        NotFoundException => scripts["Err_NotFound"],
        CardMergedException => scripts["Err_CardMergedMeanwhile"],
        _ when EffectFailure.IsRefusal(ex) => ex.Message,
        _ => scripts["Err_Unexpected"],
    };

    /// <summary>A macro action's result: what it did, or why it failed.</summary>
    public string Say(MacroActionResult result)
    {
        if (result.Ok)
        {
            var ok = scripts["Ok_" + result.Type, [.. (result.Args ?? []).Cast<object>()]];
            return ok.ResourceNotFound ? result.Message : ok.Value;
        }
        return result.Code is { } code ? Coded(code, (result.Args ?? []).Cast<object>().ToList()) ?? result.Message : result.Message;
    }

    public string? Coded(string code, IReadOnlyList<object> args)
    {
        var key = "Err_" + code;
        foreach (var l in new IStringLocalizer[] { scripts, inbox, crm, cards })
            if (l[key, [.. args]] is { ResourceNotFound: false } text) return text.Value;
        return null;
    }
}
