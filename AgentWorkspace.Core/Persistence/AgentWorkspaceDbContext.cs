using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Domain.Admin;
using AgentWorkspace.Core.Domain.Audit;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Common;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Merge;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Domain.Scripts;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Core.Persistence;

/// <summary>
/// The one database of the product, Identity tables included. Each provider has a subclass that
/// owns its migration set (<see cref="SqliteAgentWorkspaceDbContext"/>, <see cref="SqlServerAgentWorkspaceDbContext"/>).
/// Always created through <see cref="Microsoft.EntityFrameworkCore.IDbContextFactory{TContext}"/>, one per operation.
/// </summary>
public abstract class AgentWorkspaceDbContext(DbContextOptions options) : IdentityDbContext<AppUser>(options), IDataProtectionKeyContext
{
    public DbSet<CustomerCard> Cards => Set<CustomerCard>();
    public DbSet<ChannelIdentity> Identities => Set<ChannelIdentity>();
    public DbSet<Note> Notes => Set<Note>();
    public DbSet<Case> Cases => Set<Case>();
    public DbSet<Message> Messages => Set<Message>();
    public DbSet<MessageAttachment> Attachments => Set<MessageAttachment>();
    public DbSet<CaseComment> CaseComments => Set<CaseComment>();
    public DbSet<CaseEvent> CaseEvents => Set<CaseEvent>();
    public DbSet<CaseMerge> CaseMerges => Set<CaseMerge>();
    public DbSet<ReplyDraft> Drafts => Set<ReplyDraft>();
    public DbSet<ComposerDraft> ComposerDrafts => Set<ComposerDraft>();
    public DbSet<OutboundDelivery> OutboundDeliveries => Set<OutboundDelivery>();
    public DbSet<CustomFieldDefinition> CustomFields => Set<CustomFieldDefinition>();
    public DbSet<CustomFieldValue> CustomFieldValues => Set<CustomFieldValue>();
    public DbSet<ValueProvenance> ValueProvenance => Set<ValueProvenance>();
    public DbSet<Queue> Queues => Set<Queue>();
    public DbSet<QueueMember> QueueMembers => Set<QueueMember>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<QuickReply> QuickReplies => Set<QuickReply>();
    public DbSet<AppSetting> Settings => Set<AppSetting>();
    public DbSet<MergeRecord> Merges => Set<MergeRecord>();
    public DbSet<DuplicateDismissal> DuplicateDismissals => Set<DuplicateDismissal>();
    public DbSet<NameFrequency> NameFrequencies => Set<NameFrequency>();
    public DbSet<MergeRequest> MergeRequests => Set<MergeRequest>();
    public DbSet<SharedIdentifier> SharedIdentifiers => Set<SharedIdentifier>();
    public DbSet<Domain.Matching.MatchingRule> MatchingRules => Set<Domain.Matching.MatchingRule>();
    public DbSet<Domain.Matching.MatchPreview> MatchPreviews => Set<Domain.Matching.MatchPreview>();
    public DbSet<Domain.Matching.MatchPreviewPair> MatchPreviewPairs => Set<Domain.Matching.MatchPreviewPair>();
    public DbSet<Domain.Matching.MatchRun> MatchRuns => Set<Domain.Matching.MatchRun>();
    public DbSet<UseCaseCommit> UseCaseCommits => Set<UseCaseCommit>();
    public DbSet<AgentScript> Scripts => Set<AgentScript>();
    public DbSet<AgentScriptVersion> ScriptVersions => Set<AgentScriptVersion>();
    public DbSet<AgentScriptStep> ScriptSteps => Set<AgentScriptStep>();
    public DbSet<AgentScriptAssignment> ScriptAssignments => Set<AgentScriptAssignment>();
    public DbSet<CaseScriptRun> CaseScriptRuns => Set<CaseScriptRun>();
    public DbSet<CaseScriptStepState> CaseScriptSteps => Set<CaseScriptStepState>();

