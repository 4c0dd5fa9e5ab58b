namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// The triggers that keep <c>NameFrequencies</c> (how many active cards have each name key) as the cards' <c>NameKey</c>
/// changes, and the backfill of existing cards, for both providers (docs/decisions/016). Triggers, because cards are
/// written by EF Core, by the SQLite ingest writer's own statements (ADR 007) and by bulk seeding: one rule in the
/// database holds for all of them. A count that reaches zero deletes its row, so an erased name leaves no key behind.
/// </summary>
public static class NameFrequencyTriggers
{
    public const string SqlServer = "TR_Cards_NameFrequency";
    public static readonly string[] Sqlite = ["TR_Cards_NameFrequency_Insert", "TR_Cards_NameFrequency_Update", "TR_Cards_NameFrequency_Delete"];

    public const string SqliteCreate = """
        CREATE TRIGGER "TR_Cards_NameFrequency_Insert" AFTER INSERT ON "Cards" WHEN NEW."NameKey" <> '' BEGIN
            INSERT INTO "NameFrequencies" ("NameKey", "CardCount") VALUES (NEW."NameKey", 1)
                ON CONFLICT ("NameKey") DO UPDATE SET "CardCount" = "CardCount" + 1;
        END;
        CREATE TRIGGER "TR_Cards_NameFrequency_Update" AFTER UPDATE OF "NameKey" ON "Cards" WHEN OLD."NameKey" IS NOT NEW."NameKey" BEGIN
            UPDATE "NameFrequencies" SET "CardCount" = "CardCount" - 1 WHERE "NameKey" = OLD."NameKey" AND OLD."NameKey" <> '';
            DELETE FROM "NameFrequencies" WHERE "NameKey" = OLD."NameKey" AND "CardCount" <= 0;
            INSERT INTO "NameFrequencies" ("NameKey", "CardCount") SELECT NEW."NameKey", 1 WHERE NEW."NameKey" <> ''
                ON CONFLICT ("NameKey") DO UPDATE SET "CardCount" = "CardCount" + 1;
        END;
        CREATE TRIGGER "TR_Cards_NameFrequency_Delete" AFTER DELETE ON "Cards" WHEN OLD."NameKey" <> '' BEGIN
            UPDATE "NameFrequencies" SET "CardCount" = "CardCount" - 1 WHERE "NameKey" = OLD."NameKey";
            DELETE FROM "NameFrequencies" WHERE "NameKey" = OLD."NameKey" AND "CardCount" <= 0;
        END;
        """;

    public const string SqliteDrop = """
        DROP TRIGGER IF EXISTS "TR_Cards_NameFrequency_Insert";
        DROP TRIGGER IF EXISTS "TR_Cards_NameFrequency_Update";
        DROP TRIGGER IF EXISTS "TR_Cards_NameFrequency_Delete";
        """;

    // HOLDLOCK: two sessions adding the first card of a new name must not both insert its row.
    public const string SqlServerCreate = """
        CREATE TRIGGER [TR_Cards_NameFrequency] ON [Cards] AFTER INSERT, UPDATE, DELETE AS
        BEGIN
            SET NOCOUNT ON;
            IF EXISTS (SELECT 1 FROM inserted) AND EXISTS (SELECT 1 FROM deleted) AND NOT UPDATE([NameKey]) RETURN;
            WITH [changes] AS (
                SELECT [k], SUM([d]) AS [d] FROM (
                    SELECT [NameKey] AS [k], 1 AS [d] FROM inserted WHERE [NameKey] <> N''
                    UNION ALL
                    SELECT [NameKey], -1 FROM deleted WHERE [NameKey] <> N'') AS [x]
                GROUP BY [k] HAVING SUM([d]) <> 0)
            MERGE [NameFrequencies] WITH (HOLDLOCK) AS [f]
            USING [changes] AS [c] ON [f].[NameKey] = [c].[k]
            WHEN MATCHED THEN UPDATE SET [CardCount] = [f].[CardCount] + [c].[d]
            WHEN NOT MATCHED AND [c].[d] > 0 THEN INSERT ([NameKey], [CardCount]) VALUES ([c].[k], [c].[d]);
            DELETE FROM [NameFrequencies] WHERE [CardCount] <= 0 AND [NameKey] IN (SELECT [NameKey] FROM deleted);
        END
        """;

    public const string SqlServerDrop = "DROP TRIGGER IF EXISTS [TR_Cards_NameFrequency];";

    /// <summary>
    /// The backfill of existing active cards, from the folded name the cards already hold (<c>SearchName</c> is
    /// "first last", <c>SearchLastName</c> the last name, both folded by the app): each part loses its spaces and
    /// the usual punctuation, a few letters are spelt out, and the two are put in order (ordinal, as the app does).
    /// Names with other punctuation get it in their key until their card is next saved.
    /// </summary>
    public static string Backfill(bool sqlServer)
    {
        var first = sqlServer
            ? "LTRIM(RTRIM(SUBSTRING([SearchName], 1, LEN([SearchName]) - LEN([SearchLastName]))))"
            : "trim(substr(\"SearchName\", 1, length(\"SearchName\") - length(\"SearchLastName\")))";
        var last = sqlServer ? "[SearchLastName]" : "\"SearchLastName\"";
        var f = Compact(first, sqlServer);
        var l = Compact(last, sqlServer);
        var bin = sqlServer ? " COLLATE Latin1_General_BIN2" : string.Empty;
        var concat = sqlServer ? " + " : " || ";
        string Join(string a, string b) => $"CASE WHEN ({a}){bin} <= ({b}){bin} THEN ({a}){concat}({b}) ELSE ({b}){concat}({a}) END";
        var initial = sqlServer ? $"SUBSTRING({f}, 1, 1)" : $"substr({f}, 1, 1)";
        var len = sqlServer ? "LEN" : "length";
        var q = sqlServer ? (Func<string, string>)(c => $"[{c}]") : c => $"\"{c}\"";
        return $"""
            UPDATE {q("Cards")} SET
                {q("NameKey")} = {Join(f, l)},
                {q("InitialKey")} = CASE WHEN {len}({f}) = 0 OR {len}({l}) = 0 THEN '' ELSE {Join(initial, l)} END
            WHERE {q("Status")} = 0 AND {q("SearchName")} <> '';
            INSERT INTO {q("NameFrequencies")} ({q("NameKey")}, {q("CardCount")})
                SELECT {q("NameKey")}, COUNT(*) FROM {q("Cards")} WHERE {q("NameKey")} <> '' GROUP BY {q("NameKey")};
            """;
    }

    private static string Compact(string expr, bool sqlServer)
    {
        var replacements = new (string From, string To)[] { (" ", ""), (".", ""), (",", ""), ("(", ""), (")", ""), ("\"", ""), ("/", ""), ("_", ""), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"), ("ø", "o") };
        var s = expr;
        foreach (var (from, to) in replacements)
            s = sqlServer ? $"REPLACE({s}, N'{from}', N'{to}')" : $"replace({s}, '{from}', '{to}')";
        return s;
    }
}
