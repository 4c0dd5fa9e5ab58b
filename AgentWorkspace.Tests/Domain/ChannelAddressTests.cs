using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Tests.Domain;

public class ChannelAddressTests
{
    [Theory]
    [InlineData("06 12 34 56 78", "FR", "+33612345678")]
    [InlineData("06.12.34.56.78", "FR", "+33612345678")]
    [InlineData("06-12-34-56-78", "FR", "+33612345678")]
    [InlineData("+33 6 12 34 56 78", "FR", "+33612345678")]
    [InlineData("0033612345678", "FR", "+33612345678")]
    [InlineData("+33 (0)6 12 34 56 78", "FR", "+33612345678")]
    [InlineData("tel:+33612345678", "FR", "+33612345678")]
    [InlineData("07911 123456", "GB", "+447911123456")]
    [InlineData("+44 7911 123456", "FR", "+447911123456")]
    [InlineData("(201) 555-0123", "US", "+12015550123")]
    [InlineData("+1 201-555-0123", "FR", "+12015550123")]
    [InlineData("0151 23456789", "DE", "+4915123456789")]
    [InlineData("0470 12 34 56", "BE", "+32470123456")]
    [InlineData("514 555 0199", "CA", "+15145550199")]
    public void WhenAPhoneNumberIsWrittenAnyUsualWay_ThenItIsStoredInE164(string raw, string region, string expected)
    {
        PhoneNumber.Parse(raw, region).E164.ShouldBe(expected);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("hello")]
    [InlineData("123")]
    [InlineData("+33 6 12")]
    [InlineData("06 12 34 56 78 90 12 34 56 78 90 12 34 56 78 90 12 34 56")]
    public void WhenAPhoneNumberIsNotValid_ThenParsingSaysSoAndNamesTheField(string raw)
    {
        var ex = Should.Throw<DomainException>(() => PhoneNumber.Parse(raw, "FR", "mobilePhone"));
        ex.Field.ShouldBe("mobilePhone");
    }

    [Fact]
    public void TheDefaultRegionDecidesHowANationalNumberIsRead()
    {
        PhoneNumber.Parse("0612345678", "FR").E164.ShouldBe("+33612345678");
        PhoneNumber.Parse("0470123456", "BE").E164.ShouldBe("+32470123456");
    }

    [Theory]
    [InlineData("  Zoe.Martin@Example.COM ", "zoe.martin@example.com")]
    [InlineData("mailto:a@b.fr", "a@b.fr")]
    public void EmailAddressesAreTrimmedAndComparedWithoutCase(string raw, string expected) =>
        EmailAddress.Parse(raw).Value.ShouldBe(expected);

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("a b@c.fr")]
    [InlineData("<script>@x.fr")]
    public void WhenAnEmailIsMalformed_ThenItIsRefused(string raw) =>
        Should.Throw<DomainException>(() => EmailAddress.Parse(raw));

    [Fact]
    public void PhoneChannelsShareOneIdentitySpace()
    {
        var sms = IdentityAddress.Normalize(Channel.Sms, "06 12 34 56 78", "FR");
        var voice = IdentityAddress.Normalize(Channel.Voice, "+33 6 12 34 56 78", "FR");
        var whatsapp = IdentityAddress.Normalize(Channel.WhatsApp, "0033612345678", "FR");
        sms.ShouldBe(voice);
        whatsapp.ShouldBe(voice);
        sms.Space.ShouldBe(IdentitySpace.Phone);
    }

    [Fact]
    public void SocialHandlesCompareWithoutAtSignOrCase()
    {
        IdentityAddress.Normalize(Channel.Twitter, "@Zoe_Martin ", "FR").ShouldBe(IdentityAddress.Normalize(Channel.Twitter, "zoe_martin", "FR"));
        IdentityAddress.Normalize(Channel.Twitter, "zoe", "FR").ShouldNotBe(IdentityAddress.Normalize(Channel.Facebook, "zoe", "FR"));
    }

    [Fact]
    public void AChatVisitorWhoGivesAnEmailIsTheEmailSender() =>
        IdentityAddress.Normalize(Channel.Chat, "Zoe@Example.com", "FR").ShouldBe(IdentityAddress.Normalize(Channel.Email, "zoe@example.com", "FR"));

    [Fact]
    public void APhoneChannelRefusesAnAddressThatIsNoNumber()
    {
        var ex = Should.Throw<DomainException>(() => IdentityAddress.Normalize(Channel.Sms, "zoe@example.com", "FR"));
        ex.Field.ShouldBe("from.address");
    }

    [Theory]
    [InlineData("voice", Channel.Voice)]
    [InlineData("chatMessaging", Channel.ChatMessaging)]
    [InlineData("APPLEMESSAGES", Channel.AppleMessages)]
    [InlineData("x", Channel.Twitter)]
    public void ChannelWireNamesParse(string wire, Channel expected)
    {
        Channels.TryParseWire(wire, out var c).ShouldBeTrue();
        c.ShouldBe(expected);
    }

    [Fact]
    public void AnUnknownChannelDoesNotParse() => Channels.TryParseWire("telegram", out _).ShouldBeFalse();

    [Theory]
    [InlineData("  Zoé  LE Gall ", "zoe le gall")]
    [InlineData("Jean-François", "jean francois")]
    [InlineData("", "")]
    public void TextFoldRemovesAccentsCaseAndExtraSpaces(string raw, string expected) => Text.Fold(raw).ShouldBe(expected);
}
