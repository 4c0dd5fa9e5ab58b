using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// Cards over HTTP (issues 3 and 4): create from a script, read, search, save the profile with the
/// version read, set a custom field. A merged card answers 308 with the survivor's address.
/// </summary>
internal static class CardEndpoints
{
    /// <summary>A card's profile on the wire: every field optional; null or absent clears it on a profile save.</summary>
    public sealed record CardProfileBody(
        string? FirstName = null, string? LastName = null, string? Company = null, Gender? Gender = null, string? JobTitle = null, string? City = null,
        string? Category = null, string? RelationshipType = null, Channel? PreferredChannel = null, IReadOnlyList<string>? Tags = null,
        string? AvatarUrl = null, string? PrimaryEmail = null, string? SecondaryEmail = null, string? MobilePhone = null, string? HomePhone = null);

    /// <summary>One channel identity of a new card: the channel and the address on it (a phone number, an e-mail, a handle).</summary>
    public sealed record CardIdentityBody(Channel? Channel = null, string? Address = null, string? DisplayName = null, string? ProfileUrl = null, int? Followers = null, int? Following = null);

    /// <summary>A new card: a name (first or last) or at least one identity.</summary>
    public sealed record CreateCardBody(CardProfileBody? Profile = null, IReadOnlyList<CardIdentityBody>? Identities = null);

    /// <summary>A profile save: the version of the card read, and the whole profile as it should be saved.</summary>
    public sealed record UpdateProfileBody(long? Version = null, CardProfileBody? Profile = null);

    /// <summary>A custom field's value: a string, a number, true/false, or null to clear it.</summary>
    public sealed record CustomFieldValueBody(JsonElement? Value = null);

    private static readonly string[] ProfileFields =
        ["firstName", "lastName", "company", "gender", "jobTitle", "city", "category", "relationshipType", "preferredChannel", "tags",
         "avatarUrl", "primaryEmail", "secondaryEmail", "mobilePhone", "homePhone"];

    public static RouteGroupBuilder MapCardEndpoints(this RouteGroupBuilder api)
    {
        var cards = api.MapGroup("/cards").AddEndpointFilter<CardErrorFilter>();

        cards.MapPost("", async (HttpContext http, CardEdits service, CardReads reads, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync(http, ct);
            var profile = body.TryGetProperty("profile", out var p) && p.ValueKind != JsonValueKind.Null ? ReadProfile(p, "profile") : new CardProfile();
            var identities = ReadIdentities(body);
            var id = await service.CreateAsync(http.Actor(), profile, identities, ct);
            return Results.Created($"/api/v1/cards/{id}", await CardJsonAsync(reads, http, id, ct));
        }).WithName("CreateCard")
        .AcceptsJsonBody<CreateCardBody>("A new card: its profile and its channel identities (each new). It needs a first or last name, or an identity.");

        cards.MapGet("/{id:long}", async (long id, HttpContext http, CardReads service, CancellationToken ct) =>
            Results.Ok(await CardJsonAsync(service, http, id, ct))).WithName("GetCard");

        cards.MapGet("", async (string? q, string? after, int? pageSize, HttpContext http, CardSearch service, CancellationToken ct) =>
        {
            var cursor = string.IsNullOrEmpty(after) ? null : SearchCursor.Decode(after);
            if (pageSize is < 1 or > 100) throw new DomainException("pageSize is between 1 and 100.", "pageSize");
            var page = await service.SearchAsync(http.Actor(), q, cursor, pageSize ?? 20, ct);
            return Results.Ok(new
            {
                items = page.Items.Select(h => new { h.Id, h.DisplayName, h.Company, h.AvatarUrl, h.PrimaryEmail, h.MobilePhone, channels = h.Channels.Select(c => c.WireName()), h.LastContactAt }),
                next = page.Next?.Encode(),
            });
        }).WithName("SearchCards");

        cards.MapPut("/{id:long}/profile", async (long id, HttpContext http, CardEdits service, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync(http, ct);
            if (!body.TryGetProperty("version", out var v) || v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out var version))
                throw new DomainException("version is required: the version of the card you read (GET /api/v1/cards/{id}).", "version");
            if (!body.TryGetProperty("profile", out var p) || p.ValueKind != JsonValueKind.Object)
                throw new DomainException("profile is required: the whole profile as you want it saved.", "profile");
            var profile = ReadProfile(p, "profile");
            var newVersion = await service.UpdateProfileAsync(http.Actor(), id, version, profile, null, ct);
            return Results.Ok(new { id, version = newVersion });
        }).WithName("UpdateCardProfile")
        .AcceptsJsonBody<UpdateProfileBody>("The version of the card you read (GET /api/v1/cards/{id}) and the whole profile as it should be saved.");

