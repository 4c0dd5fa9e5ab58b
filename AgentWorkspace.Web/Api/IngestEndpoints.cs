using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Ingest;

namespace AgentWorkspace.Web.Api;

/// <summary>POST /api/v1/interactions: one event on a channel (issue 3, part A).</summary>
internal static class IngestEndpoints
{
    /// <summary>The answer: where the message landed (201 the first time, 200 with the same ids for a repeat).</summary>
    public sealed record InteractionResponse(long CardId, long CaseId, long MessageId, bool CardCreated, bool CaseCreated);

    /// <summary>Largest request accepted (bytes): the text limit plus HTML, attachments and context with room to spare.</summary>
    public const long MaxRequestBytes = 2 * 1024 * 1024;

    /// <summary>One event on a channel, on the wire (read by <see cref="InteractionReader"/>).</summary>
    public sealed record InteractionBody(
        Channel? Channel = null, string? ExternalId = null, MessageKind? Kind = null, Direction? Direction = null, InteractionSender? From = null,
        string? Subject = null, string? Body = null, string? Html = null, IReadOnlyList<InteractionAttachment>? Attachments = null, string? InReplyTo = null,
        DateTimeOffset? SentAt = null, string? Queue = null, Sentiment? Sentiment = null, InteractionContextBody? Context = null);

    /// <summary>
    /// The conversation context on the wire. <c>preChatSurvey</c> and <c>variables</c> are deliberately open: whatever
    /// names the chat or bot uses, with values of any JSON kind (kept as text). Everything else is strict.
    /// </summary>
    public sealed record InteractionContextBody(
        IReadOnlyDictionary<string, JsonElement>? PreChatSurvey = null, VisitorDetails? Visitor = null,
        IReadOnlyList<SelfServiceStep>? SelfService = null, IReadOnlyDictionary<string, JsonElement>? Variables = null);

    public static RouteGroupBuilder MapInteractionsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/interactions", async (HttpContext http, IngestService ingest, CancellationToken ct) =>
        {
            var actor = http.Actor();
            var request = InteractionReader.Read(await ApiBody.ReadAsync(http, ct));
            var result = await ingest.IngestAsync(actor, request, ct);
            var body = new InteractionResponse(result.CardId, result.CaseId, result.MessageId, result.CardCreated, result.CaseCreated);
            return result.Repeated
                ? Results.Ok(body)
                : Results.Created($"/api/v1/messages/{result.MessageId.ToString(CultureInfo.InvariantCulture)}", body);
        })
        .WithName("PostInteraction")
        .WithSummary("Ingest one event on a channel")
        .WithDescription("Matches the contact by the normalised address of `from` (phone channels share E.164 numbers; e-mail without case; " +
            "social platforms by user id or handle), reuses the card's open case on the channel or opens one in `queue`, and stores the message. " +
            "The same `externalId` on the same channel again answers 200 with the same ids and stores nothing. " +
            "Every object is strict (a property not described here is refused, 400 naming it) except `context.preChatSurvey` and " +
            "`context.variables`, which are open: any names the chat or bot uses, values of any JSON kind, kept as text.")
        .AcceptsJsonBody<InteractionBody>("One event on a channel.", maxDepth: 16)
        .Produces<InteractionResponse>(StatusCodes.Status201Created)
        .Produces<InteractionResponse>(StatusCodes.Status200OK)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxRequestBytes));
        return api;
    }
}

