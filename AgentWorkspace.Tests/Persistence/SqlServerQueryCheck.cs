using System.Linq.Expressions;
using System.Reflection;
using AgentWorkspace.Core.Persistence;
using Microsoft.EntityFrameworkCore;
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

/// <summary>A compiled query (<c>EF.CompileAsyncQuery</c>) kept in a static field, and its lambda.</summary>
public sealed record CompiledQuery(string Name, LambdaExpression Query, object Compiled)
{
    public override string ToString() => Name;
}

/// <summary>Finds the compiled queries a class or an assembly keeps in static fields.</summary>
public static class CompiledQueries
{
    private const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;

    public static IReadOnlyList<CompiledQuery> In(Assembly assembly) => In(assembly.GetTypes());

    public static IReadOnlyList<CompiledQuery> In(params IEnumerable<Type> types) =>
        [.. types.Where(t => !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetFields(Static).Where(f => typeof(Delegate).IsAssignableFrom(f.FieldType)).Select(f => (Type: t, Field: f)))
            .Select(x => (x.Type, x.Field, Target: (x.Field.GetValue(null) as Delegate)?.Target))
            .Where(x => x.Target is not null && IsCompiledQuery(x.Target.GetType()))
            .Select(x => new CompiledQuery($"{x.Type.Name}.{x.Field.Name}",
                (LambdaExpression)Base(x.Target!.GetType()).GetField("_queryExpression", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(x.Target)!, x.Target))
            .OrderBy(q => q.Name, StringComparer.Ordinal)];

    /// <summary>Static delegate fields whose first parameter is a context: compiled queries, or something that hides one.</summary>
    public static IReadOnlyList<string> DelegatesOverAContext(Assembly assembly) =>
        [.. assembly.GetTypes().Where(t => !t.IsGenericTypeDefinition)
            .SelectMany(t => t.GetFields(Static).Select(f => (Type: t, Field: f)))
            .Where(x => x.Field.FieldType.IsGenericType && typeof(Delegate).IsAssignableFrom(x.Field.FieldType)
                        && x.Field.FieldType.GetGenericArguments()[0].IsAssignableTo(typeof(Microsoft.EntityFrameworkCore.DbContext)))
            .Select(x => $"{x.Type.Name}.{x.Field.Name}").Order(StringComparer.Ordinal)];

    /// <summary>
    /// Compiles every compiled query of <paramref name="assembly"/> for <paramref name="db"/>'s model and services,
    /// without running it (EF Core would on first use); one compiled already is left as it is.
    /// </summary>
    public static void CompileAll(Assembly assembly, DbContext db)
    {
        foreach (var query in In(assembly)) Compile(query.Compiled, db);
    }

    /// <summary>EF Core's own first step of a compiled query's execution (internal, hence reflection): compile once for this context.</summary>
    internal static void Compile(object compiled, DbContext db)
    {
        var ensure = Base(compiled.GetType()).GetMethod("EnsureExecutor", BindingFlags.Instance | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("EF Core's compiled queries no longer compile through EnsureExecutor: adapt CompiledQueries.");
        ensure.Invoke(compiled, [db]);
    }

    private static bool IsCompiledQuery(Type type)
    {
        for (var t = type; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition().FullName == "Microsoft.EntityFrameworkCore.Query.Internal.CompiledQueryBase`2") return true;
        return false;
    }

    /// <summary>EF Core's (internal) base class of compiled queries, which holds the lambda and compiles it.</summary>
    internal static Type Base(Type compiled)
    {
        for (var t = compiled; t is not null; t = t.BaseType)
            if (t.IsGenericType && t.GetGenericTypeDefinition().FullName == "Microsoft.EntityFrameworkCore.Query.Internal.CompiledQueryBase`2") return t;
        throw new ArgumentException($"{compiled} is not a compiled query.", nameof(compiled));
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
