using System.Globalization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace AgentWorkspace.Web.Components.Shared;

/// <summary>
/// Sentences that carry people's names (issue 22): each argument is isolated in a <c>&lt;bdi&gt;</c>, so that a
/// right-to-left name keeps its own order and does not pull the punctuation of an English or French sentence with it.
/// </summary>
public static class Bidi
{
    /// <summary>Renders <paramref name="format"/> (a resource's text with {0}, {1}…) with each argument in its own <c>bdi</c>.</summary>
    public static RenderFragment Format(string format, params object?[] args) => builder => Build(builder, format, args);

    private static void Build(RenderTreeBuilder builder, string format, object?[] args)
    {
        foreach (var (text, isArgument) in Split(format, args))
        {
            if (isArgument)
            {
                builder.OpenElement(0, "bdi");
                builder.AddContent(1, text);
                builder.CloseElement();
            }
            else builder.AddContent(2, text);
        }
    }

    /// <summary>The sentence's pieces in order: its own text, and each argument (flagged).</summary>
    internal static IReadOnlyList<(string Text, bool IsArgument)> Split(string format, object?[] args)
    {
        var parts = new List<(string, bool)>();
        var text = new System.Text.StringBuilder();
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c == '{' && i + 1 < format.Length && format[i + 1] == '{') { text.Append('{'); i++; continue; }
            if (c == '}' && i + 1 < format.Length && format[i + 1] == '}') { text.Append('}'); i++; continue; }
            var close = c == '{' ? format.IndexOf('}', i + 1) : -1;
            if (close > i && int.TryParse(format.AsSpan(i + 1, close - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < args.Length)
            {
                if (text.Length > 0) { parts.Add((text.ToString(), false)); text.Clear(); }
                parts.Add((Convert.ToString(args[index], CultureInfo.CurrentCulture) ?? "", true));
                i = close;
                continue;
            }
            text.Append(c);
        }
        if (text.Length > 0) parts.Add((text.ToString(), false));
        return parts;
    }
}
