using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmPushConfiguration : IEntityTypeConfiguration<CrmPush>
{
    public void Configure(EntityTypeBuilder<CrmPush> b)
    {
        b.ToTable("CrmPushes");
        b.HasKey(x => x.Id);
        b.Property(x => x.ConnectorKind).HasMaxLength(40).IsRequired();
        b.Property(x => x.RecordId).HasMaxLength(100).IsRequired();
        b.Property(x => x.IdempotencyKey).HasMaxLength(100).IsRequired();
        b.Property(x => x.Payload).HasMaxLength(8000).IsRequired();
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.LastError).HasMaxLength(1000);
        // Two processors taking the same push: the second one's claim finds the count moved and gives way.
        b.Property(x => x.Attempts).IsConcurrencyToken();
        b.HasOne<CrmLink>().WithMany().HasForeignKey(x => x.LinkId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => x.IdempotencyKey).IsUnique();
        // The processor's due rows; the failures list; each link's latest push.
        b.HasIndex(x => new { x.State, x.NextAttemptAt });
        b.HasIndex(x => new { x.LinkId, x.Id });
        b.HasIndex(x => x.CaseId);
    }
}
