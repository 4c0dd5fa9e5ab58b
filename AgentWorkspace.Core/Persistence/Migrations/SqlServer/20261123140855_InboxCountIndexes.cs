using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class InboxCountIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Cases_QueueId_Status_AssignedAgentId",
                table: "Cases",
                columns: new[] { "QueueId", "Status", "AssignedAgentId" });

            migrationBuilder.CreateIndex(
                name: "IX_Cases_QueueId_Status_FirstResponseAt_CreatedAt",
                table: "Cases",
                columns: new[] { "QueueId", "Status", "FirstResponseAt", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Cases_QueueId_Status_AssignedAgentId",
                table: "Cases");

            migrationBuilder.DropIndex(
                name: "IX_Cases_QueueId_Status_FirstResponseAt_CreatedAt",
                table: "Cases");
        }
    }
}
