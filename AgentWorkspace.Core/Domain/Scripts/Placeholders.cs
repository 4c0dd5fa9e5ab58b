using System.Text;
using System.Text.RegularExpressions;

namespace AgentWorkspace.Core.Domain.Scripts;

/// <summary>
/// The placeholders a script may use, <c>{{customer.firstName}}</c>, filled from the case when the agent sees the step
/// or the macro runs. The list is closed: a name outside it is refused when the script is saved, so an agent never
/// meets an unfilled or misspelt placeholder. Open families: <c>customer.fields.&lt;ident&gt;</c> (an existing custom
/// field), <c>context.variables.&lt;name&gt;</c> and <c>context.preChatSurvey.&lt;name&gt;</c> (whatever the chat sends).
/// </summary>
public static partial class Placeholders
{
    public static readonly IReadOnlyList<string> Fixed =
    [
        "customer.firstName", "customer.lastName", "customer.fullName", "customer.email", "customer.phone", "customer.company",
        "customer.jobTitle", "customer.city",
        "case.id", "case.title", "case.queue", "case.channel", "case.status", "case.priority", "case.product",
        "agent.name",
        "context.visitor.browser", "context.visitor.os", "context.visitor.location", "context.visitor.language",
    ];

    public const string CustomFieldPrefix = "customer.fields.";
    public const string VariablePrefix = "context.variables.";
    public const string SurveyPrefix = "context.preChatSurvey.";

    [GeneratedRegex(@"\{\{\s*([^{}\s]*)\s*\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>The names of the placeholders in <paramref name="text"/>, in order (a malformed one as its raw text).</summary>
    public static IEnumerable<string> Find(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        foreach (Match m in Pattern().Matches(text)) yield return m.Groups[1].Value;
    }

    /// <summary>Whether the text has a <c>{{</c> or <c>}}</c> left once its placeholders are taken out (an unclosed one).</summary>
    public static bool HasStrayBraces(string? text) =>
        !string.IsNullOrEmpty(text) && Pattern().Replace(text, "") is var rest && (rest.Contains("{{", StringComparison.Ordinal) || rest.Contains("}}", StringComparison.Ordinal));

    /// <summary>Whether <paramref name="name"/> is known, given the custom fields that exist (by ident).</summary>
    public static bool IsKnown(string name, Func<string, bool> customFieldExists)
    {
        if (Fixed.Contains(name, StringComparer.Ordinal)) return true;
        if (name.StartsWith(CustomFieldPrefix, StringComparison.Ordinal)) return name.Length > CustomFieldPrefix.Length && customFieldExists(name[CustomFieldPrefix.Length..]);
        if (name.StartsWith(VariablePrefix, StringComparison.Ordinal)) return IsKey(name[VariablePrefix.Length..]);
        if (name.StartsWith(SurveyPrefix, StringComparison.Ordinal)) return IsKey(name[SurveyPrefix.Length..]);
        return false;
    }

    private static bool IsKey(string key) => key.Length is > 0 and <= 100;

    /// <summary>
    /// The text with every placeholder replaced by its value (empty when the case has none). The values are inserted
    /// as they are: the UI renders the result as text, never as markup. <paramref name="encode"/> escapes each value
    /// (a web address's parts).
    /// </summary>
    public static string Fill(string? text, IReadOnlyDictionary<string, string?> values, Func<string, string>? encode = null)
    {
        if (string.IsNullOrEmpty(text)) return string.Empty;
        return Pattern().Replace(text, m =>
        {
            var value = values.TryGetValue(m.Groups[1].Value, out var v) ? v ?? "" : "";
            return encode is null ? value : encode(value);
        });
    }

    /// <summary>Whether any text of the set uses a placeholder whose name starts with <paramref name="prefix"/>.</summary>
    public static bool Uses(IEnumerable<string?> texts, string prefix) =>
        texts.Any(t => Find(t).Any(n => n.StartsWith(prefix, StringComparison.Ordinal)));

    /// <summary>A web address built from a template: placeholders filled with their values escaped.</summary>
    public static string FillUrl(string template, IReadOnlyDictionary<string, string?> values) =>
        Fill(template, values, Uri.EscapeDataString);

    /// <summary>Lists names for a message: "customer.firstName, case.queue, …".</summary>
    public static string Describe()
    {
        var sb = new StringBuilder(string.Join(", ", Fixed));
        sb.Append(", ").Append(CustomFieldPrefix).Append("<ident>, ").Append(VariablePrefix).Append("<name>, ").Append(SurveyPrefix).Append("<name>");
        return sb.ToString();
    }
}
