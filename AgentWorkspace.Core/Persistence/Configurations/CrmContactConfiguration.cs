using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmContactConfiguration : IEntityTypeConfiguration<CrmContact>
{
    public void Configure(EntityTypeBuilder<CrmContact> b)
    {
        b.ToTable("CrmContacts");
        b.HasKey(x => x.Id);
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100).IsRequired();
        b.Property(x => x.SearchName).HasMaxLength(210).IsRequired();
        b.Property(x => x.Email).HasMaxLength(254);
        b.Property(x => x.Phone).HasMaxLength(20);
        b.Property(x => x.Company).HasMaxLength(200);
        b.Property(x => x.SearchCompany).HasMaxLength(200).IsRequired();
        b.Property(x => x.JobTitle).HasMaxLength(120);
        b.Property(x => x.City).HasMaxLength(120);
        b.Ignore(x => x.FullName);
        b.HasOne<CrmHousehold>().WithMany().HasForeignKey(x => x.HouseholdId).OnDelete(DeleteBehavior.SetNull);
        // The card's look-ups (phone E.164, e-mail, name), and the household's members.
        b.HasIndex(x => x.Phone);
        b.HasIndex(x => x.Email);
        b.HasIndex(x => x.SearchName);
        b.HasIndex(x => x.HouseholdId);
    }
}
