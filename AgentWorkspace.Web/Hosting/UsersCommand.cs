using System.Security.Cryptography;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using Microsoft.AspNetCore.Identity;

namespace AgentWorkspace.Web.Hosting;

/// <summary>
/// <c>dotnet run --project AgentWorkspace.Web -- users add --email a@b.c --role Admin [--name "Ada Admin"]</c>: the first
/// administrator of an empty production database. The password is read from standard input when something is
/// piped in, else generated and shown once. Also <c>users list</c> and <c>users disable --email a@b.c</c>. Each change
/// runs through the same use cases (and audit) as the admin pages, as the System actor.
/// </summary>
public static class UsersCommand
{
    private const string Usage = "users add --email <address> --role Agent|Supervisor|Admin [--name \"Display Name\"] | users list | users disable --email <address>";

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        if (args.Length == 0 || args[0] is not ("add" or "list" or "disable"))
        {
            await error.WriteLineAsync("users: " + Usage);
            return 2;
        }
        var verb = args[0];
        string? email = null, name = null;
        var role = Role.Agent;
        var rest = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--email" when i + 1 < args.Length: email = args[++i]; break;
                case "--name" when i + 1 < args.Length: name = args[++i]; break;
                case "--role" when i + 1 < args.Length && Enum.TryParse<Role>(args[i + 1], true, out var r) && Enum.IsDefined(r): role = r; i++; break;
                case "--role":
                    await error.WriteLineAsync("users: --role is Agent, Supervisor or Admin.");
                    return 2;
                default: rest.Add(args[i]); break;
            }
        }
        if (verb is "add" or "disable" && string.IsNullOrWhiteSpace(email))
        {
            await error.WriteLineAsync($"users {verb}: --email is required. Usage: {Usage}");
            return 2;
        }

        var app = AgentWorkspaceApp.Build([.. rest]);
        var factory = app.Services.GetRequiredService<AgentWorkspaceDbContextFactory>();
        await DatabaseStartup.MigrateAsync(factory);
        await using (var scope = app.Services.CreateAsyncScope())
            await DemoUsers.EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        var users = app.Services.GetRequiredService<UserAdminService>();
        try
        {
            switch (verb)
            {
                case "list":
                    foreach (var u in await users.ListAsync(Actor.System))
                        await output.WriteLineAsync($"{u.Email,-32} {u.Role,-10} {(u.IsDisabled ? "disabled" : "active"),-8} {u.DisplayName}");
                    return 0;
                case "disable":
                    var found = (await users.ListAsync(Actor.System)).FirstOrDefault(u => string.Equals(u.Email, email!.Trim(), StringComparison.OrdinalIgnoreCase));
                    if (found is null)
                    {
                        await error.WriteLineAsync($"users disable: there is no user {email}.");
                        return 1;
                    }
                    await users.SetDisabledAsync(Actor.System, found.Id, disabled: true);
                    await output.WriteLineAsync($"{found.Email} is disabled; their open sessions end at the next check.");
                    return 0;
                default:
                    // A terminal is not read (nobody would know it waits); a pipe or a file is.
                    var piped = !ReferenceEquals(input, Console.In) || Console.IsInputRedirected ? (await input.ReadLineAsync())?.TrimEnd('\r', '\n') : null;
                    var generated = string.IsNullOrEmpty(piped);
                    var password = generated ? NewPassword() : piped!;
                    var display = string.IsNullOrWhiteSpace(name) ? email!.Split('@')[0] : name;
                    var created = await users.CreateAsync(Actor.System, new NewUserInput(email, display, role, password, []));
                    await output.WriteLineAsync($"Created {created.Email} ({created.Role}).");
                    if (generated) await output.WriteLineAsync($"Password (shown once, keep it safe): {password}");
                    return 0;
            }
        }
        catch (Exception ex) when (ex is DomainException or ForbiddenException or NotFoundException)
        {
            await error.WriteLineAsync($"users {verb}: {ex.Message}");
            return 1;
        }
    }

    /// <summary>20 characters from an alphabet without look-alikes (no 0/O, 1/l/I), from the system's random source.</summary>
    internal static string NewPassword()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789-_";
        return string.Create(20, alphabet, (span, chars) =>
        {
            for (var i = 0; i < span.Length; i++) span[i] = chars[RandomNumberGenerator.GetInt32(chars.Length)];
        });
    }
}
