namespace AgentWorkspace.Web.Components.Shared;

/// <summary>Ids unique in the process for elements a label or an ARIA attribute points at.</summary>
public static class ElementIds
{
    private static long _next;

    public static string Next(string prefix) => prefix + Interlocked.Increment(ref _next).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
