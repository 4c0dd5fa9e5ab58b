using System.Collections.Immutable;
using AgentWorkspace.Web.Store.Core;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Localization;

namespace AgentWorkspace.Web.Components.Pages.Admin;

/// <summary>
/// What every administration page shares: it reads its feature's state and dispatches actions, and shows each
/// refusal next to the field it concerns, in the user's language.
/// </summary>
public abstract class AdminForm : StoreComponent
{
    [Inject] protected IStringLocalizer<AdminResource> L { get; set; } = default!;
    [Inject] protected MudBlazor.ISnackbar Snackbar { get; set; } = default!;

    /// <summary>The refusals of the page's feature state, by field (<c>""</c>: the page as a whole).</summary>
    protected abstract ImmutableDictionary<string, Exception> Errors { get; }

    protected bool Has(string field) => Errors.ContainsKey(field);
    protected string? Err(string field) => Errors.TryGetValue(field, out var error) ? AdminErrorText.Of(error, L) : null;

    /// <summary>Confirms a saved change once, when <typeparamref name="TAction"/> has been reduced.</summary>
    protected void ConfirmOn<TAction>(Func<TAction, string> text) =>
        SubscribeToAction<TAction>(a => Snackbar.Add(text(a), MudBlazor.Severity.Success));
}
