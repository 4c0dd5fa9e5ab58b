using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmLinkConfiguration : IEntityTypeConfiguration<CrmLink>
{
    public void Configure(EntityTypeBuilder<CrmLink> b)
    {
        b.ToTable("CrmLinks");
        b.HasKey(x => x.Id);
        b.Property(x => x.ConnectorKind).HasMaxLength(40).IsRequired();
        b.Property(x => x.RecordId).HasMaxLength(100).IsRequired();
        b.Property(x => x.Title).HasMaxLength(200).IsRequired();
        b.Property(x => x.CreatedById).HasMaxLength(450).IsRequired();
        b.Property(x => x.CreatedByName).HasMaxLength(200).IsRequired();
        b.Property(x => x.UnlinkedById).HasMaxLength(450);
        b.Property(x => x.UnlinkedByName).HasMaxLength(200);
        b.Ignore(x => x.IsActive);
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        // A case's links; the record twice on one case is refused by the use case.
        b.HasIndex(x => new { x.CaseId, x.RecordType, x.RecordId });
    }
}
