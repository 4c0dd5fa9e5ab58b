using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// An entity's table as a bulk load writes it, read from the EF model of the context's provider so that
/// bulk loads can never drift from the mapping: the table, and each column with the getter of its
/// property and the value conversion to what the provider stores. Keys are written as given; shadow
/// properties and columns the database computes (rowversion) are left to the database.
/// </summary>
public sealed class BulkTable
{
    public string Table { get; }
    public string? Schema { get; }

    /// <summary>The table's name delimited for the provider (<c>"Cards"</c> on SQLite, <c>[Cards]</c> on SQL Server).</summary>
    public string DelimitedName { get; }

    public IReadOnlyList<BulkColumn> Columns { get; }

    private BulkTable(string table, string? schema, string delimitedName, IReadOnlyList<BulkColumn> columns)
    {
        Table = table;
        Schema = schema;
        DelimitedName = delimitedName;
        Columns = columns;
    }

    public static BulkTable For<T>(DbContext db) where T : class
    {
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = entityType.GetTableName() ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped to a table.");
        var store = StoreObjectIdentifier.Table(table, entityType.GetSchema());
        var columns = entityType.GetProperties()
            .Where(p => !p.IsShadowProperty() && p.ValueGenerated != ValueGenerated.OnAddOrUpdate)
            .Select(p =>
            {
                var converter = p.GetTypeMapping().Converter;
                Func<object?, object?> toProvider = converter is null ? v => v : v => v is null ? null : converter.ConvertToProvider(v);
                var providerType = converter?.ProviderClrType ?? p.ClrType;
                return new BulkColumn(p.GetColumnName(store)!, Nullable.GetUnderlyingType(providerType) ?? providerType, p.GetGetter(), toProvider);
            })
            .ToList();
        return new BulkTable(table, entityType.GetSchema(), db.GetService<ISqlGenerationHelper>().DelimitIdentifier(table, entityType.GetSchema()), columns);
    }
}

/// <summary>One column of a <see cref="BulkTable"/>: its name, the type the provider stores, and how to read it from an entity.</summary>
public sealed class BulkColumn(string name, Type providerType, IClrPropertyGetter getter, Func<object?, object?> toProvider)
{
    public string Name { get; } = name;
    public Type ProviderType { get; } = providerType;

    /// <summary>The entity's value as the provider stores it (null for none).</summary>
    public object? ValueOf(object entity) => toProvider(getter.GetClrValue(entity));
}