        cards.MapPut("/{id:long}/custom-fields/{ident}", async (long id, string ident, HttpContext http, CardEdits service, CancellationToken ct) =>
        {
            var body = await ApiBody.ReadAsync(http, ct);
            if (!body.TryGetProperty("value", out var value))
                throw new DomainException("The body is { \"value\": ... } (null clears the field).", "value");
            string? raw = value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null => null,
                JsonValueKind.True => "true",
                JsonValueKind.False => "false",
                JsonValueKind.Number => value.GetRawText(),
                _ => throw new DomainException("value is a string, a number, true/false or null.", ident),
            };
            var stored = await service.SetCustomFieldAsync(http.Actor(), id, ident, raw, ct);
            return Results.Ok(new { id, ident, value = stored });
        }).WithName("SetCardCustomField")
        .AcceptsJsonBody<CustomFieldValueBody>("{ \"value\": ... }: a string, a number, true/false, or null to clear the field; the field's type decides which are valid.");

        return api;
    }

    private static async Task<object> CardJsonAsync(CardReads service, HttpContext http, long id, CancellationToken ct)
    {
        var actor = http.Actor();
        var card = await service.GetFirstViewAsync(actor, id, ct);
        var cases = await service.GetCasesAsync(actor, id, 10, ct);
        return new
        {
            card.Id,
            card.Version,
            status = card.Status,
            locked = card.IsLocked,
            card.DisplayName,
            profile = card.Profile,
            identities = card.Identities.Select(i => new
            {
                channel = i.Channel.WireName(), address = i.Address, normalized = i.Normalized, i.DisplayName, i.ProfileUrl, i.Followers, i.Following, i.FirstSeenAt, i.LastSeenAt,
            }),
            customFields = card.CustomFields.ToDictionary(f => f.Ident, f => f.Value),
            indicators = new
            {
                sentiment = new { positive = card.Indicators.Positive, neutral = card.Indicators.Neutral, negative = card.Indicators.Negative },
                followers = card.Indicators.Followers,
                following = card.Indicators.Following,
            },
            recentCases = cases.Select(c => new
            {
                c.Id, channel = c.Channel.WireName(), c.Title, c.Status, c.Priority, c.Product, owner = c.OwnerName, queue = c.QueueName, c.CreatedAt, c.LastMessageAt, c.ResolvedAt,
            }),
            card.CreatedAt,
            card.UpdatedAt,
            card.LastContactAt,
            sources = Sources(card),
        };
    }

    /// <summary>
    /// Where each current value came from (issue 21): a field (profile name, or cf:ident) with a value, and its source:
    /// kind (agent, channel, apiKey, crm, merge, autoMergeRule, system, unknown), label, when, and for a value from another
    /// card who had set it there. Unknown when the value is older than provenance (docs/decisions/022).
    /// </summary>
    private static Dictionary<string, object> Sources(CardFirstView card)
    {
        var values = CustomerCard.SnapshotOf(card.Profile).Where(kv => ValueProvenance.HasValue(kv.Key, kv.Value))
            .Concat(card.CustomFields.Where(f => f.Value is not null).Select(f => new KeyValuePair<string, string?>("cf:" + f.Ident, f.Value)));
        var sources = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var (field, value) in values)
        {
            var row = card.Provenance.SourceOf(field, value);
            sources[field] = row is null
                ? new { kind = Wire(ValueSourceKind.Unknown) }
                : new
                {
                    kind = Wire(row.Kind), label = row.Label, at = row.At,
                    origin = row.OriginKind is { } o ? new { kind = Wire(o), label = row.OriginLabel, at = row.OriginAt } : null,
                };
        }
        return sources;
    }

    private static string Wire(ValueSourceKind kind) => JsonNamingPolicy.CamelCase.ConvertName(kind.ToString());

    private static List<NewIdentity> ReadIdentities(JsonElement body)
    {
        var list = new List<NewIdentity>();
        if (!body.TryGetProperty("identities", out var ids) || ids.ValueKind == JsonValueKind.Null) return list;
        if (ids.ValueKind != JsonValueKind.Array) throw new DomainException("identities is an array of { \"channel\", \"address\" }.", "identities");
        var i = 0;
        foreach (var item in ids.EnumerateArray())
        {
            var prefix = $"identities[{i}]";
            if (item.ValueKind != JsonValueKind.Object) throw new DomainException($"{prefix} is an object {{ \"channel\", \"address\" }}.", prefix);
            var channelText = Str(item, "channel", prefix + ".channel");
            if (!Channels.TryParseWire(channelText, out var channel)) throw new DomainException($"'{channelText}' is not a channel.", prefix + ".channel");
            var address = Str(item, "address", prefix + ".address") ?? throw new DomainException("The address is required.", prefix + ".address");
            list.Add(new NewIdentity(channel, address, Str(item, "displayName", prefix + ".displayName"), Str(item, "profileUrl", prefix + ".profileUrl"),
                Int(item, "followers", prefix + ".followers"), Int(item, "following", prefix + ".following")));
            i++;
        }
        return list;
    }

    /// <summary>Reads a profile object field by field, naming the field at fault (ApiBody has refused unknown fields and wrong kinds).</summary>
    internal static CardProfile ReadProfile(JsonElement p, string prefix)
    {
        if (p.ValueKind != JsonValueKind.Object) throw new DomainException($"{prefix} is a JSON object.", prefix);
        var genderText = Str(p, "gender", prefix + ".gender");
        var gender = Gender.Unspecified;
        if (genderText is not null && (!Enum.TryParse(genderText, true, out gender) || !Enum.IsDefined(gender) || int.TryParse(genderText, out _)))
            throw new DomainException($"'{genderText}' is not a gender (unspecified, female, male, other).", prefix + ".gender");
        var channelText = Str(p, "preferredChannel", prefix + ".preferredChannel");
        Channel? preferred = null;
        if (channelText is not null)
        {
            if (!Channels.TryParseWire(channelText, out var c)) throw new DomainException($"'{channelText}' is not a channel.", prefix + ".preferredChannel");
            preferred = c;
        }
        var tags = new List<string>();
        if (Get(p, "tags") is { } t && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind != JsonValueKind.Array || t.EnumerateArray().Any(x => x.ValueKind != JsonValueKind.String))
                throw new DomainException("tags is an array of strings.", prefix + ".tags");
            tags.AddRange(t.EnumerateArray().Select(x => x.GetString()!));
        }
        return new CardProfile
        {
            FirstName = Str(p, "firstName", prefix + ".firstName"), LastName = Str(p, "lastName", prefix + ".lastName"),
            Company = Str(p, "company", prefix + ".company"), Gender = gender, JobTitle = Str(p, "jobTitle", prefix + ".jobTitle"),
            City = Str(p, "city", prefix + ".city"), Category = Str(p, "category", prefix + ".category"),
            RelationshipType = Str(p, "relationshipType", prefix + ".relationshipType"), PreferredChannel = preferred, Tags = tags,
            AvatarUrl = Str(p, "avatarUrl", prefix + ".avatarUrl"), PrimaryEmail = Str(p, "primaryEmail", prefix + ".primaryEmail"),
            SecondaryEmail = Str(p, "secondaryEmail", prefix + ".secondaryEmail"), MobilePhone = Str(p, "mobilePhone", prefix + ".mobilePhone"),
            HomePhone = Str(p, "homePhone", prefix + ".homePhone"),
        };
    }

    private static JsonElement? Get(JsonElement o, string name) =>
        o.EnumerateObject().Where(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)).Select(p => (JsonElement?)p.Value).FirstOrDefault();

    private static string? Str(JsonElement o, string name, string field) => Get(o, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        _ => throw new DomainException($"{field} is a string.", field),
    };

    private static int? Int(JsonElement o, string name, string field) => Get(o, name) switch
    {
        null => null,
        { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt32(out var v) => v,
        _ => throw new DomainException($"{field} is a whole number.", field),
    };

    /// <summary>Card-specific errors: a merged card redirects (308) to its survivor; a stale profile save is a 409 showing both values.</summary>
    private sealed class CardErrorFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (CardMergedException ex)
            {
                var http = context.HttpContext;
                var path = http.Request.Path.Value ?? string.Empty;
                var from = $"/cards/{ex.CardId.ToString(CultureInfo.InvariantCulture)}";
                var location = path.Replace(from, $"/cards/{ex.SurvivorId.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal) + http.Request.QueryString;
                http.Response.Headers.Location = location;
                return Results.Problem(title: "Card merged", detail: ex.Message, statusCode: StatusCodes.Status308PermanentRedirect,
                    extensions: new Dictionary<string, object?> { ["cardId"] = ex.CardId, ["survivorId"] = ex.SurvivorId, ["location"] = location });
            }
            catch (DomainException ex) when (ex is not ConflictException && ex.Field is { } field && ProfileFields.Contains(field)
                && (context.HttpContext.Request.Method == HttpMethods.Post || (context.HttpContext.Request.Path.Value ?? "").EndsWith("/profile", StringComparison.Ordinal)))
            {
                // The domain names profile fields bare; the API caller wrote them inside "profile".
                throw new DomainException(ex.Message, "profile." + field);
            }
            catch (ProfileConflictException ex)
            {
                return Results.Problem(title: "Version conflict", detail: ex.Message, statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?>
                    {
                        ["currentVersion"] = ex.CurrentVersion,
                        ["fields"] = ex.Fields.Select(f => new { field = "profile." + f.Field, yours = f.Yours, theirs = f.Theirs }).ToList(),
                        ["current"] = ex.Current,
                        ["errors"] = ex.Fields.ToDictionary(f => "profile." + f.Field, f => new[] { $"yours: {f.Yours ?? "(empty)"}; theirs: {f.Theirs ?? "(empty)"}" }),
                    });
            }
        }
    }
}
