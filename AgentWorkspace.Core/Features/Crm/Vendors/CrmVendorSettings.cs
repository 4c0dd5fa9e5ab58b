using System.Globalization;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>
/// Reads the settings of an outside CRM connection. A missing or malformed setting is the administrator's to fix, so it
/// is a <see cref="CrmFailure.Unauthorized"/> failure naming the setting (never its value: a secret stays unsaid).
/// </summary>
internal sealed class CrmVendorSettings(string vendor, CrmConnection connection)
{
    public string Vendor { get; } = vendor;

    public string? Optional(string key) =>
        connection.Settings.TryGetValue(key, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    public string Required(string key) => Optional(key) ?? throw Missing(key);

    public string Secret(string key) =>
        connection.Secrets.TryGetValue(key, out var value) && !string.IsNullOrEmpty(value) ? value : throw Missing(key);

    /// <summary>
    /// An absolute http(s) address without query. Plain http is accepted only for this machine (a local test server):
    /// anything else would send the client secret and tokens in clear.
    /// </summary>
    public Uri Address(string key, string? fallback = null)
    {
        var raw = Optional(key) ?? fallback ?? throw Missing(key);
        if (!Uri.TryCreate(raw.TrimEnd('/'), UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo))
            throw Invalid(key, "is not a web address (https://...)");
        return SafeAddress(raw) ?? throw Invalid(key, "must start with https://");
    }

    /// <summary>
    /// An address we may send credentials or tokens to: absolute https without query, fragment or user info. Plain
    /// http is accepted only for this machine (a local test server): anywhere else it would carry them in clear.
    /// </summary>
    public static Uri? SafeAddress(string raw)
    {
        if (!Uri.TryCreate(raw.Trim().TrimEnd('/'), UriKind.Absolute, out var uri)) return null;
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo)) return null;
        return uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback) ? uri : null;
    }

    public TimeSpan Seconds(string key, double fallback, double min, double max)
    {
        var raw = Optional(key);
        if (raw is null) return TimeSpan.FromSeconds(fallback);
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) || seconds < min || seconds > max)
            throw Invalid(key, $"must be a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
        return TimeSpan.FromSeconds(seconds);
    }

    public int Count(string key, int fallback, int min, int max)
    {
        var raw = Optional(key);
        if (raw is null) return fallback;
        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) || n < min || n > max)
            throw Invalid(key, $"must be a whole number from {min} to {max}");
        return n;
    }

    /// <summary>The limits every call of this connection keeps to (time-out, how often and how long to wait when the CRM asks us to slow down).</summary>
    public CrmCallLimits Limits() => new(
        Timeout: Seconds(CrmVendorSettingKeys.TimeoutSeconds, 10, 0.1, 120),
        MaxThrottleRetries: Count(CrmVendorSettingKeys.MaxRetries, 2, 0, 5),
        MaxRetryAfter: Seconds(CrmVendorSettingKeys.MaxRetryAfterSeconds, 30, 0, 300));

    /// <summary>The interaction values the administrator chose to push (all of them unless <c>pushFields</c> says otherwise).</summary>
    public IReadOnlySet<string> PushFields()
    {
        var raw = Optional(CrmVendorSettingKeys.PushFields);
        if (raw is null) return CrmActivityText.AllFields;
        var chosen = raw.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = chosen.Where(f => !CrmActivityText.AllFields.Contains(f)).ToList();
        if (unknown.Count > 0) throw Invalid(CrmVendorSettingKeys.PushFields, $"names unknown values ({string.Join(", ", unknown)}); known: {string.Join(", ", CrmActivityText.AllFields)}");
        return chosen;
    }

    public string Region() => Optional(CrmVendorSettingKeys.DefaultRegion)?.ToUpperInvariant() ?? "FR";

    public CrmException Missing(string key) =>
        new(CrmFailure.Unauthorized, $"The {Vendor} setting '{key}' is missing.", $"The {Vendor} setting '{key}' is missing.", key);

    public CrmException Invalid(string key, string why) =>
        new(CrmFailure.Unauthorized, $"The {Vendor} setting '{key}' {why}.", $"The {Vendor} setting '{key}' {why}.", key);
}

/// <summary>Settings both outside connectors read besides their own.</summary>
public static class CrmVendorSettingKeys
{
    /// <summary>Seconds one request may take before the CRM counts as unavailable (default 10).</summary>
    public const string TimeoutSeconds = "timeoutSeconds";
    /// <summary>How many times a request answered 429/503 is sent again after the wait the CRM asks for (default 2).</summary>
    public const string MaxRetries = "maxRetries";
    /// <summary>The longest wait (Retry-After) we accept before a retry; a longer one is reported as unavailable at once (default 30).</summary>
    public const string MaxRetryAfterSeconds = "maxRetryAfterSeconds";
    /// <summary>Comma-separated interaction values to push: contactName, channel, queue, agent, start, end, disposition, notes, caseUrl (default all).</summary>
    public const string PushFields = "pushFields";
    /// <summary>Region for reading phone numbers the CRM keeps in national form (default FR).</summary>
    public const string DefaultRegion = "defaultRegion";
}

/// <summary>How long one request may take, how many times a throttled request is sent again, and the longest wait accepted.</summary>
internal sealed record CrmCallLimits(TimeSpan Timeout, int MaxThrottleRetries, TimeSpan MaxRetryAfter);
