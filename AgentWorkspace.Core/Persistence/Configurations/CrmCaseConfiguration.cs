using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmCaseConfiguration : IEntityTypeConfiguration<CrmCase>
{
    public void Configure(EntityTypeBuilder<CrmCase> b)
    {
        b.ToTable("CrmCases");
        b.HasKey(x => x.Id);
        b.Property(x => x.Number).HasMaxLength(20).IsRequired();
        b.Property(x => x.Subject).HasMaxLength(200).IsRequired();
        b.Property(x => x.Description).HasMaxLength(4000);
        b.Property(x => x.Status).HasMaxLength(30).IsRequired();
        b.Property(x => x.Priority).HasMaxLength(30).IsRequired();
        b.Ignore(x => x.Title);
        b.HasOne<CrmContact>().WithMany().HasForeignKey(x => x.ContactId).OnDelete(DeleteBehavior.SetNull);
        b.HasOne<CrmAccount>().WithMany().HasForeignKey(x => x.AccountId).OnDelete(DeleteBehavior.SetNull);
        // A contact's or an account's cases, newest first.
        b.HasIndex(x => new { x.ContactId, x.CreatedAt });
        b.HasIndex(x => new { x.AccountId, x.CreatedAt });
    }
}
