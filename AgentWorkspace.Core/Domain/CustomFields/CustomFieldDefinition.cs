using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.CustomFields;

public enum CustomFieldType
{
    Text = 1,
    Email = 2,
    Dropdown = 3,
    Number = 4,
    Date = 5,
    Phone = 6,
    Url = 7,
    Checkbox = 8,
}

/// <summary>A field an administrator adds to every customer card (seed 000).</summary>
public sealed class CustomFieldDefinition
{
    public const int MaxOptions = 200;

    public long Id { get; private set; }
    public string Ident { get; private set; } = string.Empty;
    public string Label { get; private set; } = string.Empty;
    public string? LabelFr { get; private set; }
    public string? LabelEn { get; private set; }
    public CustomFieldType Type { get; private set; }
    /// <summary>Dropdown options in display order, stored as a JSON array of strings.</summary>
    public string OptionsJson { get; private set; } = "[]";
    public bool VisibleInRightPanel { get; private set; }
    public bool Editable { get; private set; }
    public bool VisibleInCard { get; private set; }
    public int DisplayOrder { get; private set; }
    public bool IsArchived { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }

    private CustomFieldDefinition() { }

    public CustomFieldDefinition(FieldIdent ident, string label, CustomFieldType type, IEnumerable<string>? options,
        bool visibleInRightPanel, bool editable, bool visibleInCard, int displayOrder, DateTimeOffset now,
        string? labelFr = null, string? labelEn = null)
    {
        Ident = ident.Value;
        if (!Enum.IsDefined(type)) throw new DomainException("Unknown field type.", "type");
        Type = type;
        Relabel(label, labelFr, labelEn);
        SetOptions(options ?? []);
        SetToggles(visibleInRightPanel, editable, visibleInCard);
        DisplayOrder = displayOrder;
        CreatedAt = now;
    }

    public IReadOnlyList<string> Options => JsonSerializer.Deserialize<List<string>>(OptionsJson) ?? [];

    /// <summary>The label in the agent's language, falling back to the main label.</summary>
    public string LabelFor(string? culture) =>
        (culture?.StartsWith("fr", StringComparison.OrdinalIgnoreCase) == true ? LabelFr : culture?.StartsWith("en", StringComparison.OrdinalIgnoreCase) == true ? LabelEn : null)
        ?? Label;

    public void Relabel(string label, string? labelFr, string? labelEn)
    {
        Label = Text.Clean(label, 100, "label") ?? throw new DomainException("The label is required.", "label");
        LabelFr = Text.Clean(labelFr, 100, "labels.fr");
        LabelEn = Text.Clean(labelEn, 100, "labels.en");
    }

    public void SetOptions(IEnumerable<string> options)
    {
        var list = options.Select(o => o?.Trim() ?? string.Empty).ToList();
        if (Type != CustomFieldType.Dropdown)
        {
            if (list.Count > 0) throw new DomainException("Only a dropdown field has options.", "options");
            OptionsJson = "[]";
            return;
        }
        if (list.Count == 0) throw new DomainException("A dropdown needs at least one option.", "options");
        if (list.Count > MaxOptions) throw new DomainException($"A dropdown has at most {MaxOptions} options.", "options");
        if (list.Any(o => o.Length == 0)) throw new DomainException("An option cannot be empty.", "options");
        if (list.Any(o => o.Length > 100)) throw new DomainException("An option must be at most 100 characters.", "options");
        var duplicate = list.GroupBy(o => o, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new DomainException($"The option '{duplicate.Key}' appears twice.", "options");
        OptionsJson = JsonSerializer.Serialize(list);
    }

    public void SetToggles(bool visibleInRightPanel, bool editable, bool visibleInCard)
    {
        VisibleInRightPanel = visibleInRightPanel;
        Editable = editable;
        VisibleInCard = visibleInCard;
    }

    public void MoveTo(int displayOrder) => DisplayOrder = displayOrder;
    public void Archive() => IsArchived = true;
    public void Restore() => IsArchived = false;

    /// <summary>
    /// Validates a value for this field and returns its stored form (null clears it): e-mails lower
    /// case, phones in E.164, numbers and dates in invariant form, checkboxes "true"/"false".
    /// </summary>
    public string? NormalizeValue(string? raw, string defaultRegion)
    {
        if (raw is null || string.IsNullOrWhiteSpace(raw)) return null;
        var value = raw.Trim();
        switch (Type)
        {
            case CustomFieldType.Text:
                return Text.Clean(value, 2000, Ident);
            case CustomFieldType.Email:
                return EmailAddress.Parse(value, Ident).Value;
            case CustomFieldType.Dropdown:
                var match = Options.FirstOrDefault(o => string.Equals(o, value, StringComparison.OrdinalIgnoreCase));
                return match ?? throw new DomainException($"'{value}' is not one of the options of {Label}: {string.Join(", ", Options)}.", Ident);
            case CustomFieldType.Number:
                // "12.5" and the French "12,5" are the same number; no thousands separators, so nothing is ambiguous.
                var number = value.Replace(" ", "", StringComparison.Ordinal).Replace('\u00A0'.ToString(), "", StringComparison.Ordinal);
                if (number.Count(c => c == ',') == 1 && !number.Contains('.', StringComparison.Ordinal)) number = number.Replace(',', '.');
                if (decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
                    return n.ToString(CultureInfo.InvariantCulture);
                throw new DomainException($"'{value}' is not a number.", Ident);
            case CustomFieldType.Date:
                string[] formats = ["yyyy-MM-dd", "dd/MM/yyyy", "d/M/yyyy"];
                if (DateOnly.TryParseExact(value, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    return d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                throw new DomainException($"'{value}' is not a date (YYYY-MM-DD).", Ident);
            case CustomFieldType.Phone:
                return PhoneNumber.Parse(value, defaultRegion, Ident).E164;
            case CustomFieldType.Url:
                return Cards.CustomerCard.CleanUrl(value, Ident);
            case CustomFieldType.Checkbox:
                if (bool.TryParse(value, out var b)) return b ? "true" : "false";
                if (value is "1" or "yes" or "oui") return "true";
                if (value is "0" or "no" or "non") return "false";
                throw new DomainException($"'{value}' is not true or false.", Ident);
            default:
                throw new DomainException("Unknown field type.", Ident);
        }
    }
}

/// <summary>The value of one custom field on one card.</summary>
public sealed class CustomFieldValue
{
    public long Id { get; private set; }
    public long CardId { get; private set; }
    public long FieldId { get; private set; }
    public string Value { get; private set; } = string.Empty;
    public DateTimeOffset UpdatedAt { get; private set; }

    private CustomFieldValue() { }

    public CustomFieldValue(long cardId, long fieldId, string value, DateTimeOffset now, long id = 0)
    {
        Id = id;
        CardId = cardId; FieldId = fieldId; Value = value; UpdatedAt = now;
    }

    public void Set(string value, DateTimeOffset now) { Value = value; UpdatedAt = now; }
    public void MoveTo(long cardId) => CardId = cardId;
}
