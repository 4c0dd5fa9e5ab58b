// Inbox benchmarks (issue 3, part B), run on demand:
//   cp /work/bench-data/aw-1m.db /tmp/aw-inbox.db
//   dotnet run -c Release --project bench/Inbox -- /tmp/aw-inbox.db [openEvery]
// Works on a COPY of the 1,000,000-card database: reopens every `openEvery`-th case (default 6, about
// 166,000 open cases) across the bench agent's two queues and the others, assigns 1 in 60 to the agent,
// then measures the inbox's first page and next page as the agent sees them. Prints p50/p95/p99.
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;

var file = args.Length > 0 ? Path.GetFullPath(args[0]) : "/tmp/aw-inbox.db";
if (file.StartsWith("/work/bench-data/", StringComparison.Ordinal)) { Console.Error.WriteLine("Copy the shared database first; this benchmark writes to its file."); return 1; }
if (!File.Exists(file)) { Console.Error.WriteLine($"{file} does not exist (cp /work/bench-data/aw-1m.db {file})."); return 1; }
var openEvery = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 6;
var factory = new AgentWorkspaceDbContextFactory(DatabaseOptions.From("Sqlite", $"Data Source={file}", Environment.CurrentDirectory));
await DatabaseStartup.MigrateAsync(factory);

var agent = new Actor("bench-agent", "Bench Agent", Role.Agent);
var runner = new AgentWorkspace.Core.UseCases.UseCaseRunner(factory, new InProcessChangeFeed(), TimeProvider.System);
await using (var db = factory.CreateDbContext())
{
    if (!await db.Users.AnyAsync(u => u.Id == agent.UserId))
    {
        Console.WriteLine($"Preparing: reopening 1 case in {openEvery} across queues, assigning 1 in {openEvery * 10} to the bench agent ...");
        var sw = Stopwatch.StartNew();
        // One use case, so that it runs under the provider's execution strategy like the product's own (ADR 008).
        await runner.RunAsync("Bench.PrepareInbox", Actor.System, Role.Admin, async use =>
        {
            var db = use.Db;
            var queues = await db.Queues.OrderBy(q => q.Id).Select(q => q.Id).ToListAsync();
            db.Users.Add(new AppUser { Id = agent.UserId, UserName = "bench-agent", Email = "bench@local", DisplayName = agent.DisplayName, Role = Role.Agent });
            db.QueueMembers.AddRange(new QueueMember(queues[0], agent.UserId), new QueueMember(queues[1], agent.UserId));
            await db.SaveChangesAsync();
            // Status 0..2 (new, open, pending), queue spread over all queues, recent activity spread over 30 days.
            // Only numbers computed here go into the SQL.
            var queueOf = "CASE (Id / " + openEvery + ") % " + queues.Count + string.Concat(queues.Select((id, i) => $" WHEN {i} THEN {id}")) + " END";
            var now = DateTimeOffset.UtcNow.UtcTicks;
    #pragma warning disable EF1002, EF1003
            await db.Database.ExecuteSqlRawAsync(
                $"UPDATE Cases SET Status = (Id / {openEvery}) % 3, QueueId = {queueOf}, ResolvedAt = NULL, " +
                $"LastMessageAt = {now} - (abs(random()) % 2592000) * 10000000, UnreadCount = abs(random()) % 3 WHERE Id % {openEvery} = 0");
    #pragma warning restore EF1002, EF1003
            var assignEvery = openEvery * 10;
            await db.Database.ExecuteSqlAsync($"UPDATE Cases SET AssignedAgentId = {agent.UserId} WHERE Id % {assignEvery} = 0");
        });
        await db.Database.ExecuteSqlRawAsync("ANALYZE");
        Console.WriteLine($"  {sw.Elapsed.TotalSeconds:0.0} s");
    }
    var open = await db.Cases.CountAsync(c => c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending);
    var mine = await db.QueueMembers.Where(m => m.UserId == agent.UserId).Select(m => m.QueueId).ToListAsync();
    var visible = await db.Cases.CountAsync(c => (c.Status == CaseStatus.New || c.Status == CaseStatus.Open || c.Status == CaseStatus.Pending) && (mine.Contains(c.QueueId) || c.AssignedAgentId == agent.UserId));
    Console.WriteLine($"{file}: {await db.Cases.CountAsync():N0} cases, {open:N0} open, {visible:N0} open in the bench agent's scope (queues {string.Join(", ", mine)} + assigned)");
}

var inbox = new InboxQueries(factory, new CaseCommands(runner, new ReplyDelivery(runner, new RecordingOutboundConnector(factory, TimeProvider.System))), TimeProvider.System);

async Task<List<double>> Measure(Func<Task> run, int n = 1_000, int warmup = 100)
{
    var list = new List<double>(n);
    for (var i = 0; i < n + warmup; i++)
    {
        var sw = Stopwatch.StartNew();
        await run();
        sw.Stop();
        if (i >= warmup) list.Add(sw.Elapsed.TotalMilliseconds);
    }
    return list;
}

