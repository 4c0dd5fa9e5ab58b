using System.Net;
using System.Text.Json;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace AgentWorkspace.Tests.Access;

/// <summary>Sign-in, sign-out and the API's allowance, over real HTTP against the real app.</summary>
public class SignInHttpTests
{
    private const string OneMessage = "The e-mail or the password is wrong, or the account is locked for a while after too many failed attempts.";
    private static readonly DemoUsers.DemoUser Agent = DemoUsers.All.First(u => u.Email == "agent@demo.local");
    private static readonly DemoUsers.DemoUser Agent2 = DemoUsers.All.First(u => u.Email == "agent2@demo.local");

    private static Task<AppHost> StartAsync(params (string Key, string Value)[] settings) =>
        AppHost.StartAsync(settings.ToDictionary(s => s.Key, s => (string?)s.Value), demoCards: 2);

    private static async Task<Actor> AdminAsync(AppHost app)
    {
        await using var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        return (await db.Users.FirstAsync(u => u.Email == "admin@demo.local")).ToActor();
    }

    [Fact]
    public async Task AWrongPasswordAnUnknownADisabledAndALockedAccountGetOneAnswer_AndTheLockoutStillHolds()
    {
        await using var app = await StartAsync();
        var users = app.GetRequiredService<UserAdminService>();
        var disabled = await users.CreateAsync(await AdminAsync(app), new NewUserInput("gone@demo.local", "Gone Away", Role.Agent, "Gone-Away-Password-1", []));
        await users.SetDisabledAsync(await AdminAsync(app), disabled.Id, true);
        using var client = new SignInClient(app);

        var answers = new List<(HttpStatusCode, string?)>();
        async Task TryAsync(string email, string password)
        {
            using var response = await client.SignInAsync(email, password);
            answers.Add((response.StatusCode, await SignInClient.ErrorOf(response)));
        }
        await TryAsync("nobody@demo.local", "Whatever-Password-1");
        await TryAsync("gone@demo.local", "Gone-Away-Password-1");
        for (var i = 0; i < 5; i++) await TryAsync(Agent2.Email, "wrong-password-" + i);
        await TryAsync(Agent2.Email, Agent2.Password); // locked now: the right password does not open it

        answers.ShouldAllBe(a => a.Item1 == HttpStatusCode.OK && a.Item2 == OneMessage);
        answers.Count.ShouldBe(8);
        (await client.IsSignedInAsync()).ShouldBeFalse();
        await using var db = app.GetRequiredService<AgentWorkspaceDbContextFactory>().CreateDbContext();
        (await db.Users.SingleAsync(u => u.Email == Agent2.Email)).LockoutEnd.ShouldNotBeNull().ShouldBeGreaterThan(DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task FailedSignInsNamingOneAccountAreLimited_TheNextAttemptIsAnswered429WithRetryAfter_EvenWithTheRightPassword()
    {
        await using var app = await StartAsync(("Security:SignIn:PerAccount:PermitLimit", "3"), ("Security:SignIn:PerAccount:Window", "00:10:00"));
        using var client = new SignInClient(app);
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await client.SignInAsync(Agent.Email, "wrong-password-" + i);
            (await SignInClient.ErrorOf(wrong)).ShouldBe(OneMessage);
        }

        using var refused = await client.SignInAsync(Agent.Email.ToUpperInvariant(), Agent.Password);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        int.Parse(refused.Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 600);
        (await SignInClient.ErrorOf(refused)).ShouldBe("Too many failed sign-ins from here or for this account. Try again in 10 min.");
        (await client.IsSignedInAsync()).ShouldBeFalse();

        using var french = new SignInClient(app, "fr-FR");
        using var refusedFr = await french.SignInAsync(Agent.Email, Agent.Password);
        refusedFr.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await SignInClient.ErrorOf(refusedFr)).ShouldBe("Trop de connexions échouées depuis cet endroit ou pour ce compte. Réessayez dans 10 min.");

        // Another account, from the same address, is not held up.
        using var other = await client.SignInAsync(Agent2.Email, Agent2.Password);
        other.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.IsSignedInAsync()).ShouldBeTrue();
    }

    [Fact]
    public async Task FailedSignInsFromOneAddressAreLimited_WhateverAccountTheyName_WhileSuccessfulOnesNeverCount()
    {
        await using var app = await StartAsync(("Security:SignIn:PerAddress:PermitLimit", "3"));
        for (var i = 0; i < 5; i++)
        {
            using var ok = new SignInClient(app);
            (await ok.SignInAsync(Agent.Email, Agent.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect, "a whole team signing in from one address is never held up");
        }
        using var client = new SignInClient(app);
        for (var i = 0; i < 3; i++)
            (await SignInClient.ErrorOf(await client.SignInAsync($"guess{i}@demo.local", "Guessed-Password-1"))).ShouldBe(OneMessage);

        using var refused = await client.SignInAsync(Agent2.Email, Agent2.Password);
        refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        refused.Headers.Contains("Retry-After").ShouldBeTrue();
        (await client.IsSignedInAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task TheApiAllowsEachKeyItsShare_ThenAnswers429AsAProblemWithRetryAfter()
    {
        const string second = "second-test-api-key-0123456789";
        await using var app = await StartAsync(("Api:RateLimit:PermitLimit", "3"), ("Api:RateLimit:Window", "00:05:00"), ("Api:Keys:1", second));
        using var http = app.CreateClient();
        for (var i = 0; i < 3; i++) (await http.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var limited = await http.GetAsync("api/v1/custom-fields");
        limited.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        limited.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        int.Parse(limited.Headers.GetValues("Retry-After").Single()).ShouldBeInRange(1, 300);
        using (var problem = JsonDocument.Parse(await limited.Content.ReadAsStringAsync()))
        {
            problem.RootElement.GetProperty("status").GetInt32().ShouldBe(429);
            problem.RootElement.GetProperty("title").GetString().ShouldBe("Too many requests");
        }
        // Writes are limited the same way, and refused before they run.
        (await http.PostAsync("api/v1/interactions", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);

        // Another key has its own allowance.
        using var other = app.CreateClient(withApiKey: false);
        other.DefaultRequestHeaders.Add("X-Api-Key", second);
        (await other.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.OK);

        // Guessing keys is limited too: calls with wrong keys count per key sent, calls without one per address.
        using var guesser = app.CreateClient(withApiKey: false);
        for (var i = 0; i < 3; i++) (await guesser.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await guesser.GetAsync("api/v1/custom-fields")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task SigningOutIsAPostCarryingTheFormsAntiforgeryToken_AGetOrAForeignPostSignsNobodyOut()
    {
        await using var app = await StartAsync();
        using var client = new SignInClient(app);
        (await client.SignInAsync(Agent.Email, Agent.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.IsSignedInAsync()).ShouldBeTrue();

        using (var get = await client.Http.GetAsync("account/logout")) get.StatusCode.ShouldNotBe(HttpStatusCode.Redirect);
        (await client.IsSignedInAsync()).ShouldBeTrue("a link cannot sign anyone out");

        // What another site's form could send: no token, or a token of someone else's page.
        using var stranger = new SignInClient(app);
        var strangersToken = await stranger.TokenFromAsync("account/login");
        foreach (var form in new[] { new Dictionary<string, string>(), new() { ["__RequestVerificationToken"] = strangersToken } })
        {
            using var post = await client.Http.PostAsync("account/logout", new FormUrlEncodedContent(form));
            post.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            post.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            (await client.IsSignedInAsync()).ShouldBeTrue();
        }

        // The app's own sign-out button: the token of the page it is on.
        var token = await client.TokenFromAsync("inbox");
        using var signOut = await client.Http.PostAsync("account/logout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        signOut.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        signOut.Headers.Location!.ToString().ShouldBe("/account/login");
        (await client.IsSignedInAsync()).ShouldBeFalse();
    }

    [Fact]
    public async Task AfterSignInTheReturnAddressIsAPathOfTheApp_AnyOtherGoesHome()
    {
        await using var app = await StartAsync();
        var cases = new (string ReturnUrl, string Expected)[]
        {
            ("/inbox?scope=mine", "/inbox?scope=mine"),
            ("~/cards", "/cards"),
            ("https://evil.example/phish", "/"),
            ("//evil.example/phish", "/"),
            ("/\\evil.example/phish", "/"),
            ("/\t/evil.example/phish", "/"),
            ("\\\\evil.example", "/"),
            ("javascript:alert(1)", "/"),
            ("inbox", "/"),
        };
        foreach (var (returnUrl, expected) in cases)
        {
            using var client = new SignInClient(app);
            using var response = await client.SignInAsync(Agent.Email, Agent.Password, returnUrl);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, returnUrl);
            var location = new Uri(new Uri(app.BaseUrl + "/"), response.Headers.Location!);
            location.GetLeftPart(UriPartial.Authority).ShouldBe(app.BaseUrl, returnUrl);
            location.PathAndQuery.ShouldBe(expected, returnUrl);
        }

        // The language switch follows the same rule.
        using var http = new SignInClient(app);
        using var culture = await http.Http.GetAsync("preferences/culture?culture=fr&returnUrl=" + Uri.EscapeDataString("//evil.example"));
        culture.Headers.Location!.OriginalString.ShouldBe("/");
    }

    [Fact]
    public async Task ADemotedUserSignsInAgainOnTheSignInPageTheirOpenPageWasSentTo()
    {
        await using var app = await StartAsync();
        var users = app.GetRequiredService<UserAdminService>();
        var admin = await AdminAsync(app);
        var user = await users.CreateAsync(admin, new NewUserInput("demoted@demo.local", "Soon Agent", Role.Supervisor, "Soon-Agent-Password-1", []));
        using var client = new SignInClient(app);
        (await client.SignInAsync("demoted@demo.local", "Soon-Agent-Password-1")).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        await users.SetRoleAsync(admin, user.Id, Role.Agent);
        // The open page goes to the sign-in page; meanwhile the page it left tells the server it is gone (another request
        // with the old cookie). The form read before that must still sign the user in.
        var path = SignInClient.LoginPath("/supervisor/approvals");
        var token = await client.TokenFromAsync(path);
        (await client.IsSignedInAsync()).ShouldBeFalse();
        using var again = await client.PostSignInAsync(path, token, "demoted@demo.local", "Soon-Agent-Password-1");
        again.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.IsSignedInAsync()).ShouldBeTrue();
        using var approvals = await client.Http.GetAsync("supervisor/approvals");
        approvals.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        approvals.Headers.Location!.ToString().ShouldContain("/account/access-denied");
    }

    [Fact]
    public async Task ADisabledUsersCookieOpensNoPageFromTheNextRequestOn()
    {
        await using var app = await StartAsync();
        var users = app.GetRequiredService<UserAdminService>();
        var user = await users.CreateAsync(await AdminAsync(app), new NewUserInput("soon-gone@demo.local", "Soon Gone", Role.Agent, "Soon-Gone-Password-1", []));
        using var client = new SignInClient(app);
        (await client.SignInAsync("soon-gone@demo.local", "Soon-Gone-Password-1")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.IsSignedInAsync()).ShouldBeTrue();

        await users.SetDisabledAsync(await AdminAsync(app), user.Id, true);

        using var page = await client.Http.GetAsync("inbox");
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/account/login");
    }
}
