using AgentWorkspace.Web.Components.Shared.Cards;
using Bunit;
using MudBlazor;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Media;

/// <summary>The card's avatar asks this server for the photo, never the customer's address (issue 17).</summary>
public class CardAvatarTests : BunitContext
{
    private const string Tracker = "https://tracker.example.com/pixel.png?agent=camille";

    public CardAvatarTests()
    {
        Services.AddMudServices();
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    [Fact]
    public void APhotoIsShownFromOurEndpoint_TheCustomersAddressIsNowhereInThePage()
    {
        var cut = Render<CardAvatar>(p => p.Add(a => a.CardId, 42).Add(a => a.Name, "Zoé Martin").Add(a => a.AvatarUrl, Tracker));

        var img = cut.Find("img");
        img.GetAttribute("src")!.ShouldStartWith("/media/avatars/42?v=");
        img.GetAttribute("alt").ShouldBe("Zoé Martin");
        cut.Markup.ShouldNotContain("tracker.example.com");

        // Another address: another query, so the browser does not show its copy of the old photo.
        var other = Render<CardAvatar>(p => p.Add(a => a.CardId, 42).Add(a => a.Name, "Zoé Martin").Add(a => a.AvatarUrl, "https://cdn.example.com/zoe.jpg"));
        other.Find("img").GetAttribute("src").ShouldNotBe(img.GetAttribute("src"));
    }

    [Fact]
    public void WithoutAPhotoTheInitialsShowAndNothingIsRequested()
    {
        var cut = Render<CardAvatar>(p => p.Add(a => a.CardId, 42).Add(a => a.Name, "Zoé Martin"));
        cut.FindAll("img").ShouldBeEmpty();
        cut.Find("[role=img]").TextContent.Trim().ShouldBe("ZM");
        cut.Find("[role=img]").GetAttribute("aria-label").ShouldBe("Zoé Martin");
    }
}
