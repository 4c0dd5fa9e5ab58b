namespace AgentWorkspace.Web.Media;

/// <summary>
/// How the server fetches customers' photos (section <c>Avatars</c>). Only <see cref="AllowLoopback"/> is read from
/// configuration: it lets the tests serve images from this machine; it is off in production.
/// </summary>
public sealed record AvatarOptions
{
    public bool AllowLoopback { get; init; }
    /// <summary>A photo larger than this is not shown (initials instead).</summary>
    public int MaxBytes { get; init; } = 1024 * 1024;
    /// <summary>For the whole fetch: connection, redirects and body.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
    public int MaxRedirects { get; init; } = 3;
    /// <summary>How long a fetched photo is served from memory before it is fetched again.</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromHours(4);
    /// <summary>How long a failed fetch is remembered (no fetch again meanwhile).</summary>
    public TimeSpan FailureCacheFor { get; init; } = TimeSpan.FromMinutes(10);
    /// <summary>Memory the cache may use for photos in all.</summary>
    public long CacheBytes { get; init; } = 64L * 1024 * 1024;

    public static AvatarOptions From(IConfiguration configuration) => new() { AllowLoopback = configuration.GetValue("Avatars:AllowLoopback", false) };
}
