using AgentWorkspace.Core.Domain.Common;

namespace AgentWorkspace.Tests.Cards;

/// <summary>The upper end of a prefix range compares above every string with the prefix, on both providers' orderings.</summary>
public class PrefixBoundTests
{
    [Theory]
    [InlineData("zoe mar", "zoe mas")]
    [InlineData("+3361234", "+3361235")]
    [InlineData("a@exam", "a@exan")]
    [InlineData("x\uffff", "y")]
    public void TheLastCharacterMovesOneUp(string prefix, string upper) => Text.PrefixUpperBound(prefix).ShouldBe(upper);

    [Fact]
    public void EveryStringWithThePrefixIsBelowTheBoundAndTheNextOneIsNot()
    {
        var upper = Text.PrefixUpperBound("zoe mar");
        foreach (var name in new[] { "zoe mar", "zoe martin", "zoe marz\uffff" })
            string.CompareOrdinal(name, upper).ShouldBeLessThan(0, name);
        string.CompareOrdinal("zoe mas", upper).ShouldBeGreaterThanOrEqualTo(0);
        string.CompareOrdinal("zoe masson", upper).ShouldBeGreaterThan(0);
    }
}
