using InboxPage = AgentWorkspace.Web.Components.Pages.Inbox.Inbox;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// The inbox's open tabs cross JS interop as one string ("12,15,9|15", issue 20): what the browser answers is untrusted.
/// </summary>
public class InboxSavedTabsTests
{
    [Fact]
    public void TheTabsAndTheShownCaseAreRead()
    {
        var saved = InboxPage.ReadTabs("12,15,9|15");
        saved.ShouldNotBeNull();
        saved.Tabs.ShouldBe([12L, 15L, 9L]);
        saved.Active.ShouldBe(15);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void NothingSavedIsNothingToRestore(string? text) => InboxPage.ReadTabs(text).ShouldBeNull();

    [Fact]
    public void NoTabAndNoShownCaseIsAnEmptyList()
    {
        var saved = InboxPage.ReadTabs("|");
        saved.ShouldNotBeNull();
        saved.Tabs.ShouldBeEmpty();
        saved.Active.ShouldBeNull();
    }

    [Theory]
    [InlineData("1,-2,abc,3,3, 4,99999999999999999999999,0|x", new long[] { 1, 3 }, null)]
    [InlineData("7,8|-8", new long[] { 7, 8 }, null)]
    [InlineData("<script>|<img>", new long[0], null)]
    [InlineData("5", new long[] { 5 }, null)]
    [InlineData("|9", new long[0], 9L)]
    public void AHostileAnswerKeepsOnlyPositiveIdsOnce(string text, long[] tabs, long? active)
    {
        var saved = InboxPage.ReadTabs(text);
        saved.ShouldNotBeNull();
        saved.Tabs.ShouldBe(tabs);
        saved.Active.ShouldBe(active);
    }

    [Fact]
    public void AtMostFiftyTabsAreRestored()
    {
        var saved = InboxPage.ReadTabs(string.Join(",", Enumerable.Range(1, 500)) + "|3");
        saved.ShouldNotBeNull();
        saved.Tabs.Count.ShouldBe(InboxPage.MaxSavedTabs);
        saved.Tabs[^1].ShouldBe(50);
    }
}
