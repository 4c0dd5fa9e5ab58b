using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Features.Cards;

namespace AgentWorkspace.Tests.Cards;

public class CardDomainTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("primaryEmail", "zoe@")]
    [InlineData("secondaryEmail", "no at sign")]
    [InlineData("mobilePhone", "12")]
    [InlineData("homePhone", "+33 1")]
    [InlineData("avatarUrl", "javascript:alert(1)")]
    [InlineData("firstName", "a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-a-very-long-name-x")]
    [InlineData("city", "Lyon\u0007")]
    public void AnInvalidProfileValueIsRefusedNamingItsField(string field, string value)
    {
        var profile = field switch
        {
            "primaryEmail" => new CardProfile { PrimaryEmail = value },
            "secondaryEmail" => new CardProfile { SecondaryEmail = value },
            "mobilePhone" => new CardProfile { MobilePhone = value },
            "homePhone" => new CardProfile { HomePhone = value },
            "avatarUrl" => new CardProfile { AvatarUrl = value },
            "firstName" => new CardProfile { FirstName = value },
            _ => new CardProfile { City = value },
        };
        Should.Throw<DomainException>(() => new CustomerCard(profile, "FR", Now)).Field.ShouldBe(field);
    }

    [Fact]
    public void AValidProfileIsNormalised_AndAnUpdateReportsEachChangedFieldWithBeforeAndAfter()
    {
        var card = new CustomerCard(new CardProfile { FirstName = " Zoé ", PrimaryEmail = "Zoe@Example.COM", MobilePhone = "06 12 34 56 78", Tags = ["vip", "VIP", "late payer"] }, "FR", Now);
        card.PrimaryEmail.ShouldBe("zoe@example.com");
        card.MobilePhone.ShouldBe("+33612345678");
        card.TagList.ShouldBe(["vip", "late payer"]);
        var changes = card.UpdateProfile(card.Profile with { City = "Lyon", FirstName = "Zoé" }, "FR", Now.AddMinutes(1));
        changes.ShouldBe([("city", null, "Lyon")]);
    }

    [Fact]
    public void ALockedCardRefusesProfileEdits()
    {
        var card = new CustomerCard(new CardProfile { FirstName = "Zoé" }, "FR", Now);
        card.Lock();
        Should.Throw<DomainException>(() => card.UpdateProfile(new CardProfile { FirstName = "Léa" }, "FR", Now));
    }

    [Theory]
    [InlineData(CustomFieldType.Text, "  hello ", "hello")]
    [InlineData(CustomFieldType.Email, "Zoe@Example.com", "zoe@example.com")]
    [InlineData(CustomFieldType.Dropdown, "gold", "Gold")]
    [InlineData(CustomFieldType.Number, "12,5", "12.5")]
    [InlineData(CustomFieldType.Date, "31/12/1990", "1990-12-31")]
    [InlineData(CustomFieldType.Phone, "06 12 34 56 78", "+33612345678")]
    [InlineData(CustomFieldType.Url, "https://example.com", "https://example.com/")]
    [InlineData(CustomFieldType.Checkbox, "oui", "true")]
    [InlineData(CustomFieldType.Text, "   ", null)]
    public void AValueIsStoredInItsTypesNormalForm(CustomFieldType type, string raw, string? stored) =>
        Field(type).NormalizeValue(raw, "FR").ShouldBe(stored);

    [Theory]
    [InlineData(CustomFieldType.Email, "zoe@")]
    [InlineData(CustomFieldType.Dropdown, "Diamond")]
    [InlineData(CustomFieldType.Number, "12.5.3")]
    [InlineData(CustomFieldType.Date, "2026-13-01")]
    [InlineData(CustomFieldType.Phone, "123")]
    [InlineData(CustomFieldType.Url, "ftp://example.com")]
    [InlineData(CustomFieldType.Checkbox, "perhaps")]
    public void AValueOfTheWrongShapeIsRefusedNamingTheField(CustomFieldType type, string raw) =>
        Should.Throw<DomainException>(() => Field(type).NormalizeValue(raw, "FR")).Field.ShouldBe("f");

    [Fact]
    public void ASearchCursorSurvivesTheRoundTripThroughAnAddress_AndAForgedOneIsABadRequestNamingAfter()
    {
        var cursor = new SearchCursor(2, "zoé martin|x", 42);
        SearchCursor.Decode(cursor.Encode()).ShouldBe(cursor);
        Should.Throw<DomainException>(() => SearchCursor.Decode("%%%")).Field.ShouldBe("after");
    }

    [Fact]
    public void TheConversationContextIsReadLeniently_SelfServiceNewestFirst()
    {
        var (survey, self, visitor, variables) = CardReads.ParseContext("""{"preChatSurvey":{"q":1},"selfService":[{"type":"articleViewed","title":"A","at":"2026-01-01T10:00:00Z"},{"title":"B","at":"2026-01-02T10:00:00Z"},"junk"],"visitor":[]}""");
        survey.ShouldBe([new KeyValuePair<string, string>("q", "1")]);
        self.Select(s => (s.Type, s.Title)).ShouldBe([("customAction", "B"), ("articleViewed", "A")]);
        visitor.ShouldBeEmpty();
        variables.ShouldBeEmpty();
        CardReads.ParseContext("{not json").Survey.ShouldBeEmpty();
    }

    private static CustomFieldDefinition Field(CustomFieldType type) =>
        new(FieldIdent.Parse("f"), "F", type, type == CustomFieldType.Dropdown ? ["Bronze", "Gold"] : null, true, true, true, 1, Now);
}
