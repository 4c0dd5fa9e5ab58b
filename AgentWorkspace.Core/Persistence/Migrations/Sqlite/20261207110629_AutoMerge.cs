using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AgentWorkspace.Core.Persistence.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AutoMerge : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "MatchingRules",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Position = table.Column<int>(type: "INTEGER", nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    IsEnabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    Attributes = table.Column<int>(type: "INTEGER", nullable: false),
                    CustomFieldId = table.Column<long>(type: "INTEGER", nullable: true),
                    MinScore = table.Column<double>(type: "REAL", nullable: false),
                    ExcludeLocked = table.Column<bool>(type: "INTEGER", nullable: false),
                    ExcludeQueueIds = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    ExcludeFieldId = table.Column<long>(type: "INTEGER", nullable: true),
                    ExcludeFieldValue = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchingRules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MatchPreviewPairs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PreviewId = table.Column<long>(type: "INTEGER", nullable: false),
                    SurvivorId = table.Column<long>(type: "INTEGER", nullable: false),
                    MergedId = table.Column<long>(type: "INTEGER", nullable: false),
                    LinkedToId = table.Column<long>(type: "INTEGER", nullable: false),
                    RuleId = table.Column<long>(type: "INTEGER", nullable: false),
                    RuleName = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Attributes = table.Column<int>(type: "INTEGER", nullable: false),
                    MatchedJson = table.Column<string>(type: "TEXT", nullable: false),
                    Score = table.Column<double>(type: "REAL", nullable: false),
                    MergedVersion = table.Column<long>(type: "INTEGER", nullable: false),
                    IsExcluded = table.Column<bool>(type: "INTEGER", nullable: false),
                    Outcome = table.Column<int>(type: "INTEGER", nullable: false),
                    SkipCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    MergeId = table.Column<long>(type: "INTEGER", nullable: true),
                    UndoOutcome = table.Column<int>(type: "INTEGER", nullable: false),
                    UndoCode = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchPreviewPairs", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MatchPreviews",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    CreatedById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    CreatedByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Step = table.Column<int>(type: "INTEGER", nullable: false),
                    Steps = table.Column<int>(type: "INTEGER", nullable: false),
                    PairCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ClusterCount = table.Column<int>(type: "INTEGER", nullable: false),
                    CardCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ExcludedCount = table.Column<int>(type: "INTEGER", nullable: false),
                    SkippedGroups = table.Column<int>(type: "INTEGER", nullable: false),
                    RunId = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchPreviews", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "MatchRuns",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    PreviewId = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<int>(type: "INTEGER", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 450, nullable: false),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FinishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    Total = table.Column<int>(type: "INTEGER", nullable: false),
                    Done = table.Column<int>(type: "INTEGER", nullable: false),
                    Merged = table.Column<int>(type: "INTEGER", nullable: false),
                    Skipped = table.Column<int>(type: "INTEGER", nullable: false),
                    UndoneCount = table.Column<int>(type: "INTEGER", nullable: false),
                    UndoFailed = table.Column<int>(type: "INTEGER", nullable: false),
                    UndoneById = table.Column<string>(type: "TEXT", maxLength: 450, nullable: true),
                    UndoneByName = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_MatchRuns", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_MatchingRules_Position",
                table: "MatchingRules",
                column: "Position");

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviewPairs_LinkedToId",
                table: "MatchPreviewPairs",
                column: "LinkedToId");

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviewPairs_MergedId",
                table: "MatchPreviewPairs",
                column: "MergedId");

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviewPairs_PreviewId_Id",
                table: "MatchPreviewPairs",
                columns: new[] { "PreviewId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviewPairs_PreviewId_Outcome_Id",
                table: "MatchPreviewPairs",
                columns: new[] { "PreviewId", "Outcome", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviewPairs_SurvivorId",
                table: "MatchPreviewPairs",
                column: "SurvivorId");

            migrationBuilder.CreateIndex(
                name: "IX_MatchPreviews_State",
                table: "MatchPreviews",
                column: "State");

            migrationBuilder.CreateIndex(
                name: "IX_MatchRuns_PreviewId",
                table: "MatchRuns",
                column: "PreviewId");

            migrationBuilder.CreateIndex(
                name: "IX_MatchRuns_State",
                table: "MatchRuns",
                column: "State");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "MatchingRules");

            migrationBuilder.DropTable(
                name: "MatchPreviewPairs");

            migrationBuilder.DropTable(
                name: "MatchPreviews");

            migrationBuilder.DropTable(
                name: "MatchRuns");
        }
    }
}
