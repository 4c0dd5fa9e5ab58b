using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Ingest;

[Trait("Category", "Service")]
public class IngestServiceTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BothWritePathsStoreTheSameRows_TheGroupWritersStatementsAndEfCoresChangeTracking(bool groupCommit)
    {
        if (groupCommit) TestDatabase.RequireSqlite("the group commit");
        await using var kit = await IngestKit.CreateAsync();
        kit.Service.GroupCommitForTests = groupCommit;
        var first = await kit.IngestAsync(IngestKit.Sms("+33 6 12 34 56 78", "Merci beaucoup, parfait !") with { From = new() { Address = "+33 6 12 34 56 78", DisplayName = "Zoé Martin" } });
        var second = await kit.IngestAsync(IngestKit.Sms("06 12 34 56 78", "Toujours pas reçu ma commande, c'est inadmissible"));
        var other = await kit.IngestAsync(IngestKit.On(Channel.WhatsApp, "+33612345678", body: "Bonjour"));
        var attached = await kit.IngestAsync(IngestKit.Sms("06 12 34 56 78", "Voici la photo") with
        {
            Attachments = [new InteractionAttachment { Name = "photo.jpg", ContentType = "image/jpeg", Size = 1234 }],
        });

        (first.CardCreated, first.CaseCreated, second.CardCreated, second.CaseCreated, other.CaseCreated, attached.CaseCreated)
            .ShouldBe((true, true, false, false, true, false));
        (second.CaseId, attached.CaseId).ShouldBe((first.CaseId, first.CaseId));
        await using var db = kit.Db();
        var card = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == first.CardId, TestContext.Current.CancellationToken);
        (card.PositiveCount, card.NeutralCount, card.NegativeCount, card.Version).ShouldBe((1, 2, 1, 5L),
            "created with version 1, then a new version for each message's indicators (the first one's after the save that created the card)");
        var sms = await db.Cases.AsNoTracking().SingleAsync(c => c.Id == first.CaseId, TestContext.Current.CancellationToken);
        (sms.UnreadCount, sms.LastMessagePreview, sms.Version).ShouldBe((3, "Voici la photo", 3L), "created with version 1 (its first message before its first save), then one per message");
        var identity = await db.Identities.AsNoTracking().SingleAsync(i => i.CardId == card.Id, TestContext.Current.CancellationToken);
        (identity.DisplayName, identity.NormalizedAddress).ShouldBe(("Zoé Martin", "+33612345678"));
        (await db.Messages.CountAsync(m => m.CardId == card.Id, TestContext.Current.CancellationToken)).ShouldBe(4);
        (await db.Attachments.Where(a => a.MessageId == attached.MessageId).Select(a => a.Name).SingleAsync(TestContext.Current.CancellationToken)).ShouldBe("photo.jpg");
        (await db.CaseEvents.CountAsync(e => e.CardId == card.Id, TestContext.Current.CancellationToken)).ShouldBe(2, "one per created case");
        (await db.Audit.CountAsync(a => a.EntityType == "Card" && a.EntityId == card.Id.ToString(), TestContext.Current.CancellationToken)).ShouldBe(1);
    }

    [Fact]
    public async Task TheWritersPreparedLookupsFindWhatTheEfCoreQueriesFind_TheNewestOpenCaseOfTheChannel()
    {
        TestDatabase.RequireSqlite("the group writer's prepared statements");
        await using var kit = await IngestKit.CreateAsync();
        var first = await kit.IngestAsync(IngestKit.Sms("+33 6 12 34 56 78"));
        long queueId, olderOpen, newerOpen;
        await using (var db = kit.Db())
        {
            queueId = await db.Queues.Select(q => q.Id).FirstAsync(TestContext.Current.CancellationToken);
            var now = DateTimeOffset.UtcNow;
            // The first case resolved and newest; another channel open and newest; two open SMS cases, one newer.
            var resolved = await db.Cases.SingleAsync(c => c.Id == first.CaseId, TestContext.Current.CancellationToken);
            resolved.MessageArrived(Direction.Inbound, "x", now.AddHours(5));
            resolved.Resolve(now);
            var whatsApp = new Case(first.CardId, Channel.WhatsApp, queueId, "WhatsApp", now.AddHours(4));
            var older = new Case(first.CardId, Channel.Sms, queueId, "Older", now.AddHours(1));
            var newer = new Case(first.CardId, Channel.Sms, queueId, "Newer", now.AddHours(2));
            newer.SetPending();
            db.Cases.AddRange(whatsApp, older, newer);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            (olderOpen, newerOpen) = (older.Id, newer.Id);
        }

        await using var writer = kit.Db();
        await writer.Database.OpenConnectionAsync(TestContext.Current.CancellationToken);
        using var rows = new Core.Persistence.Sqlite.SqliteRowWriter(writer);
        var prepared = new GroupCommitBatch(writer, rows);
        var tracked = new GroupCommitBatch(writer);
        var address = new IdentityAddress(IdentitySpace.Phone, "+33612345678");
        var ct = TestContext.Current.CancellationToken;

        var (a, b) = (await IngestStore.FindIdentityAsync(prepared, address, "", ct), await IngestStore.FindIdentityAsync(tracked, address, "", ct));
        (a!.Id, a.CardId, a.LastSeenAt).ShouldBe((b!.Id, b.CardId, b.LastSeenAt));
        (await IngestStore.FindIdentityAsync(prepared, new IdentityAddress(IdentitySpace.Phone, "+33699999999"), "", ct)).ShouldBeNull();
        var (cardA, cardB) = (await IngestStore.FindCardAsync(prepared, first.CardId, ct), await IngestStore.FindCardAsync(tracked, first.CardId, ct));
        (cardA.Id, cardA.Version, cardA.NeutralCount + cardA.PositiveCount + cardA.NegativeCount, cardA.LastContactAt)
            .ShouldBe((cardB.Id, cardB.Version, cardB.NeutralCount + cardB.PositiveCount + cardB.NegativeCount, cardB.LastContactAt));
        var (caseA, caseB) = (await IngestStore.FindOpenCaseAsync(prepared, first.CardId, Channel.Sms, ct), await IngestStore.FindOpenCaseAsync(tracked, first.CardId, Channel.Sms, ct));
        (caseA!.Id, caseB!.Id).ShouldBe((newerOpen, newerOpen), "the newest open (here pending) case on the channel");
        (caseA.Status, caseA.Version, caseA.Title).ShouldBe((caseB.Status, caseB.Version, caseB.Title));
        olderOpen.ShouldNotBe(newerOpen);
        (await IngestStore.FindOpenCaseAsync(prepared, first.CardId, Channel.Email, ct)).ShouldBeNull();
    }

    [Fact]
    public async Task AnSmsFromANumberThatCalledYesterdayInNationalFormLandsOnTheCallersCard()
    {
        await using var kit = await IngestKit.CreateAsync();
        var call = await kit.IngestAsync(IngestKit.On(Channel.Voice, "+33 6 12 34 56 78", body: null, displayName: "Zoé Le Gall") with
        {
            SentAt = DateTimeOffset.UtcNow.AddDays(-1),
        });
        call.CardCreated.ShouldBeTrue();
        call.CaseCreated.ShouldBeTrue();

        var sms = await kit.IngestAsync(IngestKit.Sms("06 12 34 56 78", "Je vous rappelle pour ma commande"));
        sms.CardId.ShouldBe(call.CardId);
        sms.CardCreated.ShouldBeFalse();
        sms.CaseCreated.ShouldBeTrue("another channel, another conversation");
        sms.CaseId.ShouldNotBe(call.CaseId);

        await using var db = kit.Db();
        var card = await db.Cards.Include(c => c.Identities).SingleAsync(c => c.Id == call.CardId);
        card.FirstName.ShouldBe("Zoé");
        card.LastName.ShouldBe("Le Gall");
        card.MobilePhone.ShouldBe("+33612345678");
        card.Identities.Count.ShouldBe(1);
        card.Identities.Single().NormalizedAddress.ShouldBe("+33612345678");
        (await db.Messages.CountAsync(m => m.CardId == card.Id)).ShouldBe(2);
        card.LastContactAt.ShouldNotBeNull();
        card.LastContactAt!.Value.ShouldBeGreaterThan(DateTimeOffset.UtcNow.AddMinutes(-5));
    }

    [Theory]
    [InlineData("0033612345678")]
    [InlineData("+33.6.12.34.56.78")]
    [InlineData("+33-6-12-34-56-78")]
    [InlineData("+33 (0)6 12 34 56 78")]
    [InlineData("06.12.34.56.78")]
    [InlineData("  06-12-34-56-78 ")]
    [InlineData("tel:+33612345678")]
    public async Task EveryUsualWayOfWritingTheNumberFindsTheSameCardOnEveryPhoneChannel(string written)
    {
        await using var kit = await IngestKit.CreateAsync();
        var first = await kit.IngestAsync(IngestKit.On(Channel.WhatsApp, "+33612345678"));
        foreach (var channel in new[] { Channel.Sms, Channel.Voice, Channel.Voicemail, Channel.WhatsApp })
            (await kit.IngestAsync(IngestKit.On(channel, written, body: "x"))).CardId.ShouldBe(first.CardId);
        (await kit.CountAsync()).Cards.ShouldBe(1);
    }

    [Fact]
    public async Task NationalNumbersAreReadInTheDefaultRegion()
    {
        await using var kit = await IngestKit.CreateAsync(region: "BE");
        var a = await kit.IngestAsync(IngestKit.Sms("0470 12 34 56"));
        var b = await kit.IngestAsync(IngestKit.Sms("+32 470 12.34.56"));
        var c = await kit.IngestAsync(IngestKit.Sms("+44 7911 123456"));
        b.CardId.ShouldBe(a.CardId);
        c.CardId.ShouldNotBe(a.CardId);
        await using var db = kit.Db();
        (await db.Identities.Select(i => i.NormalizedAddress).OrderBy(x => x).ToListAsync()).ShouldBe(["+32470123456", "+447911123456"]);
    }

    [Fact]
    public async Task EmailMatchesWithoutCaseOrSpacesAndWithADisplayName()
    {
        await using var kit = await IngestKit.CreateAsync();
        var a = await kit.IngestAsync(IngestKit.On(Channel.Email, " Zoe.Martin@Example.COM "));
        var b = await kit.IngestAsync(IngestKit.On(Channel.Email, "zoe.martin@example.com"));
        var c = await kit.IngestAsync(IngestKit.On(Channel.Email, "Zoé Martin <ZOE.MARTIN@example.com>"));
        var chat = await kit.IngestAsync(IngestKit.On(Channel.Chat, "ZOE.martin@example.com"));
        new[] { b.CardId, c.CardId, chat.CardId }.ShouldAllBe(id => id == a.CardId);
        await using var db = kit.Db();
        var card = await db.Cards.SingleAsync();
        card.PrimaryEmail.ShouldBe("zoe.martin@example.com");
        (await db.Identities.SingleAsync()).DisplayName.ShouldBe("Zoé Martin");
    }

    [Fact]
    public async Task SocialPlatformsMatchByHandleWithoutAtOrCaseButEachPlatformIsItsOwnSpace()
    {
        await using var kit = await IngestKit.CreateAsync();
        var a = await kit.IngestAsync(IngestKit.On(Channel.Twitter, "@Zoe_Martin", MessageKind.Mention, displayName: "Zoé Martin") with
        {
            From = new InteractionSender { Address = "@Zoe_Martin", DisplayName = "Zoé Martin", ProfileUrl = "https://x.com/zoe_martin", Followers = 120, Following = 80 },
        });
        var b = await kit.IngestAsync(IngestKit.On(Channel.Twitter, "zoe_martin", MessageKind.DirectMessage) with
        {
            From = new InteractionSender { Address = "zoe_martin", Followers = 150 },
        });
        var c = await kit.IngestAsync(IngestKit.On(Channel.Facebook, "zoe_martin", MessageKind.Comment));
        b.CardId.ShouldBe(a.CardId);
        c.CardId.ShouldNotBe(a.CardId);
        await using var db = kit.Db();
        var identity = await db.Identities.SingleAsync(i => i.Space == IdentitySpace.Twitter);
        identity.NormalizedAddress.ShouldBe("zoe_martin");
        identity.ProfileUrl.ShouldBe("https://x.com/zoe_martin");
        identity.Followers.ShouldBe(150);
        identity.Following.ShouldBe(80);
        var card = await db.Cards.SingleAsync(x => x.Id == a.CardId);
        card.Followers.ShouldBe(150, "kept current by the difference, not by scanning");
        card.Following.ShouldBe(80);
    }

    [Fact]
    public async Task AnOpenCaseOnTheChannelTakesTheMessageAndAResolvedOneDoesNot()
    {
        await using var kit = await IngestKit.CreateAsync();
        var first = await kit.IngestAsync(IngestKit.Sms("0612345678", "Bonjour"));
        var second = await kit.IngestAsync(IngestKit.Sms("0612345678", "Toujours là ?"));
        second.CaseId.ShouldBe(first.CaseId);
        second.CaseCreated.ShouldBeFalse();

        await using (var db = kit.Db())
        {
            var open = await db.Cases.SingleAsync(c => c.Id == first.CaseId);
            open.UnreadCount.ShouldBe(2);
            open.LastMessagePreview.ShouldBe("Toujours là ?");
            open.Resolve(DateTimeOffset.UtcNow);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var third = await kit.IngestAsync(IngestKit.Sms("0612345678", "Encore moi"));
        third.CaseCreated.ShouldBeTrue();
        third.CaseId.ShouldNotBe(first.CaseId);
        third.CardId.ShouldBe(first.CardId);
        await using var check = kit.Db();
        (await check.CaseEvents.CountAsync(e => e.Type == CaseEventType.Created)).ShouldBe(2);
    }

    [Fact]
    public async Task ANewCaseGoesToTheNamedQueueOrTheDefaultOneAndAnUnknownQueueIsRefused()
    {
        await using var kit = await IngestKit.CreateAsync();
        long supportId;
        await using (var db = kit.Db())
        {
            var support = new Queue("Support Technique", 30, 480, skills: ["technical"]);
            db.Queues.Add(support);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            supportId = support.Id;
        }
        var named = await kit.IngestAsync(IngestKit.Sms("0612345678") with { Queue = "support technique" });
        var plain = await kit.IngestAsync(IngestKit.On(Channel.Email, "a@b.fr"));
        await using (var db = kit.Db())
        {
            var c = await db.Cases.SingleAsync(x => x.Id == named.CaseId);
            c.QueueId.ShouldBe(supportId);
            c.SkillList.ShouldBe(["technical"]);
            (await db.Cases.SingleAsync(x => x.Id == plain.CaseId)).QueueId.ShouldBe((await db.Queues.SingleAsync(q => q.IsDefault)).Id);
        }

        var before = await kit.CountAsync();
        var ex = await Should.ThrowAsync<DomainException>(() => kit.IngestAsync(IngestKit.Sms("0698765432") with { Queue = "Nowhere" }));
        ex.Field.ShouldBe("queue");
        (await kit.CountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task TheMessageKeepsItsKindDirectionTimeAttachmentsParentAndSentiment()
    {
        await using var kit = await IngestKit.CreateAsync();
        var sentAt = new DateTimeOffset(2026, 11, 20, 8, 30, 0, TimeSpan.FromHours(1));
        var post = await kit.IngestAsync(IngestKit.On(Channel.Facebook, "brand.fan", MessageKind.Post, "Nouvelle collection !", "post-1"));
        var comment = await kit.IngestAsync(new InteractionRequest
        {
            Channel = Channel.Facebook,
            ExternalId = "comment-1",
            Kind = MessageKind.Comment,
            From = new InteractionSender { Address = "brand.fan" },
            Body = "Je ne suis pas contente, toujours pas livrée",
            InReplyTo = "post-1",
            SentAt = sentAt,
            Attachments = [new InteractionAttachment { Name = "photo.jpg", ContentType = "image/jpeg", Size = 2048, Url = "https://cdn.example/p.jpg" }],
        });
        var given = await kit.IngestAsync(IngestKit.On(Channel.Facebook, "brand.fan", MessageKind.Comment, "whatever") with { Sentiment = Sentiment.Positive });

        await using var db = kit.Db();
        var m = await db.Messages.SingleAsync(x => x.Id == comment.MessageId);
        m.Kind.ShouldBe(MessageKind.Comment);
        m.Direction.ShouldBe(Direction.Inbound);
        m.SentAt.ShouldBe(sentAt);
        m.ParentMessageId.ShouldBe(post.MessageId);
        m.Sentiment.ShouldBe(Sentiment.Negative);
        m.AttachmentCount.ShouldBe(1);
        var a = await db.Attachments.SingleAsync(x => x.MessageId == m.Id);
        (a.Name, a.ContentType, a.Size, a.Url).ShouldBe(("photo.jpg", "image/jpeg", 2048L, "https://cdn.example/p.jpg"));
        (await db.Messages.SingleAsync(x => x.Id == given.MessageId)).Sentiment.ShouldBe(Sentiment.Positive);
        var card = await db.Cards.SingleAsync(x => x.Id == post.CardId);
        // The post is neutral, the comment negative (analyzed), the last one positive (given by the channel).
        (card.PositiveCount, card.NeutralCount, card.NegativeCount).ShouldBe((1, 1, 1));
    }

    [Fact]
    public async Task OutboundMessagesDoNotCountInTheContactsSentiment()
    {
        await using var kit = await IngestKit.CreateAsync();
        var inbound = await kit.IngestAsync(IngestKit.Sms("0612345678", "Merci beaucoup, parfait"));
        var outbound = await kit.IngestAsync(IngestKit.Sms("0612345678", "Avec plaisir, excellente journée") with { Direction = Direction.Outbound });
        outbound.CaseId.ShouldBe(inbound.CaseId);
        await using var db = kit.Db();
        var card = await db.Cards.SingleAsync();
        (card.PositiveCount, card.NeutralCount, card.NegativeCount).ShouldBe((1, 0, 0));
        var m = await db.Messages.SingleAsync(x => x.Id == outbound.MessageId);
        m.Direction.ShouldBe(Direction.Outbound);
        m.AuthorName.ShouldBe(IngestKit.Script.DisplayName);
        (await db.Cases.SingleAsync()).FirstResponseAt.ShouldNotBeNull();
    }

    [Fact]
    public async Task EmailHtmlIsStoredSanitizedWithItsText()
    {
        await using var kit = await IngestKit.CreateAsync();
        var r = await kit.IngestAsync(new InteractionRequest
        {
            Channel = Channel.Email,
            ExternalId = "<msg-1@example.com>",
            From = new InteractionSender { Address = "Zoé Martin <zoe@example.com>" },
            Subject = "Commande 1234",
            Html = "<p onclick=\"x()\">Bonjour,</p><script>steal()</script><p>Mon colis est <b>arrivé</b> abîmé.</p><img src=\"https://tracker.example/p.gif\">",
        });
        await using var db = kit.Db();
        var m = await db.Messages.SingleAsync(x => x.Id == r.MessageId);
        var html = m.SanitizedHtml.ShouldNotBeNull();
        html.ShouldNotContain("script");
        html.ShouldNotContain("onclick");
        html.ShouldNotContain("tracker");
        html.ShouldContain("<b>arrivé</b>");
        m.Text.ShouldBe("Bonjour,\n\nMon colis est arrivé abîmé.");
        m.Subject.ShouldBe("Commande 1234");
        m.Kind.ShouldBe(MessageKind.Email);
        (await db.Cases.SingleAsync()).Title.ShouldBe("Commande 1234");
        var card = await db.Cards.SingleAsync();
        (card.FirstName, card.LastName, card.PrimaryEmail).ShouldBe(("Zoé", "Martin", "zoe@example.com"));
    }

    [Fact]
    public async Task TheConversationContextIsKeptOnTheCaseAndMergedByLaterMessages()
    {
        await using var kit = await IngestKit.CreateAsync();
        var at = new DateTimeOffset(2026, 11, 23, 9, 0, 0, TimeSpan.Zero);
        var first = await kit.IngestAsync(IngestKit.On(Channel.Chat, "visitor-42") with
        {
            Context = new ConversationContext
            {
                PreChatSurvey = new Dictionary<string, string?> { ["Sujet"] = "Livraison", ["Commande"] = "1234" },
                Visitor = new VisitorDetails { Authenticated = false, Browser = "Firefox", Language = "fr" },
                SelfService = [new SelfServiceStep(SelfServiceType.PageVisited, "Suivi de commande", at)],
            },
        });
        var second = await kit.IngestAsync(IngestKit.On(Channel.Chat, "visitor-42") with
        {
            Context = new ConversationContext
            {
                PreChatSurvey = new Dictionary<string, string?> { ["Commande"] = "1235" },
                Visitor = new VisitorDetails { Authenticated = true },
                SelfService = [new SelfServiceStep(SelfServiceType.PageVisited, "Suivi de commande", at), new SelfServiceStep(SelfServiceType.SearchPhrase, "retard", at.AddMinutes(1))],
                Variables = new Dictionary<string, string?> { ["cartValue"] = "89.90" },
            },
        });
        second.CaseId.ShouldBe(first.CaseId);
        await using var db = kit.Db();
        var context = ConversationContext.FromJson((await db.Cases.SingleAsync()).ContextJson)!;
        context.PreChatSurvey.ShouldBe(new Dictionary<string, string?> { ["Sujet"] = "Livraison", ["Commande"] = "1235" });
        context.Visitor!.Authenticated.ShouldBe(true);
        context.Visitor.Browser.ShouldBe("Firefox");
        context.Visitor.Language.ShouldBe("fr");
        context.SelfService.Select(s => s.Title).ShouldBe(["Suivi de commande", "retard"]);
        context.Variables["cartValue"].ShouldBe("89.90");
    }

    [Fact]
    public async Task ChangesArePublishedAfterCommitWithTheCardCaseAndQueue()
    {
        await using var kit = await IngestKit.CreateAsync();
        var seen = new List<(ChangeEvent Event, bool MessageVisible)>();
        var gate = new SemaphoreSlim(0);
        using var _ = kit.Feed.Subscribe(async e =>
        {
            await using var db = kit.Db();
            var visible = e.CaseId is { } id && await db.Messages.AnyAsync(m => m.CaseId == id);
            lock (seen) seen.Add((e, visible));
            gate.Release();
        });
        var r = await kit.IngestAsync(IngestKit.Sms("0612345678"));
        for (var i = 0; i < 3; i++) (await gate.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken)).ShouldBeTrue();

        var arrived = seen.Single(s => s.Event.Kind == ChangeKind.MessageArrived);
        arrived.Event.CardId.ShouldBe(r.CardId);
        arrived.Event.CaseId.ShouldBe(r.CaseId);
        arrived.Event.QueueId.ShouldNotBeNull();
        arrived.MessageVisible.ShouldBeTrue("published after the commit");
        seen.ShouldContain(s => s.Event.Kind == ChangeKind.CaseChanged && s.Event.CaseId == r.CaseId);
        seen.ShouldContain(s => s.Event.Kind == ChangeKind.CardChanged && s.Event.CardId == r.CardId);
    }

    [Fact]
    public async Task ANewCardIsAuditedAndItsCaseHistoryStartsWithCreated()
    {
        await using var kit = await IngestKit.CreateAsync();
        var r = await kit.IngestAsync(IngestKit.Sms("0612345678"));
        await using var db = kit.Db();
        var audit = await db.Audit.SingleAsync();
        (audit.EntityType, audit.EntityId, audit.Action, audit.ActorId).ShouldBe(("Card", r.CardId.ToString(System.Globalization.CultureInfo.InvariantCulture), "Created", IngestKit.Script.UserId));
        var created = await db.CaseEvents.SingleAsync();
        (created.CaseId, created.Type, created.ActorName).ShouldBe((r.CaseId, CaseEventType.Created, IngestKit.Script.DisplayName));
    }

    [Fact]
    public async Task TheSameExternalIdAgainReturnsTheSameIdsAndStoresNothing()
    {
        await using var kit = await IngestKit.CreateAsync();
        var request = IngestKit.Sms("0612345678", "Bonjour", "sms-1");
        var first = await kit.IngestAsync(request);
        var counts = await kit.CountAsync();
        var again = await kit.IngestAsync(request with { Body = "changed" });
        (again.CardId, again.CaseId, again.MessageId).ShouldBe((first.CardId, first.CaseId, first.MessageId));
        again.Repeated.ShouldBeTrue();
        (again.CardCreated, again.CaseCreated).ShouldBe((false, false));
        (await kit.CountAsync()).ShouldBe(counts);
        await using var db = kit.Db();
        (await db.Cards.SingleAsync()).NeutralCount.ShouldBe(1, "indicators count the message once");
        // The same id on another channel is another message.
        (await kit.IngestAsync(IngestKit.On(Channel.Voice, "0612345678", body: null, externalId: "sms-1"))).Repeated.ShouldBeFalse();
    }

    [Fact]
    public async Task TwentyIdenticalRequestsAtOnceStoreOneMessageOnOneCard()
    {
        await using var kit = await IngestKit.CreateAsync();
        var request = IngestKit.Sms("+33 6 11 22 33 01", "Bonjour", "burst-1") with { From = new InteractionSender { Address = "+33 6 11 22 33 01", DisplayName = "Jean Dupont" } };
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => kit.IngestAsync(request))));
        results.Select(r => (r.CardId, r.CaseId, r.MessageId)).Distinct().Count().ShouldBe(1);
        results.Count(r => !r.Repeated).ShouldBe(1);
        results.Count(r => r.CardCreated).ShouldBe(1);
        var counts = await kit.CountAsync();
        (counts.Cards, counts.Identities, counts.Cases, counts.Messages, counts.CaseEvents, counts.Audit).ShouldBe((1, 1, 1, 1, 1, 1));
        await using var db = kit.Db();
        (await db.Cards.SingleAsync()).NeutralCount.ShouldBe(1);
    }

    [Fact]
    public async Task TwentyMessagesAtOnceFromTheSameNewNumberMakeExactlyOneCardAndOneCase()
    {
        await using var kit = await IngestKit.CreateAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => kit.IngestAsync(IngestKit.Sms(i % 2 == 0 ? "06 11 22 33 02" : "+33611223302", $"message {i}", $"new-{i}")))));
        results.Select(r => r.CardId).Distinct().Count().ShouldBe(1);
        results.Select(r => r.CaseId).Distinct().Count().ShouldBe(1);
        results.Select(r => r.MessageId).Distinct().Count().ShouldBe(20);
        results.Count(r => r.CardCreated).ShouldBe(1);
        var counts = await kit.CountAsync();
        (counts.Cards, counts.Identities, counts.Cases, counts.Messages).ShouldBe((1, 1, 1, 20));
        await using var db = kit.Db();
        var card = await db.Cards.SingleAsync();
        (card.PositiveCount + card.NeutralCount + card.NegativeCount).ShouldBe(20);
        (await db.Cases.SingleAsync()).UnreadCount.ShouldBe(20);
    }

    [Fact]
    public async Task WhenAnotherServerStoresTheSameMessageMeanwhile_TheLoserRollsBackAndAnswersTheWinnersIds()
    {
        await using var kit = await IngestKit.CreateAsync();
        var request = IngestKit.Sms("0611111111", "Bonjour", "race-1");
        IngestResult? winner = null;
        // Before our transaction, another server (its own service, its own in-process queue) stores the same
        // message: our transaction finds it (on SQLite the group writer looks first; elsewhere the unique index tells).
        kit.Service.AfterRepeatCheckForTests = async () =>
        {
            kit.Service.AfterRepeatCheckForTests = null;
            winner = await kit.NewService().IngestAsync(IngestKit.Script, request, TestContext.Current.CancellationToken);
        };
        var loser = await kit.IngestAsync(request);
        winner.ShouldNotBeNull();
        winner.Repeated.ShouldBeFalse();
        (loser.CardId, loser.CaseId, loser.MessageId).ShouldBe((winner.CardId, winner.CaseId, winner.MessageId));
        loser.Repeated.ShouldBeTrue();
        var counts = await kit.CountAsync();
        (counts.Cards, counts.Identities, counts.Cases, counts.Messages, counts.CaseEvents, counts.Audit).ShouldBe((1, 1, 1, 1, 1, 1));
        await using var db = kit.Db();
        (await db.Cards.SingleAsync()).NeutralCount.ShouldBe(1, "the loser's indicator update was never written, or rolled back with it");
    }

    [Fact]
    public async Task AmongMessagesArrivingTogether_OneNamingAnUnknownQueueIsRefusedAloneAndLeavesNothing()
    {
        await using var kit = await IngestKit.CreateAsync();
        // Arriving together, they are written in one group transaction (or a few): the bad one must not take the others with it.
        var tasks = Enumerable.Range(0, 12).Select(i => Task.Run(() => kit.IngestAsync(
            IngestKit.Sms($"06 12 34 56 {10 + i}", $"message {i}", $"together-{i}") with { Queue = i == 5 ? "Nowhere" : null }))).ToArray();

        (await Should.ThrowAsync<DomainException>(() => tasks[5])).Field.ShouldBe("queue");
        var stored = await Task.WhenAll(tasks.Where((_, i) => i != 5));
        stored.ShouldAllBe(r => !r.Repeated && r.CardCreated && r.CaseCreated);
        var counts = await kit.CountAsync();
        (counts.Cards, counts.Identities, counts.Cases, counts.Messages, counts.CaseEvents, counts.Audit).ShouldBe((11, 11, 11, 11, 11, 11));
        await using var db = kit.Db();
        (await db.Identities.AnyAsync(x => x.NormalizedAddress == "+33612345615", TestContext.Current.CancellationToken)).ShouldBeFalse("the refused sender has no card");
    }
}
