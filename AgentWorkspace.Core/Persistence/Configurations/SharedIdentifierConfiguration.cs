using AgentWorkspace.Core.Domain.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class SharedIdentifierConfiguration : IEntityTypeConfiguration<SharedIdentifier>
{
    public void Configure(EntityTypeBuilder<SharedIdentifier> b)
    {
        b.ToTable("SharedIdentifiers");
        b.HasKey(x => x.Id);
        b.Property(x => x.NormalizedAddress).HasMaxLength(320).IsRequired();
        b.Property(x => x.Note).HasMaxLength(SharedIdentifier.MaxNote);
        b.Property(x => x.AddedBy).HasMaxLength(200).IsRequired();
        b.HasIndex(x => new { x.Space, x.NormalizedAddress }).IsUnique();
    }
}
