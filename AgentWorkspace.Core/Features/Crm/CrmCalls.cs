using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm;

/// <summary>
/// Every call to a connector goes through here: bounded by the connection's time-out (a CRM that does not answer is
/// <see cref="CrmFailure.Unavailable"/>, said in one line), and anything but a <see cref="CrmException"/> that escapes
/// a connector is logged and wrapped, so callers deal with one kind of failure.
/// </summary>
internal static class CrmCalls
{
    public static async Task<T> BoundedAsync<T>(TimeSpan timeout, string what, ILogger logger, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct);
        bounded.CancelAfter(timeout);
        try
        {
            // WaitAsync too: a connector that ignores its token still does not hold the card.
            return await call(bounded.Token).WaitAsync(timeout, ct);
        }
        catch (CrmException)
        {
            throw;
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException && !ct.IsCancellationRequested)
        {
            throw new CrmException(CrmFailure.Unavailable, $"The CRM did not answer within {timeout.TotalSeconds:0} s.", inner: ex);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "The CRM connector failed on {What}.", what);
            throw new CrmException(CrmFailure.Unavailable, "The CRM's answer could not be used; the error was logged.", inner: ex);
        }
    }
}