/// <summary>
/// Reads the interaction JSON strictly, field by field, so that every error names the JSON field
/// at fault ("from.address", "attachments[1].size") and no wrong type slips through as a default.
/// ApiBody has already refused unknown fields (all but the open context maps) and wrong kinds.
/// </summary>
internal static class InteractionReader
{
    public static InteractionRequest Read(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new DomainException("The body is a JSON object: { \"channel\", \"externalId\", \"from\": { \"address\" }, ... }.", "$");

        var channelText = String(root, "channel", "channel") ?? throw new DomainException("channel is required.", "channel");
        if (!TryEnum<Channel>(channelText, out var channel) && !Channels.TryParseWire(channelText, out channel))
            throw new DomainException($"Unknown channel '{Show(channelText)}'; one of {string.Join(", ", Channels.All.Select(c => c.WireName()))}.", "channel");

        MessageKind? kind = null;
        if (String(root, "kind", "kind") is { } kindText)
        {
            if (!TryEnum<MessageKind>(kindText, out var k))
                throw new DomainException($"Unknown kind '{Show(kindText)}'; one of {string.Join(", ", Enum.GetValues<MessageKind>().Select(Camel))}.", "kind");
            kind = k;
        }

        var direction = Direction.Inbound;
        if (String(root, "direction", "direction") is { } dirText && !TryEnum(dirText, out direction))
            throw new DomainException($"direction is inbound or outbound, not '{Show(dirText)}'.", "direction");

        InteractionSender? from = null;
        if (Property(root, "from") is { } f)
        {
            if (f.ValueKind != JsonValueKind.Object) throw new DomainException("from is an object { \"address\", \"displayName\", ... }.", "from");
            from = new InteractionSender
            {
                Address = String(f, "address", "from.address"),
                DisplayName = String(f, "displayName", "from.displayName"),
                ProfileUrl = String(f, "profileUrl", "from.profileUrl"),
                AvatarUrl = String(f, "avatarUrl", "from.avatarUrl"),
                Followers = Int(f, "followers", "from.followers"),
                Following = Int(f, "following", "from.following"),
            };
        }

        var attachments = new List<InteractionAttachment>();
        if (Property(root, "attachments") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array) throw new DomainException("attachments is an array.", "attachments");
            var i = 0;
            foreach (var a in list.EnumerateArray())
            {
                var field = $"attachments[{i}]";
                if (a.ValueKind != JsonValueKind.Object) throw new DomainException($"{field} is an object {{ \"name\", \"contentType\", \"size\", \"url\" }}.", field);
                attachments.Add(new InteractionAttachment
                {
                    Name = String(a, "name", field + ".name"),
                    ContentType = String(a, "contentType", field + ".contentType"),
                    Size = Long(a, "size", field + ".size"),
                    Url = String(a, "url", field + ".url"),
                });
                i++;
            }
        }

        DateTimeOffset? sentAt = null;
        if (String(root, "sentAt", "sentAt") is { } sentText)
        {
            if (!DateTimeOffset.TryParse(sentText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                throw new DomainException($"sentAt '{Show(sentText)}' is not a date and time (ISO 8601, e.g. 2026-11-23T09:30:00Z).", "sentAt");
            sentAt = parsed;
        }

        Sentiment? sentiment = null;
        if (String(root, "sentiment", "sentiment") is { } sentimentText)
        {
            if (!TryEnum<Sentiment>(sentimentText, out var s)) throw new DomainException($"sentiment is positive, neutral or negative, not '{Show(sentimentText)}'.", "sentiment");
            sentiment = s;
        }

        return new InteractionRequest
        {
            Channel = channel,
            ExternalId = String(root, "externalId", "externalId"),
            Kind = kind,
            Direction = direction,
            From = from,
            Subject = String(root, "subject", "subject"),
            Body = String(root, "body", "body"),
            Html = String(root, "html", "html"),
            Attachments = attachments,
            InReplyTo = String(root, "inReplyTo", "inReplyTo"),
            SentAt = sentAt,
            Queue = String(root, "queue", "queue"),
            Sentiment = sentiment,
            Context = Property(root, "context") is { } c ? ReadContext(c) : null,
        };
    }

    private static ConversationContext ReadContext(JsonElement c)
    {
        if (c.ValueKind != JsonValueKind.Object) throw new DomainException("context is an object { \"preChatSurvey\", \"visitor\", \"selfService\", \"variables\" }.", "context");
        VisitorDetails? visitor = null;
        if (Property(c, "visitor") is { } v)
        {
            if (v.ValueKind != JsonValueKind.Object) throw new DomainException("context.visitor is an object.", "context.visitor");
            bool? authenticated = null;
            if (Property(v, "authenticated") is { } a)
            {
                authenticated = a.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw new DomainException("context.visitor.authenticated is true or false.", "context.visitor.authenticated"),
                };
            }
            visitor = new VisitorDetails
            {
                Authenticated = authenticated,
                Browser = String(v, "browser", "context.visitor.browser"),
                Os = String(v, "os", "context.visitor.os"),
                Location = String(v, "location", "context.visitor.location"),
                Language = String(v, "language", "context.visitor.language"),
            };
        }
        var steps = new List<SelfServiceStep>();
        if (Property(c, "selfService") is { } list)
        {
            if (list.ValueKind != JsonValueKind.Array) throw new DomainException("context.selfService is an array.", "context.selfService");
            var i = 0;
            foreach (var s in list.EnumerateArray())
            {
                var field = $"context.selfService[{i++}]";
                if (s.ValueKind != JsonValueKind.Object) throw new DomainException($"{field} is an object {{ \"type\", \"title\", \"at\" }}.", field);
                var typeText = String(s, "type", field + ".type") ?? throw new DomainException($"{field}.type is required.", field + ".type");
                if (!TryEnum<SelfServiceType>(typeText, out var type))
                    throw new DomainException($"{field}.type is pageVisited, searchPhrase, articleViewed or customAction.", field + ".type");
                DateTimeOffset? at = null;
                if (String(s, "at", field + ".at") is { } atText)
                {
                    if (!DateTimeOffset.TryParse(atText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                        throw new DomainException($"{field}.at is not a date and time.", field + ".at");
                    at = parsed;
                }
                steps.Add(new SelfServiceStep(type, String(s, "title", field + ".title"), at));
            }
        }
        return new ConversationContext
        {
            PreChatSurvey = Map(c, "preChatSurvey", "context.preChatSurvey"),
            Visitor = visitor,
            SelfService = steps,
            Variables = Map(c, "variables", "context.variables"),
        };
    }

    /// <summary>An object of answers or variables; scalar values become text, nested values their JSON.</summary>
    private static Dictionary<string, string?> Map(JsonElement parent, string name, string field)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (Property(parent, name) is not { } o) return result;
        if (o.ValueKind != JsonValueKind.Object) throw new DomainException($"{field} is an object.", field);
        foreach (var p in o.EnumerateObject())
        {
            var key = Checked(p.Name, field);
            result[key] = p.Value.ValueKind switch
            {
                JsonValueKind.String => Checked(p.Value, field),
                JsonValueKind.Null => null,
                JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => p.Value.GetRawText(),
                _ => p.Value.GetRawText(),
            };
        }
        return result;
    }

    /// <summary>The property (case-sensitive camelCase as documented, with a case-insensitive fallback); null when absent or JSON null.</summary>
    private static JsonElement? Property(JsonElement o, string name)
    {
        if (o.TryGetProperty(name, out var v)) return v.ValueKind == JsonValueKind.Null ? null : v;
        foreach (var p in o.EnumerateObject())
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) return p.Value.ValueKind == JsonValueKind.Null ? null : p.Value;
        return null;
    }

