using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;

namespace AgentWorkspace.Tests.Domain;

public class CustomFieldRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    [Theory]
    [InlineData("loyalty-tier")]
    [InlineData("Customer_Number2")]
    [InlineData("A")]
    public void AnIdentOfLettersDigitsDashAndUnderscoreIsAccepted(string ident) => FieldIdent.Parse(ident).Value.ShouldBe(ident);

    [Theory]
    [InlineData("loyalty tier")]
    [InlineData("fidélité")]
    [InlineData("a.b")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("<script>")]
    [InlineData("ÆØÅ")]
    public void AnIdentOutsideTheAllowedCharactersIsRefused(string ident) =>
        Should.Throw<DomainException>(() => FieldIdent.Parse(ident)).Field.ShouldBe("ident");

    [Fact]
    public void AnIdentLongerThanTheLimitIsRefused() => Should.Throw<DomainException>(() => FieldIdent.Parse(new string('a', 65)));

    [Fact]
    public void ADropdownNeedsDistinctNonEmptyOptions()
    {
        Should.Throw<DomainException>(() => Dropdown([])).Field.ShouldBe("options");
        Should.Throw<DomainException>(() => Dropdown(["Gold", "gold"])).Message.ShouldContain("twice");
        Should.Throw<DomainException>(() => Dropdown(["Gold", " "]));
        Dropdown(["Gold", "Silver"]).Options.ShouldBe(["Gold", "Silver"]);
    }

    [Fact]
    public void OnlyADropdownHasOptions() =>
        Should.Throw<DomainException>(() => new CustomFieldDefinition(FieldIdent.Parse("x"), "X", CustomFieldType.Text, ["a"], false, false, false, 0, Now));

    [Fact]
    public void AnEmptyLabelIsRefused() =>
        Should.Throw<DomainException>(() => new CustomFieldDefinition(FieldIdent.Parse("x"), "  ", CustomFieldType.Text, null, false, false, false, 0, Now)).Field.ShouldBe("label");

    [Theory]
    [InlineData(CustomFieldType.Text, " hello ", "hello")]
    [InlineData(CustomFieldType.Email, "A@B.FR", "a@b.fr")]
    [InlineData(CustomFieldType.Number, "12.5", "12.5")]
    [InlineData(CustomFieldType.Number, "12,5", "12.5")]
    [InlineData(CustomFieldType.Date, "2026-11-22", "2026-11-22")]
    [InlineData(CustomFieldType.Date, "22/11/2026", "2026-11-22")]
    [InlineData(CustomFieldType.Phone, "06 12 34 56 78", "+33612345678")]
    [InlineData(CustomFieldType.Url, "https://example.com/a", "https://example.com/a")]
    [InlineData(CustomFieldType.Checkbox, "True", "true")]
    [InlineData(CustomFieldType.Checkbox, "non", "false")]
    [InlineData(CustomFieldType.Text, "", null)]
    public void AValueIsValidatedAndNormalisedByTheFieldType(CustomFieldType type, string raw, string? expected)
    {
        var field = new CustomFieldDefinition(FieldIdent.Parse("f"), "F", type, null, true, true, true, 0, Now);
        field.NormalizeValue(raw, "FR").ShouldBe(expected);
    }

    [Theory]
    [InlineData(CustomFieldType.Email, "nope")]
    [InlineData(CustomFieldType.Number, "twelve")]
    [InlineData(CustomFieldType.Date, "31/02/2026")]
    [InlineData(CustomFieldType.Phone, "12")]
    [InlineData(CustomFieldType.Url, "ftp://x")]
    [InlineData(CustomFieldType.Checkbox, "maybe")]
    public void AValueThatDoesNotFitTheTypeIsRefusedWithTheFieldIdent(CustomFieldType type, string raw)
    {
        var field = new CustomFieldDefinition(FieldIdent.Parse("f"), "F", type, null, true, true, true, 0, Now);
        Should.Throw<DomainException>(() => field.NormalizeValue(raw, "FR")).Field.ShouldBe("f");
    }

    [Fact]
    public void ADropdownValueMustBeOneOfTheOptionsAndTakesTheOptionsSpelling()
    {
        var field = Dropdown(["Gold", "Silver"]);
        field.NormalizeValue("gold", "FR").ShouldBe("Gold");
        Should.Throw<DomainException>(() => field.NormalizeValue("Bronze", "FR"));
    }

    [Fact]
    public void TheLabelFollowsTheAgentsLanguage()
    {
        var field = new CustomFieldDefinition(FieldIdent.Parse("f"), "Tier", CustomFieldType.Text, null, true, true, true, 0, Now, "Niveau", "Tier (en)");
        field.LabelFor("fr-FR").ShouldBe("Niveau");
        field.LabelFor("en").ShouldBe("Tier (en)");
        field.LabelFor("de").ShouldBe("Tier");
    }

    private static CustomFieldDefinition Dropdown(IEnumerable<string> options) =>
        new(FieldIdent.Parse("tier"), "Tier", CustomFieldType.Dropdown, options, true, true, true, 0, Now);
}
