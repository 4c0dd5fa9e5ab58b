using System.Globalization;
using AgentWorkspace.Core.Persistence;

namespace AgentWorkspace.Web.Security;

/// <summary>A fixed window of attempts: at most <see cref="Limit"/> in each <see cref="Window"/>.</summary>
public sealed record AttemptLimit(int Limit, TimeSpan Window);

/// <summary>
/// How quickly access follows the user, and how hard guessing is made. Read once at start from the root
/// appsettings.json (ADR 003); a wrong value stops the app with one line naming the key.
/// </summary>
/// <param name="RevalidationInterval">
/// <c>Security:RevalidationInterval</c>: how often an open page (and the sign-in cookie) checks that its user is
/// still the same: not disabled, security stamp unchanged (a role change, a disable or a password reset renews it).
/// </param>
/// <param name="SignInPerAddress"><c>Security:SignIn:PerAddress</c>: failed sign-ins from one client address.</param>
/// <param name="SignInPerAccount"><c>Security:SignIn:PerAccount</c>: failed sign-ins naming one account (known or not).</param>
/// <param name="ApiPerKey"><c>Api:RateLimit</c>: API requests per key (per client address without a key); null: no limit.</param>
public sealed record SecuritySettings(TimeSpan RevalidationInterval, AttemptLimit SignInPerAddress, AttemptLimit SignInPerAccount, AttemptLimit? ApiPerKey)
{
    public static readonly SecuritySettings Default = new(
        TimeSpan.FromMinutes(1),
        new AttemptLimit(30, TimeSpan.FromMinutes(5)),
        new AttemptLimit(10, TimeSpan.FromMinutes(15)),
        new AttemptLimit(3000, TimeSpan.FromMinutes(1)));

    public static SecuritySettings From(IConfiguration config)
    {
        var d = Default;
        var interval = Duration(config, "Security:RevalidationInterval", d.RevalidationInterval);
        var address = Limit(config, "Security:SignIn:PerAddress", d.SignInPerAddress, allowOff: false)!;
        var account = Limit(config, "Security:SignIn:PerAccount", d.SignInPerAccount, allowOff: false)!;
        var api = Limit(config, "Api:RateLimit", d.ApiPerKey!, allowOff: true);
        return new SecuritySettings(interval, address, account, api);
    }

    private static AttemptLimit? Limit(IConfiguration config, string section, AttemptLimit fallback, bool allowOff)
    {
        var key = section + ":PermitLimit";
        var raw = config[key]?.Trim();
        var limit = fallback.Limit;
        if (!string.IsNullOrEmpty(raw) && (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || (limit == 0 && !allowOff)))
            throw new StartupException(allowOff
                ? $"{key} is '{raw}'; set it to a number of requests (0 turns the limit off)."
                : $"{key} is '{raw}'; set it to a number of attempts, 1 or more.");
        var window = Duration(config, section + ":Window", fallback.Window);
        return limit == 0 ? null : new AttemptLimit(limit, window);
    }

    private static TimeSpan Duration(IConfiguration config, string key, TimeSpan fallback)
    {
        var raw = config[key]?.Trim();
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) && value > TimeSpan.Zero && value <= TimeSpan.FromDays(1)) return value;
        throw new StartupException($"{key} is '{raw}'; set it to a duration such as 00:01:00 (more than zero, at most a day).");
    }
}
