using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;

namespace AgentWorkspace.Web.Components.Shared;

/// <summary>
/// A MudBlazor icon as markup, in MudIcon's classes (issue 20): a MudIcon is a component with its render trees in every
/// circuit, for what is one SVG. The markup of each icon and size is built once per process and shared.
/// </summary>
public static class Svg
{
    private static readonly ConcurrentDictionary<(string Icon, string Classes), MarkupString> Cache = new();

    /// <param name="icon">The SVG's content, as MudBlazor's <c>Icons</c> give it.</param>
    /// <param name="size">small, medium or large.</param>
    /// <param name="classes">More classes of the svg element.</param>
    public static MarkupString Icon(string icon, string size = "medium", string? classes = null) =>
        Cache.GetOrAdd((icon, $"mud-icon-root mud-svg-icon mud-icon-size-{size}{(classes is null ? "" : " " + classes)}"),
            key => new MarkupString($"<svg class=\"{key.Classes}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">{key.Icon}</svg>"));
}
