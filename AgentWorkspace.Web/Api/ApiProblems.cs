using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Routing.Template;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// Every answer under /api is RFC 7807 problem details, whatever went wrong and wherever: an unknown address, a method
/// the address does not take, a parameter the framework could not bind, a status set without a body, a fault outside
/// an endpoint. The endpoints' own refusals go through <see cref="DomainErrorFilter"/>.
/// </summary>
/// <remarks>
/// With a valid key an unknown address is a 404 and a wrong method a 405 (with <c>Allow</c>). Without a valid key every
/// address under /api answers 401, existing or not: which operations exist is not told to a caller who may call none.
/// </remarks>
internal static partial class ApiProblems
{
    public static IApplicationBuilder UseApiProblems(this IApplicationBuilder api)
    {
        // The pages' "not found" page, further out, is not for API callers.
        api.Use((http, next) =>
        {
            if (http.Features.Get<IStatusCodePagesFeature>() is { } pages) pages.Enabled = false;
            return next(http);
        });
        api.UseStatusCodePages(context => WriteAsync(context.HttpContext, context.HttpContext.Response.StatusCode, null, null));
        api.Use(InvokeAsync);
        return api;
    }

    /// <summary>For pages: a request the framework could not bind keeps its status (400, 413...) and gets the page for it, not an error page.</summary>
    public static IApplicationBuilder UseBadRequestStatus(this IApplicationBuilder pages) => pages.Use(async (http, next) =>
    {
        try
        {
            await next(http);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            http.Response.Clear();
            http.Response.StatusCode = ex.StatusCode;
        }
    });

    private static async Task InvokeAsync(HttpContext http, RequestDelegate next)
    {
        // Not one of the API's own endpoints: nothing matched, routing's "405" (which also counts the static-file fallback's
        // GET), or that fallback itself. The API's operations decide between 404 and 405, for a caller with a key.
        if (!IsApiEndpoint(http.GetEndpoint()))
        {
            var key = await http.AuthenticateAsync(ApiSetup.Scheme);
            if (!key.Succeeded)
            {
                await http.ChallengeAsync(ApiSetup.Scheme);
                return;
            }
            var allowed = MethodsAt(http);
            if (allowed.Count == 0)
            {
                await WriteAsync(http, StatusCodes.Status404NotFound, $"No API operation at {Shown(http.Request.Path)}; the operations are listed in /openapi/v1.json.", null);
                return;
            }
            http.Response.Headers.Allow = string.Join(", ", allowed);
            await WriteAsync(http, StatusCodes.Status405MethodNotAllowed,
                $"{Shown(http.Request.Path)} does not take {Shown(http.Request.Method)}; it takes {string.Join(", ", allowed)}.", null);
            return;
        }

        try
        {
            await next(http);
        }
        catch (BadHttpRequestException ex) when (!http.Response.HasStarted)
        {
            var (status, detail, field) = Describe(ex);
            http.Response.Clear();
            await WriteAsync(http, status, detail, field);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            var logger = http.RequestServices.GetRequiredService<ILogger<DomainErrorFilter>>();
            logger.LogError(ex, "{Method} {Path} failed unexpectedly (trace {TraceId}).", http.Request.Method, http.Request.Path, http.TraceIdentifier);
            http.Response.Clear();
            await Results.Problem(title: "Unexpected error", detail: "The server could not complete the call; the error was logged.",
                statusCode: StatusCodes.Status500InternalServerError, extensions: new Dictionary<string, object?> { ["traceId"] = http.TraceIdentifier }).ExecuteAsync(http);
        }
    }

    private static bool IsApiEndpoint(Endpoint? endpoint) =>
        endpoint is RouteEndpoint { RoutePattern.RawText: { } raw } && raw.TrimStart('/').StartsWith("api/", StringComparison.OrdinalIgnoreCase);

