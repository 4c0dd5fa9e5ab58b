using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmAccountContactConfiguration : IEntityTypeConfiguration<CrmAccountContact>
{
    public void Configure(EntityTypeBuilder<CrmAccountContact> b)
    {
        b.ToTable("CrmAccountContacts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Role).HasMaxLength(60).IsRequired();
        b.HasOne<CrmAccount>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<CrmContact>().WithMany().HasForeignKey(x => x.ContactId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(x => new { x.AccountId, x.ContactId }).IsUnique();
        b.HasIndex(x => x.ContactId);
    }
}
