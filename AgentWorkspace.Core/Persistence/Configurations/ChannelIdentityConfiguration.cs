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
        b.Property(x => x.ShareKey).HasMaxLength(100).IsRequired().HasDefaultValue(string.Empty);
        // The matching lookup: one owner per address in a space (also what makes concurrent ingest safe); on a
        // shared address (ADR 020) one per sender's name key.
        b.HasIndex(x => new { x.Space, x.NormalizedAddress, x.ShareKey }).IsUnique();
        b.HasIndex(x => x.CardId);
    }
}
