using System.Collections.Concurrent;
using AgentWorkspace.Core.Realtime;

namespace AgentWorkspace.Tests.Realtime;

/// <summary>
/// Issue 20: the pages' short waits share one clock. A wait never ends early, and each ends: none is lost between the
/// clock's readings, and one longer than its wheel goes round again.
/// </summary>
public class LiveClockTests
{
    [Fact]
    public async Task EveryWaitEnds_NoneEarly_AtOnceWhenZero()
    {
        var ended = new ConcurrentDictionary<int, long>();
        var asked = new Dictionary<int, (long At, long Delay)>();
        var delays = new long[] { 0, 1, 7, 24, 25, 26, 60, 110, 333, 700 };
        for (var i = 0; i < 200; i++)
        {
            var delay = delays[i % delays.Length];
            asked[i] = (Environment.TickCount64, delay);
            LiveClock.After(delay, state => ended[(int)state!] = Environment.TickCount64, i);
            if (i % 20 == 0) await Task.Delay(3); // waits asked while the clock reads
        }
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ended.Count < asked.Count && DateTime.UtcNow < deadline) await Task.Delay(20);

        ended.Count.ShouldBe(asked.Count, "every wait ends");
        foreach (var (i, (at, delay)) in asked)
            (ended[i] - at).ShouldBeGreaterThanOrEqualTo(delay, $"wait {i} of {delay} ms ended early");
    }

    private static readonly AsyncLocal<string?> Ambient = new();

    [Fact]
    public async Task AWaitRunsInTheCallersContext_ACircuitsLanguage_UnlessToldNot()
    {
        var before = System.Globalization.CultureInfo.CurrentUICulture;
        try
        {
            // A page's culture, as a circuit sets it: the render the wait triggers speaks it, whatever thread runs it.
            System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.GetCultureInfo("fr-FR");
            Ambient.Value = "the caller's";
            var seen = new ConcurrentDictionary<string, (string? Ambient, string Culture)>();
            LiveClock.After(0, _ => seen["now"] = (Ambient.Value, System.Globalization.CultureInfo.CurrentUICulture.Name), null);
            LiveClock.After(60, _ => seen["later"] = (Ambient.Value, System.Globalization.CultureInfo.CurrentUICulture.Name), null);
            LiveClock.After(60, _ => seen["none"] = (Ambient.Value, System.Globalization.CultureInfo.CurrentUICulture.Name), null, flowContext: false);
            var deadline = DateTime.UtcNow.AddSeconds(10);
            while (seen.Count < 3 && DateTime.UtcNow < deadline) await Task.Delay(10);
            seen["now"].ShouldBe(("the caller's", "fr-FR"));
            seen["later"].ShouldBe(("the caller's", "fr-FR"));
            seen["none"].Ambient.ShouldBeNull();
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentUICulture = before;
            Ambient.Value = null;
        }
    }

    [Fact]
    public async Task AWaitLongerThanTheWheelGoesRoundAgain()
    {
        // 512 slots of 25 ms: 12.8 s. A wait of 13 s passes its slot once before it is due.
        var at = Environment.TickCount64;
        var ended = new TaskCompletionSource<long>();
        LiveClock.After(13_000, _ => ended.TrySetResult(Environment.TickCount64), null);
        var end = await ended.Task.WaitAsync(TimeSpan.FromSeconds(30));
        (end - at).ShouldBeGreaterThanOrEqualTo(13_000);
    }
}
