using System.Collections;
using System.Reflection;
using AgentWorkspace.Core.Domain.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// Writes entities of one context's model on its open SQLite connection with prepared statements that are
/// kept from one write to the next (ADR 007, amendment 2): the single ingest writer inserts and updates a
/// few rows per interaction, and EF Core's change tracking and command building cost more than the
/// rows themselves. The table, columns and value conversions come from the EF model, so the mapping is
/// not written twice; the domain objects still make every change (this only stores what they became).
/// <para>
/// <see cref="Insert"/> writes a row at once and sets its generated key (and the foreign key of the
/// dependents in its collections, which are inserted with it). <see cref="Track"/> remembers what a
/// loaded entity looks like; <see cref="WriteChanges"/> updates the columns that changed since, with the
/// optimistic concurrency check of a versioned entity (its old <see cref="IVersioned.Version"/> in the
/// WHERE, the new one written; no row → <see cref="DbUpdateConcurrencyException"/>). As with EF Core, a row
/// inserted since the last <see cref="WriteChanges"/> is written as it is now without a new version, and is
/// an existing row after it. A failed statement
/// throws a <see cref="DbUpdateException"/> over the <see cref="SqliteException"/>, as SaveChanges would.
/// </para>
/// <para>Not thread-safe: one writer, one connection. Dispose it before the connection is given back.</para>
/// </summary>
internal sealed class SqliteRowWriter(DbContext db) : IDisposable
{
    private readonly Dictionary<Type, Table> _tables = [];
    private readonly List<(object Entity, Table Table, object?[] Before, bool Inserted)> _tracked = [];
    private readonly Dictionary<string, SqliteCommand> _statements = new(StringComparer.Ordinal);

    /// <summary>Inserts <paramref name="entity"/> now (and its dependents), sets its key, and tracks it for later changes.</summary>
    public void Insert(object entity)
    {
        var table = TableOf(entity.GetType());
        var command = table.Insert ??= Prepare(table.InsertSql(), table.Columns.Length);
        for (var i = 0; i < table.Columns.Length; i++) command.Parameters[i].Value = table.Columns[i].Read(entity);
        var key = Execute(command, c => c.ExecuteScalar())!;
        table.Key.Write(entity, key);
        _tracked.Add((entity, table, table.Snapshot(entity), true));
        foreach (var (navigation, foreignKey) in table.Dependents)
        {
            if (navigation.GetClrValueUsingContainingEntity(entity) is not IEnumerable dependents) continue;
            foreach (var dependent in dependents)
            {
                foreignKey.Write(dependent, key);
                Insert(dependent);
            }
        }
    }

    /// <summary>
    /// The first row of <typeparamref name="T"/>'s table that meets <paramref name="condition"/> (SQL over its
    /// columns, with <c>$p0</c>, <c>$p1</c>… for <paramref name="args"/>), read without tracking; the statement is
    /// kept, prepared, under <paramref name="name"/>. Its values go through the model's conversions.
    /// </summary>
    public T? First<T>(string name, string condition, params object[] args) where T : class
    {
        var table = TableOf(typeof(T));
        if (!table.Queries.TryGetValue(name, out var command))
        {
            command = Prepare($"SELECT {table.SelectList()} FROM \"{table.Name}\" WHERE {condition} LIMIT 1", args.Length);
            table.Queries[name] = command;
        }
        for (var i = 0; i < args.Length; i++) command.Parameters[i].Value = args[i];
        command.Transaction = CurrentTransaction();
        using var reader = command.ExecuteReader();
        return reader.Read() ? (T)table.Materialize(reader) : null;
    }

    /// <summary>Remembers the current values of a loaded entity; <see cref="WriteChanges"/> writes what changed since.</summary>
    public void Track(object entity)
    {
        foreach (var tracked in _tracked)
            if (ReferenceEquals(tracked.Entity, entity)) return;
        var table = TableOf(entity.GetType());
        _tracked.Add((entity, table, table.Snapshot(entity), false));
    }

    /// <summary>Updates the changed columns of every tracked entity; a loaded versioned entity gets its next version.</summary>
    public void WriteChanges()
    {
        for (var t = 0; t < _tracked.Count; t++)
        {
            var (entity, table, before, inserted) = _tracked[t];
            var changed = table.Changed(entity, before);
            // Like SaveChanges accepting its changes: a row inserted before this save is an existing row after it.
            _tracked[t] = (entity, table, before, false);
            if (changed == UInt128.Zero) continue;
            // Like the context's SaveChanges: a row loaded and changed gets a new version, the old one is the check.
            var versioned = !inserted && table.Version is not null;
            long oldVersion = 0;
            if (versioned)
            {
                oldVersion = ((IVersioned)entity).Version;
                ((IVersioned)entity).BumpVersion();
                changed |= UInt128.One << table.Version!.Value;
            }
            if (!table.Updates.TryGetValue((changed, versioned), out var command))
            {
                var columns = table.ColumnsIn(changed);
                command = Prepare(table.UpdateSql(columns, versioned), columns.Count + (versioned ? 2 : 1));
                table.Updates[(changed, versioned)] = command;
            }
            var p = 0;
            for (var i = 0; i < table.Columns.Length; i++)
                if ((changed & (UInt128.One << i)) != UInt128.Zero) command.Parameters[p++].Value = table.Columns[i].Read(entity);
            command.Parameters[p++].Value = table.Key.Read(entity);
            if (versioned) command.Parameters[p].Value = oldVersion;
            if (Execute(command, c => c.ExecuteNonQuery()) != 1)
                throw new DbUpdateConcurrencyException($"The {table.Name} row {table.Key.Read(entity)} was changed or deleted meanwhile; nothing was written.");
            _tracked[t] = (entity, table, table.Snapshot(entity), false);
        }
    }

