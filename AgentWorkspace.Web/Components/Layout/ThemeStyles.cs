using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace AgentWorkspace.Web.Components.Layout;

/// <summary>
/// The theme's CSS (MudBlazor's variables for <see cref="AppTheme"/>), rendered once per process for light and for dark
/// and shared by every page (issue 20). A <see cref="MudThemeProvider"/> in the layout built the same 12,000-character
/// style again in every circuit and kept two copies of it (about 50 KB of every agent's circuit); the layout now writes
/// this one string, the same object in every circuit. The theme never changes while the app runs.
/// </summary>
public sealed class ThemeStyles(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<bool, Lazy<Task<MarkupString>>> _styles = new();

    /// <summary>The style elements of the light or dark theme, rendered on first use, then the same string every time.</summary>
    public Task<MarkupString> ForAsync(bool dark) =>
        _styles.GetOrAdd(dark, d => new Lazy<Task<MarkupString>>(() => RenderAsync(d))).Value;

    private async Task<MarkupString> RenderAsync(bool dark)
    {
        // MudBlazor's own provider writes the CSS; rendered to HTML outside any circuit (its JS only runs after a
        // render in a browser, which this is not).
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
        {
            var output = await renderer.RenderComponentAsync<MudThemeProvider>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = AppTheme.Theme,
                [nameof(MudThemeProvider.IsDarkMode)] = dark,
            }));
            return output.ToHtmlString();
        });
        return new MarkupString(html);
    }
}
