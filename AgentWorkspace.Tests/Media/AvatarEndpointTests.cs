using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Hosting;
using AgentWorkspace.Web.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Media;

/// <summary>
/// /media/avatars/{card} over real HTTP (issue 17): the server fetches the customer's photo from a real web server on
/// this machine (allowed here by Avatars:AllowLoopback), refuses what is not an image, too large or not public, and
/// answers the initials instead; a signed-out request gets nothing.
/// </summary>
public partial class AvatarEndpointTests(AvatarEndpointTests.World world) : IClassFixture<AvatarEndpointTests.World>
{
    /// <summary>One image server and one app (loopback allowed) for the class; each test uses its own cards and paths.</summary>
    public sealed class World : IAsyncLifetime
    {
        public ImageServer Images { get; private set; } = default!;
        public AppHost App { get; private set; } = default!;

        public async ValueTask InitializeAsync()
        {
            Images = await ImageServer.StartAsync();
            App = await AppHost.StartAsync(new Dictionary<string, string?> { ["Avatars:AllowLoopback"] = "true" }, demoCards: 30);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await Images.DisposeAsync();
        }
    }

    private ImageServer Images => world.Images;
    private AppHost App => world.App;

    [GeneratedRegex("<input[^>]*name=\"__RequestVerificationToken\"[^>]*>")]
    private static partial Regex AntiforgeryToken();

