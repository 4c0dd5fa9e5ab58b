using AgentWorkspace.Core.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CaseMergeConfiguration : IEntityTypeConfiguration<CaseMerge>
{
    public void Configure(EntityTypeBuilder<CaseMerge> b)
    {
        b.ToTable("CaseMerges");
        b.HasKey(x => x.Id);
        b.Property(x => x.ActorId).HasMaxLength(450).IsRequired();
        b.Property(x => x.ActorName).HasMaxLength(200).IsRequired();
        b.Property(x => x.UndoneById).HasMaxLength(450);
        b.Property(x => x.UndoneByName).HasMaxLength(200);
        b.Property(x => x.LedgerJson).IsRequired();
        b.Ignore(x => x.IsUndone);
        // The survivor's merged cases (its case view, the unmerge); the merge a merged case went through.
        b.HasIndex(x => new { x.SurvivorCaseId, x.At });
        b.HasIndex(x => x.MergedCaseId);
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.SurvivorCaseId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.MergedCaseId).OnDelete(DeleteBehavior.Restrict);
    }
}
