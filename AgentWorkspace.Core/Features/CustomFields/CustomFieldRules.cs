using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Administration;

namespace AgentWorkspace.Core.Features.CustomFields;

/// <summary>What an administrator types into the field form (or posts to the API), before any rule is checked.</summary>
public sealed record CustomFieldInput(
    string? Ident,
    string? Label,
    string? LabelFr,
    string? LabelEn,
    string? Type,
    IReadOnlyList<string>? Options,
    bool VisibleInRightPanel,
    bool Editable,
    bool VisibleInCard);

/// <summary>
/// The rules of the field form, each broken rule with a stable code so the page can say it in the
/// user's language next to the field. The domain (<see cref="FieldIdent"/>, <see cref="CustomFieldDefinition"/>)
/// enforces the same rules again when the definition is built.
/// </summary>
public static class CustomFieldRules
{
    public const int MaxLabelLength = 100;
    public const int MaxOptionLength = 100;

    public static readonly IReadOnlyDictionary<string, CustomFieldType> TypeNames = new Dictionary<string, CustomFieldType>(StringComparer.OrdinalIgnoreCase)
    {
        ["text"] = CustomFieldType.Text,
        ["email"] = CustomFieldType.Email,
        ["dropdown"] = CustomFieldType.Dropdown,
        ["number"] = CustomFieldType.Number,
        ["date"] = CustomFieldType.Date,
        ["phone"] = CustomFieldType.Phone,
        ["url"] = CustomFieldType.Url,
        ["checkbox"] = CustomFieldType.Checkbox,
    };

    public static string TypeName(CustomFieldType type) => type.ToString().ToLowerInvariant();

    /// <summary>Every broken rule of a new field (empty when it may be saved); uniqueness is checked by the service.</summary>
    public static IReadOnlyList<AdminRuleException> Check(CustomFieldInput input)
    {
        var errors = new List<AdminRuleException>();
        if (CheckIdent(input.Ident) is { } identError) errors.Add(identError);
        errors.AddRange(CheckLabels(input));
        var type = ParseType(input.Type, out var typeError);
        if (typeError is not null) errors.Add(typeError);
        if (type is { } t && CheckOptions(t, input.Options) is { } optionError) errors.Add(optionError);
        return errors;
    }

    public static AdminRuleException? CheckIdent(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
            return new AdminRuleException("IdentRequired", "The ident is required.", "ident");
        if (raw.Length > FieldIdent.MaxLength)
            return new AdminRuleException("IdentTooLong", $"The ident must be at most {FieldIdent.MaxLength} characters.", "ident", FieldIdent.MaxLength);
        try
        {
            FieldIdent.Parse(raw);
            return null;
        }
        catch (Domain.Common.DomainException)
        {
            return new AdminRuleException("IdentCharacters",
                "The ident may contain only letters (a-z, A-Z, no accents), digits, '-' and '_', with no spaces.", "ident");
        }
    }

    public static IEnumerable<AdminRuleException> CheckLabels(CustomFieldInput input)
    {
        if (string.IsNullOrWhiteSpace(input.Label))
            yield return new AdminRuleException("LabelRequired", "The label is required.", "label");
        else if (input.Label.Trim().Length > MaxLabelLength)
            yield return new AdminRuleException("LabelTooLong", $"The label must be at most {MaxLabelLength} characters.", "label", MaxLabelLength);
        if (input.LabelFr?.Trim().Length > MaxLabelLength)
            yield return new AdminRuleException("LabelTooLong", $"The French label must be at most {MaxLabelLength} characters.", "labels.fr", MaxLabelLength);
        if (input.LabelEn?.Trim().Length > MaxLabelLength)
            yield return new AdminRuleException("LabelTooLong", $"The English label must be at most {MaxLabelLength} characters.", "labels.en", MaxLabelLength);
    }

    public static CustomFieldType? ParseType(string? raw, out AdminRuleException? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(raw))
        {
            error = new AdminRuleException("TypeRequired", "The type is required: " + string.Join(", ", TypeNames.Keys) + ".", "type");
            return null;
        }
        if (TypeNames.TryGetValue(raw.Trim(), out var type)) return type;
        error = new AdminRuleException("TypeUnknown", $"'{raw}' is not a field type; use one of: {string.Join(", ", TypeNames.Keys)}.", "type", raw);
        return null;
    }

    public static AdminRuleException? CheckOptions(CustomFieldType type, IReadOnlyList<string>? options)
    {
        var list = (options ?? []).Select(o => o?.Trim() ?? string.Empty).ToList();
        if (type != CustomFieldType.Dropdown)
            return list.Count > 0 ? new AdminRuleException("OptionsNotAllowed", "Only a dropdown field has options.", "options") : null;
        if (list.Count == 0)
            return new AdminRuleException("OptionsRequired", "A dropdown needs at least one option.", "options");
        if (list.Count > CustomFieldDefinition.MaxOptions)
            return new AdminRuleException("TooManyOptions", $"A dropdown has at most {CustomFieldDefinition.MaxOptions} options.", "options", CustomFieldDefinition.MaxOptions);
        if (list.Any(o => o.Length == 0))
            return new AdminRuleException("OptionEmpty", "An option cannot be empty.", "options");
        if (list.FirstOrDefault(o => o.Length > MaxOptionLength) is { } longOne)
            return new AdminRuleException("OptionTooLong", $"An option must be at most {MaxOptionLength} characters.", "options", MaxOptionLength);
        var duplicate = list.GroupBy(o => o, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            return new AdminRuleException("OptionDuplicate", $"The option '{duplicate.Key}' appears twice.", "options", duplicate.Key);
        return null;
    }
}
