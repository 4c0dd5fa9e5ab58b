using System.Globalization;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.Inbox;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// The CRM over HTTP (issue 18, for CTI and scripts): the card's CRM sections of a case, link and unlink, create a
/// record from a card, read a record of the built-in CRM with its pushed activities, and the case actions the
/// telephony needs (transfer, unassign, call ended, wrap-up, resolve) with the inbox's rules.
/// </summary>
internal static class CrmEndpoints
{
    /// <summary>The request bodies: the OpenAPI document's schemas and the shape ApiBody holds each request to; the handlers then read their meaning.</summary>
    public sealed record LinkRequest(string? Type = null, string? Id = null);

    /// <summary><c>fields</c> is open: the CRM's own field names, each a string, a number or null.</summary>
    public sealed record CreateRecordRequest(string? Type = null, IReadOnlyDictionary<string, JsonElement>? Fields = null, long? LinkToCaseId = null);

    /// <summary><c>queue</c>: a queue's name (a string) or id (a number).</summary>
    public sealed record TransferRequest(JsonElement? Queue = null, string? AgentEmail = null);

    public sealed record WrapUpRequest(string? Disposition = null, string? Notes = null);

    public static RouteGroupBuilder MapCrmEndpoints(this RouteGroupBuilder api)
    {
        var crm = api.MapGroup("").AddEndpointFilter<CardMergedFilter>();

        crm.MapGet("/cases/{caseId:long}/crm", async (long caseId, HttpContext http, CrmService service, CancellationToken ct) =>
        {
            var sections = await service.GetForCaseAsync(http.Actor(), caseId, ct);
            return Results.Ok(new { kind = sections.Kind, current = sections.Current.Select(Json), related = sections.Related.Select(Json) });
        }).WithName("GetCaseCrm");

        crm.MapPost("/cases/{caseId:long}/crm/links", async (long caseId, HttpContext http, CrmService service, CancellationToken ct) =>
        {
            var request = await ApiBody.ReadAsync(http, ct);
            var type = Type(Str(request, "type") ?? throw new DomainException("type is required: account, contact, lead or case.", "type"), "type");
            var id = Str(request, "id") ?? throw new DomainException("id is required: the record's id in the CRM.", "id");
            var link = await service.LinkAsync(http.Actor(), caseId, new CrmRecordRef(type, id), ct);
            return Results.Created($"/api/v1/cases/{caseId}/crm/links/{link.Id}", new { linkId = link.Id });
        }).WithName("LinkCrmRecord")
        .AcceptsJsonBody<LinkRequest>("The record to link to the case: its type (account, contact, lead, case) and its id in the CRM.");

        crm.MapDelete("/cases/{caseId:long}/crm/links/{linkId:long}", async (long caseId, long linkId, HttpContext http, CrmService service, CancellationToken ct) =>
        {
            await service.UnlinkAsync(http.Actor(), caseId, linkId, ct);
            return Results.NoContent();
        }).WithName("UnlinkCrmRecord");

        crm.MapPost("/cards/{cardId:long}/crm/records", async (long cardId, HttpContext http, CrmService service, CancellationToken ct) =>
        {
            var request = await ApiBody.ReadAsync(http, ct);
            var type = Type(Str(request, "type") ?? throw new DomainException("type is required: case, contact or lead.", "type"), "type");
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (request.TryGetProperty("fields", out var f) && f.ValueKind != JsonValueKind.Null)
            {
                if (f.ValueKind != JsonValueKind.Object) throw new DomainException("fields is an object of strings.", "fields");
                foreach (var p in f.EnumerateObject())
                {
                    fields[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString(),
                        JsonValueKind.Null => null,
                        JsonValueKind.Number => p.Value.GetRawText(),
                        _ => throw new DomainException($"fields.{p.Name} is a string, a number or null.", "fields." + p.Name),
                    };
                }
            }
            long? linkTo = null;
            if (request.TryGetProperty("linkToCaseId", out var l) && l.ValueKind != JsonValueKind.Null)
                linkTo = l.ValueKind == JsonValueKind.Number && l.TryGetInt64(out var v) ? v : throw new DomainException("linkToCaseId is a case id.", "linkToCaseId");
            var created = await service.CreateRecordAsync(http.Actor(), cardId, new CrmNewRecord(type, fields), linkTo, ct);
            var record = created.Record;
            return Results.Created(record.Url?.ToString(), new { type = record.Type.WireName(), id = record.Id, title = record.Title, url = record.Url?.ToString(), linkId = created.LinkId });
        }).WithName("CreateCrmRecord")
        .AcceptsJsonBody<CreateRecordRequest>("A case, contact or lead created in the CRM from the card: its type, its fields by the CRM's own names (open; each a string, a number or null), and optionally the case to link it to.");

        crm.MapGet("/crm/{type}/{id}", async (string type, string id, HttpContext http, BuiltInCrmService service, CancellationToken ct) =>
        {
            var page = await service.GetRecordAsync(http.Actor(), Type(type, "type"), id, ct);
            return Results.Ok(new
            {
                type = page.Record.Type.WireName(), id = page.Record.Id, title = page.Record.Title, subtitle = page.Record.Subtitle, fields = page.Record.Fields,
                url = page.Record.Url?.ToString(),
                associated = page.Associated.Select(a => new { type = a.Type.WireName(), id = a.Id, title = a.Title, subtitle = a.Subtitle, relation = a.Relation, url = a.Url?.ToString() }),
                activities = page.Activities,
            });
        }).WithName("GetBuiltInCrmRecord");

        // ---- case actions of the telephony and scripts, with the inbox's rules
        crm.MapPost("/cases/{id:long}/transfer", async (long id, HttpContext http, CaseCommands cases, CancellationToken ct) =>
        {
            var request = await ApiBody.ReadAsync(http, ct);
            string? queue = null;
            if (request.TryGetProperty("queue", out var q) && q.ValueKind != JsonValueKind.Null)
                queue = q.ValueKind switch
                {
                    JsonValueKind.String => q.GetString(),
                    JsonValueKind.Number when q.TryGetInt64(out var n) => n.ToString(CultureInfo.InvariantCulture),
                    _ => throw new DomainException("queue is a queue's name or id.", "queue"),
                };
            return Tile(await cases.TransferToAsync(http.Actor(), id, queue, Str(request, "agentEmail"), ct));
        }).WithName("TransferCase")
        .AcceptsJsonBody<TransferRequest>("{ \"queue\": a queue's name or id } or { \"agentEmail\": the agent's e-mail }.");

        crm.MapPost("/cases/{id:long}/unassign", async (long id, HttpContext http, CaseCommands cases, CancellationToken ct) =>
            Tile(await cases.UnassignAsync(http.Actor(), id, ct))).WithName("UnassignCase");

        crm.MapPost("/cases/{id:long}/call-ended", async (long id, HttpContext http, CaseCommands cases, CancellationToken ct) =>
            Tile(await cases.EndCallAsync(http.Actor(), id, ct))).WithName("EndCall");

        crm.MapPost("/cases/{id:long}/wrap-up", async (long id, HttpContext http, CaseCommands cases, CancellationToken ct) =>
        {
            var request = await ApiBody.ReadAsync(http, ct);
            return Tile(await cases.WrapUpAsync(http.Actor(), id, Str(request, "disposition"), Str(request, "notes"), ct));
        }).WithName("WrapUpCall")
        .AcceptsJsonBody<WrapUpRequest>("The call's disposition and notes.");

        crm.MapPost("/cases/{id:long}/resolve", async (long id, HttpContext http, CaseCommands cases, CancellationToken ct) =>
            Tile(await cases.ResolveAsync(http.Actor(), id, ct))).WithName("ResolveCase");

        return api;
    }

