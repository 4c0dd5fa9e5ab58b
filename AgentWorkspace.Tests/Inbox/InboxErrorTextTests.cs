using System.Globalization;
using System.Resources;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Tests.UseCases;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>Every refusal of a case's rules and of the inbox's commands is said in English and in French (resx Err_{Code}).</summary>
public partial class InboxErrorTextTests
{
    private static readonly ResourceManager Resources = new("AgentWorkspace.Web.Resources.InboxResource", typeof(AgentWorkspace.Web.InboxResource).Assembly);

    [GeneratedRegex("""Code = "([A-Za-z_]+)"( \+ Status)?""")]
    private static partial Regex CodeLiteral();

    public static TheoryData<string> Codes()
    {
        var root = OneWayForDataTests.RepositoryRoot();
        var files = new[] { Path.Combine(root, "AgentWorkspace.Core", "Domain", "Cases") , Path.Combine(root, "AgentWorkspace.Core", "Features", "Inbox") }
            .SelectMany(d => Directory.GetFiles(d, "*.cs", SearchOption.AllDirectories));
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match m in files.SelectMany(f => CodeLiteral().Matches(File.ReadAllText(f))))
        {
            if (m.Groups[2].Success)
                foreach (var closed in Enum.GetValues<CaseStatus>().Where(s => !Case.IsOpenStatus(s))) codes.Add(m.Groups[1].Value + closed);
            else codes.Add(m.Groups[1].Value);
        }
        codes.Count.ShouldBeGreaterThan(15, "the codes were found in the sources");
        var data = new TheoryData<string>();
        foreach (var c in codes) data.Add(c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Codes))]
    public void EveryCaseRefusalIsSaidInEnglishAndInFrench(string code)
    {
        var en = Resources.GetString("Err_" + code, CultureInfo.InvariantCulture);
        var fr = Resources.GetString("Err_" + code, new CultureInfo("fr"));
        en.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from InboxResource.resx");
        fr.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from InboxResource.fr.resx");
        fr.ShouldNotBe(en, $"Err_{code} is not translated");
    }

    [Fact]
    public void ARuleOfTheCaseCarriesItsCodeAndTheNameItNeeds()
    {
        var c = new Case(1, Core.Domain.Channels.Channel.Sms, 1, "Colis", DateTimeOffset.UtcNow);
        c.AssignTo("agent-2");
        var taken = Should.Throw<ConflictException>(() => c.Take("agent-1", _ => "Lucas Bernard"));
        taken.Code.ShouldBe("CaseTakenFirst");
        taken.Args.ShouldBe(["Lucas Bernard"]);
        var refused = Should.Throw<ForbiddenException>(() => c.EnsureWorkableBy("agent-1", false, _ => "Lucas Bernard"));
        refused.Code.ShouldBe("CaseAssignedToOther");
        c.Resolve(DateTimeOffset.UtcNow);
        Should.Throw<DomainException>(() => c.EnsureReplyable()).Code.ShouldBe("CaseClosedNoReply_Resolved");
        string.Format(CultureInfo.InvariantCulture, Resources.GetString("Err_CaseTakenFirst", new CultureInfo("fr"))!, taken.Args.ToArray())
            .ShouldBe("Lucas Bernard a pris ce cas en premier.");
    }
}

/// <summary>The merge preconditions of the card are said in English and in French too (MergeResource Err_{Code}).</summary>
public partial class MergeRuleTextTests
{
    private static readonly ResourceManager Resources = new("AgentWorkspace.Web.Resources.MergeResource", typeof(AgentWorkspace.Web.MergeResource).Assembly);

    [GeneratedRegex("Code = \"([A-Za-z_]+)\"")]
    private static partial Regex CodeLiteral();

    [Fact]
    public void EveryMergeRuleOfTheCardIsSaidInEnglishAndInFrench()
    {
        var file = Path.Combine(OneWayForDataTests.RepositoryRoot(), "AgentWorkspace.Core", "Domain", "Cards", "CustomerCard.cs");
        var codes = CodeLiteral().Matches(File.ReadAllText(file)).Select(m => m.Groups[1].Value).Distinct().ToList();
        codes.Count.ShouldBeGreaterThanOrEqualTo(6);
        foreach (var code in codes)
        {
            var en = Resources.GetString("Err_" + code, CultureInfo.InvariantCulture);
            var fr = Resources.GetString("Err_" + code, new CultureInfo("fr"));
            en.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from MergeResource.resx");
            fr.ShouldNotBeNullOrWhiteSpace($"Err_{code} is missing from MergeResource.fr.resx");
            fr.ShouldNotBe(en, $"Err_{code} is not translated");
        }
    }
}
