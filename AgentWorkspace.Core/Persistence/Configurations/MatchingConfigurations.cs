using AgentWorkspace.Core.Domain.Matching;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class MatchingRuleConfiguration : IEntityTypeConfiguration<MatchingRule>
{
    public void Configure(EntityTypeBuilder<MatchingRule> b)
    {
        b.ToTable("MatchingRules");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(MatchingRule.MaxName).IsRequired();
        b.Property(x => x.ExcludeQueueIds).HasMaxLength(1000).IsRequired();
        b.Property(x => x.ExcludeFieldValue).HasMaxLength(MatchingRule.MaxFieldValue);
        b.HasIndex(x => x.Position);
    }
}

internal sealed class MatchPreviewConfiguration : IEntityTypeConfiguration<MatchPreview>
{
    public void Configure(EntityTypeBuilder<MatchPreview> b)
    {
        b.ToTable("MatchPreviews");
        b.HasKey(x => x.Id);
        b.Property(x => x.CreatedById).HasMaxLength(450).IsRequired();
        b.Property(x => x.CreatedByName).HasMaxLength(200).IsRequired();
        b.Property(x => x.Error).HasMaxLength(500);
        // The worker's pick-up of previews left computing by a restart.
        b.HasIndex(x => x.State);
    }
}

internal sealed class MatchPreviewPairConfiguration : IEntityTypeConfiguration<MatchPreviewPair>
{
    public void Configure(EntityTypeBuilder<MatchPreviewPair> b)
    {
        b.ToTable("MatchPreviewPairs");
        b.HasKey(x => x.Id);
        b.Property(x => x.RuleName).HasMaxLength(MatchingRule.MaxName).IsRequired();
        b.Property(x => x.MatchedJson).IsRequired();
        b.Property(x => x.SkipCode).HasMaxLength(100);
        b.Property(x => x.UndoCode).HasMaxLength(100);
        // Keyset pages of a preview, and the run's next pending pair (both in pair order).
        b.HasIndex(x => new { x.PreviewId, x.Id });
        b.HasIndex(x => new { x.PreviewId, x.Outcome, x.Id });
        // The erasure of a card reaches its pairs.
        b.HasIndex(x => x.SurvivorId);
        b.HasIndex(x => x.MergedId);
        b.HasIndex(x => x.LinkedToId);
    }
}

internal sealed class MatchRunConfiguration : IEntityTypeConfiguration<MatchRun>
{
    public void Configure(EntityTypeBuilder<MatchRun> b)
    {
        b.ToTable("MatchRuns");
        b.HasKey(x => x.Id);
        b.Property(x => x.ActorId).HasMaxLength(450).IsRequired();
        b.Property(x => x.ActorName).HasMaxLength(200).IsRequired();
        b.Property(x => x.UndoneById).HasMaxLength(450);
        b.Property(x => x.UndoneByName).HasMaxLength(200);
        b.Property(x => x.Error).HasMaxLength(500);
        // The worker's pick-up of runs left running or undoing by a restart.
        b.HasIndex(x => x.State);
        b.HasIndex(x => x.PreviewId);
    }
}
