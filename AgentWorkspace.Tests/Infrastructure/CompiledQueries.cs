using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Infrastructure;

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
