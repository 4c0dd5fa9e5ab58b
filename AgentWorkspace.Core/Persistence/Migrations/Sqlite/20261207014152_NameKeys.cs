using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class NameKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "InitialKey",
                table: "Cards",
                type: "TEXT",
                maxLength: 400,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "NameKey",
                table: "Cards",
                type: "TEXT",
                maxLength: 400,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "NameFrequencies",
                columns: table => new
                {
                    NameKey = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    CardCount = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_NameFrequencies", x => x.NameKey);
                });

            // Existing cards get their keys, and the counts their rows, before the indexes and the triggers (issue 21).
            migrationBuilder.Sql(NameFrequencyTriggers.Backfill(sqlServer: false));

            migrationBuilder.CreateIndex(
                name: "IX_Cards_InitialKey_Id",
                table: "Cards",
                columns: new[] { "InitialKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_Cards_NameKey_Id",
                table: "Cards",
                columns: new[] { "NameKey", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_NameFrequencies_CardCount_NameKey",
                table: "NameFrequencies",
                columns: new[] { "CardCount", "NameKey" });

            migrationBuilder.Sql(NameFrequencyTriggers.SqliteCreate);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(NameFrequencyTriggers.SqliteDrop);

            migrationBuilder.DropTable(
                name: "NameFrequencies");

            migrationBuilder.DropIndex(
                name: "IX_Cards_InitialKey_Id",
                table: "Cards");

            migrationBuilder.DropIndex(
                name: "IX_Cards_NameKey_Id",
                table: "Cards");

            migrationBuilder.DropColumn(
                name: "InitialKey",
                table: "Cards");

            migrationBuilder.DropColumn(
                name: "NameKey",
                table: "Cards");
        }
    }
}
