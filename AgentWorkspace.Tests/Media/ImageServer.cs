using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Media;

/// <summary>
/// A customer's web server on a free loopback port: a real photo, things that pretend to be one, one too large, and
/// redirects. It counts the requests each path receives.
/// </summary>
public sealed class ImageServer : IAsyncDisposable
{
    /// <summary>A 1×1 PNG.</summary>
    public static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=");

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _hits;

    public string BaseUrl { get; }

    private ImageServer(WebApplication app, ConcurrentDictionary<string, int> hits)
    {
        _app = app;
        _hits = hits;
        BaseUrl = app.Urls.First().TrimEnd('/');
    }

    public int Hits(string path) => _hits.GetValueOrDefault(path);

    public string Url(string path) => BaseUrl + path;

    public static async Task<ImageServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var hits = new ConcurrentDictionary<string, int>();
        app.Use((context, next) =>
        {
            hits.AddOrUpdate(context.Request.Path.Value ?? "/", 1, (_, n) => n + 1);
            return next(context);
        });
        var big = new byte[1024 * 1024 + 1];
        Png.CopyTo(big, 0);
        app.MapGet("/photos/{name}", (string name) => Results.Bytes(Png, "image/png"));
        // Declared a PNG; its first bytes say HTML.
        app.MapGet("/fake.png", () => Results.Bytes("<html><script>alert(1)</script></html>"u8.ToArray(), "image/png"));
        app.MapGet("/page.html", () => Results.Bytes(Png, "text/html"));
        app.MapGet("/logo.svg", () => Results.Bytes("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"u8.ToArray(), "image/svg+xml"));
        app.MapGet("/big.png", () => Results.Bytes(big, "image/png"));
        // The same, without a length: the limit holds while reading.
        app.MapGet("/big-stream.png", async (HttpContext http) =>
        {
            http.Response.ContentType = "image/png";
            for (var sent = 0; sent < big.Length; sent += 64 * 1024)
                await http.Response.Body.WriteAsync(big.AsMemory(sent, Math.Min(64 * 1024, big.Length - sent)));
        });
        app.MapGet("/to-photo", () => Results.Redirect("/photos/redirected.png"));
        app.MapGet("/to-metadata", () => Results.Redirect("http://169.254.169.254/latest/meta-data/"));
        app.MapGet("/to-private", () => Results.Redirect("http://10.0.0.1/photo.png"));
        await app.StartAsync();
        return new ImageServer(app, hits);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
