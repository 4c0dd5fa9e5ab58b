using AgentWorkspace.Core.Domain.CustomFields;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CustomFieldDefinitionConfiguration : IEntityTypeConfiguration<CustomFieldDefinition>
{
    public void Configure(EntityTypeBuilder<CustomFieldDefinition> b)
    {
        b.ToTable("CustomFieldDefinitions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Ident).HasMaxLength(FieldIdent.MaxLength).IsRequired();
        b.Property(x => x.Label).HasMaxLength(100).IsRequired();
        b.Property(x => x.LabelFr).HasMaxLength(100);
        b.Property(x => x.LabelEn).HasMaxLength(100);
        b.Property(x => x.OptionsJson).IsRequired();
        b.Ignore(x => x.Options);
        b.HasIndex(x => x.Ident).IsUnique();
        b.HasIndex(x => x.DisplayOrder);
    }
}