    /// <summary>Runs a statement without parameters or rows (a savepoint, its release) as a kept prepared statement.</summary>
    public void Execute(string sql)
    {
        if (!_statements.TryGetValue(sql, out var command)) _statements[sql] = command = Prepare(sql, 0);
        Execute(command, c => c.ExecuteNonQuery());
    }

    /// <summary>Forgets the tracked entities (the end of one use case, written or rolled back).</summary>
    public void Clear() => _tracked.Clear();

    public void Dispose()
    {
        foreach (var table in _tables.Values)
        {
            table.Insert?.Dispose();
            foreach (var command in table.Queries.Values) command.Dispose();
            foreach (var command in table.Updates.Values) command.Dispose();
        }
        foreach (var command in _statements.Values) command.Dispose();
        _tables.Clear();
        _statements.Clear();
        _tracked.Clear();
    }

    private T Execute<T>(SqliteCommand command, Func<SqliteCommand, T> run)
    {
        // The statement stays prepared on the command; only the transaction of the moment changes.
        command.Transaction = CurrentTransaction();
        try
        {
            return run(command);
        }
        catch (SqliteException ex)
        {
            throw new DbUpdateException($"Writing to {command.CommandText[..Math.Min(40, command.CommandText.Length)]}… failed: {ex.Message}", ex);
        }
    }

    private SqliteTransaction? CurrentTransaction() => (SqliteTransaction?)db.Database.CurrentTransaction?.GetDbTransaction();

