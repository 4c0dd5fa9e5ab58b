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
    public async Task ACallerThatWentAwayIsNotAnsweredNorLoggedAsAFault()
    {
        using var gone = new CancellationTokenSource();
        await gone.CancelAsync();
        await Should.ThrowAsync<OperationCanceledException>(() => CallAsync(new OperationCanceledException(gone.Token), gone.Token));
    }
}
