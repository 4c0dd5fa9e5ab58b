using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace AgentWorkspace.Tests.Api;

/// <summary>One request of the walk: the operation it calls, where, with what, and what its answer must be.</summary>
/// <param name="MustRefuse">The input is hostile (a bad body, a missing or malformed id): the answer must be a 4xx.</param>
/// <param name="MustName">The field the refusal must name in its "errors" map.</param>
public sealed record Probe(string Operation, string Method, string Url, string What, HostileBody? Body = null, bool MustRefuse = true, string? MustName = null, bool DeclaresBody = true)
{
    public string Id { get; } = Guid.NewGuid().ToString("N");

    public override string ToString() => $"{Method} {(Url.Length > 120 ? Url[..120] + "…" : Url)} [{What}]";
}

public sealed record ProbeAnswer(int Status, string? MediaType, string Text, string? Error);

/// <summary>
/// Sends probes and says what is wrong with their answers: a 5xx, no answer, a success to a hostile input, a 4xx that is
/// not a problem (application/problem+json whose "status" is the answer's), a refusal that does not name the field at
/// fault, a body read by an operation that does not declare one, and any row changed by calls that were refused.
/// </summary>
public sealed class ApiProbe(AppHost app, BodyReadTracker reads)
{
    private readonly AgentWorkspaceDbContextFactory _factory = app.GetRequiredService<AgentWorkspaceDbContextFactory>();

    public HttpClient Client { get; } = CreateClient(app);

    private static HttpClient CreateClient(AppHost app)
    {
        // A 308 to a merged card's survivor is an answer to check, not to follow.
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl + "/"), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AppHost.ApiKey);
        return client;
    }

    public Task<DatabaseSnapshot> SnapshotAsync() => DatabaseSnapshot.TakeAsync(_factory);

    /// <summary>Probes that must all be refused, with one snapshot around them: a change is reported with the group.</summary>
    public async Task<List<string>> RefusedGroupAsync(string group, IReadOnlyList<Probe> probes)
    {
        var violations = new List<string>();
        var before = await SnapshotAsync();
        foreach (var probe in probes) violations.AddRange(Check(probe, await SendAsync(probe)));
        var changes = (await SnapshotAsync()).ChangesSince(before);
        if (changes.Count > 0) violations.Add($"{group}: refused calls changed rows: {string.Join("; ", changes)}");
        return violations;
    }

    /// <summary>One probe with a snapshot of its own: rows may change only if it succeeded.</summary>
    public async Task<List<string>> SingleAsync(Probe probe)
    {
        var before = await SnapshotAsync();
        var answer = await SendAsync(probe);
        var violations = Check(probe, answer).ToList();
        var changes = (await SnapshotAsync()).ChangesSince(before);
        if (changes.Count > 0 && answer.Status >= 400) violations.Add($"{probe} → {answer.Status} but rows changed: {string.Join("; ", changes)}");
        return violations;
    }

    public async Task<ProbeAnswer> SendAsync(Probe probe)
    {
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), probe.Url);
        request.Headers.Add(BodyReadTracker.Header, probe.Id);
        if (probe.Body is { } body)
        {
            var content = new ByteArrayContent(body.Bytes);
            if (body.ContentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(body.ContentType);
            request.Content = content;
            // A body over the limit is answered 413 at once, and the connection closed; without "Expect: 100-continue" a
            // client still uploading it may see the connection reset before it reads that answer (HTTP/1.1, not the app).
            if (body.Bytes.Length > 64 * 1024) request.Headers.ExpectContinue = true;
        }
        try
        {
            using var response = await Client.SendAsync(request, TestContext.Current.CancellationToken);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            return new ProbeAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, null);
        }
        catch (HttpRequestException ex)
        {
            return new ProbeAnswer(0, null, string.Empty, ex.Message);
        }
    }

    public IEnumerable<string> Check(Probe probe, ProbeAnswer answer)
    {
        if (answer.Error is not null)
        {
            yield return $"{probe} → no answer: {answer.Error}";
            yield break;
        }
        var said = answer.Text.Length > 300 ? answer.Text[..300] + "…" : answer.Text;
        if (answer.Status >= 500) yield return $"{probe} → {answer.Status} (a 5xx): {said}";
        if (probe.MustRefuse && answer.Status < 400) yield return $"{probe} → {answer.Status}: a hostile input must be refused with a 4xx: {said}";
        if (!probe.DeclaresBody && probe.Body is not null && reads.BytesRead(probe.Id) > 0)
            yield return $"{probe} → the operation read a request body that the OpenAPI document does not declare";
        if (answer.Status is < 400 or >= 500) yield break;

        if (answer.MediaType != "application/problem+json")
        {
            yield return $"{probe} → {answer.Status} as '{answer.MediaType ?? "(no media type)"}', not application/problem+json: {said}";
            yield break;
        }
        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(answer.Text).RootElement.Clone();
        }
        catch (JsonException)
        {
            problem = default;
        }
        if (problem.ValueKind != JsonValueKind.Object || !problem.TryGetProperty("status", out var status) || status.GetInt32() != answer.Status || !problem.TryGetProperty("title", out _))
        {
            yield return $"{probe} → {answer.Status}: not a problem with its status and title: {said}";
            yield break;
        }
        if (probe.MustName is { } field && (!problem.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object || !errors.TryGetProperty(field, out _)))
            yield return $"{probe} → {answer.Status} does not name '{field}' in its errors: {said}";
    }
}

/// <summary>Counts the request-body bytes each probe's request had read from it (by the X-Probe header), wherever in the app that happened.</summary>
public sealed class BodyReadTracker : IStartupFilter
{
    public const string Header = "X-Probe";
    private readonly ConcurrentDictionary<string, long> _read = new();

    public long BytesRead(string probe) => _read.TryGetValue(probe, out var n) ? n : 0;

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (http, following) =>
        {
            if (http.Request.Headers.TryGetValue(Header, out var id) && id.ToString() is { Length: > 0 } probe)
            {
                var counting = new CountingStream(http.Request.Body);
                http.Request.Body = counting;
                try
                {
                    await following(http);
                }
                finally
                {
                    _read[probe] = counting.Count;
                }
                return;
            }
            await following(http);
        });
        next(app);
    };

    private sealed class CountingStream(Stream inner) : Stream
    {
        public long Count { get; private set; }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Counted(inner.Read(buffer, offset, count));
        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Counted(await inner.ReadAsync(buffer.AsMemory(offset, count), cancellationToken));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Counted(await inner.ReadAsync(buffer, cancellationToken));
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        private int Counted(int n) { Count += n; return n; }
    }
}

/// <summary>The built-in analyzer, except that a text with <see cref="Marker"/> throws: a fault planted for the harness's own test.</summary>
public sealed class FaultOnMarkerAnalyzer : ISentimentAnalyzer
{
    public const string Marker = "planted-fault-7f3a";

    public ValueTask<Core.Domain.Channels.Sentiment> AnalyzeAsync(string? text, CancellationToken ct = default) =>
        text?.Contains(Marker, StringComparison.Ordinal) == true
            ? throw new InvalidOperationException("A fault planted by the test.")
            : new LexiconSentimentAnalyzer().AnalyzeAsync(text, ct);
}