    /// <summary>The methods the API's operations take at this address (route constraints included: "cards/abc" is no card).</summary>
    private static List<string> MethodsAt(HttpContext http)
    {
        var policies = http.RequestServices.GetRequiredService<ParameterPolicyFactory>();
        var methods = new List<string>();
        foreach (var endpoint in http.RequestServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            if (!IsApiEndpoint(endpoint) || endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not { } accepted) continue;
            var pattern = endpoint.RoutePattern;
            var values = new RouteValueDictionary();
            if (!new TemplateMatcher(new RouteTemplate(pattern), new RouteValueDictionary(pattern.Defaults)).TryMatch(http.Request.Path, values)) continue;
            var fits = pattern.ParameterPolicies.All(p => p.Value.All(reference =>
                policies.Create(pattern.GetParameter(p.Key), reference) is not IRouteConstraint constraint
                || constraint.Match(http, null, p.Key, values, RouteDirection.IncomingRequest)));
            if (fits) methods.AddRange(accepted.HttpMethods.Where(m => !methods.Contains(m)));
        }
        return methods;
    }

    /// <summary>
    /// What a request the framework could not read gets told: the parameter or JSON path at fault, in our words (the
    /// framework's messages name .NET types, which are nobody's business outside).
    /// </summary>
    public static (int Status, string Detail, string? Field) Describe(BadHttpRequestException ex)
    {
        var status = ex.StatusCode is >= 400 and < 500 ? ex.StatusCode : StatusCodes.Status400BadRequest;
        if (status == StatusCodes.Status413PayloadTooLarge) return (status, "The body is larger than this operation accepts.", "$");
        if (status == StatusCodes.Status415UnsupportedMediaType) return (status, "Send the body as JSON (Content-Type: application/json).", "Content-Type");
        if (ex.InnerException is JsonException json)
        {
            var field = ApiBody.FieldOf(json.Path);
            return (status, field == "$" ? "The body is not valid JSON of the expected shape." : $"{field} has a value that is not accepted here.", field);
        }
        var message = ex.Message;
        if (message.StartsWith("Implicit body", StringComparison.Ordinal) || message.Contains("from the request body", StringComparison.Ordinal))
            return (status, "The body is required: a JSON object.", "$");
        if (Parameter().Match(message) is { Success: true } p)
        {
            var name = p.Groups["name"].Value;
            if (message.StartsWith("Required parameter", StringComparison.Ordinal)) return (status, $"{name} is required.", name);
            return (status, Value().Match(message) is { Success: true } v ? $"'{Shown(v.Groups["value"].Value)}' is not a valid {name}." : $"{name} is not valid.", name);
        }
        if (message.Contains("Unexpected end of request content", StringComparison.Ordinal)) return (status, "The body ended before its announced length.", "$");
        return (status, "The request could not be read.", null);
    }

    private static Task WriteAsync(HttpContext http, int status, string? detail, string? field)
    {
        var title = DomainErrorFilter.Title(status);
        detail ??= status switch
        {
            StatusCodes.Status404NotFound => $"No API operation at {Shown(http.Request.Path)}; the operations are listed in /openapi/v1.json.",
            StatusCodes.Status401Unauthorized => $"Send a valid API key in the {ApiSetup.HeaderName} header.",
            StatusCodes.Status403Forbidden => "This API key's role does not allow this call.",
            _ => string.IsNullOrEmpty(title) ? "The request was refused." : title,
        };
        return ApiSetup.Problem(status, string.IsNullOrEmpty(title) ? "Error" : title, detail, field).ExecuteAsync(http);
    }

    /// <summary>A bit of the request echoed in a message: without control characters, cut short.</summary>
    private static string Shown(string? value)
    {
        value ??= string.Empty;
        var clean = new string(value.Where(c => !char.IsControl(c)).Take(80).ToArray());
        return value.Length > 80 ? clean + "…" : clean;
    }

    [GeneratedRegex("parameter \"(?:[^\"]*[\\s>])?(?<name>[A-Za-z_][A-Za-z0-9_]*)\"", RegexOptions.CultureInvariant)]
    private static partial Regex Parameter();

    [GeneratedRegex("from \"(?<value>.*)\"\\.?$", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex Value();
}
