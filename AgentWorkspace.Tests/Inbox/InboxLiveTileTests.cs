using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Web.Store.Inbox;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// Issue 20: an open panel follows a changed case by its tile alone (one read per server, shared by every open inbox),
/// placed by the panel's own rule in memory. The rule in memory (<see cref="InboxFilter.Admits"/>) must list exactly
/// what <see cref="InboxQueries.ListAsync"/> lists, for every filter; the reducer must keep the panel's order and pages.
/// </summary>
[Trait("Category", "Service")]
public class InboxLiveTileTests
{
    private static CaseTile Tile(long id, int minutesAgo, CaseStatus status = CaseStatus.New) =>
        InboxReducerTests.Tile(id, status: status) with { LastMessageAt = DateTimeOffset.UnixEpoch.AddDays(1000).AddMinutes(-minutesAgo) };

    private static InboxState With(params CaseTile[] tiles) => new InboxFeature().GetInitialState() with { Tiles = [.. tiles] };

    [Fact]
    public void AChangedTileTakesItsPlace_LeavesWhenItNoLongerBelongs_AndAPageKeepsItsLengthAndCursor()
    {
        var s = With(Tile(1, 1), Tile(2, 2), Tile(3, 3));
        var f = s.Filter;

        // A new message on case 3: first.
        var moved = InboxReducers.Reduce(s, new InboxTileChangedAction(f, 3, Tile(3, 0), true));
        moved.Tiles.Select(t => t.Id).ShouldBe([3, 1, 2]);
        // Resolved: out.
        InboxReducers.Reduce(s, new InboxTileChangedAction(f, 2, Tile(2, 2, CaseStatus.Resolved), false)).Tiles.Select(t => t.Id).ShouldBe([1, 3]);
        // Gone or no longer the agent's: out; a tile the panel never showed and does not list changes nothing.
        InboxReducers.Reduce(s, new InboxTileChangedAction(f, 1, null, false)).Tiles.Select(t => t.Id).ShouldBe([2, 3]);
        InboxReducers.Reduce(s, new InboxTileChangedAction(f, 9, Tile(9, 0), false)).ShouldBeSameAs(s);
        // For a filter the panel no longer shows: ignored.
        InboxReducers.Reduce(s, new InboxTileChangedAction(f with { Scope = InboxScope.Mine }, 9, Tile(9, 0), true)).ShouldBeSameAs(s);

        // More pages follow: a tile whose place is past the last one shown belongs to a later page.
        var paged = s with { Next = new InboxCursor(Tile(3, 3).LastMessageAt, 3) };
        InboxReducers.Reduce(paged, new InboxTileChangedAction(f, 8, Tile(8, 10), true)).Tiles.Select(t => t.Id).ShouldBe([1, 2, 3]);
        InboxReducers.Reduce(paged, new InboxTileChangedAction(f, 1, Tile(1, 10), true)).Tiles.Select(t => t.Id).ShouldBe([2, 3]);

        // A full page: the new tile pushes the last one to the next page, and the cursor follows.
        var full = With([.. Enumerable.Range(1, InboxState.PageSize).Select(i => Tile(i, i))]);
        var pushed = InboxReducers.Reduce(full, new InboxTileChangedAction(f, 100, Tile(100, 0), true));
        pushed.Tiles.Count.ShouldBe(InboxState.PageSize);
        pushed.Tiles[0].Id.ShouldBe(100);
        pushed.Next.ShouldBe(new InboxCursor(Tile(InboxState.PageSize - 1, InboxState.PageSize - 1).LastMessageAt, InboxState.PageSize - 1));

        // Waiting longest first: the order turns, ties by id.
        var oldest = With(Tile(3, 3), Tile(2, 2), Tile(1, 1)) with { Filter = new InboxFilter(Sort: InboxSort.Oldest) };
        InboxReducers.Reduce(oldest, new InboxTileChangedAction(oldest.Filter, 4, Tile(4, 2), true)).Tiles.Select(t => t.Id).ShouldBe([3, 2, 4, 1]);
    }

