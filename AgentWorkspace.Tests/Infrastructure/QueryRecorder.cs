using System.Collections.Concurrent;
using System.Data.Common;
using System.Diagnostics;
using System.Linq.Expressions;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Persistence.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Caching.Memory;

namespace AgentWorkspace.Tests.Infrastructure;

/// <summary>A LINQ query as EF Core was about to compile it, and which service method issued it.</summary>
public sealed record RecordedQuery(Expression Expression, string Printed, string Origin);

/// <summary>
/// Keeps every query expression the contexts it is added to compile. EF Core calls
/// <see cref="QueryCompilationStarting"/> only when a query shape is not in its query cache yet: use it
/// with <see cref="RecordingDbContextFactory"/>, whose contexts have a query cache of their own.
/// </summary>
public sealed class QueryRecorder : IQueryExpressionInterceptor
{
    private readonly ConcurrentDictionary<string, RecordedQuery> _queries = new(StringComparer.Ordinal);
    private static readonly AsyncLocal<string?> CurrentStep = new();

    public IReadOnlyList<RecordedQuery> Queries => [.. _queries.Values.OrderBy(q => q.Origin, StringComparer.Ordinal).ThenBy(q => q.Printed, StringComparer.Ordinal)];

    /// <summary>Names what the caller is doing, for the queries compiled meanwhile (the driver's current service call).</summary>
    public static IDisposable Step(string name)
    {
        var previous = CurrentStep.Value;
        CurrentStep.Value = name;
        return new Restore(() => CurrentStep.Value = previous);
    }

    public Expression QueryCompilationStarting(Expression queryExpression, QueryExpressionEventData eventData)
    {
        var printed = eventData.ExpressionPrinter.PrintExpression(queryExpression);
        _queries.TryAdd(printed, new RecordedQuery(queryExpression, printed, Origin()));
        return queryExpression;
    }

    /// <summary>The innermost Core method on the stack ("Class.Method"), and the driver's step when there is one.</summary>
    private static string Origin()
    {
        var step = CurrentStep.Value is { } s ? $" (during {s})" : "";
        foreach (var frame in new StackTrace(2, false).GetFrames())
        {
            if (frame.GetMethod() is not { DeclaringType: { } type } method) continue;
            if (type.Namespace?.StartsWith("AgentWorkspace.Core.", StringComparison.Ordinal) != true) continue;
            // Compiler-generated: an async method's state machine (<Name>d__N) or a closure (<>c__DisplayClass), nested in the class.
            var owner = type;
            while (owner.Name.StartsWith('<') && owner.DeclaringType is not null) owner = owner.DeclaringType;
            var name = Unmangle(owner != type && !type.Name.StartsWith("<>", StringComparison.Ordinal) ? type.Name : method.Name);
            return $"{owner.Name}.{name}{step}";
        }
        return CurrentStep.Value ?? "(unknown)";

        // "<<Outer>g__Local|4_0>d" -> "Outer", "<SearchAsync>b__0" -> "SearchAsync".
        static string Unmangle(string name)
        {
            var trimmed = name.TrimStart('<');
            var end = trimmed.IndexOf('>', StringComparison.Ordinal);
            return end > 0 ? trimmed[..end] : trimmed;
        }
    }

    private sealed class Restore(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}

/// <summary>
/// SQLite contexts over an existing database file that carry the given interceptors and compile every
/// query themselves: their query cache is their own (queries other tests of the run compiled first
/// would otherwise come from the shared cache, unseen by a <see cref="QueryRecorder"/>), while their
/// model is the one every SQLite context of the process uses, because a compiled query
/// (<c>EF.CompileAsyncQuery</c>) refuses to run against a second model. What the app's factory adds
/// besides (kept connections, prepared-statement reuse) works below the queries and is left out.
/// </summary>
/// <remarks>
/// Core's compiled queries are compiled on the test database's own contexts first: a compiled query keeps
/// the services of the context it was compiled on (its SQL cache among them) for the rest of the process,
/// and the other tests must not run theirs on these. For the same reason the query cache is never
/// disposed: it goes when the process does.
/// </remarks>
public sealed class RecordingDbContextFactory : IDbContextFactory<AgentWorkspaceDbContext>
{
    private readonly DbContextOptions<SqliteAgentWorkspaceDbContext> _options;

    public RecordingDbContextFactory(TestDatabase database, params IInterceptor[] interceptors)
    {
        IModel model;
        using (var db = database.Factory.CreateDbContext())
        {
            model = db.Model;
            CompiledQueries.CompileAll(typeof(AgentWorkspaceDbContext).Assembly, db);
        }
        _options = new DbContextOptionsBuilder<SqliteAgentWorkspaceDbContext>()
            // As the app's factory: SQLite's retrying strategy, so the use-case runner runs as it does there.
            .UseSqlite(database.ConnectionString, o => o.CommandTimeout(60).ExecutionStrategy(d => new SqliteRetryingExecutionStrategy(d)))
            .UseModel(model)
            .UseMemoryCache(new MemoryCache(new MemoryCacheOptions()))
            .AddInterceptors(interceptors)
            .Options;
    }

    public AgentWorkspaceDbContext CreateDbContext() => new SqliteAgentWorkspaceDbContext(_options);
}

/// <summary>Keeps the text of every command that EF Core sent as raw SQL (ExecuteSql*, FromSql*, SqlQuery*).</summary>
public sealed class RawSqlRecorder : DbCommandInterceptor
{
    private readonly ConcurrentDictionary<string, byte> _commands = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Commands => [.. _commands.Keys.Order(StringComparer.Ordinal)];

    private void Record(DbCommand command, CommandEventData data)
    {
        if (data.CommandSource is CommandSource.ExecuteSqlRaw or CommandSource.FromSqlQuery)
            _commands.TryAdd(command.CommandText.Trim(), 0);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Record(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Record(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Record(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Record(command, eventData);
        return ValueTask.FromResult(result);
    }
}
