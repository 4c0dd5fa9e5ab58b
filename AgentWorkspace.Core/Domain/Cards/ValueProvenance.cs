using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>Where a card's value came from (issue 21, "Provenance of each value"; docs/decisions/022).</summary>
public enum ValueSourceKind
{
    /// <summary>No row says (a value older than provenance, or written by a path that keeps none: demo seeding).</summary>
    Unknown = 0,
    /// <summary>An agent (or supervisor, administrator) typed it: <see cref="ValueProvenance.SourceRef"/> is the user's id.</summary>
    Agent = 1,
    /// <summary>A channel gave it at ingest: the reference is the identity's id, the label the channel and address.</summary>
    Channel = 2,
    /// <summary>A call of the API: the reference is the key's id, the label its name.</summary>
    ApiKey = 3,
    /// <summary>A CRM synchronisation (reserved: no connector writes card values yet).</summary>
    Crm = 4,
    /// <summary>A merge took it from another card: the reference is that card's id; the origin fields say who set it there.</summary>
    Merge = 5,
    /// <summary>An auto-merge rule took it from another card (reserved for the auto-merge run): reference the card, label the rule.</summary>
    AutoMergeRule = 6,
    /// <summary>The application itself (a background task acting as the system user).</summary>
    System = 7,
}

/// <summary>A source of values: its kind, a reference (user id, identity id, key id, card id) and what people read.</summary>
public sealed record ValueSource(ValueSourceKind Kind, string? Ref, string? Label)
{
    public const string ApiKeyUserPrefix = "apikey:";
    private const string ApiKeyNamePrefix = "API key ";

    /// <summary>The source of what <paramref name="actor"/> writes: an API key (its id and name), the system, or a person.</summary>
    public static ValueSource Of(Actor actor)
    {
        if (actor.UserId.StartsWith(ApiKeyUserPrefix, StringComparison.Ordinal))
        {
            var name = actor.DisplayName.StartsWith(ApiKeyNamePrefix, StringComparison.Ordinal) ? actor.DisplayName[ApiKeyNamePrefix.Length..] : actor.DisplayName;
            return new ValueSource(ValueSourceKind.ApiKey, actor.UserId[ApiKeyUserPrefix.Length..], name);
        }
        if (actor.UserId == Actor.System.UserId) return new ValueSource(ValueSourceKind.System, null, actor.DisplayName);
        return new ValueSource(ValueSourceKind.Agent, actor.UserId, actor.DisplayName);
    }

    public static ValueSource FromChannel(Channel channel, long identityId, string address) =>
        new(ValueSourceKind.Channel, identityId.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{channel.WireName()} {address}");

    public static ValueSource FromCard(long cardId) =>
        new(ValueSourceKind.Merge, cardId.ToString(System.Globalization.CultureInfo.InvariantCulture), null);

    /// <summary>An auto-merge rule (<paramref name="ruleLabel"/>) that took the value from card <paramref name="cardId"/>.</summary>
    public static ValueSource FromRule(long cardId, string ruleLabel) =>
        new(ValueSourceKind.AutoMergeRule, cardId.ToString(System.Globalization.CultureInfo.InvariantCulture), ruleLabel);
}

/// <summary>
/// One value a field of a card took, where it came from and when (a profile field by its name, e.g. <c>city</c>; a custom
/// field as <c>cf:ident</c>). Rows are only added, in the use case that wrote the value; the newest row of a field whose
/// <see cref="Value"/> is the card's value is that value's source. A row written by a merge carries the merge's id (an undo
/// deletes it) and the source of the value on the other card (<see cref="OriginKind"/>…). Erased with the contact.
/// </summary>
public sealed class ValueProvenance
{
    public const int MaxValue = 2000;
    public const int MaxLabel = 300;

    public long Id { get; private set; }
    public long CardId { get; private set; }
    public string Field { get; private set; } = string.Empty;
    /// <summary>The value set (null: the field was cleared).</summary>
    public string? Value { get; private set; }
    public ValueSourceKind SourceKind { get; private set; }
    public string? SourceRef { get; private set; }
    public string? SourceLabel { get; private set; }
    public DateTimeOffset At { get; private set; }
    /// <summary>The merge that wrote this row (its undo removes it).</summary>
    public long? MergeId { get; private set; }
    /// <summary>For a value taken from another card: who had set it there, and when (null: unknown).</summary>
    public ValueSourceKind? OriginKind { get; private set; }
    public string? OriginRef { get; private set; }
    public string? OriginLabel { get; private set; }
    public DateTimeOffset? OriginAt { get; private set; }

    private ValueProvenance() { }

    public ValueProvenance(long cardId, string field, string? value, ValueSource source, DateTimeOffset at, long? mergeId = null, ValueProvenance? origin = null)
    {
        CardId = cardId;
        Field = field;
        Value = value is null ? null : value.Length <= MaxValue ? value : value[..MaxValue];
        SourceKind = source.Kind;
        SourceRef = Cut(source.Ref, 450);
        SourceLabel = Cut(source.Label, MaxLabel);
        At = at;
        MergeId = mergeId;
        if (origin is not null)
        {
            // A value that came to the other card by a merge keeps its first source, not "from card N".
            var first = origin.OriginKind is { } k && origin.SourceKind is ValueSourceKind.Merge or ValueSourceKind.AutoMergeRule;
            OriginKind = first ? origin.OriginKind : origin.SourceKind;
            OriginRef = first ? origin.OriginRef : origin.SourceRef;
            OriginLabel = first ? origin.OriginLabel : origin.SourceLabel;
            OriginAt = first ? origin.OriginAt : origin.At;
        }
    }

    /// <summary>The kind that tells how much a value is worth: a merged value's origin, else its own source.</summary>
    public ValueSourceKind EffectiveKind => SourceKind is ValueSourceKind.Merge or ValueSourceKind.AutoMergeRule ? OriginKind ?? ValueSourceKind.Unknown : SourceKind;

    /// <summary>When the value was first set (a merged value: on the other card).</summary>
    public DateTimeOffset EffectiveAt => SourceKind is ValueSourceKind.Merge or ValueSourceKind.AutoMergeRule ? OriginAt ?? At : At;

    private static string? Cut(string? s, int max) => s is null ? null : s.Length <= max ? s : s[..max];

    /// <summary>The rows for the fields of a snapshot (profile) that hold a value, as a new card's.</summary>
    public static IEnumerable<ValueProvenance> ForNewCard(long cardId, IReadOnlyDictionary<string, string?> snapshot, ValueSource source, DateTimeOffset at) =>
        snapshot.Where(kv => HasValue(kv.Key, kv.Value)).Select(kv => new ValueProvenance(cardId, kv.Key, kv.Value, source, at));

    /// <summary>Whether a field's value counts as one (an unspecified gender and no tags do not).</summary>
    public static bool HasValue(string field, string? value) =>
        !string.IsNullOrWhiteSpace(value) && !(field == "gender" && value == nameof(Gender.Unspecified));
}
