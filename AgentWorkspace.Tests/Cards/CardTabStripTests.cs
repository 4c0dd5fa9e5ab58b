using AgentWorkspace.Web.Components.Pages.Cards;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace AgentWorkspace.Tests.Cards;

/// <summary>The detailed card's tab strip (CardTabStrip), which stands in for MudTabs on the card page.</summary>
public class CardTabStripTests : BunitContext
{
    private readonly List<int> _selected = [];

    public CardTabStripTests()
    {
        Services.AddMudServices();
        Services.AddLocalization(o => o.ResourcesPath = "Resources");
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    private IRenderedComponent<CardTabStrip> RenderStrip(int active) => Render<CardTabStrip>(p => p
        .Add(c => c.Active, active)
        .Add(c => c.ActiveChanged, EventCallback.Factory.Create<int>(this, i => _selected.Add(i)))
        .Add(c => c.ChildContent, (RenderFragment<CardTabs.Tab>)(tab => b => b.AddMarkupContent(0, $"<p data-testid=\"content\">{tab.Id}</p>"))));

    [Fact]
    public void EveryTabIsListed_OnlyTheActiveOneIsSelected_AndOnlyItsContentIsRendered()
    {
        var cut = RenderStrip(CardTabs.IndexOf("messages"));
        var tabs = cut.FindAll("[role=tab]");
        tabs.Select(t => t.GetAttribute("data-tab")).ShouldBe(CardTabs.All.Select(t => t.Id));
        tabs.Select(t => t.TextContent.Trim()).ShouldBe(["Summary", "Profile", "Cases", "Messages", "Timeline", "Notes", "Identities"]);
        tabs.Where(t => t.GetAttribute("aria-selected") == "true").Select(t => t.GetAttribute("data-tab")).ShouldBe(["messages"]);
        tabs.Where(t => t.GetAttribute("tabindex") == "0").Select(t => t.GetAttribute("data-tab")).ShouldBe(["messages"]);
        cut.Find("[role=tabpanel]").GetAttribute("aria-labelledby").ShouldBe("card-tab-messages");
        cut.FindAll("[data-testid=content]").Select(c => c.TextContent).ShouldBe(["messages"]);
    }

    [Fact]
    public void ClickingATabAsksForIt()
    {
        var cut = RenderStrip(0);
        cut.Find("[data-tab=notes]").Click();
        _selected.ShouldBe([CardTabs.IndexOf("notes")]);
    }

    [Fact]
    public void ArrowsHomeAndEndMoveBetweenTabs_WrappingAround()
    {
        var cut = RenderStrip(0);
        var list = cut.Find("[role=tablist]");
        list.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        list.KeyDown(new KeyboardEventArgs { Key = "ArrowLeft" });
        list.KeyDown(new KeyboardEventArgs { Key = "End" });
        list.KeyDown(new KeyboardEventArgs { Key = "a" });
        _selected.ShouldBe([1, CardTabs.All.Count - 1, CardTabs.All.Count - 1]);
    }
}
