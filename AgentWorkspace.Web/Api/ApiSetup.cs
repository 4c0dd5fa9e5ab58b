using System.Security.Claims;
using System.Text.Encodings.Web;
using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Web.Hosting.Features;
using AgentWorkspace.Web.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.RateLimiting;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace AgentWorkspace.Web.Api;

/// <summary>
/// The HTTP API under /api/v1: API-key authentication (header X-Api-Key), errors as RFC 7807
/// problem details, and each feature's endpoints.
/// </summary>
public static class ApiSetup
{
    public const string Scheme = "ApiKey";
    public const string Policy = "Api";
    public const string HeaderName = "X-Api-Key";
    public const string RateLimitPolicy = "ApiPerKey";

    /// <summary>Largest request body an operation accepts unless it says otherwise (bytes).</summary>
    public const long MaxRequestBytes = 1024 * 1024;

    public static IServiceCollection AddAgentWorkspaceApi(this IServiceCollection services, SecuritySettings security)
    {
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(RateLimitPolicy, http => security.ApiPerKey is { } limit
                ? RateLimitPartition.GetFixedWindowLimiter(RatePartition(http), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = limit.Limit,
                    Window = limit.Window,
                    QueueLimit = 0,
                })
                : RateLimitPartition.GetNoLimiter(string.Empty));
            o.OnRejected = (context, _) => TooManyRequests(context.HttpContext, context.Lease, security.ApiPerKey);
        });
        services.AddSingleton<ConfiguredApiKeys>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        // A parameter the framework cannot bind throws, so that ApiProblems can name it in a problem (pages keep the status).
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            // One policy for every body, read by ApiBody or bound by the framework: names as documented (camelCase, exact),
            // enum values by name only, an unknown property refused rather than ignored, a constructor parameter without a
            // default required.
            o.SerializerOptions.PropertyNameCaseInsensitive = false;
            o.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
            o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase, allowIntegerValues: false));
            o.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.RespectRequiredConstructorParameters = true;
            o.SerializerOptions.MaxDepth = ApiBody.DefaultMaxDepth;
        });
        return services;
    }

    public static IEndpointRouteBuilder MapAgentWorkspaceApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1")
            .RequireAuthorization(Policy)
            .RequireRateLimiting(RateLimitPolicy)
            .AddEndpointFilter<DomainErrorFilter>()
            // No body of ours needs more; ingest allows more for e-mail HTML and attachments.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.RequestSizeLimitAttribute(MaxRequestBytes))
            .WithTags("AgentWorkspace");
        api.MapIngestApi();
        api.MapInboxApi();
        api.MapCardsApi();
        api.MapAdministrationApi();
        api.MapMergeApi();
        api.MapMatchingApi();
        api.MapCrmApi();
        api.MapScriptsApi();
        return app;
    }

    /// <summary>
    /// Each key has its own allowance, held under the key's digest (the secret itself is not kept); a call without a
    /// key counts against its client address, so guessing keys is limited too.
    /// </summary>
    private static string RatePartition(HttpContext http) =>
        http.Request.Headers.TryGetValue(HeaderName, out var key) && !string.IsNullOrWhiteSpace(key.ToString())
            ? "key:" + Convert.ToHexString(ApiKeySecret.Digest(key.ToString().Trim()))
            : "address:" + http.Connection.RemoteIpAddress;

    /// <summary>429 as a problem, with Retry-After in seconds (RFC 9110) when the limiter says how long.</summary>
    private static async ValueTask TooManyRequests(HttpContext http, System.Threading.RateLimiting.RateLimitLease lease, AttemptLimit? limit)
    {
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : limit?.Window ?? TimeSpan.FromMinutes(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Results.Problem(title: "Too many requests",
            detail: $"This API key made more than {limit?.Limit} calls in {limit?.Window.TotalSeconds:0} s; try again in {seconds} s.",
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["retryAfter"] = seconds }).ExecuteAsync(http);
    }

    /// <summary>The acting user of an API call (the key's role and name).</summary>
    public static Actor Actor(this HttpContext http) =>
        ActorAccessor.FromPrincipal(http.User) ?? throw new ForbiddenException("An API key is required.");

    /// <summary>A 4xx problem naming the field at fault (RFC 7807, with an "errors" map like validation problems).</summary>
    /// <param name="code">The domain rule's stable name (<see cref="DomainException.Code"/>), for a client to tell refusals apart.</param>
    public static IResult Problem(int status, string title, string detail, string? field = null, string? code = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (field is not null) extensions["errors"] = new Dictionary<string, string[]> { [field] = [detail] };
        if (code is not null) extensions["code"] = code;
        return Results.Problem(title: title, detail: detail, statusCode: status, extensions: extensions);
    }
}

