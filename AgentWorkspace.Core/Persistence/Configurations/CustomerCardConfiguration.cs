using AgentWorkspace.Core.Domain.Cards;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class CustomerCardConfiguration : IEntityTypeConfiguration<CustomerCard>
{
    public void Configure(EntityTypeBuilder<CustomerCard> b)
    {
        // The name keys' counts (NameFrequencies) are kept by triggers, created by the migration NameKeys
        // (docs/decisions/016); EF Core must know, so that it does not read generated values back through OUTPUT.
        b.ToTable("Cards", t =>
        {
            t.HasTrigger(NameFrequencyTriggers.SqlServer);
            foreach (var name in NameFrequencyTriggers.Sqlite) t.HasTrigger(name);
        });
        b.HasKey(x => x.Id);
        b.Property(x => x.Version).IsConcurrencyToken();
        b.Property(x => x.FirstName).HasMaxLength(100);
        b.Property(x => x.LastName).HasMaxLength(100);
        b.Property(x => x.Company).HasMaxLength(200);
        b.Property(x => x.JobTitle).HasMaxLength(120);
        b.Property(x => x.City).HasMaxLength(120);
        b.Property(x => x.Category).HasMaxLength(80);
        b.Property(x => x.RelationshipType).HasMaxLength(80);
        b.Property(x => x.Tags).HasMaxLength(1300);
        b.Property(x => x.AvatarUrl).HasMaxLength(500);
        b.Property(x => x.PrimaryEmail).HasMaxLength(254);
        b.Property(x => x.SecondaryEmail).HasMaxLength(254);
        b.Property(x => x.MobilePhone).HasMaxLength(20);
        b.Property(x => x.HomePhone).HasMaxLength(20);
        b.Property(x => x.ChannelName).HasMaxLength(200);
        b.Property(x => x.SearchName).HasMaxLength(201);
        b.Property(x => x.SearchLastName).HasMaxLength(100);
        b.Property(x => x.SearchCompany).HasMaxLength(200);
        b.Property(x => x.NameKey).HasMaxLength(NameKeys.MaxLength);
        b.Property(x => x.InitialKey).HasMaxLength(NameKeys.MaxLength);
        b.Ignore(x => x.DisplayName);
        b.Ignore(x => x.TagList);
        b.Ignore(x => x.Profile);
        b.HasMany(x => x.Identities).WithOne().HasForeignKey(x => x.CardId).OnDelete(DeleteBehavior.Restrict);
        b.Navigation(x => x.Identities).UsePropertyAccessMode(PropertyAccessMode.Field);
        // Search (name / company prefix), contact lookups, the customers list. No index on LastContactAt: nothing
        // filters or sorts by it, and every ingested message moves it (one random index page less per message).
        b.HasIndex(x => new { x.SearchName, x.Id });
        b.HasIndex(x => new { x.SearchLastName, x.Id });
        b.HasIndex(x => new { x.SearchCompany, x.Id });
        b.HasIndex(x => x.PrimaryEmail);
        b.HasIndex(x => x.MobilePhone);
        // Counting the cards an address is on (shared identifiers, ADR 020) reads every column that holds one.
        b.HasIndex(x => x.HomePhone);
        b.HasIndex(x => x.SecondaryEmail);
        b.HasIndex(x => x.MergedIntoId);
        // The duplicate finder's name blocks (issue 21): the same name, a name with an initial.
        b.HasIndex(x => new { x.NameKey, x.Id });
        b.HasIndex(x => new { x.InitialKey, x.Id });
    }
}
