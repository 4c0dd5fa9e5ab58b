using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// The server's lane for live work (issue 20): what open pages do because something happened elsewhere (a batch of
/// changes handled, a live render) runs here, at most <see cref="Width"/> pieces at once; what an
/// agent does (a click, a reply) never enters it. Under a flood of messages a thousand open pages have thousands of
/// pieces of live work a second: on the thread pool's one queue an agent's click waited behind them all (p95 of a
/// click's round trip 300–850 ms at 1,000 inboxes). In the lane they wait for each other instead, and leave the rest of
/// the machine to the agents. A page's live work that waits gathers more meanwhile (its mailbox keeps posting, its
/// render draws the state as it is when it runs), so a saturated lane runs fewer, larger pieces: news comes a little
/// later, nothing is lost. When the server is quiet the lane is empty and live work runs at once.
/// </summary>
public sealed class LiveLane
{
    /// <summary>The server's lane: half the machine's cores at once, at least one; a piece holds its place 5 s at most.</summary>
    public static LiveLane Shared { get; } = new(Math.Max(1, Environment.ProcessorCount / 2), TimeSpan.FromSeconds(5));

    private readonly SemaphoreSlim _places;
    private int _waiting;

    public LiveLane(int width, TimeSpan maxHold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(maxHold, TimeSpan.Zero);
        Width = width;
        MaxHold = maxHold;
        _places = new SemaphoreSlim(width, width);
    }

    /// <summary>Pieces of live work under way at once.</summary>
    public int Width { get; }

    /// <summary>The longest a piece holds its place: a page that hangs (a circuit gone mid-render) must not stop the
    /// news of every other page. Past it, the piece goes on outside the lane and the next one starts.</summary>
    public TimeSpan MaxHold { get; }

    /// <summary>Where a piece held past <see cref="MaxHold"/>, or failing after it, is said (the app's logger, set at start).</summary>
    public ILogger Logger { get; set; } = NullLogger.Instance;

    /// <summary>Pieces waiting for their place now (for tests and benchmarks).</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Runs <paramref name="work"/> in the lane: at once when a place is free, else after the pieces before it, in the
    /// order they came. The task ends when the work has; a failure of the work is the caller's (the task faults), and the
    /// lane goes on.
    /// </summary>
    public async Task RunAsync(Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        Interlocked.Increment(ref _waiting);
        await _places.WaitAsync().ConfigureAwait(false);
        Interlocked.Decrement(ref _waiting);
        Task running;
        try
        {
            running = work();
        }
        catch
        {
            _places.Release();
            throw;
        }
        try
        {
            await running.WaitAsync(MaxHold).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Logger.LogWarning("A piece of live work ran longer than {Seconds} s: it goes on outside the lane.", MaxHold.TotalSeconds);
            _ = running.ContinueWith(static (t, logger) => ((ILogger)logger!).LogError(t.Exception, "A piece of live work that outlasted the lane failed."),
                Logger, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
        finally
        {
            _places.Release();
        }
    }
}