    private static object Json(CrmCardRecord r) => new
    {
        type = r.Record.Type.WireName(),
        id = r.Record.Id,
        title = r.Record.Title,
        subtitle = r.Record.Subtitle,
        relation = r.Record.Relation,
        linked = r.Linked,
        linkId = r.LinkId,
        url = r.Record.Url?.ToString(),
        push = r.Push is { } p ? new { state = p.State.ToString().ToLowerInvariant(), reason = p.Reason, attempts = p.Attempts, sentAt = p.SentAt } : null,
        fields = r.Record.Fields,
        children = r.Children.Select(Json),
    };

    private static IResult Tile(CaseTile t) => Results.Ok(new
    {
        t.Id, t.Version, t.CardId, channel = t.Channel.WireName(), queueId = t.QueueId, queue = t.QueueName, status = t.Status, assignedAgentId = t.AssignedAgentId,
        assignedAgent = t.AssignedAgentName, t.Title, t.ResolvedAt,
    });

    private static string? Str(JsonElement o, string name)
    {
        if (!o.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        return v.ValueKind == JsonValueKind.String ? v.GetString() : throw new DomainException($"{name} is a string.", name);
    }

    private static CrmRecordType Type(string text, string field) =>
        CrmRecordTypes.TryParse(text, out var type) ? type : throw new DomainException($"'{text}' is not a CRM record type (account, contact, lead, case).", field) { Code = "CrmTypeUnknown" };

    /// <summary>A card merged meanwhile: 409 naming the card it lives on as now.</summary>
    private sealed class CardMergedFilter : IEndpointFilter
    {
        public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        {
            try
            {
                return await next(context);
            }
            catch (CardMergedException ex)
            {
                return Results.Problem(title: "Card merged", detail: ex.Message, statusCode: StatusCodes.Status409Conflict,
                    extensions: new Dictionary<string, object?> { ["cardId"] = ex.CardId, ["survivorId"] = ex.SurvivorId });
            }
        }
    }
}
