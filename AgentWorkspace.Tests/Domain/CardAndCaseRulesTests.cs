using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;

namespace AgentWorkspace.Tests.Domain;

public class CardAndCaseRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AProfileStoresPhonesInE164AndEmailsInLowerCase()
    {
        var card = new CustomerCard(new CardProfile { FirstName = " Zoé ", LastName = "Martin", MobilePhone = "06 12 34 56 78", PrimaryEmail = "Zoe@Example.com" }, "FR", Now);
        card.MobilePhone.ShouldBe("+33612345678");
        card.PrimaryEmail.ShouldBe("zoe@example.com");
        card.FirstName.ShouldBe("Zoé");
        card.SearchName.ShouldBe("zoe martin");
    }

    [Fact]
    public void AnUpdateReportsOnlyTheFieldsThatChanged()
    {
        var card = new CustomerCard(new CardProfile { FirstName = "Zoé", LastName = "Martin", City = "Lyon" }, "FR", Now);
        var changes = card.UpdateProfile(card.Profile with { City = "Paris" }, "FR", Now.AddMinutes(1));
        changes.ShouldHaveSingleItem().ShouldBe(("city", "Lyon", "Paris"));
    }

    [Theory]
    [InlineData("primaryEmail", "nope")]
    [InlineData("mobilePhone", "12")]
    [InlineData("avatarUrl", "javascript:alert(1)")]
    public void AnInvalidProfileFieldIsRefusedWithItsName(string field, string value)
    {
        var profile = field switch
        {
            "primaryEmail" => new CardProfile { PrimaryEmail = value },
            "mobilePhone" => new CardProfile { MobilePhone = value },
            _ => new CardProfile { AvatarUrl = value },
        };
        Should.Throw<DomainException>(() => new CustomerCard(profile, "FR", Now)).Field.ShouldBe(field);
    }

    [Fact]
    public void ALockedCardCannotBeEdited()
    {
        var card = new CustomerCard(new CardProfile { FirstName = "A" }, "FR", Now);
        card.Lock();
        Should.Throw<DomainException>(() => card.UpdateProfile(new CardProfile { FirstName = "B" }, "FR", Now));
    }

    [Fact]
    public void IndicatorsCountInboundSentimentAsMessagesArrive()
    {
        var card = new CustomerCard(new CardProfile(), "FR", Now);
        card.RecordMessage(Sentiment.Positive, Direction.Inbound, Now);
        card.RecordMessage(Sentiment.Negative, Direction.Inbound, Now);
        card.RecordMessage(Sentiment.Neutral, Direction.Inbound, Now);
        card.RecordMessage(Sentiment.Positive, Direction.Outbound, Now.AddMinutes(1));
        (card.PositiveCount, card.NeutralCount, card.NegativeCount).ShouldBe((1, 1, 1));
        card.LastContactAt.ShouldBe(Now.AddMinutes(1));
    }

    [Fact]
    public void AReplyOpensANewCaseAndSetsTheFirstResponseOnce()
    {
        var c = new Case(1, Channel.Sms, 1, "Hello", Now);
        c.MessageArrived(Direction.Inbound, "hi", Now);
        c.UnreadCount.ShouldBe(1);
        c.MessageArrived(Direction.Outbound, "hello", Now.AddMinutes(3));
        c.MessageArrived(Direction.Outbound, "again", Now.AddMinutes(9));
        c.Status.ShouldBe(CaseStatus.Open);
        c.FirstResponseAt.ShouldBe(Now.AddMinutes(3));
    }

    [Fact]
    public void AResolvedOrCancelledCaseNoLongerChanges()
    {
        var c = new Case(1, Channel.Email, 1, "Subject", Now);
        c.Resolve(Now);
        Should.Throw<DomainException>(() => c.AssignTo("someone"));
        var d = new Case(1, Channel.Email, 1, "Subject", Now);
        d.Cancel(Now);
        Should.Throw<DomainException>(() => d.MessageArrived(Direction.Inbound, "x", Now));
    }

    [Fact]
    public void ANoteCannotBeEmpty() =>
        Should.Throw<DomainException>(() => new Note(1, null, "u", "U", "   ", Now)).Field.ShouldBe("text");

    [Fact]
    public void RolesAreCumulative()
    {
        var admin = new Actor("1", "A", Role.Admin);
        admin.IsAtLeast(Role.Agent).ShouldBeTrue();
        admin.IsAtLeast(Role.Supervisor).ShouldBeTrue();
        var agent = new Actor("2", "B", Role.Agent);
        Should.Throw<ForbiddenException>(() => agent.Require(Role.Supervisor));
        Roles.AtLeast(Role.Supervisor).ShouldBe(["Supervisor", "Admin"]);
    }
}