    [Fact]
    public async Task TheRuleInMemoryListsExactlyWhatTheDatabaseLists_ForEveryFilter()
    {
        await using var w = await CreateAsync();
        var random = new Random(2026);
        string[] queues = [Queue.DefaultName, "Support", "Sales", "VIP"];
        Channel[] channels = [Channel.Sms, Channel.Email, Channel.WhatsApp];
        string?[] agents = [null, null, Camille.UserId, Lucas.UserId, Sophie.UserId];
        var start = DateTimeOffset.UtcNow.AddHours(-5);
        for (var i = 0; i < 60; i++)
        {
            var (_, caseId) = await w.InboundAsync(queues[random.Next(queues.Length)], channels[random.Next(channels.Length)], at: start.AddMinutes(random.Next(0, 200)),
                assignedTo: agents[random.Next(agents.Length)]);
            var status = (CaseStatus)random.Next(0, 5);
            await w.QueryAsync(db => db.Cases.Where(c => c.Id == caseId).ExecuteUpdateAsync(c => c.SetProperty(x => x.Status, status)));
        }
        var allIds = await w.QueryAsync(db => db.Cases.Select(c => c.Id).ToListAsync());
        var tiles = new List<CaseTile>();
        foreach (var id in allIds) tiles.Add((await w.Inbox.TileAfterChangeAsync(Sophie, id, 0))!);

        foreach (var actor in new[] { Camille, Lucas, Sophie })
        {
            var visible = (await w.Inbox.QueuesAsync(actor)).Where(q => q.IsMember || actor.IsAtLeast(Core.Domain.Identity.Role.Supervisor)).Select(q => q.Id).ToHashSet();
            foreach (var scope in Enum.GetValues<InboxScope>())
            foreach (var queue in new long?[] { null, w.Queues["Support"], w.Queues["Sales"] })
            foreach (var channel in new Channel?[] { null, Channel.Email })
            foreach (var status in new CaseStatus?[] { null, CaseStatus.Resolved, CaseStatus.Pending })
            foreach (var sort in Enum.GetValues<InboxSort>())
            {
                var filter = new InboxFilter(scope, queue, channel, status, sort);
                var listed = new List<long>();
                InboxCursor? after = null;
                do
                {
                    var page = await w.Inbox.ListAsync(actor, filter, after, InboxQueries.MaxPageSize);
                    listed.AddRange(page.Tiles.Select(t => t.Id));
                    after = page.Next;
                } while (after is not null);
                var inMemory = tiles.Where(t => filter.Admits(t, actor.UserId, visible) == true).ToList();
                inMemory.Sort((a, b) => filter.Precedes(a, b) ? -1 : filter.Precedes(b, a) ? 1 : 0);
                inMemory.Select(t => t.Id).ShouldBe(listed, $"{actor.DisplayName}, {filter}");
            }
        }
        (new InboxFilter(Text: "zoé")).Admits(tiles[0], Camille.UserId, new HashSet<long>()).ShouldBeNull();
    }

    [Fact]
    public async Task ATileReadAfterAChangeWasHeardShowsIt_IsSharedByThoseWhoHeardItBefore_AndIsOnlyForThoseWhoMaySeeTheCase()
    {
        await using var w = await CreateAsync();
        var (_, support) = await w.InboundAsync("Support");
        var heard = System.Diagnostics.Stopwatch.GetTimestamp();
        var first = await w.Inbox.TileAfterChangeAsync(Camille, support, heard);
        first!.Status.ShouldBe(CaseStatus.New);
        // Heard before that read started: the same read, not another.
        (await w.Inbox.TileAfterChangeAsync(Sophie, support, heard)).ShouldBeSameAs(first);

        await w.QueryAsync(db => db.Cases.Where(c => c.Id == support).ExecuteUpdateAsync(c => c.SetProperty(x => x.Status, CaseStatus.Pending)));
        var after = System.Diagnostics.Stopwatch.GetTimestamp();
        (await w.Inbox.TileAfterChangeAsync(Camille, support, after))!.Status.ShouldBe(CaseStatus.Pending);

        // Lucas is not in Support and the case is not his: nothing; once he joins Support (the change of people is
        // published), he sees it; then assigned to him, whatever his queues.
        (await w.Inbox.TileAfterChangeAsync(Lucas, support, after)).ShouldBeNull();
        await w.QueryAsync(async db =>
        {
            db.QueueMembers.Add(new QueueMember(w.Queues["Support"], Lucas.UserId));
            return await db.SaveChangesAsync();
        });
        w.Feed.Publish(new Core.Realtime.ChangeEvent(Core.Realtime.ChangeKind.SettingsChanged, AgentId: Lucas.UserId));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await w.Inbox.TileAfterChangeAsync(Lucas, support, after) is null && DateTime.UtcNow < deadline) await Task.Delay(20);
        (await w.Inbox.TileAfterChangeAsync(Lucas, support, after)).ShouldNotBeNull();
        await w.QueryAsync(db => db.QueueMembers.Where(m => m.UserId == Lucas.UserId && m.QueueId == w.Queues["Support"]).ExecuteDeleteAsync());
        w.Feed.Publish(new Core.Realtime.ChangeEvent(Core.Realtime.ChangeKind.SettingsChanged, AgentId: Lucas.UserId));
        deadline = DateTime.UtcNow.AddSeconds(10);
        while (await w.Inbox.TileAfterChangeAsync(Lucas, support, after) is not null && DateTime.UtcNow < deadline) await Task.Delay(20);
        (await w.Inbox.TileAfterChangeAsync(Lucas, support, after)).ShouldBeNull();
        await w.QueryAsync(db => db.Cases.Where(c => c.Id == support).ExecuteUpdateAsync(c => c.SetProperty(x => x.AssignedAgentId, Lucas.UserId)));
        (await w.Inbox.TileAfterChangeAsync(Lucas, support, System.Diagnostics.Stopwatch.GetTimestamp()))!.AssignedAgentId.ShouldBe(Lucas.UserId);
        (await w.Inbox.TileAfterChangeAsync(Camille, 999_999, System.Diagnostics.Stopwatch.GetTimestamp())).ShouldBeNull();
    }
}
