using System.Text.RegularExpressions;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.CustomFields;

/// <summary>The internal name of a custom field: ASCII letters, digits, '-' and '_'; fixed once created.</summary>
public sealed partial record FieldIdent
{
    public const int MaxLength = 64;
    public string Value { get; }

    private FieldIdent(string value) => Value = value;

    public static FieldIdent Parse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
            throw new DomainException("The ident is required.", "ident");
        if (raw.Length > MaxLength)
            throw new DomainException($"The ident must be at most {MaxLength} characters.", "ident");
        if (!Allowed().IsMatch(raw))
            throw new DomainException("The ident may contain only letters (a-z, A-Z, no accents), digits, '-' and '_', with no spaces.", "ident");
        return new FieldIdent(raw);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Allowed();

    public override string ToString() => Value;
}
