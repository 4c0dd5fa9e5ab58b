using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// A real redis-server (Debian's) on a free loopback port, without persistence, that a test can stop and start again
/// on the same port. Tests that need it skip themselves, with the reason, when it is not installed.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/redis-server";
    private Process? _process;

    public int Port { get; }
    public string Configuration => $"127.0.0.1:{Port},connectTimeout=2000,syncTimeout=2000";

    private RedisServer(int port) => Port = port;

    public static string? SkipReason => File.Exists(ExecutablePath)
        ? null
        : $"redis-server is not installed at {ExecutablePath} (apt-get install -y redis-server); the several-servers tests need it.";

    /// <summary>Starts a server, or skips the calling test when Redis is not installed.</summary>
    public static async Task<RedisServer> StartAsync()
    {
        if (SkipReason is { } why) Assert.Skip(why);
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var server = new RedisServer(port);
        await server.StartAgainAsync();
        return server;
    }

    public async Task StartAgainAsync()
    {
        _process = Process.Start(new ProcessStartInfo(ExecutablePath,
            ["--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (DateTime.UtcNow < until)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                if (_process.HasExited) throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}.");
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"redis-server did not listen on port {Port} within 15 s.");
    }

    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } p) return;
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        p.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
