using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AgentWorkspace.Web.Realtime;

/// <summary>
/// "degraded: realtime" while the change feed between servers is down: this server still serves its pages, ingest and
/// API (so the load balancer keeps it), but changes made on other servers do not reach its pages until Redis is back.
/// </summary>
internal sealed class RealtimeHealthCheck(RedisChangeFeed feed) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(feed.IsConnected
            ? HealthCheckResult.Healthy("The change feed between servers (Redis) is connected.")
            : HealthCheckResult.Degraded("Redis does not answer: this server's pages stay live, other servers' changes reach them when it is back."));
}
