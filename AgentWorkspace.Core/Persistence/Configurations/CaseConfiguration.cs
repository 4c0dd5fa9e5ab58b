using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Queues;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CaseConfiguration : IEntityTypeConfiguration<Case>
{
    public void Configure(EntityTypeBuilder<Case> b)
    {
        b.ToTable("Cases");
        b.HasKey(x => x.Id);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.Title).HasMaxLength(200).IsRequired();
        b.Property(x => x.Product).HasMaxLength(120);
        b.Property(x => x.Skills).HasMaxLength(500);
        b.Property(x => x.AssignedAgentId).HasMaxLength(450);
        b.Property(x => x.LastMessagePreview).HasMaxLength(130);
        b.Property(x => x.Disposition).HasMaxLength(100);
        b.Property(x => x.WrapUpNotes).HasMaxLength(4000);
        b.Ignore(x => x.IsOpen);
        b.Ignore(x => x.SkillList);
        b.HasOne<CustomerCard>().WithMany().HasForeignKey(x => x.CardId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<Queue>().WithMany().HasForeignKey(x => x.QueueId).OnDelete(DeleteBehavior.Restrict);
        // Inbox: by queue and by agent, open first, newest activity first.
        b.HasIndex(x => new { x.QueueId, x.Status, x.LastMessageAt, x.Id });
        // The same list filtered by channel, without walking the queue's other channels.
        b.HasIndex(x => new { x.QueueId, x.Status, x.Channel, x.LastMessageAt, x.Id });
        b.HasIndex(x => new { x.AssignedAgentId, x.Status, x.LastMessageAt, x.Id });
        // The agent's own cases filtered by channel (issue 20): a seek, not a walk of every case of theirs.
        b.HasIndex(x => new { x.AssignedAgentId, x.Status, x.Channel, x.LastMessageAt, x.Id });
        b.HasIndex(x => new { x.Status, x.LastMessageAt, x.Id });
        // Inbox header counts per queue, answered from the index alone: unassigned, and first response overdue.
        b.HasIndex(x => new { x.QueueId, x.Status, x.AssignedAgentId });
        b.HasIndex(x => new { x.QueueId, x.Status, x.FirstResponseAt, x.CreatedAt });
        // Ingest: the open case of a card on a channel; the card's cases.
        b.HasIndex(x => new { x.CardId, x.Channel, x.Status });
    }
}
