using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;

namespace AgentWorkspace.Core.Domain.Admin;

/// <summary>
/// An API key: the secret is shown once; only its SHA-256 hash is stored. A key created by a user
/// (<see cref="OwnerId"/>) never outlives that user's rights: disabling the user revokes it, and so does
/// lowering the user's role below the key's.
/// </summary>
public sealed class ApiKey
{
    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public Role Role { get; private set; }
    public string Prefix { get; private set; } = string.Empty;
    public string SecretHash { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>The creator's display name at the time, as shown in the admin page.</summary>
    public string CreatedBy { get; private set; } = string.Empty;
    /// <summary>The user who created the key; null for keys made by the system (or before owners were kept).</summary>
    public string? OwnerId { get; private set; }
    public DateTimeOffset? RevokedAt { get; private set; }

    private ApiKey() { }

    public ApiKey(string name, Role role, string prefix, string secretHash, string createdBy, string? ownerId, DateTimeOffset now)
    {
        Name = Text.Clean(name, 100, "name") ?? throw new DomainException("An API key needs a name.", "name");
        Role = role; Prefix = prefix; SecretHash = secretHash; CreatedBy = createdBy; OwnerId = ownerId; CreatedAt = now;
    }

    public bool IsActive => RevokedAt is null;
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;

    /// <summary>Whether the key acts beyond what its owner may now do: the owner is disabled, or holds a lower role than the key.</summary>
    public static bool ExceedsOwner(Role keyRole, bool ownerDisabled, Role ownerRole) => ownerDisabled || keyRole > ownerRole;
}

/// <summary>A quick reply of the knowledge base, inserted into a reply by agents.</summary>
public sealed class QuickReply
{
    public long Id { get; private set; }
    public string Title { get; private set; } = string.Empty;
    public string Body { get; private set; } = string.Empty;
    public string Language { get; private set; } = "fr";
    public string Tags { get; private set; } = string.Empty;
    /// <summary>Where agents look for it (seed 003's knowledge base: "Delivery", "Payment"…); searchable with the text.</summary>
    public string? Category { get; private set; }
    /// <summary>A link the reply carries (a form, a payment request): its label and its address, http or https only.</summary>
    public string? LinkLabel { get; private set; }
    public string? LinkUrl { get; private set; }

    private QuickReply() { }

    public QuickReply(string title, string body, string language, IEnumerable<string>? tags = null, string? category = null, string? linkLabel = null, string? linkUrl = null) =>
        Update(title, body, language, tags ?? [], category, linkLabel, linkUrl);

    public void Update(string title, string body, string language, IEnumerable<string> tags, string? category = null, string? linkLabel = null, string? linkUrl = null)
    {
        Category = Text.Clean(category, 60, "category");
        LinkUrl = string.IsNullOrWhiteSpace(linkUrl) ? null : IsWebAddress(linkUrl.Trim()) ? linkUrl.Trim()
            : throw new DomainException("The link's address must start with http:// or https://.", "linkUrl") { Code = "LinkUrlInvalid" };
        LinkLabel = Text.Clean(linkLabel, 120, "linkLabel");
        if (LinkUrl is null) LinkLabel = null;
        else if (LinkLabel is null) throw new DomainException("A link needs a label.", "linkLabel") { Code = "LinkLabelRequired" };
        Title = Text.Clean(title, 120, "title") ?? throw new DomainException("A quick reply needs a title.", "title");
        Body = Text.Clean(body, 5000, "body") ?? throw new DomainException("A quick reply needs a body.", "body");
        Language = (language ?? "").Trim().ToLowerInvariant() is "fr" or "en" ? language!.Trim().ToLowerInvariant() : throw new DomainException("The language is fr or en.", "language");
        Tags = string.Join('|', tags.Select(t => Text.Clean(t, 40, "tags")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>An absolute http or https address of at most 2,000 characters, with a host and no spaces.</summary>
    public static bool IsWebAddress(string value) =>
        value.Length <= 2000 && !value.Any(char.IsWhiteSpace) && Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);
}

/// <summary>A setting an administrator changes at run time (default phone region, agents may merge...).</summary>
public sealed class AppSetting
{
    public const string DefaultPhoneRegion = "Phone.DefaultRegion";
    public const string AgentsMayMerge = "Merge.AgentsMayMerge";
    /// <summary>From how many cards on an address it is shared (ADR 020).</summary>
    public const string SharedThreshold = "Identity.SharedThreshold";
    /// <summary>Which value of a field survives a merge, per field (issue 21): JSON, field → rule.</summary>
    public const string Survivorship = "Merge.Survivorship";

    public string Key { get; private set; } = string.Empty;
    public string Value { get; private set; } = string.Empty;

    private AppSetting() { }

    public AppSetting(string key, string value) { Key = key; Value = value; }

    public void Set(string value) => Value = value;
}
