using AgentWorkspace.Core.Domain.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class ChannelIdentityConfiguration : IEntityTypeConfiguration<ChannelIdentity>
{
    public void Configure(EntityTypeBuilder<ChannelIdentity> b)
    {
        b.ToTable("ChannelIdentities");
        b.HasKey(x => x.Id);
        b.Property(x => x.RawAddress).HasMaxLength(320).IsRequired();
        b.Property(x => x.NormalizedAddress).HasMaxLength(320).IsRequired();
        b.Property(x => x.DisplayName).HasMaxLength(200);
        b.Property(x => x.ProfileUrl).HasMaxLength(500);
        // The matching lookup: one owner per address in a space (also what makes concurrent ingest safe).
        b.HasIndex(x => new { x.Space, x.NormalizedAddress }).IsUnique();
        b.HasIndex(x => x.CardId);
    }
}
