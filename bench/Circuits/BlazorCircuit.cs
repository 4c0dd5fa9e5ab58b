using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// One Blazor Server circuit held without a browser (issue 20): the page is fetched with the sign-in cookie, its
/// server component markers are handed to the hub as the browser script does (StartCircuit, then UpdateRootComponents),
/// every render batch is acknowledged (OnRenderCompleted) after reading from it the click handlers of the case tiles,
/// JS interop calls are answered with an empty success, and clicks are sent as the renderer's DispatchEventAsync.
/// Written from what the browser script of .NET 10 sends (blazor.web.js) and the hub's method signatures.
/// </summary>
internal sealed partial class BlazorCircuit : IAsyncDisposable
{
    private readonly HubConnection _hub;
    private readonly ConcurrentDictionary<long, ulong> _tileHandlers = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<string[]>? _waiting;
    private long _dispatcherId = -1;
    private int _callIds;
    private int _jsObjects;
    private readonly TaskCompletionSource _interactive = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Batches;
    /// <summary>Told the strings of every render batch as it arrives (the bench's news watchers).</summary>
    public Action<string[]>? Watch { get; set; }
    private static readonly bool Debug = Environment.GetEnvironmentVariable("CIRCUITS_DEBUG") == "1";
    public string? Error { get; private set; }
    public bool Closed { get; private set; }
    public IReadOnlyCollection<long> TileCaseIds => (IReadOnlyCollection<long>)_tileHandlers.Keys;

    private BlazorCircuit(HubConnection hub) => _hub = hub;

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex Marker();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex State();

