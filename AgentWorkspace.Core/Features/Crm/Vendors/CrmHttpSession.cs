using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Core.Features.Crm.Vendors;

/// <summary>An error as the CRM worded it: its code, its message, and the fields it names (vendor names).</summary>
internal sealed record CrmVendorError(string? Code, string? Message, IReadOnlyList<string> Fields);

/// <summary>What differs between the outside CRMs in how their errors read and what some of them mean.</summary>
internal sealed record CrmVendorDialect(
    string Name,
    Func<string, CrmVendorError?> ReadError,
    Func<HttpStatusCode, CrmVendorError?, CrmFailure?> Classify,
    Func<string, string?> OurFieldName);

/// <summary>A CRM's answer: its status and its JSON body (none for an empty body), or the error it gave for an expected refusal.</summary>
internal sealed record CrmAnswer(HttpStatusCode Status, JsonElement? Body, CrmVendorError? Error)
{
    public JsonElement Json => Body ?? throw new CrmAnswerUnreadable("the answer has no body");
}

/// <summary>An answer that does not have the shape the vendor's documentation gives (thrown while reading, reported as Unavailable).</summary>
internal sealed class CrmAnswerUnreadable(string why) : Exception(why);

/// <summary>
/// Sends the requests of one outside CRM connection and turns every way they can fail into a <see cref="CrmException"/>:
/// <list type="bullet">
/// <item>401 (token expired or refused): the token is forgotten, we sign in again once and resend; a second 401 is Unauthorized.</item>
/// <item>429 / 503: wait what Retry-After asks (seconds or a date; 1, 2, 4 s when absent) and resend, at most
/// <see cref="CrmCallLimits.MaxThrottleRetries"/> times and never longer than <see cref="CrmCallLimits.MaxRetryAfter"/>; then Unavailable.</item>
/// <item>5xx, time-out, connection refused, an answer that is not JSON: Unavailable (the outbox retries later).</item>
/// <item>400 and other refusals: Rejected, with the vendor's message and the field it names; 404: NotFound.</item>
/// </list>
/// Logs name the vendor, the operation and the status, never a URL's query (it carries phones and e-mails), a token or a secret.
/// </summary>
internal sealed class CrmHttpSession(
    HttpClient http,
    TimeProvider time,
    ILogger logger,
    CrmVendorDialect vendor,
    CrmCallLimits limits,
    CrmTokenCache tokens,
    Func<CrmHttpSession, CancellationToken, Task<CrmAccessToken>> signIn)
{
    public CrmVendorDialect Vendor => vendor;

    public Task<CrmAccessToken> TokenAsync(CancellationToken ct) => tokens.GetAsync(c => signIn(this, c), time, ct);

    /// <summary>
    /// Sends an authorized request built by <paramref name="build"/> (called again for each attempt, with the token in
    /// force). Statuses in <paramref name="expected"/> are answered rather than thrown, with the vendor's error read.
    /// </summary>
    public async Task<CrmAnswer> SendAsync(string operation, Func<CrmAccessToken, HttpRequestMessage> build, CancellationToken ct, params HttpStatusCode[] expected)
    {
        var signedInAgain = false;
        while (true)
        {
            var token = await TokenAsync(ct).ConfigureAwait(false);
            var (status, body) = await ExchangeAsync(operation, () =>
            {
                var request = build(token);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
                return request;
            }, ct).ConfigureAwait(false);

            if (status == HttpStatusCode.Unauthorized)
            {
                tokens.Forget(token);
                var error = vendor.ReadError(body);
                if (!signedInAgain)
                {
                    signedInAgain = true;
                    logger.LogInformation("{Vendor} refused the access token on {Operation} ({Code}); signing in again once", vendor.Name, operation, error?.Code ?? "401");
                    continue;
                }
                logger.LogWarning("{Vendor} refused a fresh access token on {Operation} ({Code})", vendor.Name, operation, error?.Code ?? "401");
                throw new CrmException(CrmFailure.Unauthorized,
                    $"{vendor.Name} refused the credentials even after signing in again ({operation}).", error?.Message);
            }
            return Interpret(operation, status, body, expected);
        }
    }

    /// <summary>
    /// Posts a form to the authorization server (OAuth 2.0 token request) and answers its JSON. A refusal (400/401/403,
    /// OAuth error shape <c>{ "error", "error_description" }</c>) is Unauthorized: the settings are wrong, not the moment.
    /// </summary>
    public async Task<JsonElement> RequestTokenAsync(Uri tokenEndpoint, IReadOnlyDictionary<string, string> form, CancellationToken ct)
    {
        const string operation = "sign-in";
        var (status, body) = await ExchangeAsync(operation, () => new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(form),
            Headers = { Accept = { new MediaTypeWithQualityHeaderValue("application/json") } },
        }, ct).ConfigureAwait(false);

        if ((int)status is >= 200 and < 300)
        {
            var json = Parse(operation, body) ?? throw Unreadable(operation, null);
            return json;
        }
        var error = ReadOAuthError(body);
        if (status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            logger.LogWarning("{Vendor} refused to sign in: HTTP {Status} {Code}", vendor.Name, (int)status, error?.Code);
            throw new CrmException(CrmFailure.Unauthorized, $"{vendor.Name} refused to sign in (HTTP {(int)status}).", error?.Message ?? error?.Code);
        }
        logger.LogWarning("{Vendor} sign-in failed: HTTP {Status} {Code}", vendor.Name, (int)status, error?.Code);
        throw new CrmException(CrmFailure.Unavailable, $"{vendor.Name} could not sign in now (HTTP {(int)status}).", error?.Message);
    }

    /// <summary>Reads an answer's body as the caller expects it; a shape the documentation does not give is Unavailable.</summary>
    public T Read<T>(string operation, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is CrmAnswerUnreadable or InvalidOperationException or KeyNotFoundException or FormatException or JsonException or IndexOutOfRangeException)
        {
            throw Unreadable(operation, ex);
        }
    }

    private CrmException Unreadable(string operation, Exception? inner)
    {
        logger.LogWarning(inner, "{Vendor} answered {Operation} with something that does not read as its documented answer", vendor.Name, operation);
        return new CrmException(CrmFailure.Unavailable, $"{vendor.Name} gave an answer that could not be read ({operation}).", null, null, inner);
    }

    private CrmAnswer Interpret(string operation, HttpStatusCode status, string body, HttpStatusCode[] expected)
    {
        var code = (int)status;
        if (code is >= 200 and < 300)
            return new CrmAnswer(status, Parse(operation, body), null);

        var error = vendor.ReadError(body);
        if (expected.Contains(status))
            return new CrmAnswer(status, null, error);
        throw Failure(operation, status, error);
    }

    /// <summary>The failure an error answer stands for: 404 NotFound, other 4xx Rejected (with the vendor's message and field), the rest Unavailable; the vendor may say otherwise.</summary>
    public CrmException Failure(string operation, HttpStatusCode status, CrmVendorError? error)
    {
        var code = (int)status;
        var failure = vendor.Classify(status, error) ?? status switch
        {
            HttpStatusCode.NotFound => CrmFailure.NotFound,
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout => CrmFailure.Unavailable,
            _ when code is >= 400 and < 500 => CrmFailure.Rejected,
            _ => CrmFailure.Unavailable,
        };
        var field = error?.Fields.Select(vendor.OurFieldName).FirstOrDefault(f => f is not null);
        if (failure == CrmFailure.NotFound)
            logger.LogInformation("{Vendor} {Operation}: not found ({Code})", vendor.Name, operation, error?.Code);
        else
            logger.LogWarning("{Vendor} {Operation} failed: HTTP {Status} {Code} → {Failure}", vendor.Name, operation, code, error?.Code, failure);
        var message = failure switch
        {
            CrmFailure.NotFound => $"{vendor.Name} does not have this record ({operation}).",
            CrmFailure.Rejected => $"{vendor.Name} refused the request ({operation}, HTTP {code}){(error?.Message is { } m ? ": " + m : ".")}",
            CrmFailure.Unauthorized => $"{vendor.Name} refused the credentials ({operation}, HTTP {code}).",
            _ => $"{vendor.Name} is unavailable ({operation}, HTTP {code}).",
        };
        return new CrmException(failure, message, error?.Message, field);
    }

    private JsonElement? Parse(string operation, string body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw Unreadable(operation, ex);
        }
    }

    /// <summary>One request, sent again while the CRM asks us to slow down (429, 503) within the limits; answers the status and body.</summary>
    private async Task<(HttpStatusCode Status, string Body)> ExchangeAsync(string operation, Func<HttpRequestMessage> build, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var request = build();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(limits.Timeout);
            HttpStatusCode status;
            string body;
            TimeSpan? retryAfter;
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
                status = response.StatusCode;
                body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
                retryAfter = RetryAfter(response.Headers.RetryAfter);
            }
            catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("{Vendor} did not answer {Operation} within {Seconds} s", vendor.Name, operation, limits.Timeout.TotalSeconds);
                throw new CrmException(CrmFailure.Unavailable, $"{vendor.Name} did not answer within {limits.Timeout.TotalSeconds:0.#} s ({operation}).", null, null, ex);
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning("{Vendor} could not be reached for {Operation}: {Error}", vendor.Name, operation, ex.HttpRequestError);
                throw new CrmException(CrmFailure.Unavailable, $"{vendor.Name} could not be reached ({operation}).", null, null, ex);
            }

            if (status is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return (status, body);

            var wait = retryAfter ?? TimeSpan.FromSeconds(Math.Pow(2, attempt));
            if (attempt >= limits.MaxThrottleRetries || wait > limits.MaxRetryAfter)
            {
                var error = vendor.ReadError(body);
                logger.LogWarning("{Vendor} is still throttling {Operation} (HTTP {Status}, asks to wait {Wait} s) after {Attempts} attempt(s)",
                    vendor.Name, operation, (int)status, wait.TotalSeconds, attempt + 1);
                throw new CrmException(CrmFailure.Unavailable,
                    $"{vendor.Name} is busy (HTTP {(int)status}, {operation}); it asks to wait {wait.TotalSeconds:0} s.", error?.Message);
            }
            logger.LogInformation("{Vendor} answered {Operation} with HTTP {Status}; waiting {Wait} s as asked", vendor.Name, operation, (int)status, wait.TotalSeconds);
            await Task.Delay(wait, time, ct).ConfigureAwait(false);
        }
    }

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        if (header?.Delta is { } delta) return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        if (header?.Date is { } date)
        {
            var wait = date - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }
        return null;
    }

    /// <summary>The OAuth 2.0 error shape both authorization servers use: <c>{ "error": "invalid_client", "error_description": "..." }</c>.</summary>
    private static CrmVendorError? ReadOAuthError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return null;
            var code = doc.RootElement.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            var message = doc.RootElement.TryGetProperty("error_description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            return code is null && message is null ? null : new CrmVendorError(code, message, []);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
