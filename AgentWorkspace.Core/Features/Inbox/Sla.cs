namespace AgentWorkspace.Core.Features.Inbox;

public enum SlaKind
{
    FirstResponse = 0,
    Solution = 1,
}

/// <summary>
/// One SLA clock of a case: the target, the time elapsed (stopped when met) and what remains.
/// The bar shows <see cref="Fraction"/> elapsed (red) and the rest remaining (grey).
/// </summary>
public sealed record SlaClock(SlaKind Kind, TimeSpan Target, TimeSpan Elapsed, bool Stopped)
{
    public TimeSpan Remaining => Elapsed >= Target ? TimeSpan.Zero : Target - Elapsed;
    public bool Breached => Elapsed > Target;
    public double Fraction => Target <= TimeSpan.Zero ? 1 : Math.Clamp(Elapsed / Target, 0, 1);
    /// <summary>Over 75 % of the target used and still running: the case needs attention soon.</summary>
    public bool AtRisk => !Breached && !Stopped && Fraction >= 0.75;
}

public static class Sla
{
    public static SlaClock FirstResponse(DateTimeOffset createdAt, DateTimeOffset? firstResponseAt, int targetMinutes, DateTimeOffset now) =>
        Clock(SlaKind.FirstResponse, createdAt, firstResponseAt, targetMinutes, now);

    public static SlaClock Solution(DateTimeOffset createdAt, DateTimeOffset? resolvedAt, int targetMinutes, DateTimeOffset now) =>
        Clock(SlaKind.Solution, createdAt, resolvedAt, targetMinutes, now);

    private static SlaClock Clock(SlaKind kind, DateTimeOffset start, DateTimeOffset? stop, int targetMinutes, DateTimeOffset now)
    {
        var end = stop ?? now;
        var elapsed = end > start ? end - start : TimeSpan.Zero;
        return new SlaClock(kind, TimeSpan.FromMinutes(Math.Max(targetMinutes, 0)), elapsed, stop is not null);
    }
}