    private SqliteCommand Prepare(string sql, int parameters)
    {
        var command = (SqliteCommand)db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++) command.Parameters.Add(new SqliteParameter("$p" + i, null));
        return command;
    }

    private Table TableOf(Type type)
    {
        if (_tables.TryGetValue(type, out var table)) return table;
        var entityType = db.Model.FindEntityType(type) ?? throw new InvalidOperationException($"{type.Name} is not an entity of this model.");
        table = new Table(entityType);
        _tables[type] = table;
        return table;
    }

    /// <summary>One column: how to read its stored value from an entity and write a key back.</summary>
    private sealed class Column
    {
        private readonly MemberInfo _member;
        private readonly IClrPropertyGetter _getter;
        private readonly Action<object, object?> _setter;
        private readonly Func<object?, object?>? _toProvider;
        private readonly Func<object?, object?>? _fromProvider;
        private readonly Type _stored;

        public Column(IProperty property, StoreObjectIdentifier table)
        {
            Property = property;
            Name = property.GetColumnName(table) ?? throw new NotSupportedException($"{property.Name} has no column.");
            if (property.IsShadowProperty()) throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} is a shadow property.");
            _member = (MemberInfo?)property.FieldInfo ?? property.PropertyInfo ?? throw new NotSupportedException(property.Name);
            _getter = property.GetGetter();
            var mapping = property.GetRelationalTypeMapping();
            _setter = Setter(_member);
            _toProvider = mapping.Converter?.ConvertToProvider;
            _fromProvider = mapping.Converter?.ConvertFromProvider;
            // Only types Microsoft.Data.Sqlite binds the way EF Core's SQLite mappings store them.
            var stored = Nullable.GetUnderlyingType(mapping.Converter?.ProviderClrType ?? mapping.ClrType) ?? mapping.Converter?.ProviderClrType ?? mapping.ClrType;
            _stored = stored;
            if (stored != typeof(string) && stored != typeof(long) && stored != typeof(int) && stored != typeof(short) && stored != typeof(byte)
                && stored != typeof(bool) && stored != typeof(double) && stored != typeof(float) && stored != typeof(byte[]))
                throw new NotSupportedException($"{property.DeclaringType.DisplayName()}.{property.Name} is stored as {stored.Name}.");
        }

        public IProperty Property { get; }
        public string Name { get; }

        public object? Value(object entity) => _getter.GetClrValueUsingContainingEntity(entity);

        public object Read(object entity)
        {
            var value = Value(entity);
            if (value is not null && _toProvider is not null) value = _toProvider(value);
            return value ?? DBNull.Value;
        }

        /// <summary>Sets the property from a value as SQLite returns it (INTEGER as long, REAL as double, TEXT, BLOB, or DBNull).</summary>
        public void Write(object entity, object? stored)
        {
            object? value = null;
            if (stored is not null and not DBNull)
            {
                if (stored.GetType() != _stored) stored = Convert.ChangeType(stored, _stored, System.Globalization.CultureInfo.InvariantCulture);
                value = _fromProvider is null ? stored : _fromProvider(stored);
            }
            _setter(entity, value);
        }

        private static Action<object, object?> Setter(MemberInfo member)
        {
            var entity = System.Linq.Expressions.Expression.Parameter(typeof(object));
            var value = System.Linq.Expressions.Expression.Parameter(typeof(object));
            var target = System.Linq.Expressions.Expression.Convert(entity, member.DeclaringType!);
            var access = member is FieldInfo f ? System.Linq.Expressions.Expression.Field(target, f) : System.Linq.Expressions.Expression.Property(target, (PropertyInfo)member);
            return System.Linq.Expressions.Expression.Lambda<Action<object, object?>>(
                System.Linq.Expressions.Expression.Assign(access, System.Linq.Expressions.Expression.Convert(value, access.Type)), entity, value).Compile();
        }
    }

    private sealed class Table
    {
        public Table(IEntityType type)
        {
            Name = type.GetTableName() ?? throw new NotSupportedException($"{type.DisplayName()} has no table.");
            var store = StoreObjectIdentifier.Table(Name, type.GetSchema());
            var key = type.FindPrimaryKey()?.Properties is [var k] && k.ValueGenerated == ValueGenerated.OnAdd
                ? k : throw new NotSupportedException($"{type.DisplayName()} needs one generated key.");
            Key = new Column(key, store);
            Columns = type.GetProperties().Where(p => p != key).Select(p => new Column(p, store)).ToArray();
            if (Columns.Length > 128) throw new NotSupportedException($"{type.DisplayName()} has more than 128 columns.");
            if (type.GetComplexProperties().Any()) throw new NotSupportedException($"{type.DisplayName()} has complex properties.");
            if (typeof(IVersioned).IsAssignableFrom(type.ClrType))
                Version = Array.FindIndex(Columns, c => c.Property.Name == nameof(IVersioned.Version) && c.Property.IsConcurrencyToken);
            if (Version < 0) throw new NotSupportedException($"{type.DisplayName()}.Version is not a concurrency token.");
            var constructor = type.ClrType.GetConstructor(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, Type.EmptyTypes)
                ?? throw new NotSupportedException($"{type.DisplayName()} has no parameterless constructor.");
            _create = System.Linq.Expressions.Expression.Lambda<Func<object>>(System.Linq.Expressions.Expression.New(constructor)).Compile();
            Dependents = type.GetNavigations()
                .Where(n => n.IsCollection && !n.IsOnDependent)
                .Select(n => (n.GetGetter(), new Column(n.ForeignKey.Properties.Single(), StoreObjectIdentifier.Table(n.TargetEntityType.GetTableName()!, n.TargetEntityType.GetSchema()))))
                .ToArray();
        }

        public string Name { get; }
        public Column Key { get; }
        public Column[] Columns { get; }
        public int? Version { get; }
        public (IClrPropertyGetter Navigation, Column ForeignKey)[] Dependents { get; }
        public SqliteCommand? Insert { get; set; }
        public Dictionary<(UInt128 Columns, bool Versioned), SqliteCommand> Updates { get; } = [];
        public Dictionary<string, SqliteCommand> Queries { get; } = new(StringComparer.Ordinal);
        private readonly Func<object> _create;

        public string SelectList() => string.Join(", ", Columns.Prepend(Key).Select(c => $"\"{c.Name}\""));

        /// <summary>An entity from a row of <see cref="SelectList"/> (the key, then the columns in their order).</summary>
        public object Materialize(SqliteDataReader reader)
        {
            var entity = _create();
            Key.Write(entity, reader.GetValue(0));
            for (var i = 0; i < Columns.Length; i++) Columns[i].Write(entity, reader.GetValue(i + 1));
            return entity;
        }

        public object?[] Snapshot(object entity)
        {
            var values = new object?[Columns.Length];
            for (var i = 0; i < values.Length; i++) values[i] = Columns[i].Value(entity);
            return values;
        }

        public UInt128 Changed(object entity, object?[] before)
        {
            var changed = UInt128.Zero;
            for (var i = 0; i < Columns.Length; i++)
                if (!Equals(before[i], Columns[i].Value(entity))) changed |= UInt128.One << i;
            return changed;
        }

        public List<Column> ColumnsIn(UInt128 mask) => Columns.Where((_, i) => (mask & (UInt128.One << i)) != UInt128.Zero).ToList();

        public string InsertSql() =>
            $"INSERT INTO \"{Name}\" ({string.Join(", ", Columns.Select(c => $"\"{c.Name}\""))}) VALUES ({string.Join(", ", Columns.Select((_, i) => "$p" + i))}) RETURNING \"{Key.Name}\"";

        public string UpdateSql(List<Column> columns, bool versioned) =>
            $"UPDATE \"{Name}\" SET {string.Join(", ", columns.Select((c, i) => $"\"{c.Name}\" = $p{i}"))} WHERE \"{Key.Name}\" = $p{columns.Count}"
            + (versioned ? $" AND \"{Columns[Version!.Value].Name}\" = $p{columns.Count + 1}" : "");
    }
}
