using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Caching.Memory;

namespace AgentWorkspace.Web.Media;

/// <summary>A customer's photo as fetched and checked: its bytes and the type its first bytes show.</summary>
public sealed record AvatarImage(byte[] Bytes, string ContentType);

/// <summary>
/// Fetches a card's photo from the customer's address on the server, so that the agent's browser never contacts it
/// (no tracking pixel reaches the agent). Only http and https; only public addresses, checked when connecting, for
/// every redirect too (so a name that resolves to an internal address, or changes its answer, gets nothing); at most
/// <see cref="AvatarOptions.MaxBytes"/>; only PNG, JPEG, GIF or WebP, declared so and shown so by the first bytes.
/// Kept in memory per card and address for <see cref="AvatarOptions.CacheFor"/>; a failure is remembered for a
/// shorter while. Concurrent requests for the same photo share one fetch.
/// </summary>
public sealed class AvatarFetcher : IDisposable
{
    public const string ClientName = "avatars";
    private static readonly HashSet<string> Declared = new(StringComparer.OrdinalIgnoreCase) { "image/png", "image/jpeg", "image/jpg", "image/pjpeg", "image/gif", "image/webp" };

    private readonly IHttpClientFactory _clients;
    private readonly AvatarOptions _options;
    private readonly ILogger<AvatarFetcher> _logger;
    private readonly MemoryCache _cache;
    private readonly ConcurrentDictionary<string, Lazy<Task<AvatarImage?>>> _fetching = new(StringComparer.Ordinal);

    public AvatarFetcher(IHttpClientFactory clients, AvatarOptions options, ILogger<AvatarFetcher> logger)
    {
        _clients = clients;
        _options = options;
        _logger = logger;
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.CacheBytes });
    }

    /// <summary>The photo of <paramref name="cardId"/> at <paramref name="url"/>, or null when it cannot be shown (the page shows initials).</summary>
    public async Task<AvatarImage?> GetAsync(long cardId, string url, CancellationToken ct = default)
    {
        var key = cardId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(url)));
        if (_cache.TryGetValue(key, out Cached? hit)) return hit!.Image;
        var fetch = _fetching.GetOrAdd(key, k => new Lazy<Task<AvatarImage?>>(() => FetchAndKeepAsync(k, cardId, url)));
        // One caller giving up does not cancel the fetch the others wait for.
        return await fetch.Value.WaitAsync(ct);
    }

    private sealed record Cached(AvatarImage? Image);

    private async Task<AvatarImage?> FetchAndKeepAsync(string key, long cardId, string url)
    {
        AvatarImage? image = null;
        try
        {
            image = await FetchAsync(url);
        }
        catch (AvatarRefusedException ex)
        {
            _logger.LogInformation("The photo of card {CardId} is not shown: {Reason}", cardId, ex.Message);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException or IOException or SocketException)
        {
            _logger.LogInformation("The photo of card {CardId} could not be fetched: {Reason}", cardId, ex.GetBaseException().Message);
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Fetching the photo of card {CardId} failed unexpectedly.", cardId);
        }
        _cache.Set(key, new Cached(image), new MemoryCacheEntryOptions
        {
            AbsoluteExpirationRelativeToNow = image is null ? _options.FailureCacheFor : _options.CacheFor,
            Size = Math.Max(1, image?.Bytes.Length ?? 1),
        });
        // Kept first, then no longer fetching: a caller arriving in between finds one or the other.
        _fetching.TryRemove(key, out _);
        return image;
    }

    private async Task<AvatarImage> FetchAsync(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri)) throw new AvatarRefusedException("not an absolute address");
        using var timeout = new CancellationTokenSource(_options.Timeout);
        var client = _clients.CreateClient(ClientName);
        for (var redirects = 0; ; redirects++)
        {
            if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) throw new AvatarRefusedException($"the scheme {uri.Scheme} is not http(s)");
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var type in new[] { "image/webp", "image/png", "image/jpeg", "image/gif" }) request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            if (status is >= 300 and < 400 && response.Headers.Location is { } location)
            {
                if (redirects >= _options.MaxRedirects) throw new AvatarRefusedException("too many redirects");
                uri = location.IsAbsoluteUri ? location : new Uri(uri, location);
                continue;
            }
            if (!response.IsSuccessStatusCode) throw new AvatarRefusedException($"the server answered {status}");
            var declared = response.Content.Headers.ContentType?.MediaType;
            if (declared is null || !Declared.Contains(declared)) throw new AvatarRefusedException($"the content type {declared ?? "(none)"} is not PNG, JPEG, GIF or WebP");
            if (response.Content.Headers.ContentLength > _options.MaxBytes) throw new AvatarRefusedException($"{response.Content.Headers.ContentLength} bytes is more than {_options.MaxBytes}");
            var bytes = await ReadAtMostAsync(await response.Content.ReadAsStreamAsync(timeout.Token), _options.MaxBytes, timeout.Token);
            var sniffed = Sniff(bytes) ?? throw new AvatarRefusedException("its first bytes are not those of a PNG, JPEG, GIF or WebP image");
            return new AvatarImage(bytes, sniffed);
        }
    }

    private static async Task<byte[]> ReadAtMostAsync(Stream body, int max, CancellationToken ct)
    {
        await using var _ = body;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max) throw new AvatarRefusedException($"more than {max} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>The image type the first bytes show (PNG, JPEG, GIF, WebP), or null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> b)
    {
        if (b.Length >= 8 && b[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return "image/png";
        if (b.Length >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return "image/jpeg";
        if (b.Length >= 6 && (b[..6].SequenceEqual("GIF87a"u8) || b[..6].SequenceEqual("GIF89a"u8))) return "image/gif";
        if (b.Length >= 12 && b[..4].SequenceEqual("RIFF"u8) && b[8..12].SequenceEqual("WEBP"u8)) return "image/webp";
        return null;
    }

    /// <summary>
    /// The primary handler of the avatar client: no proxy (a proxy would connect on the server's behalf, past the
    /// address check), no automatic redirect (each is checked above), no cookies, and a connection only to an address
    /// that <see cref="RemoteAddress.IsAllowed"/> accepts, resolved here and connected to directly (so the name cannot
    /// resolve to something else between the check and the connection).
    /// </summary>
    public static SocketsHttpHandler CreateHandler(AvatarOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
        ConnectTimeout = options.Timeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        MaxResponseHeadersLength = 64,
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, options.AllowLoopback, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowLoopback, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        // Every address the name has must be public: a name that also points inside is refused as a whole.
        if (addresses.Length == 0 || addresses.Any(a => !RemoteAddress.IsAllowed(a, allowLoopback)))
            throw new AvatarRefusedException($"{endpoint.Host} resolves to an address that is not public");
        Exception? last = null;
        foreach (var address in addresses)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(address, endpoint.Port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                socket.Dispose();
                last = ex;
                if (ex is OperationCanceledException) break;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    public void Dispose() => _cache.Dispose();
}

/// <summary>The photo is not fetched or not shown, for the reason given (not public, not an image, too large...).</summary>
public sealed class AvatarRefusedException(string reason) : Exception(reason);
