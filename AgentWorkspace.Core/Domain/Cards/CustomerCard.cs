using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Core.Domain.Cards;

public enum Gender
{
    Unspecified = 0,
    Female = 1,
    Male = 2,
    Other = 3,
}

public enum CardStatus
{
    Active = 0,
    /// <summary>Merged into another card; a tombstone that sends visitors to <see cref="CustomerCard.MergedIntoId"/>.</summary>
    Merged = 1,
    Anonymized = 2,
}

/// <summary>The editable profile of a card, as a whole (what the profile form and the API send).</summary>
public sealed record CardProfile
{
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Company { get; init; }
    public Gender Gender { get; init; }
    public string? JobTitle { get; init; }
    public string? City { get; init; }
    public string? Category { get; init; }
    public string? RelationshipType { get; init; }
    public Channel? PreferredChannel { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? AvatarUrl { get; init; }
    public string? PrimaryEmail { get; init; }
    public string? SecondaryEmail { get; init; }
    public string? MobilePhone { get; init; }
    public string? HomePhone { get; init; }
}

/// <summary>
/// One record per contact as the system knows it. Several may exist for one person until merged.
/// Indicators (sentiment counts, followers) are kept current as messages arrive.
/// </summary>
public sealed class CustomerCard : IVersioned
{
    private readonly List<ChannelIdentity> _identities = [];

    public long Id { get; private set; }
    public long Version { get; private set; } = 1;
    public CardStatus Status { get; private set; }
    public long? MergedIntoId { get; private set; }
    public bool IsLocked { get; private set; }

    public string? FirstName { get; private set; }
    public string? LastName { get; private set; }
    public string? Company { get; private set; }
    public Gender Gender { get; private set; }
    public string? JobTitle { get; private set; }
    public string? City { get; private set; }
    public string? Category { get; private set; }
    public string? RelationshipType { get; private set; }
    public Channel? PreferredChannel { get; private set; }
    public string Tags { get; private set; } = string.Empty;
    public string? AvatarUrl { get; private set; }
    public string? PrimaryEmail { get; private set; }
    public string? SecondaryEmail { get; private set; }
    public string? MobilePhone { get; private set; }
    public string? HomePhone { get; private set; }

    /// <summary>
    /// The name the sender goes by on their channel, as the channel wrote it ("marguerite_92", "🌸", "zoé"): what the
    /// agent sees and searches while the profile has no name of its own (issue 22). Ingest keeps it; the profile form
    /// does not show it, and a name typed there comes first.
    /// </summary>
    public string? ChannelName { get; private set; }

    /// <summary>Folded "first last" and "last first" for search; maintained by the card itself.</summary>
    public string SearchName { get; private set; } = string.Empty;
    /// <summary>The folded last name alone, so that "martin" finds "Zoé Martin" through an index.</summary>
    public string SearchLastName { get; private set; } = string.Empty;
    public string SearchCompany { get; private set; } = string.Empty;

    /// <summary>
    /// The name's blocking key for the duplicate finder (<see cref="NameKeys.Key"/>), empty unless the card is active:
    /// a merged or anonymized card is nobody's duplicate. The database keeps how many cards have each key
    /// (<c>NameFrequencies</c>, maintained by triggers on this column: docs/decisions/016).
    /// </summary>
    public string NameKey { get; private set; } = string.Empty;
    /// <summary>The key of the name with the first name as an initial (<see cref="NameKeys.InitialKey"/>), for "E. Ferrars".</summary>
    public string InitialKey { get; private set; } = string.Empty;

