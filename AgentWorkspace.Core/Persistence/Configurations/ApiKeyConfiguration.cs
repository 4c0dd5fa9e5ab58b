using AgentWorkspace.Core.Domain.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> b)
    {
        b.ToTable("ApiKeys");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(100).IsRequired();
        b.Property(x => x.Prefix).HasMaxLength(16).IsRequired();
        b.Property(x => x.SecretHash).HasMaxLength(64).IsRequired();
        b.Property(x => x.CreatedBy).HasMaxLength(200);
        // Identity's user ids; no foreign key, as users are disabled, never deleted. Indexed for the revocation with the user.
        b.Property(x => x.OwnerId).HasMaxLength(450);
        b.HasIndex(x => x.OwnerId);
        b.Ignore(x => x.IsActive);
        b.HasIndex(x => x.Prefix).IsUnique();
    }
}
