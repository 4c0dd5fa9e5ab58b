using System.Linq.Expressions;
using System.Reflection;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// Compiles LINQ query expressions recorded on SQLite through the SQL Server provider, exactly as the
/// app configures it, on a connection string that is never opened: the query roots are moved to the
/// SQL Server model's entity types and EF Core's whole query pipeline runs (navigation expansion,
/// translation to SQL expressions, shaper compilation). A query SQL Server cannot translate fails here
/// the way it would fail on a real server ("could not be translated").
/// </summary>
public sealed class SqlServerQueryCheck : IDisposable
{
    /// <summary>A server name that does not resolve: a check that tried to connect would fail, not wait.</summary>
    public const string NeverOpened = "Server=tcp:sqlserver-never-opened.invalid,1433;Database=AgentWorkspace;User Id=none;Password=none;Encrypt=False;Connect Timeout=1";

    private readonly AgentWorkspaceDbContextFactory _factory = new(DatabaseOptions.From("SqlServer", NeverOpened, Path.GetTempPath()));
    private readonly AgentWorkspaceDbContext _db;
    private readonly IDatabase _database;
    private readonly IAsyncQueryProvider _provider;

    public SqlServerQueryCheck()
    {
        _db = _factory.CreateDbContext();
        _database = _db.GetService<IDatabase>();
        _provider = _db.GetService<IAsyncQueryProvider>();
    }

    /// <summary>Null when SQL Server translates the query; otherwise what EF Core said.</summary>
    public string? Check(Expression query)
    {
        Expression onSqlServer;
        try
        {
            onSqlServer = new ToSqlServerModel(_db.Model, _provider).Visit(query);
        }
        catch (NotSupportedException ex)
        {
            return ex.Message;
        }
        var compile = typeof(IDatabase).GetMethod(nameof(IDatabase.CompileQuery))!.MakeGenericMethod(AsyncResultType(query.Type));
        try
        {
            compile.Invoke(_database, [onSqlServer, true]);
            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            return $"{inner.GetType().Name}: {inner.Message}";
        }
    }

    /// <summary>
    /// Null when SQL Server compiles the compiled query; otherwise what EF Core said. A fresh compiled query
    /// over the same lambda is compiled for the SQL Server context (EF Core's own rewriting of the context and
    /// parameters, then its whole pipeline) and never executed; the app's instance, bound to the SQLite model, is left alone.
    /// </summary>
    public string? Check(CompiledQuery query)
    {
        var fresh = Activator.CreateInstance(query.Compiled.GetType(), query.Query)!;
        try
        {
            CompiledQueries.Compile(fresh, _db);
            return null;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is { } inner)
        {
            return $"{inner.GetType().Name}: {inner.Message}";
        }
    }

    /// <summary>What EF Core's async execution asks the compiler for: a stream for a sequence, a task for a single value.</summary>
    private static Type AsyncResultType(Type queryType)
    {
        var sequence = queryType.IsGenericType && queryType.GetGenericTypeDefinition() == typeof(IQueryable<>)
            ? queryType
            : queryType.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IQueryable<>));
        return sequence is not null
            ? typeof(IAsyncEnumerable<>).MakeGenericType(sequence.GetGenericArguments()[0])
            : typeof(Task<>).MakeGenericType(queryType);
    }

    public void Dispose()
    {
        _db.Dispose();
        _factory.Dispose();
    }

    /// <summary>Moves each query root from the SQLite model to the same entity type of the SQL Server model.</summary>
    private sealed class ToSqlServerModel(IModel model, IAsyncQueryProvider provider) : ExpressionVisitor
    {
        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityQueryRootExpression root)
            {
                if (root.GetType() != typeof(EntityQueryRootExpression))
                    throw new NotSupportedException($"{root.GetType().Name} over {root.EntityType.DisplayName()}: raw SQL or a table-valued function in a LINQ query must be checked by hand.");
                var entityType = model.FindEntityType(root.EntityType.Name)
                    ?? throw new NotSupportedException($"{root.EntityType.DisplayName()} is not in the SQL Server model.");
                return new EntityQueryRootExpression(provider, entityType);
            }
            return base.VisitExtension(node);
        }
    }
}

/// <summary>What the translation check found for one recorded query.</summary>
public sealed record TranslationFailure(RecordedQuery Query, string Error)
{
    public override string ToString() => $"{Query.Origin}: {Error}\n{Query.Printed}";
}

public static class SqlServerQueryCheckExtensions
{
    public static List<string> FailuresOn(this SqlServerQueryCheck check, IEnumerable<CompiledQuery> queries) =>
        queries.Select(q => check.Check(q) is { } error ? $"{q.Name}: {error}\n{q.Query}" : null).OfType<string>().ToList();

    public static List<TranslationFailure> FailuresOn(this SqlServerQueryCheck check, IEnumerable<RecordedQuery> queries) =>
        queries.Select(q => check.Check(q.Expression) is { } error ? new TranslationFailure(q, error) : null).OfType<TranslationFailure>().ToList();
}