    public int PositiveCount { get; private set; }
    public int NeutralCount { get; private set; }
    public int NegativeCount { get; private set; }
    public int Followers { get; private set; }
    public int Following { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? LastContactAt { get; private set; }

    public IReadOnlyCollection<ChannelIdentity> Identities => _identities;

    private CustomerCard() { }

    public CustomerCard(CardProfile profile, string defaultRegion, DateTimeOffset now, long id = 0)
    {
        Id = id;
        CreatedAt = now;
        UpdatedAt = now;
        Apply(profile, defaultRegion);
    }

    public string DisplayName
    {
        get
        {
            return NameOf(FirstName, LastName, ChannelName, PrimaryEmail, MobilePhone)
                ?? _identities.FirstOrDefault()?.DisplayName ?? _identities.FirstOrDefault()?.RawAddress ?? $"#{Id}";
        }
    }

    /// <summary>
    /// The name a card goes by, the same everywhere (tile, tabs, card, search hits, approvals): the profile's name, else
    /// the name its channel gave, else its e-mail or mobile; null when it has none of them.
    /// </summary>
    public static string? NameOf(string? firstName, string? lastName, string? channelName, string? primaryEmail, string? mobilePhone)
    {
        var name = $"{firstName} {lastName}".Trim();
        if (name.Length > 0) return name;
        if (!string.IsNullOrWhiteSpace(channelName)) return channelName;
        return primaryEmail ?? mobilePhone;
    }

    /// <summary>
    /// The sender's channel gave <paramref name="channelName"/>. It becomes the card's channel name when the card has none,
    /// or when it replaces <paramref name="previous"/>, the name the same identity gave before (a renamed account); the
    /// name of another identity of the card is left as it is, so the card does not change name with each channel.
    /// </summary>
    public void HeardAs(string? channelName, string? previous = null)
    {
        var name = Text.Clean(channelName, 200, "from.displayName");
        if (name is null) return;
        if (ChannelName is not null && !(previous is not null && string.Equals(ChannelName, previous, StringComparison.Ordinal))) return;
        ChannelName = name;
        RefreshSearch();
    }

    /// <summary>
    /// The photo the channel gives (issue 22, seed 003): it becomes the card's photo while the card has none. A photo
    /// someone set on the card, or an earlier channel's, stays. The address is checked (http or https).
    /// </summary>
    public void PhotoFromChannel(string? url)
    {
        if (AvatarUrl is not null) return;
        AvatarUrl = CleanUrl(url, "from.avatarUrl");
    }

    public IReadOnlyList<string> TagList => Tags.Length == 0 ? [] : Tags.Split('|');

    public CardProfile Profile => new()
    {
        FirstName = FirstName, LastName = LastName, Company = Company, Gender = Gender, JobTitle = JobTitle,
        City = City, Category = Category, RelationshipType = RelationshipType, PreferredChannel = PreferredChannel,
        Tags = TagList, AvatarUrl = AvatarUrl, PrimaryEmail = PrimaryEmail, SecondaryEmail = SecondaryEmail,
        MobilePhone = MobilePhone, HomePhone = HomePhone,
    };

    /// <summary>Validates and applies a whole profile; returns the fields that changed (name, before, after).</summary>
    public IReadOnlyList<(string Field, string? Before, string? After)> UpdateProfile(CardProfile profile, string defaultRegion, DateTimeOffset now)
    {
        EnsureEditable();
        var before = Snapshot();
        Apply(profile, defaultRegion);
        var after = Snapshot();
        var changes = before.Where(kv => !string.Equals(kv.Value, after[kv.Key], StringComparison.Ordinal))
            .Select(kv => (kv.Key, kv.Value, after[kv.Key])).ToList();
        if (changes.Count > 0) UpdatedAt = now;
        return changes;
    }

    /// <summary>The profile that a <see cref="Snapshot"/> (or a mix of two) describes.</summary>
    public static CardProfile ProfileFromSnapshot(IReadOnlyDictionary<string, string?> v) => new()
    {
        FirstName = v["firstName"], LastName = v["lastName"], Company = v["company"],
        Gender = Enum.TryParse<Gender>(v["gender"], out var g) ? g : Gender.Unspecified,
        JobTitle = v["jobTitle"], City = v["city"], Category = v["category"], RelationshipType = v["relationshipType"],
        PreferredChannel = Enum.TryParse<Channel>(v["preferredChannel"], out var pc) ? pc : null,
        Tags = string.IsNullOrEmpty(v["tags"]) ? [] : v["tags"]!.Split('|'),
        AvatarUrl = v["avatarUrl"], PrimaryEmail = v["primaryEmail"], SecondaryEmail = v["secondaryEmail"],
        MobilePhone = v["mobilePhone"], HomePhone = v["homePhone"],
    };

    /// <summary>A profile's values as <see cref="Snapshot"/> writes them (the keys and text of the audit and of provenance).</summary>
    public static Dictionary<string, string?> SnapshotOf(CardProfile p) => new()
    {
        ["firstName"] = p.FirstName, ["lastName"] = p.LastName, ["company"] = p.Company, ["gender"] = p.Gender.ToString(),
        ["jobTitle"] = p.JobTitle, ["city"] = p.City, ["category"] = p.Category, ["relationshipType"] = p.RelationshipType,
        ["preferredChannel"] = p.PreferredChannel?.ToString(), ["tags"] = string.Join('|', p.Tags), ["avatarUrl"] = p.AvatarUrl,
        ["primaryEmail"] = p.PrimaryEmail, ["secondaryEmail"] = p.SecondaryEmail, ["mobilePhone"] = p.MobilePhone, ["homePhone"] = p.HomePhone,
    };

    public Dictionary<string, string?> Snapshot() => new()
    {
        ["firstName"] = FirstName, ["lastName"] = LastName, ["company"] = Company, ["gender"] = Gender.ToString(),
        ["jobTitle"] = JobTitle, ["city"] = City, ["category"] = Category, ["relationshipType"] = RelationshipType,
        ["preferredChannel"] = PreferredChannel?.ToString(), ["tags"] = Tags, ["avatarUrl"] = AvatarUrl,
        ["primaryEmail"] = PrimaryEmail, ["secondaryEmail"] = SecondaryEmail, ["mobilePhone"] = MobilePhone, ["homePhone"] = HomePhone,
    };

    private void Apply(CardProfile p, string defaultRegion)
    {
        FirstName = Text.Clean(p.FirstName, 100, "firstName");
        LastName = Text.Clean(p.LastName, 100, "lastName");
        Company = Text.Clean(p.Company, 200, "company");
        if (!Enum.IsDefined(p.Gender)) throw new DomainException("Unknown gender.", "gender");
        Gender = p.Gender;
        JobTitle = Text.Clean(p.JobTitle, 120, "jobTitle");
        City = Text.Clean(p.City, 120, "city");
        Category = Text.Clean(p.Category, 80, "category");
        RelationshipType = Text.Clean(p.RelationshipType, 80, "relationshipType");
        if (p.PreferredChannel is { } pc && !Enum.IsDefined(pc)) throw new DomainException("Unknown channel.", "preferredChannel");
        PreferredChannel = p.PreferredChannel;
        var tags = p.Tags.Select(t => Text.Clean(t, 40, "tags")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (tags.Count > 30) throw new DomainException("A card has at most 30 tags.", "tags");
        if (tags.Any(t => t.Contains('|'))) throw new DomainException("A tag cannot contain '|'.", "tags");
        Tags = string.Join('|', tags);
        AvatarUrl = CleanUrl(p.AvatarUrl, "avatarUrl");
        PrimaryEmail = p.PrimaryEmail is null || string.IsNullOrWhiteSpace(p.PrimaryEmail) ? null : EmailAddress.Parse(p.PrimaryEmail, "primaryEmail").Value;
        SecondaryEmail = p.SecondaryEmail is null || string.IsNullOrWhiteSpace(p.SecondaryEmail) ? null : EmailAddress.Parse(p.SecondaryEmail, "secondaryEmail").Value;
        MobilePhone = string.IsNullOrWhiteSpace(p.MobilePhone) ? null : PhoneNumber.Parse(p.MobilePhone, defaultRegion, "mobilePhone").E164;
        HomePhone = string.IsNullOrWhiteSpace(p.HomePhone) ? null : PhoneNumber.Parse(p.HomePhone, defaultRegion, "homePhone").E164;
        RefreshSearch();
    }

    internal static string? CleanUrl(string? url, string field)
    {
        var clean = Text.Clean(url, 500, field);
        if (clean is null) return null;
        if (!Uri.TryCreate(clean, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
            throw new DomainException($"'{clean}' is not an http(s) address.", field);
        return uri.ToString();
    }

    private void RefreshSearch()
    {
        var first = Text.Fold(FirstName);
        var last = Text.Fold(LastName);
        SearchName = $"{first} {last}".Trim();
        // Without a name in the profile, the channel's name is the one searched (a handle, an emoji, a lowercase name).
        if (SearchName.Length == 0) SearchName = Text.Fold(ChannelName);
        if (SearchName.Length > 201) SearchName = SearchName[..201];
        SearchLastName = last;
        SearchCompany = Text.Fold(Company);
        RefreshNameKeys();
    }

    private void RefreshNameKeys()
    {
        var active = Status == CardStatus.Active;
        NameKey = active ? NameKeys.Key(FirstName, LastName) : string.Empty;
        InitialKey = active ? NameKeys.InitialKey(FirstName, LastName) : string.Empty;
    }

    public ChannelIdentity AddIdentity(Channel channel, string rawAddress, IdentityAddress address, DateTimeOffset seenAt,
        string? displayName = null, string? profileUrl = null, int? followers = null, int? following = null, string shareKey = "")
    {
        EnsureEditable();
        var identity = new ChannelIdentity(this, channel, rawAddress, address, seenAt, displayName, profileUrl, followers, following, shareKey);
        _identities.Add(identity);
        RecomputeAudience();
        return identity;
    }

    /// <summary>Followers/following of the card are those of its social identities.</summary>
    public void RecomputeAudience()
    {
        Followers = _identities.Where(i => !i.IsErased).Sum(i => i.Followers ?? 0);
        Following = _identities.Where(i => !i.IsErased).Sum(i => i.Following ?? 0);
    }

    public void SetAudience(int followers, int following) { Followers = followers; Following = following; }

    /// <summary>Keeps the indicators current as a message lands (never recomputed by scanning).</summary>
    public void RecordMessage(Sentiment sentiment, Direction direction, DateTimeOffset at)
    {
        if (direction == Direction.Inbound)
        {
            switch (sentiment)
            {
                case Sentiment.Positive: PositiveCount++; break;
                case Sentiment.Negative: NegativeCount++; break;
                default: NeutralCount++; break;
            }
        }
        if (LastContactAt is null || at > LastContactAt) LastContactAt = at;
    }

    public void SetIndicators(int positive, int neutral, int negative)
    {
        PositiveCount = positive; NeutralCount = neutral; NegativeCount = negative;
    }

    public void SetLastContact(DateTimeOffset? at) => LastContactAt = at;

    public void Lock() { EnsureActive(); IsLocked = true; }
    public void Unlock() { EnsureActive(); IsLocked = false; }

    public void MarkMergedInto(long survivorId, DateTimeOffset now)
    {
        EnsureActive();
        if (IsLocked) throw new DomainException("A locked card cannot be merged.");
        Status = CardStatus.Merged;
        MergedIntoId = survivorId;
        RefreshNameKeys();
        UpdatedAt = now;
    }

    /// <summary>
    /// Whether this card may take part in a merge (as the survivor or the merged card): neither merged,
    /// anonymized nor locked. <paramref name="field"/> names the input that chose it.
    /// </summary>
    public void EnsureMergeable(string field)
    {
        if (Status == CardStatus.Merged) throw new DomainException($"Card {Id} was already merged into card {MergedIntoId}.", field) { Code = "CardAlreadyMerged", Args = [Id, MergedIntoId!] };
        if (Status == CardStatus.Anonymized) throw new DomainException($"Card {Id} was anonymized and cannot be merged.", field) { Code = "CardAnonymizedNoMerge", Args = [Id] };
        if (IsLocked) throw new DomainException($"Card {Id} is locked: unlock it before merging.", field) { Code = "CardLockedNoMerge", Args = [Id] };
    }

    /// <summary>Both cards may merge, and they are two.</summary>
    public static void EnsureMergeable(CustomerCard survivor, CustomerCard merged)
    {
        if (survivor.Id == merged.Id) throw new DomainException("A card cannot be merged with itself.", "mergedId") { Code = "MergeWithItself" };
        survivor.EnsureMergeable("survivorId");
        merged.EnsureMergeable("mergedId");
    }

    /// <summary>
    /// The survivor takes in <paramref name="merged"/>: the chosen profile, the sum of both cards'
    /// sentiment counts and audiences, the later last contact; the merged card becomes its tombstone.
    /// </summary>
    public void Absorb(CustomerCard merged, CardProfile chosenProfile, string defaultRegion, DateTimeOffset now)
    {
        EnsureMergeable(this, merged);
        // The channel's name goes with the contact: a survivor that had none takes the merged card's.
        ChannelName ??= merged.ChannelName;
        UpdateProfile(chosenProfile, defaultRegion, now);
        SetIndicators(PositiveCount + merged.PositiveCount, NeutralCount + merged.NeutralCount, NegativeCount + merged.NegativeCount);
        SetAudience(Followers + merged.Followers, Following + merged.Following);
        if (merged.LastContactAt is { } last && (LastContactAt is null || last > LastContactAt)) SetLastContact(last);
        Touch(now);
        merged.MarkMergedInto(Id, now);
    }

    /// <summary>
    /// An unmerge needs the survivor still active and editable (neither anonymized, merged again nor locked)
    /// and the merged card still its tombstone.
    /// </summary>
    public static void EnsureUnmergeable(CustomerCard survivor, CustomerCard merged)
    {
        if (survivor.Status == CardStatus.Anonymized || merged.Status == CardStatus.Anonymized)
            throw new DomainException($"Card {(survivor.Status == CardStatus.Anonymized ? survivor.Id : merged.Id)} was anonymized since; its merge can no longer be undone.")
            { Code = "UnmergeAnonymized", Args = [survivor.Status == CardStatus.Anonymized ? survivor.Id : merged.Id] };
        if (survivor.Status != CardStatus.Active)
            throw new DomainException($"Card {survivor.Id} was merged again since; undo that merge first.") { Code = "UnmergeAfterLaterMerge", Args = [survivor.Id] };
        if (merged.Status != CardStatus.Merged || merged.MergedIntoId != survivor.Id)
            throw new DomainException($"Card {merged.Id} is no longer merged into card {survivor.Id}.") { Code = "UnmergeNoLongerMerged", Args = [merged.Id, survivor.Id] };
        if (survivor.IsLocked)
            throw new DomainException($"Card {survivor.Id} is locked: unlock it before undoing its merge.") { Code = "UnmergeLocked", Args = [survivor.Id] };
    }

    public void RestoreFromMerge(DateTimeOffset now)
    {
        Status = CardStatus.Active;
        MergedIntoId = null;
        RefreshNameKeys();
        UpdatedAt = now;
    }

    public void Anonymize(DateTimeOffset now)
    {
        EnsureActive();
        EraseProfile();
        Status = CardStatus.Anonymized;
        IsLocked = true;
        UpdatedAt = now;
    }

    /// <summary>
    /// A tombstone of a card merged into one being anonymized: the same person, so its profile goes too. It stays
    /// a tombstone pointing at its survivor, so that old links still lead somewhere (docs/decisions/010).
    /// </summary>
    public void EraseMerged(DateTimeOffset now)
    {
        if (Status != CardStatus.Merged) throw new InvalidOperationException($"Card {Id} is not a merged card.");
        EraseProfile();
        UpdatedAt = now;
    }

    private void EraseProfile()
    {
        FirstName = null; LastName = null; ChannelName = null; Company = null; JobTitle = null; City = null; Category = null; RelationshipType = null;
        Tags = string.Empty; AvatarUrl = null; PrimaryEmail = null; SecondaryEmail = null; MobilePhone = null; HomePhone = null;
        Gender = Gender.Unspecified; PreferredChannel = null;
        SearchName = string.Empty; SearchLastName = string.Empty; SearchCompany = string.Empty;
        NameKey = string.Empty; InitialKey = string.Empty;
    }

    public void EnsureEditable()
    {
        EnsureActive();
        if (IsLocked) throw new DomainException("This card is locked: unlock it before editing.");
    }

    private void EnsureActive()
    {
        if (Status == CardStatus.Merged) throw new DomainException($"This card was merged into card {MergedIntoId}.");
        if (Status == CardStatus.Anonymized) throw new DomainException("This card was anonymized and can no longer change.");
    }

    public void Touch(DateTimeOffset now) => UpdatedAt = now;

    public void BumpVersion() => Version++;
}
