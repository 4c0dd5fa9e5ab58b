using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Ingest;

/// <summary>Issue 22 item 6: the channel's photo of the contact (from.avatarUrl) becomes the card's while it has none.</summary>
public class ChannelPhotoTests : IAsyncLifetime
{
    private AppHost _app = default!;

    public async ValueTask InitializeAsync() => _app = await AppHost.StartAsync(demoCards: 5);
    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private static string Handle() => "photo_" + Guid.NewGuid().ToString("N")[..10];

    private async Task<HttpResponseMessage> PostAsync(string handle, string? avatarUrl)
    {
        using var http = _app.CreateClient();
        var from = avatarUrl is null
            ? (object)new { address = handle, displayName = handle }
            : new { address = handle, displayName = handle, avatarUrl };
        return await http.PostAsync("api/v1/interactions", new StringContent(JsonSerializer.Serialize(new
        {
            channel = "messenger", externalId = Guid.NewGuid().ToString("N"), from, body = "Bonjour",
        }), Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
    }

    private async Task<string?> PhotoOfAsync(long cardId)
    {
        await using var db = _app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        return await db.Cards.Where(c => c.Id == cardId).Select(c => c.AvatarUrl).SingleAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_new_contacts_channel_photo_is_the_cards_photo_and_a_later_one_does_not_replace_it()
    {
        var handle = Handle();
        var first = await PostAsync(handle, "https://cdn.example.com/p/first.jpg");
        first.StatusCode.ShouldBe(HttpStatusCode.Created, await first.Content.ReadAsStringAsync());
        var cardId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cardId").GetInt64();
        (await PhotoOfAsync(cardId)).ShouldBe("https://cdn.example.com/p/first.jpg");

        (await PostAsync(handle, "https://cdn.example.com/p/second.jpg")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PhotoOfAsync(cardId)).ShouldBe("https://cdn.example.com/p/first.jpg", "the card keeps the photo it has");
    }

    [Fact]
    public async Task A_known_contact_without_a_photo_gets_the_one_their_channel_sends_later()
    {
        var handle = Handle();
        var first = await PostAsync(handle, null);
        var cardId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cardId").GetInt64();
        (await PhotoOfAsync(cardId)).ShouldBeNull();
        (await PostAsync(handle, "https://cdn.example.com/p/later.png")).StatusCode.ShouldBe(HttpStatusCode.Created);
        (await PhotoOfAsync(cardId)).ShouldBe("https://cdn.example.com/p/later.png");
    }

    [Theory]
    [InlineData("javascript:alert(1)")]
    [InlineData("file:///etc/passwd")]
    [InlineData("not an address")]
    public async Task A_photo_address_that_is_not_http_is_refused_naming_the_field_and_nothing_is_written(string url)
    {
        var handle = Handle();
        var refused = await PostAsync(handle, url);
        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("from.avatarUrl");
        await using var db = _app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Identities.CountAsync(i => i.NormalizedAddress == handle, TestContext.Current.CancellationToken)).ShouldBe(0);
    }
}
