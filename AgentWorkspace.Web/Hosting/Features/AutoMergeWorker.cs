using AgentWorkspace.Core.Features.Matching;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>
/// Works the auto-merge in the background (ADR 023): computes previews and merges or undoes runs, at once when one is
/// started on this server and every few seconds otherwise, so that a preview or a run left by a restart (or started on
/// another server) is taken up. A failed round is logged; the service marks the preview or run failed with the reason.
/// </summary>
internal sealed class AutoMergeWorker(AutoMergeService automerge, ILogger<AutoMergeWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Poll = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await automerge.WorkAsync(stoppingToken)) { }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "A round of auto-merge work failed; the next round tries again.");
            }
            try
            {
                await automerge.WaitForWorkAsync(Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
