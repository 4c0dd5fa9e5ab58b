using AgentWorkspace.Core.Domain.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class UseCaseCommitConfiguration : IEntityTypeConfiguration<UseCaseCommit>
{
    public void Configure(EntityTypeBuilder<UseCaseCommit> b)
    {
        b.ToTable("UseCaseCommits");
        b.HasKey(x => x.Id);
        b.Property(x => x.Id).HasMaxLength(32).IsUnicode(false).ValueGeneratedNever();
        b.Property(x => x.UseCase).HasMaxLength(100).IsRequired();
        b.HasIndex(x => x.At);
    }
}