    public static async Task<BlazorCircuit> OpenAsync(HttpClient http, CookieContainer cookies, Uri baseUri, string path, CancellationToken ct)
    {
        var html = await http.GetStringAsync(new Uri(baseUri, path), ct);
        var markers = Marker().Matches(html).Select(m => m.Groups[1].Value).Where(j => j.Contains("\"descriptor\"", StringComparison.Ordinal)).ToList();
        if (markers.Count == 0) throw new InvalidOperationException($"{path}: no server component marker (signed out?)");
        var state = State().Match(html) is { Success: true } s ? s.Groups[1].Value : "";

        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUri, "_blazor"), o =>
            {
                o.Cookies = cookies;
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
            });
        // The connection takes its protocol from its services: the last one registered, ours, replaces JSON.
        builder.Services.AddSingleton<IHubProtocol>(new BlazorPackProtocol());
        var hub = builder.Build();
        hub.ServerTimeout = TimeSpan.FromMinutes(10); // a full GC or a dump of a large heap freezes the server
        var circuit = new BlazorCircuit(hub);
        circuit.Register();
        await hub.StartAsync(ct);
        var id = await hub.InvokeAsync<string>("StartCircuit", baseUri.ToString(), new Uri(baseUri, path).ToString(), "[]", "", ct);
        if (string.IsNullOrEmpty(id)) throw new InvalidOperationException("StartCircuit refused: " + circuit.Error);
        var operations = new StringBuilder("{\"batchId\":1,\"operations\":[");
        for (var i = 0; i < markers.Count; i++)
            operations.Append(i == 0 ? "" : ",").Append("{\"type\":\"add\",\"ssrComponentId\":").Append(i + 1).Append(",\"marker\":").Append(markers[i]).Append('}');
        operations.Append("]}");
        await hub.SendAsync("UpdateRootComponents", operations.ToString(), state, ct);
        await circuit._interactive.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
        return circuit;
    }

    private void Register()
    {
        _hub.On<long, byte[]>("JS.RenderBatch", async (batchId, data) =>
        {
            string[] strings;
            try { strings = RenderBatch.Read(data, _tileHandlers); }
            catch (Exception ex) { Error ??= "render batch: " + ex.Message; strings = []; }
            Interlocked.Increment(ref Batches);
            Watch?.Invoke(strings);
            await _hub.SendAsync("OnRenderCompleted", batchId, (string?)null);
            TaskCompletionSource<string[]>? waiting;
            lock (_gate) { waiting = _waiting; _waiting = null; }
            waiting?.TrySetResult(strings);
            if (!_tileHandlers.IsEmpty || Batches > 2) _interactive.TrySetResult();
        });
        _hub.On<long, string, string, int, long, int>("JS.BeginInvokeJS", async (handle, identifier, argsJson, _, _, _) =>
        {
            if (Debug) Console.WriteLine($"JS call {handle} {identifier} {argsJson[..Math.Min(200, argsJson.Length)]}");
            if (identifier.EndsWith("attachWebRendererInterop", StringComparison.Ordinal)) _dispatcherId = DotNetObjectId(argsJson);
            // What a browser would answer where the app uses the answer: a module for an import, a box for a measure.
            var result = identifier switch
            {
                "import" => $"{{\"__jsObjectId\":{Interlocked.Increment(ref _jsObjects)}}}",
                "saveTabs" or "ring" or "show" or "window.hasOwnProperty" => "true",
                "permission" => "\"default\"",
                "mudpopoverHelper.countProviders" => "1",
                _ when identifier.EndsWith("getBoundingClientRect", StringComparison.Ordinal) =>
                    "{\"left\":0,\"top\":0,\"right\":200,\"bottom\":40,\"width\":200,\"height\":40,\"x\":0,\"y\":0,\"scrollY\":0,\"scrollX\":0,\"windowHeight\":720,\"windowWidth\":1280}",
                _ => "null",
            };
            if (handle != 0) await _hub.SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
        });
        _hub.On<string>("JS.Error", error => { if (Debug) Console.WriteLine("JS.Error " + error); Error = error; _interactive.TrySetException(new InvalidOperationException(error)); });
        _hub.On<long>("JS.EndUpdateRootComponents", _ => { });
        _hub.Closed += ex =>
        {
            Closed = true;
            Error ??= ex?.Message ?? "closed";
            _interactive.TrySetException(new InvalidOperationException("closed: " + Error));
            return Task.CompletedTask;
        };
    }

    private static long DotNetObjectId(string argsJson)
    {
        using var doc = JsonDocument.Parse(argsJson);
        foreach (var arg in doc.RootElement.EnumerateArray())
            if (arg.ValueKind == JsonValueKind.Object && arg.TryGetProperty("__dotNetObject", out var id)) return id.GetInt64();
        return -1;
    }

    /// <summary>
    /// Clicks the tile of a case (opens it, or shows it again) and waits for the render batch that shows it: the first
    /// batch after the click whose strings name the case. Returns the round trip, or null after 10 s.
    /// </summary>
    /// <summary>The cases this circuit's clicks opened (the driver clicks each once).</summary>
    public HashSet<long> Clicked { get; } = [];

    public async Task<double?> ClickTileAsync(long caseId)
    {
        if (_dispatcherId < 0 || !_tileHandlers.TryGetValue(caseId, out var handler))
        {
            if (Debug) Console.WriteLine($"no click: dispatcher {_dispatcherId}, handler known {_tileHandlers.ContainsKey(caseId)}");
            return null;
        }
        var marker = caseId.ToString(CultureInfo.InvariantCulture);
        var callId = Interlocked.Increment(ref _callIds).ToString(CultureInfo.InvariantCulture);
        var args = $$"""[{"eventHandlerId":{{handler}},"eventName":"click","eventFieldInfo":null},{"detail":1,"screenX":0,"screenY":0,"clientX":0,"clientY":0,"offsetX":0,"offsetY":0,"pageX":0,"pageY":0,"movementX":0,"movementY":0,"button":0,"buttons":0,"ctrlKey":false,"shiftKey":false,"altKey":false,"metaKey":false,"type":"click"}]""";
        var sw = Stopwatch.StartNew();
        var deadline = TimeSpan.FromSeconds(10);
        var first = true;
        while (sw.Elapsed < deadline)
        {
            var wait = new TaskCompletionSource<string[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate) _waiting = wait;
            if (first)
            {
                try { await _hub.SendAsync("BeginInvokeDotNetFromJS", callId, (string?)null, "DispatchEventAsync", _dispatcherId, args); }
                catch (InvalidOperationException) { return null; } // the circuit closed
                first = false;
            }
            try
            {
                var strings = await wait.Task.WaitAsync(deadline - sw.Elapsed);
                if (strings.Contains(marker)) return sw.Elapsed.TotalMilliseconds;
                if (Debug) Console.WriteLine($"batch without {marker}: {string.Join('|', strings.Take(12))}");
            }
            catch (TimeoutException) { break; }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try { await _hub.DisposeAsync(); } catch { /* closing */ }
    }
}

