namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// Waits for what other threads do (a feed's subscribers, a mailbox, a write in the background): polls the condition
/// until it holds, and fails the test, saying what never happened, when it has not within the time given (10 s).
/// </summary>
public static class Eventually
{
    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? within = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, within);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) throw new Shouldly.ShouldAssertException($"Not within {(within ?? TimeSpan.FromSeconds(10)).TotalSeconds:0.#} s: {what}.");
            await Task.Delay(20);
        }
    }
}
