using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Tests.Infrastructure;
using AgentWorkspace.Web.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Api;

/// <summary>The API's error filter: refusals are problems naming the field; a fault is logged and answered 500, never swallowed.</summary>
public class DomainErrorFilterTests
{
    private static async Task<(object? Result, RecordingLogger Log)> CallAsync(Exception thrown, CancellationToken aborted = default)
    {
        var log = new RecordingLogger();
        var filter = new DomainErrorFilter(new Logger<DomainErrorFilter>(new LoggerFactory([log])));
        var http = new DefaultHttpContext { RequestAborted = aborted, TraceIdentifier = "trace-1" };
        http.Request.Method = "POST";
        http.Request.Path = "/api/v1/cards";
        var result = await filter.InvokeAsync(new DefaultEndpointFilterInvocationContext(http), _ => throw thrown);
        return (result, log);
    }

    [Fact]
    public async Task AnUnexpectedExceptionIsLoggedWithTheCall_AndAnsweredAsA500Problem()
    {
        var fault = new InvalidOperationException("the disk is full");
        var (result, log) = await CallAsync(fault);

        var problem = result.ShouldBeOfType<ProblemHttpResult>();
        problem.StatusCode.ShouldBe(StatusCodes.Status500InternalServerError);
        problem.ProblemDetails.Extensions["traceId"].ShouldBe("trace-1");
        problem.ProblemDetails.Detail!.ShouldNotContain("disk");
        var line = log.Lines.ShouldHaveSingleItem();
        (line.Level, line.Error).ShouldBe((LogLevel.Error, fault));
        line.Message.ShouldContain("POST /api/v1/cards");
    }

    [Fact]
    public async Task ARefusalIsAProblemNamingItsField_NotAnError()
    {
        var (result, log) = await CallAsync(new DomainException("The label is required.", "label"));
        result.ShouldBeOfType<ProblemHttpResult>().StatusCode.ShouldBe(StatusCodes.Status400BadRequest);
        log.Lines.ShouldBeEmpty();
    }

    [Fact]
    public async Task ABodyTheSerializerCouldNotReadIsA400NamingItsPath_WithoutTheTypesName()
    {
        var (result, log) = await CallAsync(new System.Text.Json.JsonException("The JSON value could not be converted to AgentWorkspace.Web.Api.MergeEndpoints+MergeBody. Path: $.choices.city", "$.choices.city", 0, 20));
        var problem = result.ShouldBeOfType<ProblemHttpResult>();
        problem.StatusCode.ShouldBe(StatusCodes.Status400BadRequest);
        problem.ProblemDetails.Detail!.ShouldNotContain("AgentWorkspace");
        ((Dictionary<string, string[]>)problem.ProblemDetails.Extensions["errors"]!).Keys.ShouldBe(["choices.city"]);
        log.Lines.ShouldBeEmpty();
    }

    [Fact]
    public async Task ARequestRefusedBeforeItsUseCaseKeepsItsStatusAndField()
    {
        var (result, _) = await CallAsync(new ApiRequestException(StatusCodes.Status415UnsupportedMediaType, "Send the body as JSON.", "Content-Type"));
        var problem = result.ShouldBeOfType<ProblemHttpResult>();
        problem.StatusCode.ShouldBe(StatusCodes.Status415UnsupportedMediaType);
        ((Dictionary<string, string[]>)problem.ProblemDetails.Extensions["errors"]!).Keys.ShouldBe(["Content-Type"]);
    }

    /// <summary>What the framework says when it cannot bind a parameter, and what the caller is told instead (no .NET type names).</summary>
    [Theory]
    [InlineData("Failed to bind parameter \"int? pageSize\" from \"abc\".", 400, "pageSize", "'abc' is not a valid pageSize.")]
    [InlineData("Failed to bind parameter \"Nullable<bool> includeArchived\" from \"maybe\".", 400, "includeArchived", "'maybe' is not a valid includeArchived.")]
    [InlineData("Required parameter \"string culture\" was not provided from query string.", 400, "culture", "culture is required.")]
    [InlineData("Implicit body inferred for parameter \"body\" but no body was provided. Did you mean to use a Service instead?", 400, "$", "The body is required: a JSON object.")]
    [InlineData("Request body too large. The max request body size is 1048576 bytes.", 413, "$", "The body is larger than this operation accepts.")]
    [InlineData("Expected a supported JSON media type but got \"text/plain\".", 415, "Content-Type", "Send the body as JSON (Content-Type: application/json).")]
    [InlineData("Something the framework has not said before.", 400, null, "The request could not be read.")]
    public void ARequestTheFrameworkCouldNotBindIsDescribedInOurWords(string message, int status, string? field, string detail)
    {
        var described = ApiProblems.Describe(new BadHttpRequestException(message, status));
        described.ShouldBe((status, detail, field));
    }

    [Fact]
    public void ABodyTheFrameworkCouldNotReadNamesThePathInside_NotTheRecord()
    {
        var inner = new System.Text.Json.JsonException("The JSON property 'zz' could not be mapped to any .NET member contained in type 'AgentWorkspace.Web.Api.X'.", "$.profile.zz", 0, 9);
        var (status, detail, field) = ApiProblems.Describe(new BadHttpRequestException("Failed to read parameter \"X body\" from the request body as JSON.", 400, inner));
        (status, field).ShouldBe((400, "profile.zz"));
        detail.ShouldNotContain("AgentWorkspace");
        detail.ShouldNotContain("X body");
    }

    [Fact]
    public async Task ACallerThatWentAwayIsNotAnsweredNorLoggedAsAFault()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => CallAsync(new OperationCanceledException(gone.Token), gone.Token));
    }
}