    private static string? String(JsonElement o, string name, string field)
    {
        if (Property(o, name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.String) throw new DomainException($"{field} is a string.", field);
        return Checked(v, field);
    }

    private static string Checked(JsonElement v, string field)
    {
        try
        {
            return Checked(v.GetString()!, field);
        }
        catch (InvalidOperationException)
        {
            throw new DomainException($"{field} is not valid Unicode text.", field);
        }
    }

    /// <summary>Unpaired surrogates (from "\ud800" escapes) would be stored as garbage: refuse them.</summary>
    private static string Checked(string s, string field)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            if (char.IsSurrogate(s[i])) throw new DomainException($"{field} is not valid Unicode text.", field);
        }
        return s;
    }

    private static int? Int(JsonElement o, string name, string field)
    {
        if (Property(o, name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out var n)) throw new DomainException($"{field} is a whole number.", field);
        return n;
    }

    private static long? Long(JsonElement o, string name, string field)
    {
        if (Property(o, name) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var n)) throw new DomainException($"{field} is a whole number.", field);
        return n;
    }

    /// <summary>camelCase wire names ("chatMessaging", "directMessage"), case-insensitive; never a number.</summary>
    private static bool TryEnum<T>(string text, out T value) where T : struct, Enum
    {
        var t = text.Trim();
        if (t.Length == 0 || !char.IsLetter(t[0]) || !Enum.TryParse(t, ignoreCase: true, out value) || !Enum.IsDefined(value))
        {
            value = default;
            return false;
        }
        return true;
    }

    private static string Camel<T>(T value) where T : struct, Enum => char.ToLowerInvariant(value.ToString()[0]) + value.ToString()[1..];

    /// <summary>A bad value echoed in a message, cut short and without control characters.</summary>
    private static string Show(string value)
    {
        var clean = new string(value.Where(c => !char.IsControl(c)).Take(40).ToArray());
        return value.Length > 40 ? clean + "…" : clean;
    }
}