/// <summary>The hub's MessagePack dialect is named "blazorpack"; its wire format is SignalR's MessagePack protocol.</summary>
internal sealed class BlazorPackProtocol : IHubProtocol
{
    private readonly MessagePackHubProtocol _inner = new();
    public string Name => "blazorpack";
    public int Version => _inner.Version;
    public TransferFormat TransferFormat => TransferFormat.Binary;
    public bool IsVersionSupported(int version) => _inner.IsVersionSupported(version);
    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out HubMessage? message) => _inner.TryParseMessage(ref input, binder, out message);
    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => _inner.WriteMessage(message, output);
    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => _inner.GetMessageBytes(message);
}

/// <summary>
/// Reads what the bench needs from a render batch (the binary form the server writes for the browser's renderer):
/// its string table, and among its reference frames each element's attributes, to learn the click handler of every case
/// tile (a button with data-testid="case-tile" and data-case-id). Disposed handlers are forgotten.
/// </summary>
internal static class RenderBatch
{
    private const int FrameSize = 20;
    private const int Element = 1, Attribute = 3;

    public static string[] Read(byte[] data, ConcurrentDictionary<long, ulong> tileHandlers)
    {
        var end = data.Length - 5 * 4;
        int Int(int at) => BitConverter.ToInt32(data, at);
        var referenceFrames = Int(end + 4);
        var disposedHandlers = Int(end + 12);
        var stringTable = Int(end + 16);
        var strings = new string[(end - stringTable) / 4];
        for (var i = 0; i < strings.Length; i++) strings[i] = ReadString(data, Int(stringTable + 4 * i));
        string? S(int index) => index >= 0 && index < strings.Length ? strings[index] : null;

        var count = Int(referenceFrames);
        string? testId = null, caseId = null;
        ulong click = 0;
        void Flush()
        {
            if (testId == "case-tile" && click != 0 && long.TryParse(caseId, CultureInfo.InvariantCulture, out var id)) tileHandlers[id] = click;
            testId = caseId = null;
            click = 0;
        }
        for (var f = 0; f < count; f++)
        {
            var at = referenceFrames + 4 + f * FrameSize;
            var type = Int(at);
            if (type == Element) { Flush(); continue; }
            if (type != Attribute) continue;
            var name = S(Int(at + 4));
            switch (name)
            {
                case "onclick": click = BitConverter.ToUInt64(data, at + 12); break;
                case "data-testid": testId = S(Int(at + 8)); break;
                case "data-case-id": caseId = S(Int(at + 8)); break;
            }
        }
        Flush();

        var disposed = Int(disposedHandlers);
        if (disposed > 0)
        {
            var gone = new HashSet<ulong>();
            for (var i = 0; i < disposed; i++) gone.Add(BitConverter.ToUInt64(data, disposedHandlers + 4 + i * 8));
            foreach (var (id, handler) in tileHandlers)
                if (gone.Contains(handler)) tileHandlers.TryRemove(new KeyValuePair<long, ulong>(id, handler));
        }
        return strings;
    }

    private static string ReadString(byte[] data, int at)
    {
        // A 7-bit encoded length, then UTF-8.
        int length = 0, shift = 0;
        byte b;
        do { b = data[at++]; length |= (b & 0x7F) << shift; shift += 7; } while ((b & 0x80) != 0);
        return Encoding.UTF8.GetString(data, at, length);
    }
}
