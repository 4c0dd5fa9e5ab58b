using AgentWorkspace.Core.Domain.Queues;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class QueueConfiguration : IEntityTypeConfiguration<Queue>
{
    public void Configure(EntityTypeBuilder<Queue> b)
    {
        b.ToTable("Queues");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(80).IsRequired();
        b.Property(x => x.NormalizedName).HasMaxLength(80).IsRequired();
        b.Property(x => x.Skills).HasMaxLength(1000);
        b.Ignore(x => x.SkillList);
        b.HasIndex(x => x.NormalizedName).IsUnique();
    }
}
