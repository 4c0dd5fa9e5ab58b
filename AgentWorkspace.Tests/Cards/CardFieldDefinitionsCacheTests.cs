using System.Data.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentWorkspace.Tests.Cards;

/// <summary>
/// The card reads keep the custom-field definitions between reads, dropped when a change of them is announced (issue 19:
/// a field a macro set did not show on the condensed card). A read that was under way when the change was announced
/// read the old list; it must not keep it, or the new field stays hidden from every card until the next change.
/// </summary>
[Trait("Category", "Service")]
public sealed class CardFieldDefinitionsCacheTests
{
    private static readonly Actor Admin = new("u-admin", "Alex Admin", Role.Admin);

    /// <summary>Runs an armed action once, when the reader of the definitions' query closes (the rows are read, the list not yet kept).</summary>
    private sealed class WhenDefinitionsAreRead : DbCommandInterceptor
    {
        public override async ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
        {
            if (command.CommandText.Contains("\"CustomFieldDefinitions\"", StringComparison.Ordinal) && Interlocked.Exchange(ref _action, null) is { } action) await action();
            return result;
        }

        private Func<Task>? _action;
        public void Arm(Func<Task> action) => _action = action;
    }

    [Fact]
    public async Task A_field_created_while_a_card_was_being_read_shows_on_the_next_read()
    {
        await using var test = await TestDatabase.CreateAsync(wal: true);
        await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
        var (cardId, _) = await CardTestData.CardWithMessagesAsync(test.Factory, 1, "Martin");
        var feed = new InProcessChangeFeed();
        var interceptor = new WhenDefinitionsAreRead();
        var reads = new CardReads(new RecordingDbContextFactory(test, interceptor), feed, TimeProvider.System);
        var fields = new CustomFieldService(test.Factory, test.Runner(feed));

        // An administrator creates "dispute" (announced after its commit) while the first read has its definitions in hand.
        interceptor.Arm(() => fields.CreateAsync(Admin, new CustomFieldInput("dispute", "Dispute", "Litige", "Dispute", "text", null,
            VisibleInRightPanel: true, Editable: true, VisibleInCard: true)));
        var during = await reads.GetCondensedAsync(CardTestData.Agent, cardId);
        during.RightPanelFields.ShouldNotContain(f => f.Ident == "dispute", "the first read started before the field existed");

        // The feed calls its subscribers on the thread pool: the cache hears of the change soon, not at once. Without the
        // fix the old list was kept for good, and no read within the time below ever showed the field.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        var after = await reads.GetCondensedAsync(CardTestData.Agent, cardId);
        while (!after.RightPanelFields.Any(f => f.Ident == "dispute") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            after = await reads.GetCondensedAsync(CardTestData.Agent, cardId);
        }
        after.RightPanelFields.ShouldContain(f => f.Ident == "dispute");
    }
}
