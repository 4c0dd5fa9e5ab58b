using AgentWorkspace.Web.Components.Shared;
using Bunit;

namespace AgentWorkspace.Tests.Components;

/// <summary>
/// Issue 20: a select passed the same choices again (a new array, a new callback, the same value and attributes) does
/// not redraw; a new value, a choice renamed or an attribute changed does, and the person's pick reaches the page's
/// newest callback.
/// </summary>
public class PlainSelectTests : BunitContext
{
    private static (int, string)[] Choices(string second = "Two") => [(1, "One"), (2, second), (3, "Three")];

    [Fact]
    public void TheSameChoicesDoNotRedraw_AChangeDoes_AndAPickReachesTheNewestCallback()
    {
        var picked = new List<(string By, int Value)>();
        void Set(ComponentParameterCollectionBuilder<PlainSelect<int>> p, int value, string second, string testId, string by) => p
            .Add(s => s.Label, "Number")
            .Add(s => s.Options, Choices(second))
            .Add(s => s.Value, value)
            .Add(s => s.ValueChanged, v => picked.Add((by, v)))
            .AddUnmatched("data-testid", testId);

        var cut = Render<PlainSelect<int>>(p => Set(p, 2, "Two", "numbers", "first"));
        cut.Render(p => Set(p, 2, "Two", "numbers", "second")); // after the first render: compared from now on
        var drawn = cut.RenderCount;

        cut.Render(p => Set(p, 2, "Two", "numbers", "third"));
        cut.RenderCount.ShouldBe(drawn, "the same choices, value and attributes: no render");
        cut.Find("select").Change("2");
        picked.ShouldBe([("third", 3)], "the pick goes through the callback the page passed last");

        cut.Render(p => Set(p, 3, "Two", "numbers", "fourth"));
        cut.RenderCount.ShouldBeGreaterThan(drawn, "a new value redraws");
        cut.Find("select").GetAttribute("value").ShouldBe("2");

        drawn = cut.RenderCount;
        cut.Render(p => Set(p, 3, "Deux", "numbers", "fifth"));
        cut.RenderCount.ShouldBeGreaterThan(drawn, "a renamed choice redraws");
        cut.FindAll("option")[1].TextContent.ShouldBe("Deux");

        drawn = cut.RenderCount;
        cut.Render(p => Set(p, 3, "Deux", "figures", "sixth"));
        cut.RenderCount.ShouldBeGreaterThan(drawn, "a changed attribute redraws");
        cut.Find("[data-testid=figures]").ShouldNotBeNull();
    }
}