    // The built-in CRM (issue 18).
    public DbSet<CrmAccount> CrmAccounts => Set<CrmAccount>();
    public DbSet<CrmContact> CrmContacts => Set<CrmContact>();
    public DbSet<CrmLead> CrmLeads => Set<CrmLead>();
    public DbSet<CrmCase> CrmCases => Set<CrmCase>();
    public DbSet<CrmHousehold> CrmHouseholds => Set<CrmHousehold>();
    public DbSet<CrmAccountContact> CrmAccountContacts => Set<CrmAccountContact>();
    public DbSet<CrmActivityEntry> CrmActivities => Set<CrmActivityEntry>();
    // Links of our cases to CRM records, the push outbox, the connection and the wrap-up dispositions.
    public DbSet<CrmLink> CrmLinks => Set<CrmLink>();
    public DbSet<CrmPush> CrmPushes => Set<CrmPush>();
    public DbSet<CrmConnectionSettings> CrmConnection => Set<CrmConnectionSettings>();
    public DbSet<Disposition> Dispositions => Set<Disposition>();

    /// <summary>ASP.NET Core Data Protection's keys, shared by every server of the app (the CRM secrets are protected with them).</summary>
    public DbSet<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey> DataProtectionKeys => Set<Microsoft.AspNetCore.DataProtection.EntityFrameworkCore.DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.ApplyConfigurationsFromAssembly(typeof(AgentWorkspaceDbContext).Assembly);
        builder.Entity<AppUser>(u =>
        {
            u.Property(x => x.DisplayName).HasMaxLength(200);
            u.Property(x => x.PreferredCulture).HasMaxLength(10);
        });
    }

    private SqliteContextPool.Slot? _slot;

    /// <summary>Binds a leased context to the kept connection it came with, which goes back to its pool once the context is reset.</summary>
    internal void ReturnTo(SqliteContextPool.Slot slot) => _slot = slot;

    public override void Dispose()
    {
        // Taken once: a second Dispose must not hand the connection back twice.
        var slot = Interlocked.Exchange(ref _slot, null);
        try
        {
            base.Dispose();
        }
        finally
        {
            slot?.Returned();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        var slot = Interlocked.Exchange(ref _slot, null);
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            slot?.Returned();
        }
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        var detect = BumpVersions();
        try
        {
            return base.SaveChanges(acceptAllChangesOnSuccess);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var detect = BumpVersions();
        try
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        finally
        {
            ChangeTracker.AutoDetectChangesEnabled = detect;
        }
    }

    /// <summary>
    /// Every modified card or case gets a new version; the old one is the concurrency check.
    /// Changes are detected once per save, here: listing the entries would detect them, and the save
    /// again (a pass over every tracked property, the writer's largest cost after the save itself).
    /// Returns whether automatic detection was on; it stays off until the save is over, and the new
    /// version is marked modified by hand.
    /// </summary>
    private bool BumpVersions()
    {
        var detect = ChangeTracker.AutoDetectChangesEnabled;
        if (detect) ChangeTracker.DetectChanges();
        ChangeTracker.AutoDetectChangesEnabled = false;
        foreach (var entry in ChangeTracker.Entries<IVersioned>())
        {
            if (entry.State != EntityState.Modified) continue;
            entry.Entity.BumpVersion();
            entry.Property(nameof(IVersioned.Version)).IsModified = true;
        }
        return detect;
    }
}

public sealed class SqliteAgentWorkspaceDbContext(DbContextOptions<SqliteAgentWorkspaceDbContext> options) : AgentWorkspaceDbContext(options)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type that orders correctly with offsets: store UTC ticks, which sort and compare in SQL.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<decimal>().HaveConversion<double>();
    }
}

public sealed class SqlServerAgentWorkspaceDbContext(DbContextOptions<SqlServerAgentWorkspaceDbContext> options) : AgentWorkspaceDbContext(options)
{
    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        // SQL Server keeps a rowversion beside the app-managed Version as a second guard.
        builder.Entity<CustomerCard>().Property<byte[]>("RowVersion").IsRowVersion();
        builder.Entity<Case>().Property<byte[]>("RowVersion").IsRowVersion();
    }
}

public sealed class UtcTicksConverter() : Microsoft.EntityFrameworkCore.Storage.ValueConversion.ValueConverter<DateTimeOffset, long>(
    v => v.UtcTicks,
    v => new DateTimeOffset(v, TimeSpan.Zero));
