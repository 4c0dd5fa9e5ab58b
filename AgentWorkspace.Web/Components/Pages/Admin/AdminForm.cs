using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Web.Security;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Pages.Admin;

/// <summary>
/// The error handling every administration form shares: broken rules are shown next to their field
/// in the user's language, and a refused change saves nothing.
/// </summary>
public abstract class AdminForm : ComponentBase
{
    [Inject] protected ActorAccessor Actors { get; set; } = default!;
    [Inject] protected IStringLocalizer<AdminResource> L { get; set; } = default!;

    protected Dictionary<string, string> Errors { get; private set; } = [];

    protected bool Has(string field) => Errors.ContainsKey(field);
    protected string? Err(string field) => Errors.GetValueOrDefault(field);

    /// <summary>Shows the rules the input breaks; true when there is none.</summary>
    protected bool Passes(IEnumerable<AdminRuleException> broken)
    {
        Errors = [];
        foreach (var e in broken) Errors.TryAdd(e.Field ?? string.Empty, AdminErrorText.Of(e, L));
        return Errors.Count == 0;
    }

    protected void ClearErrors() => Errors = [];

    protected async Task<bool> RunAsync(Func<Actor, Task> work)
    {
        Errors = [];
        try
        {
            await work(await Actors.GetAsync());
            return true;
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            Errors[AdminErrorText.FieldOf(ex)] = AdminErrorText.Of(ex, L);
            return false;
        }
    }
}
