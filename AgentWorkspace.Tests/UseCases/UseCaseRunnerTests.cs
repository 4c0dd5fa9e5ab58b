using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using AgentWorkspace.Tests.Admin;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Tests.UseCases;

/// <summary>The one pipeline every change of data goes through (ADR 008), on a real SQLite file.</summary>
public class UseCaseRunnerTests : IAsyncLifetime
{
    private static readonly Actor Admin = new("admin-1", "Ada Admin", Role.Admin);
    private static readonly Actor Agent = new("agent-1", "Alex Agent", Role.Agent);
    private TestDatabase _test = default!;
    private readonly RecordingFeed _feed = new();

    public async ValueTask InitializeAsync() => _test = await TestDatabase.CreateAsync();
    public async ValueTask DisposeAsync() => await _test.DisposeAsync();

    private UseCaseRunner NewRunner() => _test.Runner(_feed);

    private static SqliteException Busy() => new("database is locked", 5);

    private async Task<(int Queues, int Audit, int Markers)> CountAsync()
    {
        await using var db = _test.Factory.CreateDbContext();
        return (await db.Queues.CountAsync(q => q.Name == "Billing"), await db.Audit.CountAsync(a => a.EntityType == "Queue"), await db.UseCaseCommits.CountAsync());
    }

    [Fact]
    public async Task WhenAnAttemptMeetsABusyFile_ThenTheUseCaseRunsAgainAndWritesItsAuditAndPublishesOnce()
    {
        var runner = NewRunner();
        var failures = 1;
        runner.BeforeCommitForTests = _ => failures-- > 0 ? throw Busy() : Task.CompletedTask;
        var queues = new QueueService(_test.Factory, runner);

        var view = await queues.CreateAsync(Admin, new QueueInput("Billing", ["invoices"], 20, 480));

        failures.ShouldBe(-1, "the first attempt failed, the second committed");
        view.Name.ShouldBe("Billing");
        (await CountAsync()).ShouldBe((1, 1, 1));
        _feed.Published.Count(e => e.Kind == ChangeKind.SettingsChanged).ShouldBe(1);
    }

    [Fact]
    public async Task WhenTheCommitLandsButItsAnswerIsLost_ThenTheMarkerProvesItAndNothingIsWrittenTwice()
    {
        var runner = NewRunner();
        var lost = 1;
        runner.AfterCommitForTests = _ => lost-- > 0 ? throw Busy() : Task.CompletedTask;
        var queues = new QueueService(_test.Factory, runner);

        var view = await queues.CreateAsync(Admin, new QueueInput("Billing", ["invoices"], 20, 480));

        lost.ShouldBe(0, "the body ran once: no second attempt after the lost answer");
        view.Id.ShouldBeGreaterThan(0);
        (await CountAsync()).ShouldBe((1, 1, 1));
        _feed.Published.Count(e => e.Kind == ChangeKind.SettingsChanged).ShouldBe(1);
    }

    [Fact]
    public async Task WhenTheFileStaysBusy_ThenTheUseCaseFailsAfterItsRetriesAndLeavesNothing()
    {
        var runner = NewRunner();
        var attempts = 0;
        runner.BeforeCommitForTests = _ => { attempts++; throw Busy(); };
        var queues = new QueueService(_test.Factory, runner);

        await Should.ThrowAsync<RetryLimitExceededException>(() => queues.CreateAsync(Admin, new QueueInput("Billing", [], 20, 480)));

        attempts.ShouldBe(Core.Persistence.Sqlite.SqliteRetryingExecutionStrategy.MaxRetries + 1);
        (await CountAsync()).ShouldBe((0, 0, 0));
        _feed.Published.ShouldBeEmpty();
    }

    [Fact]
    public async Task WhenTheUseCaseBreaksARule_ThenItRollsBackAndPublishesNothing()
    {
        var runner = NewRunner();
        await Should.ThrowAsync<DomainException>(() => runner.RunAsync("Test.Broken", Admin, Role.Admin, async use =>
        {
            use.Db.Queues.Add(new Queue("Billing", 20, 480));
            await use.SaveAsync();
            use.Audit("Queue", "1", "Created");
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            throw new DomainException("No.");
        }));
        (await CountAsync()).ShouldBe((0, 0, 0));
        _feed.Published.ShouldBeEmpty();
    }

    [Fact]
    public async Task WhenTheActorLacksTheRole_ThenNothingIsReadOrWritten()
    {
        var ran = false;
        await Should.ThrowAsync<ForbiddenException>(() => NewRunner().RunAsync("Test.AdminOnly", Agent, Role.Admin, _ => { ran = true; return Task.CompletedTask; }));
        ran.ShouldBeFalse();
        (await CountAsync()).Markers.ShouldBe(0);
    }

    [Fact]
    public async Task EventsCarryTheActorAndGoOutOnlyAfterTheCommit()
    {
        var runner = NewRunner();
        var seenInside = -1;
        await runner.RunAsync("Test.Publish", Admin, Role.Admin, use =>
        {
            use.Publish(new ChangeEvent(ChangeKind.SettingsChanged));
            seenInside = _feed.Published.Count;
            return Task.CompletedTask;
        });
        seenInside.ShouldBe(0);
        _feed.Published.Single().ActorId.ShouldBe(Admin.UserId);
    }

    /// <summary>
    /// SQL Server's retrying strategy refuses a transaction opened outside it; SQLite's does too now, so a
    /// use case written around the runner fails here, in the suite, and not in production.
    /// </summary>
    [Fact]
    public async Task ATransactionOpenedOutsideTheRunnerIsRefusedOnSqliteAsOnSqlServer()
    {
        await using var db = _test.Factory.CreateDbContext();
        await using var tx = await db.Database.BeginTransactionAsync();
        var refused = await Should.ThrowAsync<InvalidOperationException>(() => db.Queues.AnyAsync());
        refused.Message.ShouldContain("user-initiated transactions");
    }
}
