using System.Collections;
using System.Reflection;
using AgentWorkspace.Core.Domain.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using SQLitePCL;

namespace AgentWorkspace.Core.Persistence.Sqlite;

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
/// <para>
/// The statements run through SQLite's own API (<see cref="SqliteStatement"/>): bound by position, stepped and reset, with
/// no command, reader, parameter or binder objects per execution (ADR 007, amendment 6). They run in whatever
/// transaction the connection has open, as every statement on a SQLite connection does.
/// </para>
/// <para>Not thread-safe: one writer, one connection. Dispose it before the connection is given back.</para>
/// </summary>
internal sealed class SqliteRowWriter(DbContext db) : IDisposable
{
    private readonly Dictionary<Type, Table> _tables = [];
    private readonly List<(object Entity, Table Table, object?[] Before, bool Inserted)> _tracked = [];
    private readonly Dictionary<string, SqliteStatement> _statements = new(StringComparer.Ordinal);

    /// <summary>Inserts <paramref name="entity"/> now (and its dependents), sets its key, and tracks it for later changes.</summary>
    public void Insert(object entity)
    {
        var table = TableOf(entity.GetType());
        var statement = table.Insert;
        var sql = statement?.Sql ?? table.InsertSql();
        object key;
        try
        {
            statement ??= table.Insert = Prepare(sql);
            for (var i = 0; i < table.Columns.Length; i++) statement.Bind(i, table.Columns[i].Read(entity));
            // INSERT … RETURNING writes the row on its first step and returns its key as that step's row.
            key = statement.Step() ? statement.Value(0) : throw new InvalidOperationException($"Inserting into {table.Name} returned no key.");
        }
        catch (SqliteException ex)
        {
            throw Failed(sql, ex);
        }
        finally
        {
            statement?.Reset();
        }
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
        if (!table.Queries.TryGetValue(name, out var statement))
        {
            statement = Prepare($"SELECT {table.SelectList()} FROM \"{table.Name}\" WHERE {condition} LIMIT 1");
            table.Queries[name] = statement;
        }
        if (statement.ParameterCount != args.Length)
            throw new ArgumentException($"The query {name} takes {statement.ParameterCount} values, not {args.Length}.", nameof(args));
        for (var i = 0; i < args.Length; i++) statement.Bind(i, args[i]);
        try
        {
            return statement.Step() ? (T)table.Materialize(statement) : null;
        }
        finally
        {
            statement.Reset();
        }
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
            table.Updates.TryGetValue((changed, versioned), out var statement);
            var sql = statement?.Sql ?? table.UpdateSql(table.ColumnsIn(changed), versioned);
            try
            {
                if (statement is null) table.Updates[(changed, versioned)] = statement = Prepare(sql);
                var p = 0;
                for (var i = 0; i < table.Columns.Length; i++)
                    if ((changed & (UInt128.One << i)) != UInt128.Zero) statement.Bind(p++, table.Columns[i].Read(entity));
                statement.Bind(p++, table.Key.Read(entity));
                if (versioned) statement.Bind(p, oldVersion);
            }
            catch (SqliteException ex)
            {
                // A statement or value SQLite refuses fails the write as a refused step would.
                throw Failed(sql, ex);
            }
            if (Run(statement) != 1)
                throw new DbUpdateConcurrencyException($"The {table.Name} row {table.Key.Read(entity)} was changed or deleted meanwhile; nothing was written.");
            _tracked[t] = (entity, table, table.Snapshot(entity), false);
        }
    }

    /// <summary>Runs a statement without parameters or rows (a savepoint, its release) as a kept prepared statement.</summary>
    public void Execute(string sql)
    {
        if (!_statements.TryGetValue(sql, out var statement)) _statements[sql] = statement = Prepare(sql);
        Run(statement);
    }

    /// <summary>Forgets the tracked entities (the end of one use case, written or rolled back).</summary>
    public void Clear() => _tracked.Clear();

    public void Dispose()
    {
        foreach (var table in _tables.Values)
        {
            table.Insert?.Dispose();
            foreach (var statement in table.Queries.Values) statement.Dispose();
            foreach (var statement in table.Updates.Values) statement.Dispose();
        }
        foreach (var statement in _statements.Values) statement.Dispose();
        _tables.Clear();
        _statements.Clear();
        _tracked.Clear();
    }

    /// <summary>Runs a write that returns no rows; how many rows it changed.</summary>
    private static int Run(SqliteStatement statement)
    {
        try
        {
            statement.Step();
            return statement.Changes;
        }
        catch (SqliteException ex)
        {
            throw Failed(statement.Sql, ex);
        }
        finally
        {
            statement.Reset();
        }
    }

    private static DbUpdateException Failed(string sql, SqliteException ex) =>
        new($"Writing to {sql[..Math.Min(40, sql.Length)]}… failed: {ex.Message}", ex);

    private SqliteStatement Prepare(string sql) => new((SqliteConnection)db.Database.GetDbConnection(), sql);

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
        public SqliteStatement? Insert { get; set; }
        public Dictionary<(UInt128 Columns, bool Versioned), SqliteStatement> Updates { get; } = [];
        public Dictionary<string, SqliteStatement> Queries { get; } = new(StringComparer.Ordinal);
        private readonly Func<object> _create;

        public string SelectList() => string.Join(", ", Columns.Prepend(Key).Select(c => $"\"{c.Name}\""));

        /// <summary>An entity from a row of <see cref="SelectList"/> (the key, then the columns in their order).</summary>
        public object Materialize(SqliteStatement row)
        {
            var entity = _create();
            Key.Write(entity, row.Value(0));
            for (var i = 0; i < Columns.Length; i++) Columns[i].Write(entity, row.Value(i + 1));
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

/// <summary>
/// One prepared statement of the row writer, on the connection it was prepared on, run through SQLite's own API
/// (SQLitePCL): values bound by position, stepped, reset; no command, reader, parameter or binder objects per
/// execution. Values bind and read as Microsoft.Data.Sqlite binds and reads them (integers and booleans as INTEGER,
/// floating point as REAL, strings as TEXT, byte arrays as BLOB, null and <see cref="DBNull"/> as NULL; a column
/// reads back as long, double, string, byte[] or <see cref="DBNull"/>), and a busy database is retried within the
/// connection's default timeout as its commands do. Errors are Microsoft.Data.Sqlite's <see cref="SqliteException"/>.
/// </summary>
internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    public SqliteStatement(SqliteConnection connection, string sql)
    {
        _connection = connection;
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _stmt), _db);
        Sql = sql;
        ParameterCount = raw.sqlite3_bind_parameter_count(_stmt);
    }

    public string Sql { get; }
    public int ParameterCount { get; }

    /// <summary>Rows changed by the last write on the connection (this statement's, right after its step).</summary>
    public int Changes => raw.sqlite3_changes(_db);

    /// <summary>Binds the value of parameter <paramref name="index"/> (from 0, in the order of the SQL).</summary>
    public void Bind(int index, object? value)
    {
        var position = index + 1;
        var rc = value switch
        {
            null or DBNull => raw.sqlite3_bind_null(_stmt, position),
            string text => raw.sqlite3_bind_text(_stmt, position, text),
            long number => raw.sqlite3_bind_int64(_stmt, position, number),
            int number => raw.sqlite3_bind_int64(_stmt, position, number),
            short number => raw.sqlite3_bind_int64(_stmt, position, number),
            byte number => raw.sqlite3_bind_int64(_stmt, position, number),
            bool flag => raw.sqlite3_bind_int64(_stmt, position, flag ? 1 : 0),
            double real => raw.sqlite3_bind_double(_stmt, position, double.IsNaN(real) ? throw new InvalidOperationException("NaN cannot be stored.") : real),
            float real => raw.sqlite3_bind_double(_stmt, position, float.IsNaN(real) ? throw new InvalidOperationException("NaN cannot be stored.") : real),
            byte[] bytes => raw.sqlite3_bind_blob(_stmt, position, bytes),
            _ => throw new NotSupportedException($"A {value.GetType().Name} is not bound by the row writer."),
        };
        SqliteException.ThrowExceptionForRC(rc, _db);
    }

    /// <summary>Runs the statement to its next row: true with a row to read, false once done.</summary>
    public bool Step()
    {
        if (_connection.Handle != _db) throw new InvalidOperationException("The statement's connection was closed since it was prepared.");
        var started = 0L;
        int rc;
        while ((rc = raw.sqlite3_step(_stmt)) is raw.SQLITE_BUSY or raw.SQLITE_LOCKED)
        {
            if (started == 0) started = Environment.TickCount64;
            else if (Environment.TickCount64 - started >= _connection.DefaultTimeout * 1000L) break;
            raw.sqlite3_reset(_stmt);
            Thread.Sleep(150);
        }
        if (rc == raw.SQLITE_ROW) return true;
        if (rc == raw.SQLITE_DONE) return false;
        SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    /// <summary>Column <paramref name="index"/> of the current row as Microsoft.Data.Sqlite's GetValue returns it.</summary>
    public object Value(int index) => raw.sqlite3_column_type(_stmt, index) switch
    {
        raw.SQLITE_INTEGER => raw.sqlite3_column_int64(_stmt, index),
        raw.SQLITE_FLOAT => raw.sqlite3_column_double(_stmt, index),
        raw.SQLITE_TEXT => raw.sqlite3_column_text(_stmt, index).utf8_to_string(),
        raw.SQLITE_BLOB => raw.sqlite3_column_blob(_stmt, index).ToArray(),
        _ => DBNull.Value,
    };

    /// <summary>Ends this execution (its read snapshot and locks on the statement); the bindings stay for the next.</summary>
    public void Reset() => raw.sqlite3_reset(_stmt);

    public void Dispose() => _stmt.Dispose();
}
