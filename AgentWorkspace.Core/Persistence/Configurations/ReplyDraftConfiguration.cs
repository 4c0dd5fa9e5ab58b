using AgentWorkspace.Core.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class ReplyDraftConfiguration : IEntityTypeConfiguration<ReplyDraft>
{
    public void Configure(EntityTypeBuilder<ReplyDraft> b)
    {
        b.ToTable("ReplyDrafts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Text).HasMaxLength(10_000).IsRequired();
        b.Property(x => x.AuthorId).HasMaxLength(450);
        b.Property(x => x.AuthorName).HasMaxLength(200);
        b.Property(x => x.ReviewerId).HasMaxLength(450);
        b.Property(x => x.ReviewerName).HasMaxLength(200);
        b.Property(x => x.ReviewComment).HasMaxLength(1000);
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.Status, x.SubmittedAt });
        b.HasIndex(x => x.CaseId);
    }
}
