using AgentWorkspace.Core.Domain.Merge;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class DuplicateDismissalConfiguration : IEntityTypeConfiguration<DuplicateDismissal>
{
    public void Configure(EntityTypeBuilder<DuplicateDismissal> b)
    {
        b.ToTable("DuplicateDismissals");
        b.HasKey(x => new { x.CardA, x.CardB });
        b.Property(x => x.ActorId).HasMaxLength(450);
    }
}
