using System.Runtime.CompilerServices;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static AgentWorkspace.Tests.Inbox.InboxWorld;

namespace AgentWorkspace.Tests.Inbox;

/// <summary>
/// The inbox header's shared board (issue 20, ADR 019): after any sequence of changes, made on this server or on
/// another one whose changes arrive through the feed, each actor's figures read from the board equal a direct count.
/// </summary>
[Trait("Category", "Service")]
public class InboxCountsBoardTests
{
    private static readonly Actor[] Everyone = [Camille, Lucas, Sophie];

    [Fact]
    public async Task FiguresEqualADirectCount_AfterIngestsAssignmentsClosesAndDrafts_OnTwoServers()
    {
        await using var w = await CreateAsync();
        await using var servers = new TwoServers(w);
        using var boardA = new InboxCountsBoard(w.Db.Factory, w.Feed, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        using var boardB = new InboxCountsBoard(w.Db.Factory, servers.FeedB, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        await ShouldMatchAsync(w, boardA, boardB);

        // Ingest on server A: new cases in three queues, one assigned at once, one already late on its first response.
        var (_, support1) = await w.InboundAsync("Support");
        var (_, support2) = await w.InboundAsync("Support", Channel.Email, at: DateTimeOffset.UtcNow.AddHours(-5));
        var (_, general) = await w.InboundAsync(Queue.DefaultName, assignedTo: Lucas.UserId);
        var (_, sales) = await w.InboundAsync("Sales");
        await w.MoreInboundAsync(general, "Encore moi");
        await ShouldMatchAsync(w, boardA, boardB);
        (await boardB.CountsAsync(Camille, await VisibleAsync(w, Camille))).UnassignedInMyQueues.ShouldBe(2);

        // Server B takes, assigns and closes; server A transfers and answers.
        await servers.CasesB.TakeAsync(Camille, support1);
        await servers.CasesB.AssignAsync(Sophie, sales, Camille.UserId);
        await ShouldMatchAsync(w, boardA, boardB);
        await w.Cases.ReplyAsync(Camille, support1, "Nous regardons.");
        await w.Cases.TransferAsync(Sophie, support2, w.Queues["Sales"], Lucas.UserId);
        await servers.CasesB.ResolveAsync(Lucas, general);
        await ShouldMatchAsync(w, boardA, boardB);

        // Drafts waiting for a supervisor, on both servers; one reviewed.
        var draft = await servers.CasesB.SubmitDraftAsync(Camille, sales, "Votre colis part demain.");
        await w.Cases.SubmitDraftAsync(Lucas, support2, "Un brouillon.");
        await ShouldMatchAsync(w, boardA, boardB);
        (await boardA.CountsAsync(Sophie, await VisibleAsync(w, Sophie))).PendingDrafts.ShouldBe(2);
        await servers.ApprovalsB.RejectAsync(Sophie, draft.Id, "Trop court");
        await servers.CasesB.CancelAsync(Camille, support1);
        await w.Cases.ReopenAsync(Lucas, general);
        await ShouldMatchAsync(w, boardA, boardB);
    }

    [Fact]
    public async Task ABurstOfChangesIsCountedFewerTimes_AndTheFiguresFollowTheLastOne()
    {
        await using var w = await CreateAsync();
        using var board = new InboxCountsBoard(w.Db.Factory, w.Feed, TimeProvider.System, TimeSpan.FromSeconds(1));
        await board.SettledAsync();
        var before = board.Recounts;
        for (var i = 0; i < 20; i++) await w.InboundAsync(i % 2 == 0 ? "Support" : Queue.DefaultName);
        await ShouldMatchAsync(w, board);
        (board.Recounts - before).ShouldBeLessThan(20);
    }

    [Fact]
    public async Task AResyncRecountsWhatTheFeedNeverSaid()
    {
        await using var w = await CreateAsync();
        var quiet = new InProcessChangeFeed();
        using var board = new InboxCountsBoard(w.Db.Factory, quiet, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        await ShouldMatchAsync(w, board);
        // Cases arrive while the feed between servers is down: this server's board hears nothing.
        await w.InboundAsync("Support");
        await w.InboundAsync(Queue.DefaultName, assignedTo: Camille.UserId);
        await board.SettledAsync();
        (await board.CountsAsync(Camille, await VisibleAsync(w, Camille))).ShouldBe(new InboxCounts(0, 0, 0, 0, 0));
        quiet.Publish(new ChangeEvent(ChangeKind.Resync));
        await ShouldMatchAsync(w, board);
        (await board.CountsAsync(Camille, await VisibleAsync(w, Camille))).AssignedToMe.ShouldBe(1);
    }

    [Fact]
    public async Task AFirstResponseFallsLateWithoutAnyChange_AndTheBoardCountsIt()
    {
        await using var w = await CreateAsync();
        var (queue, target) = await w.QueryAsync(db => db.Queues.OrderBy(q => q.FirstResponseTargetMinutes).Select(q => new { q.Name, q.FirstResponseTargetMinutes }).FirstAsync()) is var q
            ? (q.Name, q.FirstResponseTargetMinutes) : default;
        using var board = new InboxCountsBoard(w.Db.Factory, w.Feed, TimeProvider.System, TimeSpan.FromMilliseconds(50));
        // Its target passes two seconds from now.
        await w.InboundAsync(queue, at: DateTimeOffset.UtcNow.AddMinutes(-target).AddSeconds(2));
        await board.SettledAsync();
        var listened = 0;
        using var _ = board.Subscribe(() => Interlocked.Increment(ref listened));
        (await board.CountsAsync(Sophie, await VisibleAsync(w, Sophie))).FirstResponseBreached.ShouldBe(0);
        await Eventually.TrueAsync(async () => (await board.CountsAsync(Sophie, await VisibleAsync(w, Sophie))).FirstResponseBreached == 1, "the board counted the breached first response", TimeSpan.FromSeconds(15));
        (await w.Inbox.CountsAsync(Sophie)).FirstResponseBreached.ShouldBe(1);
        Volatile.Read(ref listened).ShouldBeGreaterThan(0);
    }

    /// <summary>Waits until every board's figures equal the direct count, for every actor (or fails after 15 s, naming the difference).</summary>
    private static async Task ShouldMatchAsync(InboxWorld w, params InboxCountsBoard[] boards)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var differences = new List<string>();
            foreach (var board in boards)
            {
                await board.SettledAsync();
                foreach (var actor in Everyone)
                {
                    var direct = await w.Inbox.CountsAsync(actor);
                    var shown = await board.CountsAsync(actor, await VisibleAsync(w, actor));
                    if (shown != direct) differences.Add($"{actor.UserId}: board {shown}, direct {direct}");
                }
            }
            if (differences.Count == 0) return;
            if (DateTime.UtcNow > deadline) throw new Shouldly.ShouldAssertException(string.Join("; ", differences));
            await Task.Delay(20);
        }
    }

    /// <summary>The queues of an actor's inbox, as the inbox page computes them (a supervisor: every queue).</summary>
    private static Task<List<long>> VisibleAsync(InboxWorld w, Actor actor) => w.QueryAsync(db => actor.IsAtLeast(Role.Supervisor)
        ? db.Queues.Select(q => q.Id).ToListAsync()
        : db.QueueMembers.Where(m => m.UserId == actor.UserId).Select(m => m.QueueId).ToListAsync());

    /// <summary>
    /// A second server on the same database: its own feed and use-case runner; what either publishes reaches the other's
    /// feed once, as the Redis feed does (ADR 016).
    /// </summary>
    private sealed class TwoServers : IAsyncDisposable
    {
        private readonly ConditionalWeakTable<ChangeEvent, object> _fromB = [];
        private readonly IDisposable _aToB;

        public TwoServers(InboxWorld w)
        {
            FeedB = new InProcessChangeFeed();
            var outB = new Bridge(FeedB, w.Feed, _fromB);
            _aToB = w.Feed.Subscribe(e =>
            {
                if (!_fromB.TryGetValue(e, out _)) FeedB.Publish(e);
                return Task.CompletedTask;
            });
            var runner = w.Db.Runner(outB);
            var delivery = new ReplyDelivery(runner, new RecordingOutboundConnector(w.Db.Factory, TimeProvider.System));
            CasesB = new CaseCommands(runner, delivery);
            ApprovalsB = new ApprovalService(w.Db.Factory, runner, delivery);
        }

        public InProcessChangeFeed FeedB { get; }
        public CaseCommands CasesB { get; }
        public ApprovalService ApprovalsB { get; }

        public ValueTask DisposeAsync()
        {
            _aToB.Dispose();
            return ValueTask.CompletedTask;
        }

        private sealed class Bridge(InProcessChangeFeed local, InProcessChangeFeed other, ConditionalWeakTable<ChangeEvent, object> fromHere) : IChangeFeed
        {
            public void Publish(ChangeEvent change)
            {
                fromHere.AddOrUpdate(change, this);
                local.Publish(change);
                other.Publish(change);
            }

            public IDisposable Subscribe(Func<ChangeEvent, Task> handler) => local.Subscribe(handler);
        }
    }
}
