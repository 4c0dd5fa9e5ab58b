using AgentWorkspace.Core.Domain.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class ValueProvenanceConfiguration : IEntityTypeConfiguration<ValueProvenance>
{
    public void Configure(EntityTypeBuilder<ValueProvenance> b)
    {
        b.ToTable("ValueProvenance");
        b.HasKey(x => x.Id);
        b.Property(x => x.Field).HasMaxLength(120).IsRequired();
        b.Property(x => x.Value).HasMaxLength(ValueProvenance.MaxValue);
        b.Property(x => x.SourceRef).HasMaxLength(450);
        b.Property(x => x.SourceLabel).HasMaxLength(ValueProvenance.MaxLabel);
        b.Property(x => x.OriginRef).HasMaxLength(450);
        b.Property(x => x.OriginLabel).HasMaxLength(ValueProvenance.MaxLabel);
        b.Ignore(x => x.EffectiveKind);
        b.Ignore(x => x.EffectiveAt);
        b.HasOne<CustomerCard>().WithMany().HasForeignKey(x => x.CardId).OnDelete(DeleteBehavior.Restrict);
        // A card's rows, newest first, in one range (the card page and API read them in one query); a merge's rows (its undo).
        b.HasIndex(x => new { x.CardId, x.Id });
        b.HasIndex(x => x.MergeId);
    }
}
