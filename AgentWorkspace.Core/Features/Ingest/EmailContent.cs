using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Ganss.Xss;

namespace AgentWorkspace.Core.Features.Ingest;

/// <summary>An e-mail's content as stored: sanitized HTML (or none) and its plain-text version.</summary>
public sealed record EmailContent(string Text, string? SanitizedHtml);

/// <summary>
/// Sanitizes received e-mail HTML before it is stored (HtmlSanitizer): no scripts, event handlers,
/// javascript:/vbscript: URLs, frames, forms or style sheets; inline styles keep only properties
/// that cannot load anything (no url(), expression(), image-set()), so reading a mail never calls
/// a tracker; remote images are dropped (only inline data: images and cid: attachments stay); links
/// open in a new tab without referrer. Also derives the plain text agents read and search.
/// Thread-safe: one instance serves every request.
/// </summary>
public sealed partial class EmailSanitizer
{
    private readonly HtmlSanitizer _sanitizer;
    private static readonly HtmlParser Parser = new();

    public EmailSanitizer()
    {
        var options = new HtmlSanitizerOptions();
        foreach (var tag in new[] { "form", "input", "button", "select", "option", "optgroup", "textarea", "fieldset", "legend", "datalist", "output", "progress", "meter", "audio", "video", "source", "track" })
            options.AllowedTags.Remove(tag);
        foreach (var property in new[] { "position", "z-index", "cursor", "content", "behavior", "filter", "background-image", "list-style-image", "border-image", "border-image-source", "mask", "mask-image" })
            options.AllowedCssProperties.Remove(property);
        options.AllowedAtRules.Clear();
        options.AllowedSchemes.Clear();
        foreach (var scheme in new[] { "http", "https", "mailto", "tel", "cid", "data" }) options.AllowedSchemes.Add(scheme);
        _sanitizer = new HtmlSanitizer(options)
        {
            DisallowCssPropertyValue = DangerousCss(),
            KeepChildNodes = true,
        };
        _sanitizer.FilterUrl += (_, e) => e.SanitizedUrl = FilterUrl(e.Tag, e.OriginalUrl, e.SanitizedUrl);
        _sanitizer.PostProcessNode += (_, e) =>
        {
            if (e.Node is IElement { LocalName: "a" } a && a.HasAttribute("href"))
            {
                a.SetAttribute("target", "_blank");
                a.SetAttribute("rel", "noopener noreferrer nofollow");
            }
        };
    }

    /// <summary>Sanitizes <paramref name="html"/> and derives its text; <paramref name="body"/>, when given, is the text.</summary>
    public EmailContent Clean(string? body, string? html)
    {
        string? safe = null;
        if (!string.IsNullOrWhiteSpace(html))
        {
            safe = _sanitizer.Sanitize(WithoutInertContent(html)).Trim();
            if (safe.Length == 0) safe = null;
        }
        var text = !string.IsNullOrWhiteSpace(body) ? body.Trim() : safe is null ? string.Empty : ToText(safe);
        return new EmailContent(text, safe);
    }

    public string Sanitize(string html) => _sanitizer.Sanitize(WithoutInertContent(html));

    /// <summary>
    /// Elements whose content is code or metadata, not text: removed with their content (the sanitizer
    /// keeps the text of the tags it drops, so that unknown wrappers such as Outlook's do not lose theirs).
    /// </summary>
    private static string WithoutInertContent(string html)
    {
        var document = Parser.ParseDocument(html);
        foreach (var element in document.QuerySelectorAll("script, style, noscript, template, title, iframe, frame, frameset, object, embed, applet, svg, math, xml, textarea, select").ToList())
            element.Remove();
        return document.Body?.InnerHtml ?? string.Empty;
    }

    private static string? FilterUrl(IElement? tag, string original, string? sanitized)
    {
        if (sanitized is null) return null;
        var value = sanitized.Trim();
        var isImage = tag?.LocalName is "img";
        if (value.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
            return isImage && InlineImage().IsMatch(value) ? value : null;
        if (value.StartsWith("cid:", StringComparison.OrdinalIgnoreCase))
            return isImage ? value : null;
        // A remote image is a read receipt for the sender (tracking pixel): never load one.
        if (isImage || tag is null) return null;
        return value;
    }

    [GeneratedRegex(@"url\s*\(|expression\s*\(|image-set|image\s*\(|@import|javascript:|vbscript:|-moz-binding|[<>\\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DangerousCss();

    [GeneratedRegex(@"^data:image/(png|gif|jpeg|jpg|webp);base64,[A-Za-z0-9+/=\s]+$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex InlineImage();

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6",
        "ul", "ol", "table", "tr", "hr", "address", "dl", "dt", "dd", "figure", "figcaption", "main", "nav", "aside",
    };

    /// <summary>The text a reader sees: paragraphs and line breaks kept, list items bulleted, whitespace collapsed.</summary>
    public static string ToText(string html)
    {
        var document = Parser.ParseDocument("<body>" + html + "</body>");
        var sb = new StringBuilder();
        Walk(document.Body!, sb);
        var lines = sb.ToString().Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        var result = new StringBuilder();
        var blank = 0;
        foreach (var line in lines)
        {
            if (line.Length == 0) { blank++; continue; }
            if (result.Length > 0) result.Append(blank > 0 ? "\n\n" : "\n");
            result.Append(line);
            blank = 0;
        }
        return result.ToString();
    }

    private static void Walk(INode node, StringBuilder sb)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText t:
                    sb.Append(t.Data.Replace('\n', ' ').Replace('\r', ' '));
                    break;
                case IElement e when e.LocalName is "br":
                    sb.Append('\n');
                    break;
                case IElement e when e.LocalName is "li":
                    sb.Append("\n• ");
                    Walk(e, sb);
                    break;
                case IElement e when e.LocalName is "td" or "th":
                    Walk(e, sb);
                    sb.Append('\t');
                    break;
                case IElement e when e.LocalName is "img":
                    if (e.GetAttribute("alt") is { Length: > 0 } alt) sb.Append('[').Append(alt).Append(']');
                    break;
                case IElement e when e.LocalName is "a" && e.GetAttribute("href") is { } href && href.StartsWith("http", StringComparison.OrdinalIgnoreCase):
                    var before = sb.Length;
                    Walk(e, sb);
                    var label = sb.ToString(before, sb.Length - before).Trim();
                    if (!string.Equals(label, href, StringComparison.OrdinalIgnoreCase)) sb.Append(" (").Append(href).Append(')');
                    break;
                case IElement e when Blocks.Contains(e.LocalName):
                    sb.Append("\n\n");
                    Walk(e, sb);
                    sb.Append("\n\n");
                    break;
                case IElement e:
                    Walk(e, sb);
                    break;
            }
        }
    }

    [GeneratedRegex(@"[ \t\u00A0]+")]
    private static partial Regex Spaces();
}
