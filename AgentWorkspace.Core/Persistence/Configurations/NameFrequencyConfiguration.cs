using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Merge;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class NameFrequencyConfiguration : IEntityTypeConfiguration<NameFrequency>
{
    public void Configure(EntityTypeBuilder<NameFrequency> b)
    {
        b.ToTable("NameFrequencies");
        b.HasKey(x => x.NameKey);
        b.Property(x => x.NameKey).HasMaxLength(NameKeys.MaxLength);
        // The supervisors' list of duplicates starts from the rarest names shared by two cards or more.
        b.HasIndex(x => new { x.CardCount, x.NameKey });
    }
}
