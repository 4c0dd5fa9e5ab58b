using System.Data;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentWorkspace.Core.UseCases;

/// <summary>
/// Runs every use case that changes data (docs/decisions/008): role check → the provider's execution
/// strategy → one transaction → the use case → its audit rows and a commit marker → commit → the
/// change events published, only then. SQL Server's retrying strategy refuses a transaction opened
/// outside it; SQLite runs under one too (<see cref="Persistence.Sqlite.SqliteRetryingExecutionStrategy"/>),
/// so a use case written around this runner fails in the suite, not in production.
/// </summary>
/// <remarks>
/// An attempt that fails with a transient error is run again from the start on a clean change tracker,
/// with its events collected anew: a retried use case writes its audit once and publishes once. A commit
/// whose outcome is unknown (the connection lost during COMMIT) is verified by its marker row instead of
/// being run a second time.
/// </remarks>
public sealed class UseCaseRunner
{
    /// <summary>Markers older than this are deleted; a commit is verified within seconds of being sent.</summary>
    internal static readonly TimeSpan MarkerLifetime = TimeSpan.FromHours(1);
    private const int PruneEvery = 1_000;

    private readonly IDbContextFactory<AgentWorkspaceDbContext> _dbFactory;
    private readonly IChangeFeed _feed;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private long _commits;

    public UseCaseRunner(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, IChangeFeed feed, TimeProvider clock, ILogger<UseCaseRunner>? logger = null)
    {
        _dbFactory = dbFactory;
        _feed = feed;
        _clock = clock;
        _logger = logger ?? NullLogger<UseCaseRunner>.Instance;
    }

    public IChangeFeed Feed => _feed;

    /// <summary>For tests: runs inside each attempt's transaction, after the use case and before the commit.</summary>
    internal Func<UseCase, Task>? BeforeCommitForTests { get; set; }

    /// <summary>For tests: runs once the commit has returned, before the attempt reports success (a lost answer).</summary>
    internal Func<UseCase, Task>? AfterCommitForTests { get; set; }

    /// <summary>Runs <paramref name="work"/> as the use case <paramref name="name"/> of <paramref name="actor"/>, who needs at least <paramref name="minimum"/>.</summary>
    public Task<T> RunAsync<T>(string name, Actor actor, Role minimum, Func<UseCase, Task<T>> work, CancellationToken ct = default) =>
        RunAsync(name, actor, minimum, IsolationLevel.Unspecified, work, ct);

    /// <summary>The same with a chosen isolation level (ingest on SQL Server: serializable, so two new numbers never make two cards).</summary>
    public async Task<T> RunAsync<T>(string name, Actor actor, Role minimum, IsolationLevel isolation, Func<UseCase, Task<T>> work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Require(minimum);
        await using var db = await _dbFactory.CreateDbContextAsync(ct);
        return await RunCoreAsync(db, name, actor, isolation, work, ct);
    }

    /// <summary>
    /// The same on a context the caller owns: for the use cases that go through ASP.NET Core Identity's
    /// <c>UserManager</c>, whose store works on the request scope's context.
    /// </summary>
    public Task<T> RunOnAsync<T>(AgentWorkspaceDbContext db, string name, Actor actor, Role minimum, Func<UseCase, Task<T>> work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        actor.Require(minimum);
        return RunCoreAsync(db, name, actor, IsolationLevel.Unspecified, work, ct);
    }

    private async Task<T> RunCoreAsync<T>(AgentWorkspaceDbContext db, string name, Actor actor, IsolationLevel isolation, Func<UseCase, Task<T>> work, CancellationToken ct)
    {
        var strategy = db.Database.CreateExecutionStrategy();
        // The last attempt that reached its commit, and what it returned: if the commit's answer is lost but the
        // marker shows it landed, this attempt is the one in the database.
        UseCase? attempt = null;
        var attemptValue = default(T)!;
        var marker = string.Empty;
        T result;
        try
        {
            result = await strategy.ExecuteAsync(
                (object?)null,
                async (_, _, token) =>
                {
                    // A new attempt starts from nothing: what an earlier one tracked or collected is gone with its transaction.
                    db.ChangeTracker.Clear();
                    attempt = null;
                    var use = new UseCase(db, actor, _clock.GetUtcNow(), token);
                    marker = Guid.NewGuid().ToString("N");
                    await using var tx = isolation == IsolationLevel.Unspecified
                        ? await db.Database.BeginTransactionAsync(token)
                        : await db.Database.BeginTransactionAsync(isolation, token);
                    db.UseCaseCommits.Add(new UseCaseCommit(marker, name, use.Now));
                    var value = await work(use);
                    if (BeforeCommitForTests is { } hook) await hook(use);
                    await db.SaveChangesAsync(token);
                    (attempt, attemptValue) = (use, value);
                    await tx.CommitAsync(token);
                    if (AfterCommitForTests is { } after) await after(use);
                    return value;
                },
                async (_, _, token) =>
                {
                    // Called when an attempt failed with a transient error: had its commit landed all the same?
                    await using var check = await _dbFactory.CreateDbContextAsync(token);
                    var landed = attempt is not null && await check.UseCaseCommits.AsNoTracking().AnyAsync(c => c.Id == marker, token);
                    if (landed) _logger.LogWarning("Use case {UseCase} of {ActorId}: the commit's answer was lost, but the commit landed; it is not run again.", name, actor.UserId);
                    return new ExecutionResult<T>(landed, landed ? attemptValue : default!);
                },
                ct);
        }
        catch (Exception ex) when (!IsExpected(ex) && LogUnexpected(ex, name, actor))
        {
            throw; // never reached: the filter logs and declines
        }

        var committed = attempt!;
        foreach (var action in committed.Committed)
        {
            try { action(); }
            catch (Exception ex) { _logger.LogError(ex, "Use case {UseCase} committed, but an after-commit step failed.", name); }
        }
        foreach (var change in committed.Events) PublishSafely(change, name);
        if (Interlocked.Increment(ref _commits) % PruneEvery == 0) await PruneMarkersAsync(ct);
        return result;
    }

