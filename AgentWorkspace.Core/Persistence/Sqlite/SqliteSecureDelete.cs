using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace AgentWorkspace.Core.Persistence.Sqlite;

/// <summary>
/// Every connection the app opens on its SQLite file runs with <c>PRAGMA secure_delete=ON</c> (docs/decisions/010):
/// SQLite then overwrites with zeros what a DELETE or an UPDATE frees, in the b-tree page and in pages that go to the
/// free list. Without it the bytes stay in the file's free space, where an erased contact's name, a deleted note or
/// the value before an edit can be read with any hex editor long after the row is gone. It is a setting of the
/// connection, not of the file, so it is applied each time one opens: by <see cref="SqliteContextPool"/> on its kept
/// connections, and as an interceptor on the contexts that open a connection per operation.
/// </summary>
internal sealed class SqliteSecureDelete : DbConnectionInterceptor
{
    public const string Pragma = "PRAGMA secure_delete=ON";

    public static readonly SqliteSecureDelete Instance = new();

    private SqliteSecureDelete() { }

    public static void Apply(DbConnection connection) => SqlitePragmas.Execute(connection, Pragma);

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragma;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
