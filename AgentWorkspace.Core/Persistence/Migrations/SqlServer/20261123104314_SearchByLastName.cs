using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
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
                type: "nvarchar(100)",
                maxLength: 100,
                nullable: false,
                defaultValue: "");

            // Existing cards: the folded last name is the end of the folded full name (folding keeps the length of a name).
            migrationBuilder.Sql("UPDATE Cards SET SearchLastName = CASE WHEN LastName IS NULL OR LTRIM(RTRIM(LastName)) = '' THEN '' ELSE RIGHT(SearchName, LEN(LTRIM(RTRIM(LastName)))) END;");

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
