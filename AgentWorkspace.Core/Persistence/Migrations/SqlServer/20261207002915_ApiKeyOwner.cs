using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ApiKeyOwner : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "OwnerId",
                table: "ApiKeys",
                type: "nvarchar(450)",
                maxLength: 450,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_ApiKeys_OwnerId",
                table: "ApiKeys",
                column: "OwnerId");

            // Keys made before owners were kept: their creator's name was recorded; when exactly one user bears it,
            // that user is the owner (the same statement on SQLite and SQL Server). Others stay without an owner.
            migrationBuilder.Sql(
                "UPDATE ApiKeys SET OwnerId = (SELECT u.Id FROM AspNetUsers u WHERE u.DisplayName = ApiKeys.CreatedBy) " +
                "WHERE OwnerId IS NULL AND (SELECT COUNT(*) FROM AspNetUsers u WHERE u.DisplayName = ApiKeys.CreatedBy) = 1;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ApiKeys_OwnerId",
                table: "ApiKeys");

            migrationBuilder.DropColumn(
                name: "OwnerId",
                table: "ApiKeys");
        }
    }
}
