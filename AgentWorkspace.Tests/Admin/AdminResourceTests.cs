using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;

namespace AgentWorkspace.Tests.Admin;

/// <summary>Every rule an administration form can break is said in both languages, and both resource files hold the same keys.</summary>
public partial class AdminResourceTests
{
    private static readonly ResourceManager Resources = new("AgentWorkspace.Web.Resources.AdminResource", typeof(AgentWorkspace.Web.AdminResource).Assembly);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (AgentWorkspace.sln) was not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("""(?:AdminRuleException|new)\("([A-Z][A-Za-z]+)",\s*[$"]""")]
    private static partial Regex RuleCode();

    public static TheoryData<string> Codes()
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryRoot(), "AgentWorkspace.Core", "Features"), "*.cs", SearchOption.AllDirectories);
        var codes = sources.SelectMany(f => RuleCode().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).Distinct().Order().ToList();
        var data = new TheoryData<string>();
        foreach (var c in codes) data.Add(c);
        return data;
    }

    // Lines of Core that write an audit row or name an audited entity; their PascalCase literals are the stored codes.
    [GeneratedRegex(@"AuditEntry\(|use\.Audit(Change)?\(|AuditAsync\(actor|new Change\(|const string (Audit)?Entity\b")]
    private static partial Regex AuditLine();

    [GeneratedRegex("\"([A-Z][A-Za-z]+)\"")]
    private static partial Regex PascalLiteral();

    public static TheoryData<string> AuditCodes()
    {
        var sources = Directory.GetFiles(Path.Combine(RepositoryRoot(), "AgentWorkspace.Core", "Features"), "*.cs", SearchOption.AllDirectories);
        var codes = sources.SelectMany(File.ReadLines).Where(l => AuditLine().IsMatch(l))
            .SelectMany(l => PascalLiteral().Matches(l).Select(m => m.Groups[1].Value)).Distinct().Order().ToList();
        codes.Count.ShouldBeGreaterThan(30, "the audit codes were not found in the sources");
        var data = new TheoryData<string>();
        foreach (var c in codes) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(AuditCodes))]
    public void EveryAuditActionAndEntityIsNamedInEnglishAndInFrench(string code)
    {
        string? Say(CultureInfo culture) =>
            Resources.GetString("AuditAction." + code, culture) ?? Resources.GetString("AuditEntity." + code, culture);
        Say(CultureInfo.InvariantCulture).ShouldNotBeNullOrWhiteSpace($"AuditAction.{code} (or AuditEntity.{code}) is missing from AdminResource.resx");
        Say(new CultureInfo("fr")).ShouldNotBeNullOrWhiteSpace($"AuditAction.{code} (or AuditEntity.{code}) is missing from AdminResource.fr.resx");
        Say(new CultureInfo("fr")).ShouldNotBe(Say(CultureInfo.InvariantCulture), $"{code} is not translated");
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryRuleCodeIsSaidInEnglishAndInFrench(string code)
    {
        var en = Resources.GetString("Err_" + code, CultureInfo.InvariantCulture);
        var fr = Resources.GetString("Err_" + code, new CultureInfo("fr"));
        en.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from AdminResource.resx");
        fr.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from AdminResource.fr.resx");
        fr.ShouldNotBe(en, $"Err_{code} is not translated");
    }

    [Fact]
    public void TheCodesAreFound() => Codes().Count.ShouldBeGreaterThan(30);

    [Fact]
    public void BothResourceFilesHoldTheSameKeys()
    {
        var dir = Path.Combine(RepositoryRoot(), "AgentWorkspace.Web", "Resources");
        static List<string> Keys(string file) =>
            Regex.Matches(File.ReadAllText(file), "<data name=\"([^\"]+)\"").Select(m => m.Groups[1].Value).Order().ToList();
        Keys(Path.Combine(dir, "AdminResource.fr.resx")).ShouldBe(Keys(Path.Combine(dir, "AdminResource.resx")));
    }
}