/// <summary>
/// Turns domain errors into problem details; nothing is written when a rule is broken (one transaction per use case).
/// Anything else is a fault: logged with the call it broke, and answered 500 as a problem naming the trace to look for.
/// </summary>
internal sealed class DomainErrorFilter(ILogger<DomainErrorFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ConflictException ex)
        {
            return ApiSetup.Problem(StatusCodes.Status409Conflict, "Conflict", ex.Message, ex.Field, ex.Code);
        }
        catch (DomainException ex)
        {
            return ApiSetup.Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Message, ex.Field, ex.Code);
        }
        catch (NotFoundException ex)
        {
            return ApiSetup.Problem(StatusCodes.Status404NotFound, "Not found", ex.Message);
        }
        catch (ForbiddenException ex)
        {
            return ApiSetup.Problem(StatusCodes.Status403Forbidden, "Forbidden", ex.Message, code: ex.Code);
        }
        catch (ConcurrencyConflictException ex)
        {
            return Results.Problem(title: "Version conflict", detail: ex.Message, statusCode: StatusCodes.Status409Conflict,
                extensions: new Dictionary<string, object?> { ["currentVersion"] = ex.CurrentVersion });
        }
        catch (ApiRequestException ex)
        {
            return ApiSetup.Problem(ex.Status, Title(ex.Status), ex.Message, ex.Field);
        }
        catch (Core.Features.Crm.CrmException ex)
        {
            // The CRM's answer, in one line: what it refused (with its field), what it no longer has, or that it is unreachable.
            return ex.Failure switch
            {
                Core.Features.Crm.CrmFailure.NotFound => ApiSetup.Problem(StatusCodes.Status404NotFound, "Not found in the CRM", ex.Message),
                Core.Features.Crm.CrmFailure.Rejected => ApiSetup.Problem(StatusCodes.Status400BadRequest, "Refused by the CRM",
                    ex.VendorMessage is { Length: > 0 } vendor && vendor != ex.Message ? $"{ex.Message} ({vendor})" : ex.Message, ex.Field),
                Core.Features.Crm.CrmFailure.Unauthorized => ApiSetup.Problem(StatusCodes.Status502BadGateway, "CRM credentials refused", ex.Message),
                _ => ApiSetup.Problem(StatusCodes.Status503ServiceUnavailable, "CRM unavailable", ex.Message),
            };
        }
        catch (BadHttpRequestException ex)
        {
            // Reading the body failed (too large, cut short): the framework's words, made ours.
            var (status, detail, field) = ApiProblems.Describe(ex);
            return ApiSetup.Problem(status, Title(status), detail, field);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // A body read some other way than ApiBody; its message may name .NET types, so only its path is told.
            var field = ApiBody.FieldOf(ex.Path);
            return ApiSetup.Problem(StatusCodes.Status400BadRequest, "Invalid request", field == "$" ? "The body is not valid JSON of the expected shape." : $"{field} has a value that is not accepted here.", field);
        }
        catch (OperationCanceledException) when (context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            // The caller went away; there is no one to answer.
            throw;
        }
        catch (Exception ex)
        {
            var http = context.HttpContext;
            logger.LogError(ex, "{Method} {Path} failed unexpectedly (trace {TraceId}).", http.Request.Method, http.Request.Path, http.TraceIdentifier);
            return Results.Problem(title: "Unexpected error", detail: "The server could not complete the call; the error was logged.",
                statusCode: StatusCodes.Status500InternalServerError, extensions: new Dictionary<string, object?> { ["traceId"] = http.TraceIdentifier });
        }
    }

    internal static string Title(int status) => status == StatusCodes.Status400BadRequest ? "Invalid request" : Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
}

