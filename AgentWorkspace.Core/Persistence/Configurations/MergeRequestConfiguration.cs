using AgentWorkspace.Core.Domain.Merge;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class MergeRequestConfiguration : IEntityTypeConfiguration<MergeRequest>
{
    public void Configure(EntityTypeBuilder<MergeRequest> b)
    {
        b.ToTable("MergeRequests");
        b.HasKey(x => x.Id);
        b.Property(x => x.ProposedById).HasMaxLength(450).IsRequired();
        b.Property(x => x.ProposedByName).HasMaxLength(200).IsRequired();
        b.Property(x => x.Comment).HasMaxLength(MergeRequest.MaxComment);
        b.Property(x => x.DecidedById).HasMaxLength(450);
        b.Property(x => x.DecidedByName).HasMaxLength(200);
        b.Property(x => x.DecisionComment).HasMaxLength(MergeRequest.MaxComment);
        // The supervisors' queue (pending, oldest first), a card's proposals (its page and timeline).
        b.HasIndex(x => new { x.Status, x.Id });
        b.HasIndex(x => x.SurvivorId);
        b.HasIndex(x => x.MergedId);
    }
}
