using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class QuickReplyLinksAndCrmTestCodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Category",
                table: "QuickReplies",
                type: "nvarchar(60)",
                maxLength: 60,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkLabel",
                table: "QuickReplies",
                type: "nvarchar(120)",
                maxLength: 120,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LinkUrl",
                table: "QuickReplies",
                type: "nvarchar(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastTestArgs",
                table: "CrmConnection",
                type: "nvarchar(1000)",
                maxLength: 1000,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "LastTestCode",
                table: "CrmConnection",
                type: "nvarchar(80)",
                maxLength: 80,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Category",
                table: "QuickReplies");

            migrationBuilder.DropColumn(
                name: "LinkLabel",
                table: "QuickReplies");

            migrationBuilder.DropColumn(
                name: "LinkUrl",
                table: "QuickReplies");

            migrationBuilder.DropColumn(
                name: "LastTestArgs",
                table: "CrmConnection");

            migrationBuilder.DropColumn(
                name: "LastTestCode",
                table: "CrmConnection");
        }
    }
}
