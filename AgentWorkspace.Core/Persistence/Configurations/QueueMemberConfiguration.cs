using AgentWorkspace.Core.Domain.Queues;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class QueueMemberConfiguration : IEntityTypeConfiguration<QueueMember>
{
    public void Configure(EntityTypeBuilder<QueueMember> b)
    {
        b.ToTable("QueueMembers");
        b.HasKey(x => new { x.QueueId, x.UserId });
        b.Property(x => x.UserId).HasMaxLength(450);
        b.HasOne<Queue>().WithMany().HasForeignKey(x => x.QueueId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.UserId);
    }
}
