using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
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
                type: "nvarchar(200)",
                maxLength: 200,
                nullable: true);

            // Cards already stored keep the name their channel gave (issue 22, item 11): the first identity's, as the card
            // showed it; without a name in the profile it is what search finds (lower case here; the card folds accents
            // the next time it changes).
            migrationBuilder.Sql("""
                UPDATE [Cards] SET [ChannelName] = (SELECT TOP 1 i.[DisplayName] FROM [ChannelIdentities] i WHERE i.[CardId] = [Cards].[Id] AND i.[DisplayName] IS NOT NULL AND i.[IsErased] = 0 ORDER BY i.[Id]) WHERE [Status] = 0;
                """);
            migrationBuilder.Sql("""
                UPDATE [Cards] SET [SearchName] = LOWER([ChannelName]) WHERE [SearchName] = N'' AND [ChannelName] IS NOT NULL;
                """);

            migrationBuilder.CreateTable(
                name: "ComposerDrafts",
                columns: table => new
                {
                    UserId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    Mode = table.Column<int>(type: "int", nullable: false),
                    Text = table.Column<string>(type: "nvarchar(max)", maxLength: 10000, nullable: false),
                    SavedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
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
