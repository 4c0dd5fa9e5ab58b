using System.Text.RegularExpressions;

namespace AgentWorkspace.Tests.Components;

/// <summary>Every string the pages say exists in English and in French: each resource file and its .fr twin hold the same keys.</summary>
public partial class ResourceFilesTests
{
    [GeneratedRegex("<data name=\"([^\"]+)\"")]
    private static partial Regex Key();

    private static string ResourcesDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln"))) return Path.Combine(dir.FullName, "AgentWorkspace.Web", "Resources");
        throw new InvalidOperationException("The repository root (AgentWorkspace.sln) was not found above " + AppContext.BaseDirectory);
    }

    public static TheoryData<string> Areas()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(ResourcesDirectory(), "*.resx").Where(f => !f.EndsWith(".fr.resx", StringComparison.Ordinal)).Order())
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Theory]
    [MemberData(nameof(Areas))]
    public void TheFrenchFileHoldsTheSameKeysAsTheEnglishOne(string area)
    {
        static List<string> Keys(string file) => Key().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Order(StringComparer.Ordinal).ToList();
        var dir = ResourcesDirectory();
        var french = Path.Combine(dir, area + ".fr.resx");
        File.Exists(french).ShouldBeTrue($"{area}.fr.resx is missing");
        Keys(french).ShouldBe(Keys(Path.Combine(dir, area + ".resx")), $"{area}: the two languages differ");
    }
}
