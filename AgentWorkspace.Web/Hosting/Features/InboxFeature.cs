using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Web.Api;
using AgentWorkspace.Core.Features.Inbox;

namespace AgentWorkspace.Web.Hosting.Features;

/// <summary>Registers the Inbox feature: its Core services and its HTTP API endpoints under /api/v1.</summary>
internal static class InboxFeature
{
    public static IServiceCollection AddInbox(this IServiceCollection services)
    {
        services.AddSingleton<IOutboundConnector, RecordingOutboundConnector>();
        services.AddSingleton<ReplyDelivery>();
        services.AddSingleton<CaseCommands>();
        services.AddSingleton<CaseMerges>();
        services.AddSingleton<ComposerDrafts>();
        services.AddSingleton<InboxQueries>();
        services.AddSingleton<InboxCountsBoard>();
        services.AddSingleton<ApprovalService>();
        return services;
    }

    /// <summary>The case merged into the survivor of the path (ADR 021).</summary>
    public sealed record CaseMergeBody(long? MergedId = null);

    /// <summary>
    /// Merged conversations (issue 21, ADR 021): <c>POST /cases/{survivorId}/merge { "mergedId" }</c> merges a case of the
    /// same contact into the survivor; <c>DELETE /cases/{survivorId}/merge/{mergedId}</c> undoes it. Both answer the
    /// survivor as it is now; a refusal is a problem details 4xx with the rule's code.
    /// </summary>
    public static RouteGroupBuilder MapInboxApi(this RouteGroupBuilder api)
    {
        api.MapPost("/cases/{survivorId:long}/merge", async (long survivorId, HttpContext http, CaseMerges merges, CancellationToken ct) =>
        {
            var body = await Api.ApiBody.ReadAsync<CaseMergeBody>(http, ct);
            if (body.MergedId is not { } mergedId)
                throw new Core.Domain.Common.DomainException("mergedId is required: the case that goes into the survivor.", "mergedId");
            return Summary(await merges.MergeAsync(http.Actor(), survivorId, mergedId, ct), mergedId, merged: true);
        }).WithName("MergeCases")
        .AcceptsJsonBody<CaseMergeBody>("mergedId: the case of the same contact that goes into the survivor (the case of the path). Its messages, notes, comments and history move into the survivor, which keeps the older case's SLA clocks; the merged case leaves the inbox with status Merged.");

        api.MapDelete("/cases/{survivorId:long}/merge/{mergedId:long}", async (long survivorId, long mergedId, HttpContext http, CaseMerges merges, CancellationToken ct) =>
            Summary(await merges.UnmergeAsync(http.Actor(), survivorId, mergedId, ct), mergedId, merged: false))
            .WithName("UnmergeCases");
        return api;
    }

    private static IResult Summary(CaseTile t, long mergedId, bool merged) => Results.Ok(new
    {
        t.Id, t.Version, t.CardId, channel = t.Channel.WireName(), queueId = t.QueueId, queue = t.QueueName, status = t.Status.ToString(),
        priority = t.Priority.ToString(), assignedAgentId = t.AssignedAgentId, assignedAgent = t.AssignedAgentName, t.Title,
        t.CreatedAt, t.FirstResponseAt, t.LastMessageAt, unread = t.UnreadCount,
        firstResponseTargetMinutes = t.FirstResponseTargetMinutes, resolutionTargetMinutes = t.ResolutionTargetMinutes,
        mergedId, merged,
    });
}
