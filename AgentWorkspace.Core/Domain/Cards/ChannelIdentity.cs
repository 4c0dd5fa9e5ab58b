using AgentWorkspace.Core.Domain.Channels;

namespace AgentWorkspace.Core.Domain.Cards;

/// <summary>One address of a contact on one channel: how messages find their card.</summary>
public sealed class ChannelIdentity
{
    public long Id { get; private set; }
    public long CardId { get; private set; }
    public Channel Channel { get; private set; }
    public IdentitySpace Space { get; private set; }
    public string RawAddress { get; private set; } = string.Empty;
    public string NormalizedAddress { get; private set; } = string.Empty;
    public string? DisplayName { get; private set; }
    public string? ProfileUrl { get; private set; }
    public int? Followers { get; private set; }
    public int? Following { get; private set; }
    public DateTimeOffset FirstSeenAt { get; private set; }
    public DateTimeOffset LastSeenAt { get; private set; }
    public bool IsErased { get; private set; }
    /// <summary>
    /// Empty for an address that belongs to one contact. For an address shared by many contacts (a switchboard,
    /// <c>noreply@</c>, ADR 020) each contact heard from it has an identity of their own, told apart by this key:
    /// the sender's name key, or a unique key when the sender gave no name.
    /// </summary>
    public string ShareKey { get; private set; } = string.Empty;
    public bool IsOnSharedAddress => ShareKey.Length > 0;

    private ChannelIdentity() { }

    internal ChannelIdentity(CustomerCard card, Channel channel, string rawAddress, IdentityAddress address, DateTimeOffset seenAt,
        string? displayName, string? profileUrl, int? followers, int? following, string shareKey = "")
    {
        CardId = card.Id;
        ShareKey = shareKey;
        Channel = channel;
        Space = address.Space;
        RawAddress = Common.Text.Clean(rawAddress, IdentityAddress.MaxLength, "from.address") ?? address.Normalized;
        NormalizedAddress = address.Normalized;
        FirstSeenAt = seenAt;
        LastSeenAt = seenAt;
        UpdateProfile(displayName, profileUrl, followers, following);
    }

    /// <summary>For bulk loading with explicit keys.</summary>
    public static ChannelIdentity Create(long id, long cardId, Channel channel, string rawAddress, IdentityAddress address, DateTimeOffset seenAt,
        string? displayName = null, string? profileUrl = null, int? followers = null, int? following = null) => new()
    {
        Id = id, CardId = cardId, Channel = channel, Space = address.Space, RawAddress = rawAddress, NormalizedAddress = address.Normalized,
        FirstSeenAt = seenAt, LastSeenAt = seenAt, DisplayName = displayName, ProfileUrl = profileUrl, Followers = followers, Following = following,
    };

    public void UpdateProfile(string? displayName, string? profileUrl, int? followers, int? following)
    {
        if (Common.Text.Clean(displayName, 200, "from.displayName") is { } dn) DisplayName = dn;
        if (profileUrl is not null && CustomerCard.CleanUrl(profileUrl, "from.profileUrl") is { } url) ProfileUrl = url;
        if (followers is < 0 || following is < 0) throw new Common.DomainException("Followers and following cannot be negative.", "from.followers");
        if (followers is not null) Followers = followers;
        if (following is not null) Following = following;
    }

    public void Seen(DateTimeOffset at)
    {
        if (at > LastSeenAt) LastSeenAt = at;
        if (at < FirstSeenAt) FirstSeenAt = at;
    }

    public void MoveTo(long cardId) => CardId = cardId;

    /// <summary>Irreversibly replaces the address so that it can never match again.</summary>
    public void Erase()
    {
        RawAddress = "erased";
        NormalizedAddress = $"erased:{Guid.NewGuid():N}";
        ShareKey = string.Empty;
        DisplayName = null;
        ProfileUrl = null;
        IsErased = true;
    }
}
