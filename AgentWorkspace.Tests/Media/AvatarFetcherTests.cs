using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Media;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Media;

/// <summary>
/// The fetch itself, as the app registers it, against a real image server on this machine: each refusal happens for
/// its own reason (said in the log), before anything is read from an address that is not public.
/// </summary>
public sealed class AvatarFetcherTests : IAsyncLifetime
{
    private ImageServer _images = default!;
    private readonly RecordingLogger _log = new();

    public async ValueTask InitializeAsync() => _images = await ImageServer.StartAsync();
    public async ValueTask DisposeAsync() => await _images.DisposeAsync();

    private ServiceProvider Services(bool allowLoopback)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Avatars:AllowLoopback"] = allowLoopback ? "true" : "false" }).Build();
        services.AddAvatars(configuration);
        _log.AddTo(services);
        return services.BuildServiceProvider();
    }

    private async Task<(AvatarImage? Image, string Reason)> FetchAsync(string url, bool allowLoopback = true)
    {
        await using var services = Services(allowLoopback);
        var before = _log.Lines.Count;
        var image = await services.GetRequiredService<AvatarFetcher>().GetAsync(1, url);
        var said = _log.Lines.Skip(before).Where(l => l.Category == typeof(AvatarFetcher).FullName).Select(l => l.Message).ToList();
        return (image, string.Join(" | ", said));
    }

    [Fact]
    public async Task APublicLookingPhotoIsFetched_AndItsBytesDecideItsType()
    {
        var (image, reason) = await FetchAsync(_images.Url("/photos/fetcher.png"));
        image.ShouldNotBeNull(reason);
        image.ContentType.ShouldBe("image/png");
        image.Bytes.ShouldBe(ImageServer.Png);
    }

    [Theory]
    [InlineData("/fake.png", "first bytes are not those of a PNG, JPEG, GIF or WebP")]
    [InlineData("/page.html", "content type text/html is not PNG")]
    [InlineData("/logo.svg", "content type image/svg+xml is not PNG")]
    [InlineData("/big.png", "1048577 bytes is more than 1048576")]
    [InlineData("/big-stream.png", "more than 1048576 bytes")]
    [InlineData("/to-metadata", "169.254.169.254 resolves to an address that is not public")]
    [InlineData("/to-private", "10.0.0.1 resolves to an address that is not public")]
    [InlineData("/missing.png", "answered 404")]
    public async Task EachRefusalHasItsReason(string path, string reason)
    {
        var (image, said) = await FetchAsync(_images.Url(path));
        image.ShouldBeNull();
        said.ShouldContain(reason);
    }

    [Theory]
    [InlineData("http://10.20.30.40/photo.png", "10.20.30.40 resolves to an address that is not public")]
    [InlineData("http://[fd00::1]/photo.png", "resolves to an address that is not public")]
    [InlineData("ftp://example.com/photo.png", "the scheme ftp is not http(s)")]
    public async Task NothingIsAskedOfAnAddressThatIsNotPublic_NorOverAnotherScheme(string url, string reason)
    {
        var (image, said) = await FetchAsync(url);
        image.ShouldBeNull();
        said.ShouldContain(reason);
    }

    [Fact]
    public async Task ANameThatResolvesToThisMachineIsRefusedUnlessLoopbackIsAllowed()
    {
        var url = _images.Url("/photos/by-name.png").Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var (refused, said) = await FetchAsync(url, allowLoopback: false);
        refused.ShouldBeNull();
        said.ShouldContain("localhost resolves to an address that is not public");
        _images.Hits("/photos/by-name.png").ShouldBe(0);

        (await FetchAsync(url, allowLoopback: true)).Image.ShouldNotBeNull();
    }
}
