using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class CaseOriginIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "IdentityId",
                table: "Cases",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "IdentityId",
                table: "Cases");
        }
    }
}
