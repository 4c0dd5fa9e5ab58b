using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AgentDay : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ChannelName",
                table: "Cards",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            // Cards already stored keep the name their channel gave (issue 22, item 11): the first identity's, as the card
            // showed it; without a name in the profile it is what search finds (lower case here; the card folds accents
            // the next time it changes).
            migrationBuilder.Sql("""
                UPDATE "Cards" SET "ChannelName" = (SELECT i."DisplayName" FROM "ChannelIdentities" i WHERE i."CardId" = "Cards"."Id" AND i."DisplayName" IS NOT NULL AND i."IsErased" = 0 ORDER BY i."Id" LIMIT 1) WHERE "Status" = 0;
                """);
            migrationBuilder.Sql("""
                UPDATE "Cards" SET "SearchName" = lower("ChannelName") WHERE "SearchName" = '' AND "ChannelName" IS NOT NULL;
                """);

            migrationBuilder.CreateTable(
                name: "ComposerDrafts",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CaseId = table.Column<long>(type: "INTEGER", nullable: false),
                    Mode = table.Column<int>(type: "INTEGER", nullable: false),
                    Text = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: false),
                    SavedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ComposerDrafts", x => new { x.UserId, x.CaseId });
                    table.ForeignKey(
                        name: "FK_ComposerDrafts_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ComposerDrafts_CaseId",
                table: "ComposerDrafts",
                column: "CaseId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ComposerDrafts");

            migrationBuilder.DropColumn(
                name: "ChannelName",
                table: "Cards");
        }
    }
}
