using System.Reflection;
using System.Text.RegularExpressions;
using AgentWorkspace.Tests.UseCases;
using Microsoft.AspNetCore.Components;

namespace AgentWorkspace.Tests.Components;

/// <summary>
/// In Razor, a component parameter of type string takes its attribute as literal text unless it starts with "@":
/// <c>Error="Open.Error"</c> passes the eleven characters "Open.Error", not the error. That is how a refused reply
/// showed nothing under the reply box (issue 22, item 1) while every other parameter of the same line worked.
/// This scans every .razor file for a string parameter given something that reads like a C# member access.
/// </summary>
public class RazorStringParameterTests
{
    private static readonly Regex Tag = new(@"<(?<name>[A-Z][A-Za-z0-9]*)(?:\s[^<>]*?)?/?>", RegexOptions.Singleline | RegexOptions.CultureInvariant);
    private static readonly Regex Attribute = new(@"\s(?<attr>[A-Z][A-Za-z0-9]*)=""(?<value>[^""@]*)""", RegexOptions.CultureInvariant);
    private static readonly Regex MemberAccess = new(@"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$", RegexOptions.CultureInvariant);

    [Fact]
    public void NoStringParameterIsGivenAMemberAccessAsLiteralText()
    {
        var components = new[] { typeof(AgentWorkspace.Web.Components.App).Assembly, typeof(MudBlazor.MudButton).Assembly }
            .SelectMany(a => a.GetTypes())
            .Where(t => typeof(IComponent).IsAssignableFrom(t) && !t.IsAbstract)
            .GroupBy(t => t.Name.Split('`')[0])
            .ToDictionary(g => g.Key, g => g.ToList());

        var found = new List<string>();
        var root = OneWayForDataTests.RepositoryRoot();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(root, "AgentWorkspace.Web", "Components"), "*.razor", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            foreach (Match tag in Tag.Matches(text))
            {
                if (!components.TryGetValue(tag.Groups["name"].Value, out var types)) continue;
                foreach (Match attr in Attribute.Matches(tag.Value))
                {
                    var value = attr.Groups["value"].Value;
                    if (!MemberAccess.IsMatch(value)) continue;
                    var property = types.Select(t => t.GetProperty(attr.Groups["attr"].Value, BindingFlags.Public | BindingFlags.Instance))
                        .FirstOrDefault(p => p?.GetCustomAttribute<ParameterAttribute>() is not null);
                    if (property?.PropertyType == typeof(string))
                        found.Add($"{Path.GetRelativePath(root, file)}: <{tag.Groups["name"].Value} {attr.Groups["attr"].Value}=\"{value}\"> passes the text \"{value}\"; write \"@{value}\"");
                }
            }
        }
        found.ShouldBeEmpty();
    }

    [Fact]
    public void TheScanFindsTheMistakeItLooksFor()
    {
        // The pattern of the defect, as it was written in CaseView before the fix.
        var tag = Tag.Match("<Composer @key=\"c.Id\" CaseId=\"c.Id\" Error=\"Open.Error\" ErrorField=\"@Open.ErrorField\" />");
        tag.Groups["name"].Value.ShouldBe("Composer");
        var flagged = Attribute.Matches(tag.Value).Where(a => MemberAccess.IsMatch(a.Groups["value"].Value)).Select(a => a.Groups["attr"].Value).ToList();
        flagged.ShouldBe(["CaseId", "Error"]);
        typeof(AgentWorkspace.Web.Components.Pages.Inbox.Composer).GetProperty("Error")!.PropertyType.ShouldBe(typeof(string));
    }
}
