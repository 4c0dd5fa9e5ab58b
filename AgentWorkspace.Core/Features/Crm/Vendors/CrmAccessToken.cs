using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>
/// A bearer token from the CRM's authorization server, with the moment to stop using it (none: use it until the CRM
/// refuses it) and, for Salesforce, the instance the token is for. Its <see cref="ToString"/> never shows the value,
/// so a token that ends up in a log line or an exception message by mistake stays secret.
/// </summary>
internal sealed class CrmAccessToken(string value, DateTimeOffset? renewAt, Uri? instanceUrl = null)
{
    public string Value { get; } = value;
    public DateTimeOffset? RenewAt { get; } = renewAt;
    public Uri? InstanceUrl { get; } = instanceUrl;

    public bool IsStale(DateTimeOffset now) => RenewAt is { } at && now >= at;

    public override string ToString() => "access token (hidden)";
}

/// <summary>
/// The token of one connection, shared by every connector made for it (a connector may be made per operation), so
/// that we sign in once and not on every card. One sign-in at a time; a token the CRM refused is forgotten only if
/// no other caller has replaced it already, so two requests refused at once cause one sign-in, not two.
/// </summary>
internal sealed class CrmTokenCache
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private CrmAccessToken? _current;

    public async Task<CrmAccessToken> GetAsync(Func<CancellationToken, Task<CrmAccessToken>> signIn, TimeProvider time, CancellationToken ct)
    {
        var token = Volatile.Read(ref _current);
        if (token is not null && !token.IsStale(time.GetUtcNow())) return token;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            token = _current;
            if (token is not null && !token.IsStale(time.GetUtcNow())) return token;
            token = await signIn(ct).ConfigureAwait(false);
            Volatile.Write(ref _current, token);
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Forget(CrmAccessToken refused) => Interlocked.CompareExchange(ref _current, null, refused);
}

/// <summary>The token caches of a connector kind, one per distinct sign-in (address, client, secret), keyed by a hash so that no secret is kept as a key.</summary>
internal sealed class CrmTokenCaches
{
    private readonly ConcurrentDictionary<string, CrmTokenCache> _caches = new(StringComparer.Ordinal);

    public CrmTokenCache For(params string?[] signInParts)
    {
        var joined = string.Join('\u001f', signInParts.Select(p => p ?? string.Empty));
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(joined)));
        return _caches.GetOrAdd(key, _ => new CrmTokenCache());
    }
}
