using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmLeadConfiguration : IEntityTypeConfiguration<CrmLead>
{
    public void Configure(EntityTypeBuilder<CrmLead> b)
    {
        b.ToTable("CrmLeads");
        b.HasKey(x => x.Id);
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100).IsRequired();
        b.Property(x => x.SearchName).HasMaxLength(210).IsRequired();
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Phone).HasMaxLength(20);
        b.Property(x => x.Company).HasMaxLength(200);
        b.Property(x => x.SearchCompany).HasMaxLength(200).IsRequired();
        b.Property(x => x.Topic).HasMaxLength(200);
        b.Property(x => x.Status).HasMaxLength(30).IsRequired();
        b.Ignore(x => x.FullName);
        b.HasOne<CrmContact>().WithMany().HasForeignKey(x => x.ConvertedContactId).OnDelete(DeleteBehavior.SetNull);
        b.HasIndex(x => x.Phone);
        b.HasIndex(x => x.Email);
        b.HasIndex(x => x.SearchName);
        b.HasIndex(x => x.ConvertedContactId);
    }
}