/// <summary>
/// X-Api-Key: a key from configuration (Api:Keys) acts as an administrator; a key created in the
/// admin pages (stored hashed) acts with its own role until revoked.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ConfiguredApiKeys configured, IDbContextFactory<AgentWorkspaceDbContext> dbFactory)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(ApiSetup.HeaderName, out var values) || string.IsNullOrWhiteSpace(values.ToString()))
            return AuthenticateResult.NoResult();
        var key = values.ToString().Trim();

        if (configured.Matches(key)) return Success("apikey:config", "API (configuration key)", Role.Admin);

        if (ApiKeySecret.TryGetPrefix(key, out var prefix))
        {
            await using var db = await dbFactory.CreateDbContextAsync(Context.RequestAborted);
            var row = await KeyByPrefix(db, prefix, Context.RequestAborted);
            // A key whose owner lost the rights it carries is refused even before its revocation lands (belt and braces).
            if (row is { RevokedAt: null } && ApiKeySecret.Matches(key, row.SecretHash)
                && (row.OwnerId is null || row.Owner is { } owner && !ApiKey.ExceedsOwner(row.Role, owner.IsDisabled, owner.Role)))
                return Success($"apikey:{row.Id}", $"API key {row.Name}", row.Role);
        }
        return AuthenticateResult.Fail("Invalid API key.");
    }

    private sealed record KeyOwner(bool IsDisabled, Role Role);

    private sealed record KeyRow(long Id, string Name, Role Role, string SecretHash, DateTimeOffset? RevokedAt, string? OwnerId, KeyOwner? Owner);

    private static readonly Func<AgentWorkspaceDbContext, string, CancellationToken, Task<KeyRow?>> KeyByPrefix =
        EF.CompileAsyncQuery((AgentWorkspaceDbContext db, string prefix, CancellationToken ct) =>
            db.ApiKeys.Where(k => k.Prefix == prefix)
                .Select(k => new KeyRow(k.Id, k.Name, k.Role, k.SecretHash, k.RevokedAt, k.OwnerId,
                    db.Users.Where(u => u.Id == k.OwnerId).Select(u => new KeyOwner(u.IsDisabled, u.Role)).FirstOrDefault()))
                .FirstOrDefault());

    private AuthenticateResult Success(string id, string name, Role role)
    {
        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.NameIdentifier, id),
            new Claim(ClaimTypes.Name, name),
            new Claim(IdentitySetup.DisplayNameClaim, name),
            new Claim(ClaimTypes.Role, role.ToString()),
        ], ApiSetup.Scheme);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiSetup.Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status401Unauthorized, "Unauthorized", $"Send a valid API key in the {ApiSetup.HeaderName} header.");

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(StatusCodes.Status403Forbidden, "Forbidden", "This API key's role does not allow this call.");

    private Task WriteProblem(int status, string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: status).ExecuteAsync(Context);
}

/// <summary>
/// The keys of configuration (Api:Keys) as their SHA-256 digests, computed once and again whenever the configuration
/// reloads, instead of walking the configuration and hashing every key on every request. A sent key is hashed once and
/// compared with each digest in constant time.
/// </summary>
internal sealed class ConfiguredApiKeys : IDisposable
{
    private readonly IConfiguration _configuration;
    private readonly IDisposable _reload;
    private volatile byte[][] _digests;

    public ConfiguredApiKeys(IConfiguration configuration)
    {
        _configuration = configuration;
        _digests = Read();
        _reload = Microsoft.Extensions.Primitives.ChangeToken.OnChange(configuration.GetReloadToken, () => _digests = Read());
    }

    public bool Matches(string key)
    {
        var sent = ApiKeySecret.Digest(key);
        var found = false;
        // Every digest is compared, so the time taken does not say which key (or whether any) matched.
        foreach (var digest in _digests) found |= System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(digest, sent);
        return found;
    }

    private byte[][] Read() =>
        _configuration.GetSection("Api:Keys").GetChildren().Select(e => e.Value).OfType<string>().Where(v => v.Length > 0).Select(ApiKeySecret.Digest).ToArray();

    public void Dispose() => _reload.Dispose();
}
