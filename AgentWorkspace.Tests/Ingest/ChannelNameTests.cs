using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Tests.Cards;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Ingest;

/// <summary>
/// Who wrote (issue 22, item 11): a sender whose channel name is not "First Last" (a handle, a lowercase name, emoji, a
/// name written right to left) is shown and found by that name, on the tile, the card and in search, until someone writes
/// a name in the profile. Before, such a card showed "#427" or its bare number, and search did not find the name.
/// </summary>
[Trait("Category", "Service")]
public class ChannelNameTests
{
    private static readonly Actor Admin = new("u-admin", "Ada Admin", Role.Admin);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<Channel, string, string> Senders => new()
    {
        { Channel.Messenger, "2847561930", "marguerite_92" },
        { Channel.Sms, "+33 6 12 34 56 78", "marguerite_92" },
        { Channel.WhatsApp, "+33 6 11 22 33 44", "🌸🌸" },
        { Channel.Chat, "visitor-8f3a", "zoé" },
        { Channel.Twitter, "@mdupont", "M. ✨ 1985" },
        { Channel.Email, "marguerite@example.com", "+33 6 99 88 77 66" },
        { Channel.Messenger, "1200300400", "مريم_٩٢" },
    };

    [Theory]
    [MemberData(nameof(Senders))]
    public async Task TheNameTheChannelGivesIsShownOnTheTileAndCardAndFoundInSearch_UntilSomeoneEditsTheProfile(Channel channel, string address, string channelName)
    {
        await using var kit = await IngestKit.CreateAsync();
        var settings = new SettingsService(kit.Database.Factory, kit.Database.Runner(kit.Feed), new SettingsDefaults("FR"));
        var cards = CardKit.Over(kit.Database, kit.Feed, settings);
        var sent = await kit.IngestAsync(IngestKit.On(channel, address, Kind(channel), displayName: channelName) with { Subject = channel == Channel.Email ? "Ma commande" : null });

        (await TileNameAsync(kit, sent.CaseId)).ShouldBe(channelName, "the tile and the case's tab");
        (await cards.Reads.GetCondensedAsync(Admin, sent.CardId, Ct)).DisplayName.ShouldBe(channelName, "the customer panel");
        (await cards.Reads.GetFirstViewAsync(Admin, sent.CardId, Ct)).DisplayName.ShouldBe(channelName, "the detailed card");
        var hits = (await cards.Search.SearchAsync(Admin, channelName, ct: Ct)).Items;
        hits.ShouldContain(h => h.Id == sent.CardId && h.DisplayName == channelName, "found by the whole name");
        var begun = channelName[..Math.Max(2, channelName.Length / 2)];
        (await cards.Search.SearchAsync(Admin, begun.ToUpperInvariant(), ct: Ct)).Items.ShouldContain(h => h.Id == sent.CardId, "found by its beginning, in any case");

        // Someone writes a name in the profile: that name is the card's from now on, and the channel's no longer found by name.
        var card = await cards.Reads.GetFirstViewAsync(Admin, sent.CardId, Ct);
        await cards.Edits.UpdateProfileAsync(Admin, sent.CardId, card.Version, card.Profile with { FirstName = "Marguerite", LastName = "Dupont" }, ct: Ct);
        (await TileNameAsync(kit, sent.CaseId)).ShouldBe("Marguerite Dupont");
        (await cards.Reads.GetCondensedAsync(Admin, sent.CardId, Ct)).DisplayName.ShouldBe("Marguerite Dupont");
        (await cards.Search.SearchAsync(Admin, "dupont", ct: Ct)).Items.ShouldContain(h => h.Id == sent.CardId);

        // A later message from the same sender does not take the profile's name away.
        await kit.IngestAsync(IngestKit.On(channel, address, Kind(channel), displayName: channelName) with { Subject = channel == Channel.Email ? "Re: Ma commande" : null });
        (await TileNameAsync(kit, sent.CaseId)).ShouldBe("Marguerite Dupont");
    }

    [Fact]
    public async Task ARenamedAccountRenamesTheCard_WhileTheProfileHasNoName()
    {
        await using var kit = await IngestKit.CreateAsync();
        var first = await kit.IngestAsync(IngestKit.On(Channel.Messenger, "555000111", displayName: "marguerite_92"));
        await kit.IngestAsync(IngestKit.On(Channel.Messenger, "555000111", displayName: "maggie 🌼"));
        (await TileNameAsync(kit, first.CaseId)).ShouldBe("maggie 🌼");
        await kit.IngestAsync(IngestKit.On(Channel.Messenger, "555000111"));
        (await TileNameAsync(kit, first.CaseId)).ShouldBe("maggie 🌼", "a message without a name keeps the one known");
        await using var db = kit.Db();
        var card = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == first.CardId, Ct);
        (card.FirstName, card.LastName, card.ChannelName, card.SearchName).ShouldBe((null, null, "maggie 🌼", "maggie 🌼"),
            "the profile stays empty for someone to fill; the channel's name is kept beside it");
    }

    [Fact]
    public async Task AFirstAndLastNameFromTheChannelStillFillsTheProfile()
    {
        await using var kit = await IngestKit.CreateAsync();
        var sent = await kit.IngestAsync(IngestKit.On(Channel.Messenger, "777000111", displayName: "Zoé Le Gall"));
        await using var db = kit.Db();
        var card = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == sent.CardId, Ct);
        (card.FirstName, card.LastName, card.ChannelName).ShouldBe(("Zoé", "Le Gall", "Zoé Le Gall"));
        (await TileNameAsync(kit, sent.CaseId)).ShouldBe("Zoé Le Gall");
    }

    [Fact]
    public void OneRuleForTheNameEverywhere()
    {
        CustomerCard.NameOf("Zoé", null, "zozo_75", "z@example.com", "+33612345678").ShouldBe("Zoé");
        CustomerCard.NameOf(null, " ", "zozo_75", "z@example.com", "+33612345678").ShouldBe("zozo_75");
        CustomerCard.NameOf(null, null, " ", "z@example.com", "+33612345678").ShouldBe("z@example.com");
        CustomerCard.NameOf(null, null, null, null, "+33612345678").ShouldBe("+33612345678");
        CustomerCard.NameOf(null, null, null, null, null).ShouldBeNull();

        var card = new CustomerCard(new CardProfile { MobilePhone = "+33612345678" }, "FR", DateTimeOffset.UtcNow, id: 427);
        card.DisplayName.ShouldBe("+33612345678");
        card.HeardAs("marguerite_92");
        (card.DisplayName, card.SearchName).ShouldBe(("marguerite_92", "marguerite_92"));
        card.HeardAs("Someone Else", previous: "another identity's name");
        card.DisplayName.ShouldBe("marguerite_92", "another identity's name does not replace it");
        card.Anonymize(DateTimeOffset.UtcNow);
        (card.ChannelName, card.SearchName).ShouldBe((null, ""), "an erasure takes the channel's name too");
    }

    private static MessageKind? Kind(Channel channel) => channel == Channel.Twitter ? MessageKind.DirectMessage : null;

    private static async Task<string> TileNameAsync(IngestKit kit, long caseId)
    {
        await using var db = kit.Db();
        return (await InboxQueries.TilesAsync(db, [caseId], Ct))[caseId].ContactName;
    }
}
