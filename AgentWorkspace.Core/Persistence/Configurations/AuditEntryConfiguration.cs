using AgentWorkspace.Core.Domain.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditEntries");
        b.HasKey(x => x.Id);
        b.Property(x => x.ActorId).HasMaxLength(450).IsRequired();
        b.Property(x => x.ActorName).HasMaxLength(200).IsRequired();
        b.Property(x => x.EntityType).HasMaxLength(60).IsRequired();
        b.Property(x => x.EntityId).HasMaxLength(100).IsRequired();
        b.Property(x => x.Action).HasMaxLength(60).IsRequired();
        b.Property(x => x.Field).HasMaxLength(100);
        b.Property(x => x.Before).HasMaxLength(4000);
        b.Property(x => x.After).HasMaxLength(4000);
        b.HasIndex(x => new { x.EntityType, x.EntityId, x.At });
        b.HasIndex(x => new { x.At, x.Id });
        b.HasIndex(x => new { x.ActorId, x.At });
    }
}
