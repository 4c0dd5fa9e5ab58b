using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SharedIdentifiers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ChannelIdentities_Space_NormalizedAddress",
                table: "ChannelIdentities");

            migrationBuilder.AddColumn<string>(
                name: "ShareKey",
                table: "ChannelIdentities",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            migrationBuilder.CreateTable(
                name: "SharedIdentifiers",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Space = table.Column<int>(type: "INTEGER", nullable: false),
                    NormalizedAddress = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    Origin = table.Column<int>(type: "INTEGER", nullable: false),
                    IsExempt = table.Column<bool>(type: "INTEGER", nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    CardsWhenAdded = table.Column<int>(type: "INTEGER", nullable: false),
                    AddedBy = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    AddedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SharedIdentifiers", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChannelIdentities_Space_NormalizedAddress_ShareKey",
                table: "ChannelIdentities",
                columns: new[] { "Space", "NormalizedAddress", "ShareKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Cards_HomePhone",
                table: "Cards",
                column: "HomePhone");

            migrationBuilder.CreateIndex(
                name: "IX_Cards_SecondaryEmail",
                table: "Cards",
                column: "SecondaryEmail");

            migrationBuilder.CreateIndex(
                name: "IX_SharedIdentifiers_Space_NormalizedAddress",
                table: "SharedIdentifiers",
                columns: new[] { "Space", "NormalizedAddress" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SharedIdentifiers");

            migrationBuilder.DropIndex(
                name: "IX_ChannelIdentities_Space_NormalizedAddress_ShareKey",
                table: "ChannelIdentities");

            migrationBuilder.DropIndex(
                name: "IX_Cards_HomePhone",
                table: "Cards");

            migrationBuilder.DropIndex(
                name: "IX_Cards_SecondaryEmail",
                table: "Cards");

            migrationBuilder.DropColumn(
                name: "ShareKey",
                table: "ChannelIdentities");

            migrationBuilder.CreateIndex(
                name: "IX_ChannelIdentities_Space_NormalizedAddress",
                table: "ChannelIdentities",
                columns: new[] { "Space", "NormalizedAddress" },
                unique: true);
        }
    }
}
