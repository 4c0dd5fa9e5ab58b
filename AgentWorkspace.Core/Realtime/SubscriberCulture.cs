using System.Globalization;

namespace AgentWorkspace.Core.Realtime;

/// <summary>
/// Listeners of server-wide notifications (the change feed, the header-counts board) run in the culture of whoever
/// subscribed (a circuit's French), not in that of the thread that notifies; otherwise the page they re-render would
/// speak the thread's language.
/// </summary>
public static class SubscriberCulture
{
    public static Func<T, Task> Keep<T>(Func<T, Task> handler)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        // An async lambda: the culture it sets ends with it, and never leaks into the notifying thread.
        return async value =>
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
            await handler(value);
        };
    }

    public static Action Keep(Action listener)
    {
        var (culture, uiCulture) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        return () =>
        {
            var (before, uiBefore) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (culture, uiCulture);
            try { listener(); }
            finally { (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = (before, uiBefore); }
        };
    }
}
