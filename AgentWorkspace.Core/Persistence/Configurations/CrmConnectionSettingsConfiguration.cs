using AgentWorkspace.Core.Domain.Crm;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CrmConnectionSettingsConfiguration : IEntityTypeConfiguration<CrmConnectionSettings>
{
    public void Configure(EntityTypeBuilder<CrmConnectionSettings> b)
    {
        b.ToTable("CrmConnection");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).ValueGeneratedNever();
        b.Property(x => x.Kind).HasMaxLength(40).IsRequired();
        b.Property(x => x.SettingsJson).HasMaxLength(8000).IsRequired();
        b.Property(x => x.ProtectedSecrets).HasMaxLength(8000);
        b.Property(x => x.SecretNames).HasMaxLength(500).IsRequired();
        b.Property(x => x.CreatableTypes).HasMaxLength(100).IsRequired();
        b.Property(x => x.PushedFields).HasMaxLength(300).IsRequired();
        b.Property(x => x.UpdatedBy).HasMaxLength(200).IsRequired();
        b.Property(x => x.LastTestMessage).HasMaxLength(1000);
        b.Property(x => x.LastTestCode).HasMaxLength(80);
        b.Property(x => x.LastTestArgs).HasMaxLength(1000);
    }
}
