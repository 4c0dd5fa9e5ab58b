using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.SqlServer
{
    /// <inheritdoc />
    public partial class AgentScripts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "AgentScripts",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    Name = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: false),
                    Description = table.Column<string>(type: "nvarchar(1000)", maxLength: 1000, nullable: true),
                    Language = table.Column<string>(type: "nvarchar(5)", maxLength: 5, nullable: false),
                    IsArchived = table.Column<bool>(type: "bit", nullable: false),
                    Version = table.Column<int>(type: "int", nullable: false),
                    CurrentVersionId = table.Column<long>(type: "bigint", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentScripts", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AgentScriptAssignments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ScriptId = table.Column<long>(type: "bigint", nullable: false),
                    QueueId = table.Column<long>(type: "bigint", nullable: false),
                    ChannelCode = table.Column<int>(type: "int", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentScriptAssignments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentScriptAssignments_AgentScripts_ScriptId",
                        column: x => x.ScriptId,
                        principalTable: "AgentScripts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AgentScriptVersions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    ScriptId = table.Column<long>(type: "bigint", nullable: false),
                    Number = table.Column<int>(type: "int", nullable: false),
                    Name = table.Column<string>(type: "nvarchar(120)", maxLength: 120, nullable: false),
                    PublishedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    PublishedBy = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentScriptVersions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentScriptVersions_AgentScripts_ScriptId",
                        column: x => x.ScriptId,
                        principalTable: "AgentScripts",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AgentScriptSteps",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    VersionId = table.Column<long>(type: "bigint", nullable: false),
                    Position = table.Column<int>(type: "int", nullable: false),
                    Kind = table.Column<int>(type: "int", nullable: false),
                    Title = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    Text = table.Column<string>(type: "nvarchar(4000)", maxLength: 4000, nullable: true),
                    ActionsJson = table.Column<string>(type: "nvarchar(max)", nullable: true),
                    SubScriptId = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AgentScriptSteps", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AgentScriptSteps_AgentScriptVersions_VersionId",
                        column: x => x.VersionId,
                        principalTable: "AgentScriptVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CaseScriptRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    ScriptId = table.Column<long>(type: "bigint", nullable: false),
                    VersionId = table.Column<long>(type: "bigint", nullable: false),
                    IsRoot = table.Column<bool>(type: "bit", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseScriptRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseScriptRuns_AgentScriptVersions_VersionId",
                        column: x => x.VersionId,
                        principalTable: "AgentScriptVersions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CaseScriptRuns_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "CaseScriptStepStates",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("SqlServer:Identity", "1, 1"),
                    CaseId = table.Column<long>(type: "bigint", nullable: false),
                    StepId = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<int>(type: "int", nullable: false),
                    Runs = table.Column<int>(type: "int", nullable: false),
                    ActorId = table.Column<string>(type: "nvarchar(450)", maxLength: 450, nullable: false),
                    ActorName = table.Column<string>(type: "nvarchar(200)", maxLength: 200, nullable: false),
                    At = table.Column<DateTimeOffset>(type: "datetimeoffset", nullable: false),
                    ResultsJson = table.Column<string>(type: "nvarchar(max)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CaseScriptStepStates", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CaseScriptStepStates_AgentScriptSteps_StepId",
                        column: x => x.StepId,
                        principalTable: "AgentScriptSteps",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "FK_CaseScriptStepStates_Cases_CaseId",
                        column: x => x.CaseId,
                        principalTable: "Cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_AgentScriptAssignments_QueueId_ChannelCode",
                table: "AgentScriptAssignments",
                columns: new[] { "QueueId", "ChannelCode" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AgentScriptAssignments_ScriptId",
                table: "AgentScriptAssignments",
                column: "ScriptId");

            migrationBuilder.CreateIndex(
                name: "IX_AgentScripts_IsArchived_Name",
                table: "AgentScripts",
                columns: new[] { "IsArchived", "Name" });

            migrationBuilder.CreateIndex(
                name: "IX_AgentScriptSteps_SubScriptId",
                table: "AgentScriptSteps",
                column: "SubScriptId");

            migrationBuilder.CreateIndex(
                name: "IX_AgentScriptSteps_VersionId_Position",
                table: "AgentScriptSteps",
                columns: new[] { "VersionId", "Position" });

            migrationBuilder.CreateIndex(
                name: "IX_AgentScriptVersions_ScriptId_Number",
                table: "AgentScriptVersions",
                columns: new[] { "ScriptId", "Number" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseScriptRuns_CaseId_ScriptId",
                table: "CaseScriptRuns",
                columns: new[] { "CaseId", "ScriptId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseScriptRuns_VersionId",
                table: "CaseScriptRuns",
                column: "VersionId");

            migrationBuilder.CreateIndex(
                name: "IX_CaseScriptStepStates_CaseId_StepId",
                table: "CaseScriptStepStates",
                columns: new[] { "CaseId", "StepId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_CaseScriptStepStates_StepId",
                table: "CaseScriptStepStates",
                column: "StepId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AgentScriptAssignments");

            migrationBuilder.DropTable(
                name: "CaseScriptRuns");

            migrationBuilder.DropTable(
                name: "CaseScriptStepStates");

            migrationBuilder.DropTable(
                name: "AgentScriptSteps");

            migrationBuilder.DropTable(
                name: "AgentScriptVersions");

            migrationBuilder.DropTable(
                name: "AgentScripts");
        }
    }
}
