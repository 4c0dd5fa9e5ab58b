using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// A reply goes back on the case's channel to the identity the conversation came from, whatever else the card holds
/// (issue 22, item 1): Messenger and chat replies did nothing on the demo data because the card had no identity in the
/// channel's own space.
/// </summary>
[Trait("Category", "Service")]
public class ReplyDestinationTests
{
    /// <summary>Every channel an agent answers in writing, with the sender address ingest receives on it.</summary>
    public static TheoryData<Channel, string, string> WrittenChannels => new()
    {
        { Channel.Sms, "06 11 22 33 44", "+33611223344" },
        { Channel.WhatsApp, "+44 7911 123456", "+447911123456" },
        { Channel.Email, "Zoé Le Gall <Zoe.LeGall@Example.com>", "zoe.legall@example.com" },
        { Channel.Chat, "visitor-8f2c", "visitor-8f2c" },
        { Channel.Chat, "zoe.legall@example.com", "zoe.legall@example.com" },
        { Channel.ChatMessaging, "ZOE@example.org", "zoe@example.org" },
        { Channel.Facebook, "zoe.legall.42", "zoe.legall.42" },
        { Channel.Twitter, "@ZoeLeGall", "zoelegall" },
        { Channel.LinkedIn, "zoe-le-gall-123", "zoe-le-gall-123" },
        { Channel.Messenger, "6783412009876543", "6783412009876543" },
        { Channel.AppleMessages, "urn:mbid:AQAAY8", "urn:mbid:aqaay8" },
    };

    [Theory]
    [MemberData(nameof(WrittenChannels))]
    public async Task AReplyAndAnApprovedDraftGoToTheIdentityTheConversationCameFrom(Channel channel, string from, string expected)
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        await using var w = await InboxWorld.CreateAsync(connector);
        var ingest = new IngestService(w.Db.Factory, w.Db.Runner(w.Feed), new SettingsService(w.Db.Factory, w.Db.Runner(w.Feed), new SettingsDefaults("FR")),
            new LexiconSentimentAnalyzer(), new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);
        var received = await ingest.IngestAsync(Camille, new InteractionRequest
        {
            Channel = channel,
            Kind = channel.IsSocial() ? MessageKind.DirectMessage : null,
            ExternalId = Guid.NewGuid().ToString("N"),
            From = new InteractionSender { Address = from, DisplayName = "Zoé Le Gall" },
            Body = "Bonjour, où en est ma commande ?",
        });

        // The card also holds a newer address in the same space: the reply must not go there.
        await using (var db = w.Db.Factory.CreateDbContext())
        {
            var other = channel.DefaultSpace() switch
            {
                IdentitySpace.Phone => "+33699887766",
                IdentitySpace.Email => "someone.else@example.net",
                _ => "another-handle-77",
            };
            var address = IdentityAddress.Normalize(channel, other, "FR");
            db.Identities.Add(ChannelIdentity.Create(0, received.CardId, channel, other, address, DateTimeOffset.UtcNow.AddMinutes(5)));
            // Demo-style: the card's profile e-mail and mobile are other addresses again.
            await db.SaveChangesAsync();
        }

        await w.Cases.TakeAsync(Camille, received.CaseId);
        await w.Cases.ReplyAsync(Camille, received.CaseId, "Elle part aujourd'hui.");
        var draft = await w.Cases.SubmitDraftAsync(Camille, received.CaseId, "Elle arrive demain.");
        await w.Approvals.ApproveAsync(Sophie, draft.Id, null);

        connector.Requests.Count.ShouldBe(2);
        connector.Requests.ShouldAllBe(r => r.To == expected && r.Channel == channel && r.CaseId == received.CaseId);
        var thread = (await w.Inbox.OpenAsync(Camille, received.CaseId)).Thread.Where(m => m.Direction == Direction.Outbound).ToList();
        thread.Select(m => m.Delivery).ShouldBe([DeliveryStatus.Delivered, DeliveryStatus.Delivered]);
    }

    [Fact]
    public async Task AReplyToAnErasedAddressIsRefusedWithItsReason_AndNothingIsSent()
    {
        var connector = new InboxServiceTests.SpyConnector(DeliveryStatus.Delivered);
        await using var w = await InboxWorld.CreateAsync(connector);
        var (cardId, caseId) = await w.InboundAsync(Queue.DefaultName, Channel.Messenger, address: "6783412009876543");
        await using (var db = w.Db.Factory.CreateDbContext())
        {
            var identity = await db.Identities.SingleAsync(i => i.CardId == cardId);
            var @case = await db.Cases.SingleAsync(c => c.Id == caseId);
            @case.CameFrom(identity.Id);
            identity.Erase();
            await db.SaveChangesAsync();
        }
        await w.Cases.TakeAsync(Camille, caseId);

        var refused = await Should.ThrowAsync<DomainException>(() => w.Cases.ReplyAsync(Camille, caseId, "Bonjour"));
        (refused.Code, refused.Field).ShouldBe(("ReplyAddressErased", "text"));
        connector.Requests.ShouldBeEmpty();
        (await w.QueryAsync(db => db.Messages.CountAsync(m => m.CaseId == caseId && m.Direction == Direction.Outbound))).ShouldBe(0);
    }

    [Fact]
    public async Task EveryOpenWrittenCaseOfTheDemoDataHasAnAddressToReplyTo()
    {
        await using var test = await TestDatabase.CreateAsync();
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        new DemoDataSeeder(test.Factory, TimeProvider.System).SeedCards(new DemoSeedOptions(400), []);

        await using var db = test.Factory.CreateDbContext();
        var cases = await db.Cases.AsNoTracking()
            .Where(c => c.Channel != Channel.Voice && c.Channel != Channel.Voicemail).ToListAsync();
        cases.Select(c => c.Channel).Distinct().Count().ShouldBe(10, "the demo covers every written channel");
        cases.ShouldAllBe(c => c.IdentityId != null, "every demo case records the identity it came from");
        var unreachable = new List<string>();
        foreach (var c in cases)
        {
            var message = new Message(c.Id, c.CardId, c.Channel, null, Direction.Outbound, MessageKind.DirectMessage, "Camille", "u", null, "x", null, Sentiment.Neutral, DateTimeOffset.UtcNow);
            try
            {
                var request = await ReplyDelivery.RequestAsync(db, c, await ReplyRoute.ResolveAsync(db, c, null, CancellationToken.None), message, CancellationToken.None);
                var origin = await db.Identities.AsNoTracking().SingleAsync(i => i.Id == c.IdentityId);
                // The address is the origin's, and the origin can be reached on the case's channel.
                request.To.ShouldBe(origin.NormalizedAddress);
                if (origin.Space != c.Channel.DefaultSpace() && !(c.Channel.DefaultSpace() == IdentitySpace.Chat && origin.Space == IdentitySpace.Email))
                    unreachable.Add($"case {c.Id} on {c.Channel} came from a {origin.Space} identity");
            }
            catch (DomainException ex)
            {
                unreachable.Add($"case {c.Id} on {c.Channel}: {ex.Message}");
            }
        }
        unreachable.ShouldBeEmpty();
    }
}
