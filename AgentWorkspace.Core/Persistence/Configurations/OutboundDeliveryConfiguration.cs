using AgentWorkspace.Core.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class OutboundDeliveryConfiguration : IEntityTypeConfiguration<OutboundDelivery>
{
    public void Configure(EntityTypeBuilder<OutboundDelivery> b)
    {
        b.ToTable("OutboundDeliveries");
        b.HasKey(x => x.Id);
        b.Property(x => x.To).HasMaxLength(320).IsRequired();
        b.HasIndex(x => x.MessageId);
    }
}
