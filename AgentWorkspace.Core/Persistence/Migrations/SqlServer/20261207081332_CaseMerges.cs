using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class CaseMerges : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "MergedIntoCaseId",
                table: "Cases",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "CaseMerges",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    SurvivorCaseId = table.Column<long>(type: "bigint", nullable: false),
                    MergedCaseId = table.Column<long>(type: "bigint", nullable: false),
                    ActorId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    ActorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    LedgerJson = table.Column<string>(type: "nvarchar(max)", nullable: false),
                    UndoneAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true),
                    UndoneById = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    UndoneByName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseMerges", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseMerges_Cases_MergedCaseId",
                        column: x => x.MergedCaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CaseMerges_Cases_SurvivorCaseId",
                        column: x => x.SurvivorCaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CaseMerges_MergedCaseId",
                table: "CaseMerges",
                column: "MergedCaseId");

            migrationBuilder.CreateIndex(
                name: "IX_CaseMerges_SurvivorCaseId_At",
                table: "CaseMerges",
                columns: new[] { "SurvivorCaseId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CaseMerges");

            migrationBuilder.DropColumn(
                name: "MergedIntoCaseId",
                table: "Cases");
        }
    }
}
