using AgentWorkspace.Core.Realtime;

namespace AgentWorkspace.Web.Store.Core;

public static class CircuitFeed
{
    /// <summary>
    /// Subscribes a circuit's handler to the change feed. The feed goes on past a failing handler without a word,
    /// so the failure is logged here, with the change it was handling.
    /// </summary>
    public static IDisposable Subscribe(this IChangeFeed feed, ILogger logger, Func<ChangeEvent, Task> handler) =>
        feed.Subscribe(Logged(logger, handler));

    /// <summary>
    /// As <see cref="Subscribe(IChangeFeed, ILogger, Func{ChangeEvent, Task})"/>, told only the changes the circuit
    /// <paramref name="wants"/> (<see cref="IChangeFeed.Subscribe(Func{ChangeEvent, bool}, Func{ChangeEvent, Task})"/>).
    /// </summary>
    public static IDisposable Subscribe(this IChangeFeed feed, ILogger logger, Func<ChangeEvent, bool> wants, Func<ChangeEvent, Task> handler) =>
        feed.Subscribe(wants, Logged(logger, handler));

    /// <summary>
    /// As <see cref="Subscribe(IChangeFeed, ILogger, Func{ChangeEvent, bool}, Func{ChangeEvent, Task})"/>, the changes
    /// handled in batches (<see cref="IChangeFeed.SubscribeBatched"/>): what every open page listens to (issue 20).
    /// </summary>
    public static IDisposable SubscribeBatched(this IChangeFeed feed, ILogger logger, Func<ChangeEvent, bool> wants, Func<IReadOnlyList<ChangeEvent>, Task> handler, TimeSpan gather) =>
        // The mailbox logs a failing batch with this circuit's logger and goes on with the next.
        feed.SubscribeBatched(wants, handler, gather, logger);

    private static Func<ChangeEvent, Task> Logged(ILogger logger, Func<ChangeEvent, Task> handler) =>
        async change =>
        {
            try
            {
                await handler(change);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Handling the change {Kind} (card {CardId}, case {CaseId}) failed.", change.Kind, change.CardId, change.CaseId);
            }
        };
}
