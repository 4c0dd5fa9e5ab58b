using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Administration;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.QuickReplies;

namespace AgentWorkspace.Tests.Admin;

public class AdminDomainTests
{
    private static CustomFieldInput Input(string? ident = "tier", string? label = "Tier", string? type = "dropdown", params string[] options) =>
        new(ident, label, null, null, type, options, true, true, true);

    [Theory]
    [InlineData(null, "IdentRequired")]
    [InlineData("", "IdentRequired")]
    [InlineData("loyalty tier", "IdentCharacters")]
    [InlineData("fidélité", "IdentCharacters")]
    [InlineData("a/b", "IdentCharacters")]
    public void ABadIdentIsNamedWithItsReason(string? ident, string code)
    {
        var errors = CustomFieldRules.Check(Input(ident, "Tier", "dropdown", "Gold"));
        errors.ShouldHaveSingleItem().Code.ShouldBe(code);
        errors[0].Field.ShouldBe("ident");
    }

    [Fact]
    public void AnIdentLongerThan64CharactersIsRefused() =>
        CustomFieldRules.CheckIdent(new string('x', 65))!.Code.ShouldBe("IdentTooLong");

    [Theory]
    [InlineData("tier-2")]
    [InlineData("Customer_Number")]
    public void AnIdentOfLettersDigitsDashesAndUnderscoresPasses(string ident) => CustomFieldRules.CheckIdent(ident).ShouldBeNull();

    [Fact]
    public void EveryBrokenRuleIsReportedAtOnceForTheForm()
    {
        var errors = CustomFieldRules.Check(Input("a b", " ", "dropdown"));
        errors.Select(e => e.Code).ShouldBe(["IdentCharacters", "LabelRequired", "OptionsRequired"]);
        errors.Select(e => e.Field).ShouldBe(["ident", "label", "options"]);
    }

    [Theory]
    [InlineData("dropdown", new string[0], "OptionsRequired")]
    [InlineData("dropdown", new[] { "Gold", "gold" }, "OptionDuplicate")]
    [InlineData("dropdown", new[] { "Gold", " " }, "OptionEmpty")]
    [InlineData("text", new[] { "Gold" }, "OptionsNotAllowed")]
    public void OptionRules(string type, string[] options, string code) =>
        CustomFieldRules.Check(Input("tier", "Tier", type, options)).ShouldHaveSingleItem().Code.ShouldBe(code);

    [Fact]
    public void TheDuplicateOptionIsNamed() =>
        CustomFieldRules.Check(Input("tier", "Tier", "dropdown", "Gold", "Silver", "GOLD"))[0].Args.ShouldBe(["Gold"]);

    [Theory]
    [InlineData("text", CustomFieldType.Text)]
    [InlineData("Email", CustomFieldType.Email)]
    [InlineData("DROPDOWN", CustomFieldType.Dropdown)]
    [InlineData("number", CustomFieldType.Number)]
    [InlineData("date", CustomFieldType.Date)]
    [InlineData("phone", CustomFieldType.Phone)]
    [InlineData("url", CustomFieldType.Url)]
    [InlineData("checkbox", CustomFieldType.Checkbox)]
    public void EveryTypeHasAName(string name, CustomFieldType type)
    {
        CustomFieldRules.ParseType(name, out var error).ShouldBe(type);
        error.ShouldBeNull();
    }

    [Theory]
    [InlineData("3", "TypeUnknown")]
    [InlineData("combo", "TypeUnknown")]
    [InlineData("", "TypeRequired")]
    public void AnUnknownTypeIsRefused(string name, string code)
    {
        CustomFieldRules.ParseType(name, out var error).ShouldBeNull();
        error!.Code.ShouldBe(code);
        error.Field.ShouldBe("type");
    }

    [Fact]
    public void TheRulesAgreeWithTheDomainOnAValidField()
    {
        var input = Input("tier", "Tier", "dropdown", "Gold", "Silver");
        CustomFieldRules.Check(input).ShouldBeEmpty();
        var field = new CustomFieldDefinition(FieldIdent.Parse(input.Ident), input.Label!, CustomFieldType.Dropdown, input.Options, true, true, true, 0, DateTimeOffset.UnixEpoch);
        field.Options.ShouldBe(["Gold", "Silver"]);
    }

    [Theory]
    [InlineData("", 10, 20, "QueueNameRequired")]
    [InlineData("Support", 0, 20, "FirstResponsePositive")]
    [InlineData("Support", 10, -1, "ResolutionPositive")]
    [InlineData("Support", 30, 20, "ResolutionShorter")]
    public void QueueRules(string name, int frt, int st, string code) =>
        QueueService.Check(new QueueInput(name, [], frt, st)).ShouldHaveSingleItem().Code.ShouldBe(code);

    [Theory]
    [InlineData("", "Body", "fr", "TitleRequired")]
    [InlineData("Title", " ", "fr", "BodyRequired")]
    [InlineData("Title", "Body", "de", "LanguageUnknown")]
    public void QuickReplyRules(string title, string body, string language, string code) =>
        QuickReplyService.Check(new QuickReplyInput(title, body, language, [])).ShouldHaveSingleItem().Code.ShouldBe(code);

    [Fact]
    public void AnAdminRuleIsADomainErrorNamingTheField()
    {
        var error = new AdminRuleException("LabelRequired", "The label is required.", "label");
        error.ShouldBeAssignableTo<AgentWorkspace.Core.Domain.Common.DomainException>();
        error.Field.ShouldBe("label");
    }
}
