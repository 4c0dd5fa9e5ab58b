using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Ingest;

public sealed class IngestApiFixture : IAsyncLifetime
{
    public AppHost App { get; private set; } = default!;
    public async ValueTask InitializeAsync() => App = await AppHost.StartAsync(demoCards: 40);
    public async ValueTask DisposeAsync() => await App.DisposeAsync();
}

/// <summary>POST /api/v1/interactions over real HTTP, against the real app.</summary>
public class IngestApiTests(IngestApiFixture fixture) : IClassFixture<IngestApiFixture>
{
    private static readonly Random Numbers = new();

    /// <summary>A French mobile number no other test uses.</summary>
    private static string NewMobile()
    {
        // Not every 06 is a French mobile (06 39, 06 9x belong to overseas regions): draw again until it is one.
        while (true)
        {
            string number;
            lock (Numbers) number = "06 " + string.Join(' ', Enumerable.Range(0, 4).Select(_ => Numbers.Next(10, 99).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (Core.Domain.Channels.PhoneNumber.TryParse(number, "FR", out _, out _)) return number;
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private AgentWorkspaceDbContext Db() => fixture.App.Services.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();

    [Fact]
    public async Task AnInteractionAnswers201WithWhereItLandedAndTheSameExternalIdAgainAnswers200WithTheSameIds()
    {
        using var http = fixture.App.CreateClient();
        var id = Guid.NewGuid().ToString("N");
        var number = NewMobile();
        var json = $$"""
            { "channel": "sms", "externalId": "{{id}}", "kind": "sms", "direction": "inbound",
              "from": { "address": "{{number}}", "displayName": "Camille Roux" },
              "body": "Bonjour, je ne suis pas content de ma livraison", "sentAt": "2026-11-23T08:15:00+01:00" }
            """;
        var created = await http.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken);
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        var messageId = body.GetProperty("messageId").GetInt64();
        body.GetProperty("cardCreated").GetBoolean().ShouldBeTrue();
        body.GetProperty("caseCreated").GetBoolean().ShouldBeTrue();
        created.Headers.Location!.ToString().ShouldEndWith($"/api/v1/messages/{messageId}");

        var again = await http.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken);
        again.StatusCode.ShouldBe(HttpStatusCode.OK);
        var repeat = await again.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);
        foreach (var p in new[] { "cardId", "caseId", "messageId" })
            repeat.GetProperty(p).GetInt64().ShouldBe(body.GetProperty(p).GetInt64());
        repeat.GetProperty("cardCreated").GetBoolean().ShouldBeFalse();

        await using var db = Db();
        var m = await db.Messages.SingleAsync(x => x.Id == messageId, TestContext.Current.CancellationToken);
        (m.Channel, m.Kind, m.Sentiment, m.SentAt).ShouldBe((Channel.Sms, MessageKind.Sms, Sentiment.Negative, new DateTimeOffset(2026, 11, 23, 7, 15, 0, TimeSpan.Zero)));
        (await db.Messages.CountAsync(x => x.ExternalId == id, TestContext.Current.CancellationToken)).ShouldBe(1);
        var card = await db.Cards.SingleAsync(c => c.Id == body.GetProperty("cardId").GetInt64(), TestContext.Current.CancellationToken);
        (card.FirstName, card.LastName, card.NegativeCount).ShouldBe(("Camille", "Roux", 1));
    }

    [Fact]
    public async Task TheWholeDocumentedShapeIsAcceptedWithCamelCaseEnums()
    {
        using var http = fixture.App.CreateClient();
        var handle = "cam_" + Guid.NewGuid().ToString("N")[..8];
        var json = $$"""
            { "channel": "appleMessages", "externalId": "{{Guid.NewGuid():N}}", "kind": "directMessage", "direction": "inbound",
              "from": { "address": "{{handle}}", "displayName": "Camille", "profileUrl": "https://example.com/{{handle}}", "followers": 12, "following": 3 },
              "subject": null, "body": "Merci, parfait 👍", "html": null,
              "attachments": [ { "name": "facture.pdf", "contentType": "application/pdf", "size": 12345, "url": "https://files.example/f.pdf" } ],
              "inReplyTo": null, "sentAt": "2026-11-23T09:00:00Z", "queue": "Support", "sentiment": null,
              "context": { "preChatSurvey": { "motif": "facture", "note": 5 }, "visitor": { "authenticated": true, "browser": "Safari", "os": "iOS", "location": "Lyon", "language": "fr" },
                           "selfService": [ { "type": "articleViewed", "title": "Télécharger sa facture", "at": "2026-11-23T08:58:00Z" } ], "variables": { "orderId": "A-1", "vip": true, "cart": { "items": [1, 2] } } } }
            """;
        var response = await http.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken);

        await using var db = Db();
        var @case = await db.Cases.SingleAsync(c => c.Id == body.GetProperty("caseId").GetInt64(), TestContext.Current.CancellationToken);
        @case.Channel.ShouldBe(Channel.AppleMessages);
        (await db.Queues.SingleAsync(q => q.Id == @case.QueueId, TestContext.Current.CancellationToken)).Name.ShouldBe("Support");
        var context = Core.Features.Ingest.ConversationContext.FromJson(@case.ContextJson)!;
        context.PreChatSurvey["note"].ShouldBe("5");
        context.Variables["vip"].ShouldBe("true");
        context.Variables["cart"].ShouldBe("{ \"items\": [1, 2] }", "the variables are open: any name, any JSON, kept as text");
        context.Visitor!.Location.ShouldBe("Lyon");
        context.SelfService.Single().Type.ShouldBe(Core.Features.Ingest.SelfServiceType.ArticleViewed);
        var message = await db.Messages.SingleAsync(m => m.Id == body.GetProperty("messageId").GetInt64(), TestContext.Current.CancellationToken);
        (message.Kind, message.Sentiment, message.AttachmentCount).ShouldBe((MessageKind.DirectMessage, Sentiment.Positive, 1));
        var identity = await db.Identities.SingleAsync(i => i.NormalizedAddress == handle, TestContext.Current.CancellationToken);
        (identity.Followers, identity.Following, identity.ProfileUrl).ShouldBe((12, 3, $"https://example.com/{handle}"));
    }