    public Task RunAsync(string name, Actor actor, Role minimum, Func<UseCase, Task> work, CancellationToken ct = default) =>
        RunAsync<bool>(name, actor, minimum, async use => { await work(use); return true; }, ct);

    private void PublishSafely(ChangeEvent change, string name)
    {
        try { _feed.Publish(change); }
        catch (Exception ex)
        {
            // The data is committed; a feed that fails leaves open pages stale until their next reload, which is logged, not hidden.
            _logger.LogError(ex, "Use case {UseCase} committed, but its change {Kind} could not be published.", name, change.Kind);
        }
    }

    private async Task PruneMarkersAsync(CancellationToken ct)
    {
        try
        {
            var before = _clock.GetUtcNow() - MarkerLifetime;
            await using var db = await _dbFactory.CreateDbContextAsync(ct);
            await db.UseCaseCommits.Where(c => c.At < before).ExecuteDeleteAsync(ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Old use-case commit markers could not be deleted; the next prune tries again.");
        }
    }

    /// <summary>A broken rule, a refusal, a conflict or a cancellation is the caller's answer, not a fault.</summary>
    internal static bool IsExpected(Exception ex) => ex is DomainException or ForbiddenException or NotFoundException or ConcurrencyConflictException
        or DbUpdateConcurrencyException or OperationCanceledException or Features.Cards.CardMergedException or Features.Cards.ProfileConflictException;

    private bool LogUnexpected(Exception ex, string name, Actor actor)
    {
        _logger.LogError(ex, "Use case {UseCase} of {ActorId} failed.", name, actor.UserId);
        return false;
    }
}

/// <summary>What a use case's body works with: its context, its actor, one time for the whole use case, audit and events.</summary>
public sealed class UseCase
{
    private readonly List<ChangeEvent> _events = [];
    private readonly List<Action> _committed = [];

    internal UseCase(AgentWorkspaceDbContext db, Actor actor, DateTimeOffset now, CancellationToken cancellation)
    {
        Db = db;
        Actor = actor;
        Now = now;
        Cancellation = cancellation;
    }

    public AgentWorkspaceDbContext Db { get; }
    public Actor Actor { get; }
    public DateTimeOffset Now { get; }
    public CancellationToken Cancellation { get; }

    internal IReadOnlyList<ChangeEvent> Events => _events;
    internal IReadOnlyList<Action> Committed => _committed;

    /// <summary>Runs once the transaction has committed, before its change events are published (e.g. dropping a cache).</summary>
    public void OnCommitted(Action action) => _committed.Add(action);

    /// <summary>An audit row of this use case, saved in its transaction.</summary>
    public void Audit(string entityType, string entityId, string action, string? field = null, string? before = null, string? after = null) =>
        Db.Audit.Add(new Domain.Audit.AuditEntry(Now, Actor.UserId, Actor.DisplayName, entityType, entityId, action, field, before, after));

    /// <summary>An audit row for a field that changed; nothing when the value is the same.</summary>
    public void AuditChange(string entityType, string entityId, string action, string field, string? before, string? after)
    {
        if (!string.Equals(before, after, StringComparison.Ordinal)) Audit(entityType, entityId, action, field, before, after);
    }

    /// <summary>A change event, published once the transaction has committed (never if it rolls back).</summary>
    public void Publish(ChangeEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        _events.Add(change with { ActorId = change.ActorId ?? Actor.UserId });
    }

    /// <summary>Saves what is tracked so far (ids for new rows), inside the use case's transaction.</summary>
    public Task SaveAsync() => Db.SaveChangesAsync(Cancellation);
}