    /// <summary>An HTTP client signed in through the real sign-in form (its antiforgery token and cookie).</summary>
    internal static async Task<HttpClient> SignedInAsync(AppHost app, Core.Domain.Identity.Role role = Core.Domain.Identity.Role.Agent)
    {
        var user = DemoUsers.All.First(u => u.Role == role);
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl + "/") };
        var form = await client.GetStringAsync("account/login");
        var input = AntiforgeryToken().Match(form);
        input.Success.ShouldBeTrue("the sign-in form carries its antiforgery token");
        var token = Regex.Match(input.Value, "value=\"([^\"]+)\"");
        var answer = await client.PostAsync("account/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token.Groups[1].Value),
            ["Input.Email"] = user.Email,
            ["Input.Password"] = user.Password,
        }));
        answer.StatusCode.ShouldBe(HttpStatusCode.Redirect, "signed in, the form sends the user on");
        return client;
    }

    /// <summary>A card named <paramref name="first"/> <paramref name="last"/> whose photo is at <paramref name="url"/>.</summary>
    private static async Task<long> CardWithPhotoAsync(AppHost app, string? url, string first = "Zoé", string last = "Martin")
    {
        var factory = app.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using var db = factory.CreateDbContext();
        // A card no test used yet (a used one is marked by its job title).
        var id = await db.Cards.Where(c => c.Status == Core.Domain.Cards.CardStatus.Active && (c.JobTitle == null || c.JobTitle != "avatar test"))
            .OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        await db.Cards.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.AvatarUrl, url)
            .SetProperty(c => c.FirstName, first).SetProperty(c => c.LastName, last).SetProperty(c => c.JobTitle, "avatar test"));
        return id;
    }

    private static async Task<(HttpResponseMessage Response, byte[] Body)> GetAsync(HttpClient client, long cardId)
    {
        var response = await client.GetAsync($"media/avatars/{cardId}");
        return (response, await response.Content.ReadAsByteArrayAsync());
    }

    private static void ShouldBeTheInitials(HttpResponseMessage response, byte[] body, string initials)
    {
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/svg+xml");
        var svg = Encoding.UTF8.GetString(body);
        svg.ShouldContain($">{initials}</text>");
        svg.ShouldNotContain("script");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        response.Headers.CacheControl!.Private.ShouldBeTrue();
    }

    [Fact]
    public async Task ThePhotoComesFromThisServer_PrivateAndNosniff_AndTheCustomersServerIsAskedOnce()
    {
        var card = await CardWithPhotoAsync(App, Images.Url("/photos/once.png"));
        using var client = await SignedInAsync(App);

        var (response, body) = await GetAsync(client, card);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        body.ShouldBe(ImageServer.Png);
        response.Headers.CacheControl!.Private.ShouldBeTrue();
        response.Headers.CacheControl.Public.ShouldBeFalse();
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        (await GetAsync(client, card)).Body.ShouldBe(ImageServer.Png);
        Images.Hits("/photos/once.png").ShouldBe(1, "the second request is served from the server's cache");

        // Another address for the card is another photo: fetched anew.
        var factory = App.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await using (var db = factory.CreateDbContext())
            await db.Cards.Where(c => c.Id == card).ExecuteUpdateAsync(s => s.SetProperty(c => c.AvatarUrl, Images.Url("/photos/new.png")));
        (await GetAsync(client, card)).Body.ShouldBe(ImageServer.Png);
        Images.Hits("/photos/new.png").ShouldBe(1);
    }

    [Fact]
    public async Task ARedirectToAPublicPathIsFollowed()
    {
        var card = await CardWithPhotoAsync(App, Images.Url("/to-photo"));
        using var client = await SignedInAsync(App);
        var (response, body) = await GetAsync(client, card);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("image/png");
        body.ShouldBe(ImageServer.Png);
        Images.Hits("/photos/redirected.png").ShouldBe(1);
    }

    [Theory]
    [InlineData("/fake.png", "declared a PNG, HTML inside")]
    [InlineData("/page.html", "an HTML page")]
    [InlineData("/logo.svg", "an SVG (it can hold script)")]
    [InlineData("/big.png", "over 1 MB, with its length")]
    [InlineData("/big-stream.png", "over 1 MB, streamed without a length")]
    [InlineData("/to-metadata", "a redirect to the cloud metadata address")]
    [InlineData("/to-private", "a redirect to a private address")]
    [InlineData("/missing.png", "a 404")]
    public async Task WhatIsNotAPublicImageUnder1MbIsNotShown_TheInitialsAreInstead(string path, string what)
    {
        var card = await CardWithPhotoAsync(App, Images.Url(path), "Zoé", "Martin");
        using var client = await SignedInAsync(App);
        var (response, body) = await GetAsync(client, card);
        ShouldBeTheInitials(response, body, "ZM");
        body.Length.ShouldBeLessThan(1024, what);
    }

    [Theory]
    [InlineData("http://10.1.2.3/photo.png")]
    [InlineData("http://192.168.1.10/photo.png")]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://[fd00::1]/photo.png")]
    [InlineData("http://0.0.0.0/photo.png")]
    public async Task APrivateAddressIsNeverFetched(string url)
    {
        var card = await CardWithPhotoAsync(App, url, "Léa", "Dupont");
        using var client = await SignedInAsync(App);
        var (response, body) = await GetAsync(client, card);
        ShouldBeTheInitials(response, body, "LD");
    }

    [Fact]
    public async Task ACardWithoutAPhotoGetsItsInitials_AnUnknownCardIsNotFound_ASignedOutRequestGetsNothing()
    {
        var card = await CardWithPhotoAsync(App, null, "Élodie", "Roux");
        using var client = await SignedInAsync(App);
        var (response, body) = await GetAsync(client, card);
        ShouldBeTheInitials(response, body, "ÉR");
        (await client.GetAsync("media/avatars/987654321")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var photo = await CardWithPhotoAsync(App, Images.Url("/photos/signed-out.png"));
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(App.BaseUrl + "/") };
        var signedOut = await anonymous.GetAsync($"media/avatars/{photo}");
        signedOut.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await signedOut.Content.ReadAsByteArrayAsync()).ShouldNotBe(ImageServer.Png);
        using var withKey = App.CreateClient();
        (await withKey.GetAsync($"media/avatars/{photo}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "an API key is no way to the pages' images");
        Images.Hits("/photos/signed-out.png").ShouldBe(0);
    }

    [Fact]
    public async Task WithoutLoopbackAllowedThisMachinesImageServerIsNeverAsked()
    {
        await using var strict = await AppHost.StartAsync(demoCards: 3);
        var card = await CardWithPhotoAsync(strict, Images.Url("/photos/strict.png"), "Zoé", "Martin");
        using var client = await SignedInAsync(strict);
        var (response, body) = await GetAsync(client, card);
        ShouldBeTheInitials(response, body, "ZM");
        Images.Hits("/photos/strict.png").ShouldBe(0);
    }
}
