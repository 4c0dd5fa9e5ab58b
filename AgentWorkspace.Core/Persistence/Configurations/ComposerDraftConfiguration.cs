using AgentWorkspace.Core.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class ComposerDraftConfiguration : IEntityTypeConfiguration<ComposerDraft>
{
    public void Configure(EntityTypeBuilder<ComposerDraft> b)
    {
        b.ToTable("ComposerDrafts");
        // One per agent and case: the key is how it is read and written, so no other index is needed.
        b.HasKey(x => new { x.UserId, x.CaseId });
        b.Property(x => x.UserId).HasMaxLength(450);
        b.Property(x => x.Text).HasMaxLength(ComposerDraft.MaxLength).IsRequired();
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.CaseId);
    }
}
