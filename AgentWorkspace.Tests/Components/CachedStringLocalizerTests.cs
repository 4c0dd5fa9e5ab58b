using System.Globalization;
using AgentWorkspace.Web;
using AgentWorkspace.Web.Localization;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AgentWorkspace.Tests.Components;

/// <summary>
/// Issue 20: resource strings are kept per language instead of read through the resource manager's lock at every render.
/// The texts are the resource manager's own, in each language, with and without arguments, found or not.
/// </summary>
public class CachedStringLocalizerTests
{
    private static readonly ResourceManagerStringLocalizerFactory Factory =
        new(Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance);

    [Fact]
    public void EveryTextIsTheResourceManagers_InEachLanguage_AfterTheOtherWasKept()
    {
        var kept = new CachedStringLocalizer<InboxResource>(Factory);
        var plain = Factory.Create(typeof(InboxResource));
        var before = CultureInfo.CurrentUICulture;
        try
        {
            List<string> names;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
            names = [.. plain.GetAllStrings(includeParentCultures: true).Select(s => s.Name)];
            names.Count.ShouldBeGreaterThan(50);
            // Each language twice, alternating: the second pass reads what was kept, and must not give the other's.
            foreach (var culture in new[] { "en-US", "fr-FR", "en-US", "fr-FR" })
            {
                CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
                foreach (var name in names)
                {
                    var text = kept[name];
                    text.Value.ShouldBe(plain[name].Value, $"{name} in {culture}");
                    text.ResourceNotFound.ShouldBeFalse();
                }
            }
            // The two languages differ, so the comparison above would have seen one given for the other.
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr-FR");
            var french = kept["InboxTitle"].Value;
            CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
            kept["InboxTitle"].Value.ShouldNotBe(french);
        }
        finally
        {
            CultureInfo.CurrentUICulture = before;
        }
    }

    [Fact]
    public void ArgumentsAreFormattedInTheCurrentCulture_AndAMissingNameSaysSo()
    {
        var kept = new CachedStringLocalizer<InboxResource>(Factory);
        var plain = Factory.Create(typeof(InboxResource));
        var (before, uiBefore) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            foreach (var culture in new[] { "fr-FR", "en-US" })
            {
                CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
                kept["NoticeMore", 1234].Value.ShouldBe(plain["NoticeMore", 1234].Value);
                kept["NoticeMore", 1234].Value.ShouldContain(1234.ToString(CultureInfo.CurrentCulture));
                var missing = kept["No such text, " + culture];
                missing.ResourceNotFound.ShouldBeTrue();
                missing.Value.ShouldBe("No such text, " + culture);
                kept["No such {0}", "thing"].Value.ShouldBe(plain["No such {0}", "thing"].Value);
            }
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, uiBefore);
        }
    }
}
