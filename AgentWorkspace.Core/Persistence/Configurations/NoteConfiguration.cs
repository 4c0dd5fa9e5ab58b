using AgentWorkspace.Core.Domain.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class NoteConfiguration : IEntityTypeConfiguration<Note>
{
    public void Configure(EntityTypeBuilder<Note> b)
    {
        b.ToTable("Notes");
        b.HasKey(x => x.Id);
        b.Property(x => x.Text).HasMaxLength(Note.MaxLength).IsRequired();
        b.Property(x => x.AuthorId).HasMaxLength(450);
        b.Property(x => x.AuthorName).HasMaxLength(200);
        b.HasOne<CustomerCard>().WithMany().HasForeignKey(x => x.CardId).OnDelete(DeleteBehavior.Restrict);
        b.HasIndex(x => new { x.CardId, x.CreatedAt, x.Id });
        b.HasIndex(x => x.CaseId);
    }
}
