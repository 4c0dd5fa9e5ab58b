using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Tests.Cards;

namespace AgentWorkspace.Tests.Identities;

/// <summary>Issue 6: the Identities tab finds cards by a phone number, e-mail or handle typed only in part.</summary>
[Trait("Category", "Service")]
public class IdentityPrefixSearchTests
{
    [Theory]
    [InlineData("06 71 2", "FR", "+336712")]
    [InlineData("06.71.22", "FR", "+3367122")]
    [InlineData("+33 6 71", "FR", "+33671")]
    [InlineData("0033 671", "FR", "+33671")]
    [InlineData("(020) 7946", "GB", "+44207946")]
    [InlineData("+1-212-55", "FR", "+121255")]
    public void APhoneNumberBegunInAnyFormGivesTheStartOfItsE164Form(string typed, string region, string expected)
    {
        PhoneNumber.TryE164Prefix(typed, region, out var prefix).ShouldBeTrue();
        prefix.ShouldBe(expected);
    }

    [Theory]
    [InlineData("06")]          // too short to mean anything
    [InlineData("671234")]      // neither 0, + nor 00: not a number start
    [InlineData("06 71 ab")]
    [InlineData("+33+6")]
    [InlineData("")]
    [InlineData("'; DROP TABLE Cards;--")]
    public void WhatIsNoNumberStartGivesNothing(string typed) =>
        PhoneNumber.TryE164Prefix(typed, "FR", out _).ShouldBeFalse();

    [Fact]
    public async Task ThePhoneStartTheEmailStartAndTheHandleStartFindTheCard()
    {
        var (test, cards, _) = await CardTestData.CreateAsync();
        await using var _db = test;
        var tag = Guid.NewGuid().ToString("N")[..6];
        var wanted = await cards.Edits.CreateAsync(CardTestData.Agent, new CardProfile { FirstName = "Léonie", LastName = "Brassac" },
            [new NewIdentity(Channel.Sms, "+33 6 71 40 52 19"), new NewIdentity(Channel.Email, $"leonie.{tag}@exemple.fr"), new NewIdentity(Channel.Twitter, $"@brassac_{tag}")]);
        var other = await cards.Edits.CreateAsync(CardTestData.Agent, new CardProfile { FirstName = "Marc", LastName = "Oudin" },
            [new NewIdentity(Channel.Sms, "+33 7 88 11 22 33")]);

        (await cards.Search.SearchAsync(CardTestData.Agent, "06 71 40")).Items.Select(h => h.Id).ShouldBe([wanted]);
        (await cards.Search.SearchAsync(CardTestData.Agent, "0033671405")).Items.Select(h => h.Id).ShouldBe([wanted]);
        (await cards.Search.SearchAsync(CardTestData.Agent, $"LEONIE.{tag}@exe")).Items.Select(h => h.Id).ShouldBe([wanted]);
        (await cards.Search.SearchAsync(CardTestData.Agent, $"@brassac_{tag[..3]}")).Items.Select(h => h.Id).ShouldContain(wanted);
        (await cards.Search.SearchAsync(CardTestData.Agent, "07 88")).Items.Select(h => h.Id).ShouldBe([other]);
    }
}
