namespace AgentWorkspace.Core.Persistence;

public enum DatabaseProvider
{
    Sqlite,
    SqlServer,
}

/// <summary>Configuration keys <c>Database:Provider</c> and <c>ConnectionStrings:AgentWorkspace</c>.</summary>
public sealed record DatabaseOptions(DatabaseProvider Provider, string ConnectionString)
{
    public const string DefaultSqliteFile = "App_Data/agentworkspace.db";

    /// <summary>Reads the two keys; an unknown provider is a <see cref="StartupException"/> that names the key.</summary>
    public static DatabaseOptions From(string? provider, string? connectionString, string contentRoot)
    {
        DatabaseProvider parsed;
        if (string.IsNullOrWhiteSpace(provider)) parsed = DatabaseProvider.Sqlite;
        else if (!Enum.TryParse(provider.Trim(), ignoreCase: true, out parsed) || !Enum.IsDefined(parsed))
            throw new StartupException($"Database:Provider is '{provider}'; set it to 'Sqlite' or 'SqlServer'.");

        if (parsed == DatabaseProvider.SqlServer)
        {
            if (string.IsNullOrWhiteSpace(connectionString))
                throw new StartupException("Database:Provider is SqlServer but ConnectionStrings:AgentWorkspace is empty; set it to your SQL Server connection string.");
            return new(parsed, connectionString);
        }

        if (string.IsNullOrWhiteSpace(connectionString))
            connectionString = $"Data Source={DefaultSqliteFile}";
        var builder = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        if (builder.DataSource != ":memory:" && builder.Mode != Microsoft.Data.Sqlite.SqliteOpenMode.Memory)
            Directory.CreateDirectory(Path.GetDirectoryName(builder.DataSource)!);
        builder.Pooling = true;
        builder.DefaultTimeout = 30;
        return new(parsed, builder.ToString());
    }
}

/// <summary>A configuration or environment problem that stops the app at start with one line naming what to fix.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
