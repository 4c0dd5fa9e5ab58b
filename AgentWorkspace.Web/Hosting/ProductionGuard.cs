using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using Microsoft.AspNetCore.Identity;

namespace AgentWorkspace.Web.Hosting;

/// <summary>
/// Whether the demo runs, and what may never open the door outside the Development environment:
/// the demo accounts (their passwords are published in the README) and the published API key, nor any
/// configured key short enough to guess. Each refusal stops the app at start with one line naming the key.
/// </summary>
public sealed record DemoSettings(bool SeedData, bool Accounts, int Cards)
{
    public const string PublishedApiKey = "demo-api-key-change-me";
    public const int MinimumApiKeyLength = 32;

    /// <summary>
    /// <c>Demo:Seed</c> and <c>Demo:Accounts</c> are <c>true</c>, <c>false</c> or <c>Development</c> (the default: on in the
    /// Development environment only). Outside Development, demo data comes only when asked for with <c>true</c>, and
    /// the demo accounts never: asking for them stops the app.
    /// </summary>
    public static DemoSettings From(IConfiguration config, IHostEnvironment environment)
    {
        var development = environment.IsDevelopment();
        bool Read(string key)
        {
            var raw = config[key]?.Trim();
            if (string.IsNullOrEmpty(raw) || raw.Equals("Development", StringComparison.OrdinalIgnoreCase)) return development;
            if (bool.TryParse(raw, out var value)) return value;
            throw new StartupException($"{key} is '{raw}'; set it to true, false or Development.");
        }
        var seed = Read("Demo:Seed");
        var accounts = Read("Demo:Accounts");
        if (accounts && !development)
            throw new StartupException($"Demo:Accounts is true in the {environment.EnvironmentName} environment: the demo accounts' passwords are published. Set Demo:Accounts to false and create your administrator with 'users add --email ... --role Admin'.");
        var cards = config.GetValue("Demo:Cards", 400);
        if (cards < 0) throw new StartupException($"Demo:Cards is {cards}; set it to a number of cards (0 or more).");
        return new DemoSettings(seed, accounts, cards);
    }

    /// <summary>Outside Development: no published key, no key shorter than <see cref="MinimumApiKeyLength"/> characters.</summary>
    public static void CheckApiKeys(IConfiguration config, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return;
        foreach (var key in config.GetSection("Api:Keys").GetChildren().Select(c => c.Value).OfType<string>().Where(v => v.Length > 0))
        {
            if (key == PublishedApiKey)
                throw new StartupException($"Api:Keys holds the published key '{PublishedApiKey}' in the {environment.EnvironmentName} environment; replace it with a secret of your own (at least {MinimumApiKeyLength} characters) or remove it.");
            if (key.Length < MinimumApiKeyLength)
                throw new StartupException($"Api:Keys holds a key of {key.Length} characters; outside Development every key needs at least {MinimumApiKeyLength} (e.g. openssl rand -base64 32).");
        }
    }

    /// <summary>Outside Development, a demo account still holding its published password stops the app.</summary>
    public static async Task CheckNoDemoAccountOpensAsync(IServiceProvider services, IHostEnvironment environment)
    {
        if (environment.IsDevelopment()) return;
        await using var scope = services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<AppUser>>();
        foreach (var demo in DemoUsers.All)
        {
            var user = await users.FindByEmailAsync(demo.Email);
            if (user is null || user.IsDisabled) continue;
            if (await users.CheckPasswordAsync(user, demo.Password))
                throw new StartupException($"The demo account {demo.Email} still has its published password in the {environment.EnvironmentName} environment; run 'users disable --email {demo.Email}' or give it a new password.");
        }
    }
}
