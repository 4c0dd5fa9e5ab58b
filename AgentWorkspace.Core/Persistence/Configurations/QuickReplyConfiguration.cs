using AgentWorkspace.Core.Domain.Admin;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class QuickReplyConfiguration : IEntityTypeConfiguration<QuickReply>
{
    public void Configure(EntityTypeBuilder<QuickReply> b)
    {
        b.ToTable("QuickReplies");
        b.HasKey(x => x.Id);
        b.Property(x => x.Title).HasMaxLength(120).IsRequired();
        b.Property(x => x.Body).HasMaxLength(5000).IsRequired();
        b.Property(x => x.Language).HasMaxLength(5).IsRequired();
        b.Property(x => x.Tags).HasMaxLength(500);
        b.Property(x => x.Category).HasMaxLength(60);
        b.Property(x => x.LinkLabel).HasMaxLength(120);
        b.Property(x => x.LinkUrl).HasMaxLength(2000);
        b.HasIndex(x => new { x.Language, x.Title });
    }
}
