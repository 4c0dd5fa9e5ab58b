using AgentWorkspace.Core.Domain.Merge;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class MergeRecordConfiguration : IEntityTypeConfiguration<MergeRecord>
{
    public void Configure(EntityTypeBuilder<MergeRecord> b)
    {
        b.ToTable("Merges");
        b.HasKey(x => x.Id);
        b.Property(x => x.ActorId).HasMaxLength(450);
        b.Property(x => x.ActorName).HasMaxLength(200);
        b.Property(x => x.UndoneBy).HasMaxLength(200);
        b.Property(x => x.LedgerJson).IsRequired();
        b.HasIndex(x => new { x.SurvivorId, x.At });
        b.HasIndex(x => x.MergedId);
    }
}
