using System.Threading.RateLimiting;

namespace AgentWorkspace.Web.Security;

/// <summary>
/// Slows password guessing on the sign-in page: failed attempts are counted per client address and per account
/// named (known or not), each in a fixed window (<see cref="SecuritySettings"/>), with ASP.NET Core's partitioned rate
/// limiters. Only failures count, so a whole contact center signing in at nine from one address is never held up;
/// an attempt is refused before its password is checked once either allowance is spent.
/// </summary>
/// <remarks>
/// Counted in the page, not by the rate-limiting middleware: the account is in the form's body, which a partition key
/// of the middleware cannot read without blocking, and the page can answer in the user's language. Identity's lockout
/// still applies on top (five failures lock a known account for 15 minutes).
/// </remarks>
public sealed class SignInThrottle : IDisposable
{
    /// <summary>Longest account name kept as a partition key: a hostile form cannot make the partitions large.</summary>
    private const int MaxAccountKey = 256;
    private readonly PartitionedRateLimiter<string> _byAddress;
    private readonly PartitionedRateLimiter<string> _byAccount;

    public SignInThrottle(SecuritySettings settings)
    {
        _byAddress = Limiter(settings.SignInPerAddress);
        _byAccount = Limiter(settings.SignInPerAccount);
    }

    private static PartitionedRateLimiter<string> Limiter(AttemptLimit limit) =>
        PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.Limit,
            Window = limit.Window,
            QueueLimit = 0,
        }));

    /// <summary>Before the password is checked: null when the attempt may go on, else how long to wait.</summary>
    public TimeSpan? Refusal(string? address, string account)
    {
        // Asking for no permit tells whether any is left, without spending one.
        using var byAddress = _byAddress.AttemptAcquire(AddressKey(address), 0);
        using var byAccount = _byAccount.AttemptAcquire(AccountKey(account), 0);
        if (byAddress.IsAcquired && byAccount.IsAcquired) return null;
        return new[] { byAddress, byAccount }.Where(l => !l.IsAcquired)
            .Select(l => l.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1)).Max();
    }

    /// <summary>A failed attempt (wrong password, unknown, disabled or locked account) spends one permit of each allowance.</summary>
    public void Failed(string? address, string account)
    {
        _byAddress.AttemptAcquire(AddressKey(address)).Dispose();
        _byAccount.AttemptAcquire(AccountKey(account)).Dispose();
    }

    private static string AddressKey(string? address) => string.IsNullOrEmpty(address) ? "unknown" : address;

    private static string AccountKey(string account)
    {
        var key = account.Trim().ToUpperInvariant();
        return key.Length <= MaxAccountKey ? key : key[..MaxAccountKey];
    }

    public void Dispose()
    {
        _byAddress.Dispose();
        _byAccount.Dispose();
    }
}
