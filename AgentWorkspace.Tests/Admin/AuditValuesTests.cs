using AgentWorkspace.Core.Features.Audit;

namespace AgentWorkspace.Tests.Admin;

/// <summary>Issue 22 item 10: values the product writes in the audit are structured, so that the log says them in the reader's language.</summary>
public class AuditValuesTests
{
    [Fact]
    public void ASummaryReadsBackAsNamedValues_WhateverItsValuesHold()
    {
        var stored = AuditValues.Summary(("name", "Ventes; Export=UE"), ("role", "Agent"), ("queues", 2), ("skipped", null));
        var pairs = AuditValues.Read(stored).ShouldBeOfType<AuditValue.Pairs>().Values;
        pairs.Select(p => (p.Key, p.Value)).ShouldBe([("name", "Ventes; Export=UE"), ("role", "Agent"), ("queues", "2")]);
    }

    [Fact]
    public void ASentenceReadsBackAsItsCodeAndArguments()
    {
        var s = AuditValues.Read(AuditValues.Sentence("CrmTest.BuiltInAnswers", 12)).ShouldBeOfType<AuditValue.Sentence>();
        s.Code.ShouldBe("CrmTest.BuiltInAnswers");
        s.Args.ShouldBe(["12"]);
    }

    [Theory]
    [InlineData("Thanks; see you")]
    [InlineData("{ not json")]
    [InlineData("[1,2]")]
    [InlineData("a=b; free text")]
    public void TextSomeoneWroteStaysAsWritten(string text) =>
        AuditValues.Read(text).ShouldBeOfType<AuditValue.Plain>().Text.ShouldBe(text);

    [Fact]
    public void RowsWrittenBeforeReadAsNamedValues() =>
        AuditValues.Read("name=Billing; skills=a, b; firstResponse=20 min").ShouldBeOfType<AuditValue.Pairs>().Values.Select(p => p.Key)
            .ShouldBe(["name", "skills", "firstResponse"]);
}
