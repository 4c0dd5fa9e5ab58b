using System.Net;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.Dataverse;
using AgentWorkspace.Core.Features.Crm.Salesforce;
using AgentWorkspace.Core.Features.Crm.Vendors;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace AgentWorkspace.Tests.Crm.Vendors;

/// <summary>What the local server answers to one request: status, body (JSON as the vendor documents it), headers, an optional delay.</summary>
public sealed record Reply(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, TimeSpan? Delay = null)
{
    public static Reply Json(int status, string json, params (string Name, string Value)[] headers) =>
        new(status, json, headers.ToDictionary(h => h.Name, h => h.Value));

    public static Reply Empty(int status, params (string Name, string Value)[] headers) =>
        new(status, null, headers.ToDictionary(h => h.Name, h => h.Value));
}

/// <summary>A request the server received, read back for assertions: query options and form fields decoded, headers by case-insensitive name.</summary>
public sealed record SeenRequest(string Method, string Path, IReadOnlyDictionary<string, string> Query, IReadOnlyDictionary<string, string> Headers, string? Body, string RawQuery)
{
    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : throw new ShouldAssertException($"{Method} {Path} has no '{name}' header");

    /// <summary>The body as a form (a token request): keys and values decoded.</summary>
    public IReadOnlyDictionary<string, string> Form() =>
        (Body ?? string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => WebUtility.UrlDecode(p[0]), p => WebUtility.UrlDecode(p.Length > 1 ? p[1] : string.Empty), StringComparer.Ordinal);

    public System.Text.Json.Nodes.JsonObject Json() =>
        System.Text.Json.Nodes.JsonNode.Parse(Body ?? "null") as System.Text.Json.Nodes.JsonObject ?? throw new ShouldAssertException($"{Method} {Path} has no JSON object body");
}

/// <summary>
/// A WireMock.Net server on a free local port that answers each path with a sequence of replies (the last one
/// repeats), and tells every request it received, in order.
/// </summary>
public sealed class VendorServer : IDisposable
{
    private readonly WireMockServer _server = WireMockServer.Start();

    public string Url => _server.Url!;

    public void Answer(string method, string path, params Reply[] replies) => Answer(method, path, null, replies);

    /// <summary>Answers the requests to <paramref name="path"/> that carry <paramref name="token"/> as their bearer token.</summary>
    public void AnswerToken(string method, string path, string token, Reply reply) =>
        _server.Given(Request.Create().WithPath(path).UsingMethod(method).WithHeader("Authorization", $"Bearer {token}")).RespondWith(Build(reply));

    /// <summary>Answers the requests to <paramref name="path"/> whose query option <c>q</c> (a SOQL query) contains <paramref name="soqlPart"/>.</summary>
    public void AnswerQuery(string path, string soqlPart, params Reply[] replies) => Answer("GET", path, soqlPart, replies);

    private void Answer(string method, string path, string? soqlPart, params Reply[] replies)
    {
        var scenario = Guid.NewGuid().ToString("N");
        for (var i = 0; i < replies.Length; i++)
        {
            var request = Request.Create().WithPath(path).UsingMethod(method);
            if (soqlPart is not null)
                request = request.WithParam(query => query.TryGetValue("q", out var q) && string.Join(",", q).Contains(soqlPart, StringComparison.Ordinal));
            var provider = _server.Given(request);
            if (replies.Length > 1)
            {
                provider = provider.InScenario(scenario);
                if (i > 0) provider = provider.WhenStateIs($"after-{i}");
                if (i < replies.Length - 1) provider = provider.WillSetStateTo($"after-{i + 1}");
            }
            provider.RespondWith(Build(replies[i]));
        }
    }

    private static IResponseBuilder Build(Reply reply)
    {
        var response = Response.Create().WithStatusCode(reply.Status);
        if (reply.Body is not null) response = response.WithBody(reply.Body).WithHeader("Content-Type", "application/json; odata.metadata=minimal");
        foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>()) response = response.WithHeader(name, value);
        if (reply.Delay is { } delay) response = response.WithDelay(delay);
        return response;
    }

    public IReadOnlyList<SeenRequest> Requests => _server.LogEntries
        .OrderBy(e => e.RequestMessage.DateTime)
        .Select(e => e.RequestMessage)
        .Select(m => new SeenRequest(
            m.Method,
            Uri.UnescapeDataString(m.Path),
            ParseQuery(m.RawQuery),
            (m.Headers ?? new Dictionary<string, WireMock.Types.WireMockList<string>>())
                .ToDictionary(h => h.Key, h => string.Join(", ", h.Value), StringComparer.OrdinalIgnoreCase),
            m.Body,
            m.RawQuery ?? string.Empty))
        .ToList();

    public IReadOnlyList<SeenRequest> To(string path) => Requests.Where(r => r.Path == path).ToList();

    private static Dictionary<string, string> ParseQuery(string? raw) =>
        (raw ?? string.Empty).TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1] : string.Empty), StringComparer.Ordinal);

    public void Dispose()
    {
        _server.Stop();
        _server.Dispose();
    }
}

/// <summary>
/// A clock whose waits end at once (a few milliseconds later) and are remembered, so back-off honouring Retry-After
/// is proven by the waits asked for, not by sleeping. Time-outs do not go through it (they use the real clock).
/// </summary>
public sealed class FastClock : TimeProvider
{
    private readonly List<TimeSpan> _waits = [];
    private DateTimeOffset _now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public IReadOnlyList<TimeSpan> Waits { get { lock (_waits) return [.. _waits]; } }

    public override DateTimeOffset GetUtcNow() { lock (_waits) return _now; }

    public void Advance(TimeSpan by) { lock (_waits) _now += by; }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (_waits)
            {
                _waits.Add(dueTime);
                _now += dueTime;
            }
        }
        return new Timer(callback, state, dueTime == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : TimeSpan.FromMilliseconds(5), Timeout.InfiniteTimeSpan);
    }
}

/// <summary>The connector kinds as the application registers them (AddCrmVendorConnectors), with a recording logger and the fast clock.</summary>
public sealed class VendorKit : IDisposable
{
    public const string Secret = "s3cr3t-Cl13nt-V@lue~!";

    private readonly ServiceProvider _services;

    public VendorKit()
    {
        var services = new ServiceCollection();
        Logs.AddTo(services);
        services.AddSingleton<TimeProvider>(Clock);
        services.AddCrmVendorConnectors();
        _services = services.BuildServiceProvider();
    }

    public RecordingLogger Logs { get; } = new();
    public FastClock Clock { get; } = new();
    public DataverseConnectorKind Dataverse => _services.GetRequiredService<DataverseConnectorKind>();
    public SalesforceConnectorKind Salesforce => _services.GetRequiredService<SalesforceConnectorKind>();

    public static CrmConnection Connection(string kind, Dictionary<string, string?> settings, string? secret = Secret) =>
        new(kind, settings, new Dictionary<string, string?> { ["clientSecret"] = secret });

    /// <summary>Every log line and every exception message, to prove that a secret or token never shows.</summary>
    public string AllLogText() => string.Join("\n", Logs.Lines.Select(l => $"{l.Category} {l.Level} {l.Message} {l.Error}"));

    public void Dispose() => _services.Dispose();
}
