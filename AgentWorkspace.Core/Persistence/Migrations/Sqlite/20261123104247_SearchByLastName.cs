using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchByLastName : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SearchLastName",
                table: "Cards",
                type: "TEXT",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            // Existing cards: the folded last name is the end of the folded full name (folding keeps the length of a name).
            migrationBuilder.Sql("UPDATE Cards SET SearchLastName = CASE WHEN LastName IS NULL OR trim(LastName) = '' THEN '' ELSE substr(SearchName, -length(trim(LastName))) END;");

            migrationBuilder.CreateIndex(
                name: "IX_Cards_SearchLastName_Id",
                table: "Cards",
                columns: new[] { "SearchLastName", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cards_SearchLastName_Id",
                table: "Cards");

            migrationBuilder.DropColumn(
                name: "SearchLastName",
                table: "Cards");
        }
    }
}
