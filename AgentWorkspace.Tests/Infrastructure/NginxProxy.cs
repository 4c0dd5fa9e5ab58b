using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>
/// Debian's nginx, run as this user on a free loopback port, with the repository's own configuration
/// (deploy/nginx-agentworkspace.conf) in front of the given app servers. Tests skip themselves, with the reason, when
/// nginx is not installed.
/// </summary>
public sealed class NginxProxy : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/nginx";
    private readonly Process _process;
    private readonly string _dir;

    public string BaseUrl { get; }

    private NginxProxy(Process process, string dir, int port)
    {
        _process = process;
        _dir = dir;
        BaseUrl = $"http://127.0.0.1:{port}";
    }

    public static string? SkipReason => File.Exists(ExecutablePath)
        ? null
        : $"nginx is not installed at {ExecutablePath} (apt-get install -y nginx); the several-servers journey needs it.";

    public static async Task<NginxProxy> StartAsync(params string[] upstreamBaseUrls)
    {
        if (SkipReason is { } why) Assert.Skip(why);
        var dir = Directory.CreateTempSubdirectory("aw-nginx-").FullName;
        // Run as root, nginx's workers are 'nobody': they write their temporary files here.
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_111);
        var port = FreePort();
        var site = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "nginx-agentworkspace.conf"));
        // The repository's file as written, with the example addresses replaced by the test's servers.
        var servers = string.Join("\n", upstreamBaseUrls.Select(u => $"    server {new Uri(u).Authority};"));
        site = System.Text.RegularExpressions.Regex.Replace(site, @"(    server 10\.0\.0\.\d+:8080;[^\n]*\n)+", servers + "\n");
        site = site.Replace("listen 80;", $"listen 127.0.0.1:{port};");
        if (!site.Contains($"127.0.0.1:{port}") || upstreamBaseUrls.Any(u => !site.Contains(new Uri(u).Authority)))
            throw new InvalidOperationException("deploy/nginx-agentworkspace.conf no longer has the example addresses the test replaces.");
        var main = $$"""
            worker_processes 1;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log warn;
            events { worker_connections 512; }
            http {
                access_log off;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
            {{site}}
            }
            """;
        var conf = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(conf, main);
        var process = Process.Start(new ProcessStartInfo(ExecutablePath, ["-p", dir, "-c", conf, "-g", "daemon off;"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;
        var errors = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return new NginxProxy(process, dir, port);
            }
            catch (SocketException)
            {
                if (process.HasExited || DateTime.UtcNow > until)
                {
                    string said;
                    lock (errors) said = errors.ToString();
                    throw new InvalidOperationException($"nginx did not start on port {port}: {said}");
                }
                await Task.Delay(50);
            }
        }
    }

    private static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AgentWorkspace.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("The repository root (AgentWorkspace.sln) is not above the test binaries.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