var all = new InboxFilter();
var first = await inbox.ListAsync(agent, all);
Console.WriteLine($"first page: {first.Tiles.Count} tiles, next cursor {(first.Next is null ? "none" : "yes")}");
if (args.Length > 2 && args[2] == "issue20")
{
    // Only the figures of issue 20: the channel and queue filters, the header counts counted per actor, and the
    // shared board (ADR 019): one recount after a change, and one circuit's read of it.
    await Issue20Async();
    return 0;
}
if (args.Length > 2 && args[2] == "search")
{
    // Issue 22 item 12: the panel's text search. A word many cases hold stops early; a word none holds walks every
    // case in the agent's scope (the worst case); a name and a number as the agent would type them.
    var tile = first.Tiles[0];
    string? number;
    await using (var db = factory.CreateDbContext())
        number = await db.Identities.Where(i => i.CardId == tile.CardId && i.Space == IdentitySpace.Phone).Select(i => i.NormalizedAddress).FirstOrDefaultAsync();
    var word = tile.Preview.Split(' ', StringSplitOptions.RemoveEmptyEntries).OrderByDescending(w => w.Length).First();
    Console.WriteLine($"searching: \"{word}\", \"{tile.ContactName}\", {number ?? "(no number)"}");
    Print("search: a word of the first tile's message", await Measure(() => inbox.ListAsync(agent, all with { Text = word }), 100, 10));
    Print("search: the first tile's contact name", await Measure(() => inbox.ListAsync(agent, all with { Text = tile.ContactName }), 100, 10));
    if (number is not null) Print("search: its number as said (national)", await Measure(() => inbox.ListAsync(agent, all with { Text = "0" + number[3..] }), 20, 2));
    Print("search: a word no case holds (whole scope)", await Measure(() => inbox.ListAsync(agent, all with { Text = "zzqxjw" }), 20, 2));
    return 0;
}
Print("inbox first page (30, mine + my queues)", await Measure(() => inbox.ListAsync(agent, all)));
Print("inbox next page (30, after page 1)", await Measure(() => inbox.ListAsync(agent, all, first.Next)));
var deep = first.Next;
for (var i = 0; i < 20 && deep is not null; i++) deep = (await inbox.ListAsync(agent, all, deep)).Next;
Print("inbox page 22 (30)", await Measure(() => inbox.ListAsync(agent, all, deep)));
Print("inbox first page, waiting longest first", await Measure(() => inbox.ListAsync(agent, all with { Sort = InboxSort.Oldest })));
Print("inbox first page, assigned to me", await Measure(() => inbox.ListAsync(agent, all with { Scope = InboxScope.Mine })));
Print("inbox first page, unassigned", await Measure(() => inbox.ListAsync(agent, all with { Scope = InboxScope.Unassigned })));
Print("inbox first page, channel = e-mail", await Measure(() => inbox.ListAsync(agent, all with { Channel = Channel.Email })));
Print("inbox first page, one queue, status new", await Measure(() => inbox.ListAsync(agent, all with { QueueId = first.Tiles[0].QueueId, Status = CaseStatus.New })));
var caseId = first.Tiles[0].Id;
Print("open a case (thread, drafts)", await Measure(() => inbox.OpenAsync(agent, caseId), 300, 30));
Print("header counts (informative)", await Measure(() => inbox.CountsAsync(agent), 30, 3));
await Issue20Async(boardOnly: true);
return 0;

async Task Issue20Async(bool boardOnly = false)
{
    if (!boardOnly)
    {
        Print("inbox first page, channel = e-mail", await Measure(() => inbox.ListAsync(agent, all with { Channel = Channel.Email })));
        Print("inbox first page, channel = SMS", await Measure(() => inbox.ListAsync(agent, all with { Channel = Channel.Sms })));
        Print("inbox first page, one queue, status new", await Measure(() => inbox.ListAsync(agent, all with { QueueId = first.Tiles[0].QueueId, Status = CaseStatus.New })));
        Print("inbox first page, mine, channel = e-mail", await Measure(() => inbox.ListAsync(agent, all with { Scope = InboxScope.Mine, Channel = Channel.Email })));
        Print("header counts, counted per actor (before)", await Measure(() => inbox.CountsAsync(agent), 30, 3));
    }
    var feed = new InProcessChangeFeed();
    using var board = new InboxCountsBoard(factory, feed, TimeProvider.System, TimeSpan.Zero);
    await board.SettledAsync();
    var queues = await inbox.QueuesAsync(agent);
    var mine = queues.Where(q => q.IsMember).Select(q => q.Id).ToList();
    var fromBoard = await board.CountsAsync(agent, mine);
    var direct = await inbox.CountsAsync(agent);
    Console.WriteLine($"board {fromBoard} / direct {direct}: {(fromBoard == direct ? "equal" : "DIFFERENT")}");
    Print("board: one recount of every figure", await Measure(async () =>
    {
        feed.Publish(new ChangeEvent(ChangeKind.Resync));
        await Task.Delay(1);
        await board.SettledAsync();
    }, 30, 3));
    Print("board: one circuit's read", await Measure(() => board.CountsAsync(agent, mine), 10_000, 1_000));
}

static void Print(string name, List<double> values) =>
    Console.WriteLine($"{name,-42} p50 {Percentile(values, 50):0.00} ms  p95 {Percentile(values, 95):0.00} ms  p99 {Percentile(values, 99):0.00} ms  (n={values.Count:N0})");

static double Percentile(List<double> values, double p)
{
    var sorted = values.OrderBy(v => v).ToList();
    var rank = (int)Math.Ceiling(p / 100 * sorted.Count) - 1;
    return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
}