    [Fact]
    public async Task TwentyIdenticalPostsAtOnceAnswerTheSameIdsAndStoreOneMessage()
    {
        using var http = fixture.App.CreateClient();
        var id = Guid.NewGuid().ToString("N");
        var number = NewMobile();
        var json = $$"""{ "channel": "whatsapp", "externalId": "{{id}}", "from": { "address": "{{number}}" }, "body": "Allô ?" }""";
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => http.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken)));
        var statuses = string.Join(", ", await Task.WhenAll(responses.Select(async r => $"{(int)r.StatusCode} {await r.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}")));
        responses.Count(r => r.StatusCode == HttpStatusCode.Created).ShouldBe(1, statuses);
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(19, statuses);
        var ids = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)));
        ids.Select(b => (b.GetProperty("cardId").GetInt64(), b.GetProperty("caseId").GetInt64(), b.GetProperty("messageId").GetInt64())).Distinct().Count().ShouldBe(1);

        await using var db = Db();
        (await db.Messages.CountAsync(m => m.ExternalId == id, TestContext.Current.CancellationToken)).ShouldBe(1);
        var e164 = Core.Domain.Channels.PhoneNumber.Parse(number, "FR").E164;
        (await db.Identities.CountAsync(i => i.NormalizedAddress == e164, TestContext.Current.CancellationToken)).ShouldBe(1);
    }

    [Fact]
    public async Task TwentyPostsAtOnceFromTheSameNewNumberMakeOneCard()
    {
        using var http = fixture.App.CreateClient();
        var number = NewMobile();
        var e164 = Core.Domain.Channels.PhoneNumber.Parse(number, "FR").E164;
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => http.PostAsync("api/v1/interactions", Json(
            $$"""{ "channel": "{{(i % 2 == 0 ? "sms" : "voice")}}", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "{{(i % 3 == 0 ? e164 : number)}}" }, "body": "n° {{i}}" }"""),
            TestContext.Current.CancellationToken)));
        responses.ShouldAllBe(r => r.StatusCode == HttpStatusCode.Created);
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken)));
        bodies.Select(b => b.GetProperty("cardId").GetInt64()).Distinct().Count().ShouldBe(1);
        bodies.Count(b => b.GetProperty("cardCreated").GetBoolean()).ShouldBe(1);
        bodies.Select(b => b.GetProperty("caseId").GetInt64()).Distinct().Count().ShouldBe(2, "one open case per channel");

        await using var db = Db();
        (await db.Identities.CountAsync(i => i.NormalizedAddress == e164, TestContext.Current.CancellationToken)).ShouldBe(1);
        var cardId = bodies[0].GetProperty("cardId").GetInt64();
        (await db.Messages.CountAsync(m => m.CardId == cardId, TestContext.Current.CancellationToken)).ShouldBe(20);
    }

    [Fact]
    public async Task WithoutAKeyOrWithAWrongKeyNothingIsWritten()
    {
        var before = await CountAsync();
        var json = $$"""{ "channel": "sms", "externalId": "{{Guid.NewGuid():N}}", "from": { "address": "{{NewMobile()}}" }, "body": "x" }""";
        using (var anonymous = fixture.App.CreateClient(withApiKey: false))
        {
            var r = await anonymous.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken);
            r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        }
        using (var wrong = fixture.App.CreateClient(withApiKey: false))
        {
            wrong.DefaultRequestHeaders.Add("X-Api-Key", "not-the-key");
            (await wrong.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await CountAsync()).ShouldBe(before);
    }

    /// <summary>Bad requests: each must be a 4xx problem (never a 5xx) and, where a field is at fault, name it.</summary>
    public static TheoryData<string, string, string?> BadRequests()
    {
        var ok = "\"externalId\": \"bad-1\", \"from\": { \"address\": \"0612345678\" }";
        var deep = new string('[', 5000) + new string(']', 5000);
        var deepObject = "{ \"channel\": \"sms\", " + ok + ", \"context\": { \"variables\": " + string.Concat(Enumerable.Repeat("{\"a\":", 300)) + "1" + new string('}', 300) + " } }";
        return new TheoryData<string, string, string?>
        {
            { "malformed JSON", "{ \"channel\": \"sms\", ", "$" },
            { "not JSON at all", "channel=sms&from=0612345678", "$" },
            { "an array", "[1, 2, 3]", "$" },
            { "a string", "\"sms\"", "$" },
            { "null", "null", "$" },
            { "empty object", "{}", "channel" },
            { "deeply nested array", deep, "$" },
            { "deeply nested context", deepObject, "$" },
            { "unknown channel", "{ \"channel\": \"fax\", " + ok + " }", "channel" },
            { "channel as a number", "{ \"channel\": 3, " + ok + " }", "channel" },
            { "numeric channel text", "{ \"channel\": \"3\", " + ok + " }", "channel" },
            { "unknown kind", "{ \"channel\": \"sms\", \"kind\": \"telegram\", " + ok + " }", "kind" },
            { "kind foreign to the channel", "{ \"channel\": \"sms\", \"kind\": \"post\", " + ok + " }", "kind" },
            { "no kind on a social channel", "{ \"channel\": \"twitter\", \"externalId\": \"x\", \"from\": { \"address\": \"@zoe\" } }", "kind" },
            { "unknown direction", "{ \"channel\": \"sms\", \"direction\": \"sideways\", " + ok + " }", "direction" },
            { "no from", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"body\": \"hi\" }", "from" },
            { "from is a string", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": \"0612345678\" }", "from" },
            { "no address", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"displayName\": \"Zoé\" } }", "from.address" },
            { "null everywhere", "{ \"channel\": null, \"externalId\": null, \"kind\": null, \"from\": null, \"body\": null, \"attachments\": null, \"context\": null }", "channel" },
            { "null address", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"address\": null } }", "from.address" },
            { "address as a number", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"address\": 612345678 } }", "from.address" },
            { "not a phone number", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"address\": \"hello\" } }", "from.address" },
            { "SQL injection as a number", "{ \"channel\": \"voice\", \"externalId\": \"x\", \"from\": { \"address\": \"0612345678'; DROP TABLE Cards;--\" } }", "from.address" },
            { "too short a number", "{ \"channel\": \"whatsapp\", \"externalId\": \"x\", \"from\": { \"address\": \"+33 6 12\" } }", "from.address" },
            { "invalid e-mail", "{ \"channel\": \"email\", \"externalId\": \"x\", \"from\": { \"address\": \"<script>alert(1)</script>\" } }", "from.address" },
            { "huge address", "{ \"channel\": \"twitter\", \"kind\": \"post\", \"externalId\": \"x\", \"from\": { \"address\": \"" + new string('a', 100_000) + "\" } }", "from.address" },
            { "no externalId", "{ \"channel\": \"sms\", \"from\": { \"address\": \"0612345678\" } }", "externalId" },
            { "huge externalId", "{ \"channel\": \"sms\", \"externalId\": \"" + new string('x', 5000) + "\", \"from\": { \"address\": \"0612345678\" } }", "externalId" },
            { "body over the limit", "{ \"channel\": \"sms\", " + ok + ", \"body\": \"" + new string('é', 20_001) + "\" }", "body" },
            { "control characters in the body", "{ \"channel\": \"sms\", " + ok + ", \"body\": \"a\\u0000b\\u0007c\" }", "body" },
            { "control characters in the name", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"address\": \"0612345678\", \"displayName\": \"Zo\\u0000é\" } }", "from.displayName" },
            { "lone surrogate", "{ \"channel\": \"sms\", " + ok + ", \"body\": \"\\ud800 broken\" }", "body" },
            { "body as an object", "{ \"channel\": \"sms\", " + ok + ", \"body\": { \"text\": \"hi\" } }", "body" },
            { "negative attachment size", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": [ { \"name\": \"a.pdf\", \"size\": -1 } ] }", "attachments[0].size" },
            { "attachment without a name", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": [ { \"size\": 10 } ] }", "attachments[0].name" },
            { "attachment with a javascript url", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": [ { \"name\": \"a\", \"url\": \"javascript:alert(1)\" } ] }", "attachments[0].url" },
            { "attachments not an array", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": \"a.pdf\" }", "attachments" },
            { "size as text", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": [ { \"name\": \"a\", \"size\": \"big\" } ] }", "attachments[0].size" },
            { "sentAt unparsable", "{ \"channel\": \"sms\", " + ok + ", \"sentAt\": \"yesterday at noon\" }", "sentAt" },
            { "sentAt far in the future", "{ \"channel\": \"sms\", " + ok + ", \"sentAt\": \"9999-12-31T00:00:00Z\" }", "sentAt" },
            { "sentAt as a number", "{ \"channel\": \"sms\", " + ok + ", \"sentAt\": 1700000000 }", "sentAt" },
            { "unknown queue", "{ \"channel\": \"sms\", " + ok + ", \"queue\": \"' OR 1=1 --\" }", "queue" },
            { "unknown sentiment", "{ \"channel\": \"sms\", " + ok + ", \"sentiment\": \"ecstatic\" }", "sentiment" },
            { "negative followers", "{ \"channel\": \"twitter\", \"kind\": \"post\", \"externalId\": \"x\", \"from\": { \"address\": \"@zoe\", \"followers\": -5 } }", "from.followers" },
            { "followers too large", "{ \"channel\": \"twitter\", \"kind\": \"post\", \"externalId\": \"x\", \"from\": { \"address\": \"@zoe\", \"followers\": 99999999999999 } }", "from.followers" },
            { "profile url with javascript", "{ \"channel\": \"twitter\", \"kind\": \"post\", \"externalId\": \"x\", \"from\": { \"address\": \"@zoe\", \"profileUrl\": \"javascript:alert(1)\" } }", "from.profileUrl" },
            { "html over the limit", "{ \"channel\": \"email\", \"externalId\": \"x\", \"from\": { \"address\": \"a@b.fr\" }, \"html\": \"<p>" + new string('x', 20_500) + "</p>\" }", "html" },
            { "context not an object", "{ \"channel\": \"chat\", " + ok + ", \"context\": [1] }", "context" },
            { "unknown self-service step", "{ \"channel\": \"chat\", " + ok + ", \"context\": { \"selfService\": [ { \"type\": \"hack\" } ] } }", "context.selfService[0].type" },
            { "an unknown field", "{ \"channel\": \"sms\", " + ok + ", \"priority\": \"high\" }", "priority" },
            { "an unknown field in from", "{ \"channel\": \"sms\", \"externalId\": \"x\", \"from\": { \"address\": \"0612345678\", \"nickname\": \"Zo\" } }", "from.nickname" },
            { "an unknown field in an attachment", "{ \"channel\": \"sms\", " + ok + ", \"attachments\": [ { \"name\": \"a.pdf\", \"bytes\": 10 } ] }", "attachments[0].bytes" },
            { "an unknown field in the context", "{ \"channel\": \"chat\", " + ok + ", \"context\": { \"referrer\": \"x\" } }", "context.referrer" },
            { "an unknown field in the visitor", "{ \"channel\": \"chat\", " + ok + ", \"context\": { \"visitor\": { \"ip\": \"1.2.3.4\" } } }", "context.visitor.ip" },
            { "a field in PascalCase", "{ \"Channel\": \"sms\", " + ok + " }", "Channel" },
            { "kind as a number", "{ \"channel\": \"sms\", \"kind\": 1, " + ok + " }", "kind" },
            { "direction as a numeric string", "{ \"channel\": \"sms\", \"direction\": \"1\", " + ok + " }", "direction" },
            { "sentiment as a number", "{ \"channel\": \"sms\", \"sentiment\": 2, " + ok + " }", "sentiment" },
            { "a field twice", "{ \"channel\": \"sms\", \"channel\": \"email\", " + ok + " }", "channel" },
            { "authenticated as text", "{ \"channel\": \"chat\", " + ok + ", \"context\": { \"visitor\": { \"authenticated\": \"yes\" } } }", "context.visitor.authenticated" },
        };
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ABadRequestIsA4xxProblemNamingTheFieldAndWritesNothing(string what, string json, string? field)
    {
        var before = await CountAsync();
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync("api/v1/interactions", Json(json), TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ((int)response.StatusCode).ShouldBeInRange(400, 499, $"{what}: {text}");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", what);
        if (field is not null)
        {
            using var problem = JsonDocument.Parse(text);
            problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"{what}: {text}");
        }
        (await CountAsync()).ShouldBe(before, what);
    }

    [Fact]
    public async Task AnythingButJsonIsRefusedAs415()
    {
        using var http = fixture.App.CreateClient();
        var response = await http.PostAsync("api/v1/interactions", new StringContent("{ }", Encoding.UTF8, "text/plain"), TestContext.Current.CancellationToken);
        response.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheInteractionsEndpoint()
    {
        using var http = fixture.App.CreateClient(withApiKey: false);
        var doc = await http.GetStringAsync("openapi/v1.json", TestContext.Current.CancellationToken);
        using var json = JsonDocument.Parse(doc);
        var post = json.RootElement.GetProperty("paths").GetProperty("/api/v1/interactions").GetProperty("post");
        var request = post.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("properties");
        foreach (var field in new[] { "channel", "externalId", "kind", "direction", "from", "subject", "body", "html", "attachments", "inReplyTo", "sentAt", "queue", "sentiment", "context" })
            request.TryGetProperty(field, out _).ShouldBeTrue(field);
        request.GetProperty("channel").GetRawText().ShouldContain("chatMessaging");
        request.GetProperty("kind").GetRawText().ShouldContain("directMessage");
        post.GetProperty("responses").GetProperty("201").GetRawText().ShouldContain("InteractionResponse");
        post.GetProperty("responses").TryGetProperty("400", out _).ShouldBeTrue();
    }

    private async Task<RowCounts> CountAsync()
    {
        await using var db = Db();
        return await RowCounts.OfAsync(db);
    }
}
