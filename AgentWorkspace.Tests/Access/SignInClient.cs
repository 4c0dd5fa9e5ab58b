using System.Net;
using System.Text.RegularExpressions;
using AgentWorkspace.Tests.Infrastructure;

namespace AgentWorkspace.Tests.Access;

/// <summary>
/// A browser without a browser: cookies kept, redirects not followed, the sign-in form posted as the page posts it
/// (its antiforgery token and handler name read from the page first).
/// </summary>
public sealed partial class SignInClient : IDisposable
{
    private readonly HttpClient _http;

    public SignInClient(AppHost app, string? language = null)
    {
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(app.BaseUrl + "/"),
        };
        if (language is not null) _http.DefaultRequestHeaders.AcceptLanguage.ParseAdd(language);
    }

    public HttpClient Http => _http;

    [GeneratedRegex("""name="__RequestVerificationToken" value="([^"]+)""")]
    private static partial Regex TokenInput();

    [GeneratedRegex("""data-testid="login-error"[^>]*>([^<]*)<""")]
    private static partial Regex ErrorText();

    /// <summary>The antiforgery token of the form a page renders (the sign-in form, or the sign-out form of a signed-in page).</summary>
    public async Task<string> TokenFromAsync(string path)
    {
        var page = await _http.GetStringAsync(path);
        var match = TokenInput().Match(page);
        match.Success.ShouldBeTrue($"{path} renders a form with an antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    public async Task<HttpResponseMessage> SignInAsync(string email, string password, string? returnUrl = null)
    {
        var path = LoginPath(returnUrl);
        return await PostSignInAsync(path, await TokenFromAsync(path), email, password);
    }

    public static string LoginPath(string? returnUrl = null) => "account/login" + (returnUrl is null ? "" : "?returnUrl=" + Uri.EscapeDataString(returnUrl));

    /// <summary>Posts the sign-in form of a page read earlier (its token), as a person does after a while.</summary>
    public Task<HttpResponseMessage> PostSignInAsync(string path, string token, string email, string password) =>
        _http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = token,
            ["Input.Email"] = email,
            ["Input.Password"] = password,
        }));

    /// <summary>The message the sign-in page shows, or null when it shows none.</summary>
    public static async Task<string?> ErrorOf(HttpResponseMessage response)
    {
        var match = ErrorText().Match(await response.Content.ReadAsStringAsync());
        return match.Success ? WebUtility.HtmlDecode(match.Groups[1].Value).Trim() : null;
    }

    /// <summary>Whether a page that needs a signed-in user answers (200), rather than sending to the sign-in page.</summary>
    public async Task<bool> IsSignedInAsync()
    {
        using var response = await _http.GetAsync("inbox");
        return response.StatusCode == HttpStatusCode.OK;
    }

    public void Dispose() => _http.Dispose();
}
