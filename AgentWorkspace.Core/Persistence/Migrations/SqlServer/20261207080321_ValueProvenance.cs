using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class ValueProvenance : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ValueProvenance",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    CardId = table.Column<long>(type: "bigint", nullable: false),
                    Field = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: false),
                    Value = table.Column<string>(type: "nvarchar(2000)", maxLength: 2000, nullable: true),
                    SourceKind = table.Column<int>(type: "int", nullable: false),
                    SourceRef = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    SourceLabel = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: true),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    MergeId = table.Column<long>(type: "bigint", nullable: true),
                    OriginKind = table.Column<int>(type: "int", nullable: true),
                    OriginRef = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: true),
                    OriginLabel = table.Column<string>(type: "nvarchar(300)", maxLength: 300, nullable: true),
                    OriginAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ValueProvenance", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ValueProvenance_Cards_CardId",
                        column: x => x.CardId,
                        principalTable: "Cards",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ValueProvenance_CardId_Id",
                table: "ValueProvenance",
                columns: new[] { "CardId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ValueProvenance_MergeId",
                table: "ValueProvenance",
                column: "MergeId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ValueProvenance");
        }
    }
}
