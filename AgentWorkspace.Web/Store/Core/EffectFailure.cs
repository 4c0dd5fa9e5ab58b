using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;

namespace AgentWorkspace.Web.Store.Core;

/// <summary>
/// How an effect meets an exception. A refusal (a rule the input breaks, a right the user lacks, something gone
/// or changed meanwhile) is the user's to read and is logged as information; anything else is a fault, logged as
/// an error with its stack. Either way the effect dispatches its feature's failure action: no action of the user
/// fails silently.
/// </summary>
public static class EffectFailure
{
    public static bool IsRefusal(Exception error) => error is DomainException or ForbiddenException or NotFoundException
        or ConcurrencyConflictException or CardMergedException or ProfileConflictException;

    public static void Log(ILogger logger, object action, Exception error)
    {
        if (IsRefusal(error)) logger.LogInformation("{Action} was refused: {Reason}", action.GetType().Name, error.Message);
        else logger.LogError(error, "{Action} failed.", action.GetType().Name);
    }

    /// <summary>Runs <paramref name="work"/>; a refusal or a fault is logged and dispatched as <paramref name="failed"/>'s action.</summary>
    public static async Task GuardAsync(ILogger logger, IDispatcher dispatcher, object action, Func<Task> work, Func<Exception, object> failed)
    {
        try
        {
            await work();
        }
        catch (Exception ex)
        {
            Log(logger, action, ex);
            dispatcher.Dispatch(failed(ex));
        }
    }
}
