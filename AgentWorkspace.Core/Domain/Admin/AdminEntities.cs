using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;

namespace AgentWorkspace.Core.Domain.Admin;

/// <summary>An API key: the secret is shown once; only its SHA-256 hash is stored.</summary>
public sealed class ApiKey
{
    public long Id { get; private set; }
    public string Name { get; private set; } = string.Empty;
    public Role Role { get; private set; }
    public string Prefix { get; private set; } = string.Empty;
    public string SecretHash { get; private set; } = string.Empty;
    public DateTimeOffset CreatedAt { get; private set; }
    public string CreatedBy { get; private set; } = string.Empty;
    public DateTimeOffset? RevokedAt { get; private set; }

    private ApiKey() { }

    public ApiKey(string name, Role role, string prefix, string secretHash, string createdBy, DateTimeOffset now)
    {
        Name = Text.Clean(name, 100, "name") ?? throw new DomainException("An API key needs a name.", "name");
        Role = role; Prefix = prefix; SecretHash = secretHash; CreatedBy = createdBy; CreatedAt = now;
    }

    public bool IsActive => RevokedAt is null;
    public void Revoke(DateTimeOffset now) => RevokedAt ??= now;
}

/// <summary>A quick reply of the knowledge base, inserted into a reply by agents.</summary>
public sealed class QuickReply
{
    public long Id { get; private set; }
    public string Title { get; private set; } = string.Empty;
    public string Body { get; private set; } = string.Empty;
    public string Language { get; private set; } = "fr";
    public string Tags { get; private set; } = string.Empty;

    private QuickReply() { }

    public QuickReply(string title, string body, string language, IEnumerable<string>? tags = null) => Update(title, body, language, tags ?? []);

    public void Update(string title, string body, string language, IEnumerable<string> tags)
    {
        Title = Text.Clean(title, 120, "title") ?? throw new DomainException("A quick reply needs a title.", "title");
        Body = Text.Clean(body, 5000, "body") ?? throw new DomainException("A quick reply needs a body.", "body");
        Language = (language ?? "").Trim().ToLowerInvariant() is "fr" or "en" ? language!.Trim().ToLowerInvariant() : throw new DomainException("The language is fr or en.", "language");
        Tags = string.Join('|', tags.Select(t => Text.Clean(t, 40, "tags")).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase));
    }
}

/// <summary>A setting an administrator changes at run time (default phone region, agents may merge...).</summary>
public sealed class AppSetting
{
    public const string DefaultPhoneRegion = "Phone.DefaultRegion";
    public const string AgentsMayMerge = "Merge.AgentsMayMerge";

    public string Key { get; private set; } = string.Empty;
    public string Value { get; private set; } = string.Empty;

    private AppSetting() { }

    public AppSetting(string key, string value) { Key = key; Value = value; }

    public void Set(string value) => Value = value;
}
