using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AgentChannelIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Cases_AssignedAgentId_Status_Channel_LastMessageAt_Id",
                table: "Cases",
                columns: new[] { "AssignedAgentId", "Status", "Channel", "LastMessageAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_AssignedAgentId_Status_Channel_LastMessageAt_Id",
                table: "Cases");
        }
    }
}
