using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmAccountConfiguration : IEntityTypeConfiguration<CrmAccount>
{
    public void Configure(EntityTypeBuilder<CrmAccount> b)
    {
        b.ToTable("CrmAccounts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200).IsRequired();
        b.Property(x => x.SearchName).HasMaxLength(200).IsRequired();
        b.Property(x => x.Phone).HasMaxLength(20);
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.City).HasMaxLength(120);
        b.Property(x => x.Industry).HasMaxLength(120);
        // The card's look-ups: by company (folded) and by phone.
        b.HasIndex(x => x.SearchName);
        b.HasIndex(x => x.Phone);
    }
}
