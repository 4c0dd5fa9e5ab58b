using AgentWorkspace.Core.Domain.Cases;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class MessageConfiguration : IEntityTypeConfiguration<Message>
{
    public void Configure(EntityTypeBuilder<Message> b)
    {
        b.ToTable("Messages");
        b.HasKey(x => x.Id);
        b.Property(x => x.ExternalId).HasMaxLength(200);
        b.Property(x => x.AuthorName).HasMaxLength(200).IsRequired();
        b.Property(x => x.AuthorUserId).HasMaxLength(450);
        b.Property(x => x.Subject).HasMaxLength(500);
        b.Property(x => x.Text).IsRequired();
        b.HasOne<Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Restrict);
        // Idempotent ingest: one message per channel id.
        b.HasIndex(x => new { x.Channel, x.ExternalId }).IsUnique();
        // Card history and case thread, keyset-paged by (time, id).
        b.HasIndex(x => new { x.CardId, x.SentAt, x.Id });
        b.HasIndex(x => new { x.CaseId, x.SentAt, x.Id });
        b.HasIndex(x => x.ParentMessageId);
    }
}
