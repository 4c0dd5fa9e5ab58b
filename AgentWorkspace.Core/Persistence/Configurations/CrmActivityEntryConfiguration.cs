using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmActivityEntryConfiguration : IEntityTypeConfiguration<CrmActivityEntry>
{
    public void Configure(EntityTypeBuilder<CrmActivityEntry> b)
    {
        b.ToTable("CrmActivities");
        b.HasKey(x => x.Id);
        b.Property(x => x.IdempotencyKey).HasMaxLength(100).IsRequired();
        b.Property(x => x.Subject).HasMaxLength(200).IsRequired();
        b.Property(x => x.Channel).HasMaxLength(40).IsRequired();
        b.Property(x => x.ContactName).HasMaxLength(200);
        b.Property(x => x.Queue).HasMaxLength(100);
        b.Property(x => x.Agent).HasMaxLength(200);
        b.Property(x => x.Disposition).HasMaxLength(100);
        b.Property(x => x.Notes).HasMaxLength(4000);
        b.Property(x => x.CaseUrl).HasMaxLength(500);
        // The same push twice is one activity: the second insert collides here.
        b.HasIndex(x => x.IdempotencyKey).IsUnique();
        b.HasIndex(x => new { x.RecordType, x.RecordId, x.Start });
    }
}
