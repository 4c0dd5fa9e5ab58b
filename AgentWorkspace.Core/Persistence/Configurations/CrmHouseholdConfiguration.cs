using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmHouseholdConfiguration : IEntityTypeConfiguration<CrmHousehold>
{
    public void Configure(EntityTypeBuilder<CrmHousehold> b)
    {
        b.ToTable("CrmHouseholds");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(200).IsRequired();
        b.Property(x => x.Address).HasMaxLength(300);
    }
}
