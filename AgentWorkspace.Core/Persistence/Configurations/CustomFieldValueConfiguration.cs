using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.CustomFields;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CustomFieldValueConfiguration : IEntityTypeConfiguration<CustomFieldValue>
{
    public void Configure(EntityTypeBuilder<CustomFieldValue> b)
    {
        b.ToTable("CustomFieldValues");
        b.HasKey(x => x.Id);
        b.Property(x => x.Value).HasMaxLength(2000).IsRequired();
        b.HasOne<CustomerCard>().WithMany().HasForeignKey(x => x.CardId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<CustomFieldDefinition>().WithMany().HasForeignKey(x => x.FieldId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.CardId, x.FieldId }).IsUnique();
        b.HasIndex(x => new { x.FieldId, x.Value });
    }
}
