using AgentWorkspace.Core.Domain.Scripts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AgentWorkspace.Core.Persistence.Configurations;

internal sealed class AgentScriptConfiguration : IEntityTypeConfiguration<AgentScript>
{
    public void Configure(EntityTypeBuilder<AgentScript> b)
    {
        b.ToTable("AgentScripts");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(AgentScript.MaxNameLength).IsRequired();
        b.Property(x => x.Description).HasMaxLength(AgentScript.MaxDescriptionLength);
        b.Property(x => x.Language).HasMaxLength(5).IsRequired();
        b.HasIndex(x => new { x.IsArchived, x.Name });
    }
}

internal sealed class AgentScriptVersionConfiguration : IEntityTypeConfiguration<AgentScriptVersion>
{
    public void Configure(EntityTypeBuilder<AgentScriptVersion> b)
    {
        b.ToTable("AgentScriptVersions");
        b.HasKey(x => x.Id);
        b.Property(x => x.Name).HasMaxLength(AgentScript.MaxNameLength).IsRequired();
        b.Property(x => x.PublishedBy).HasMaxLength(200).IsRequired();
        b.HasIndex(x => new { x.ScriptId, x.Number }).IsUnique();
        b.HasMany(x => x.Steps).WithOne().HasForeignKey(x => x.VersionId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(x => x.Steps).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasOne<AgentScript>().WithMany().HasForeignKey(x => x.ScriptId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class AgentScriptStepConfiguration : IEntityTypeConfiguration<AgentScriptStep>
{
    public void Configure(EntityTypeBuilder<AgentScriptStep> b)
    {
        b.ToTable("AgentScriptSteps");
        b.HasKey(x => x.Id);
        b.Property(x => x.Title).HasMaxLength(AgentScriptStep.MaxTitleLength).IsRequired();
        b.Property(x => x.Text).HasMaxLength(AgentScriptStep.MaxTextLength);
        b.Ignore(x => x.Actions);
        b.HasIndex(x => new { x.VersionId, x.Position });
        b.HasIndex(x => x.SubScriptId);
    }
}

internal sealed class AgentScriptAssignmentConfiguration : IEntityTypeConfiguration<AgentScriptAssignment>
{
    public void Configure(EntityTypeBuilder<AgentScriptAssignment> b)
    {
        b.ToTable("AgentScriptAssignments");
        b.HasKey(x => x.Id);
        b.Ignore(x => x.Channel);
        // One script per queue and channel (0: the queue's default); two admins assigning at once cannot both win.
        b.HasIndex(x => new { x.QueueId, x.ChannelCode }).IsUnique();
        b.HasIndex(x => x.ScriptId);
        b.HasOne<AgentScript>().WithMany().HasForeignKey(x => x.ScriptId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseScriptRunConfiguration : IEntityTypeConfiguration<CaseScriptRun>
{
    public void Configure(EntityTypeBuilder<CaseScriptRun> b)
    {
        b.ToTable("CaseScriptRuns");
        b.HasKey(x => x.Id);
        b.HasIndex(x => new { x.CaseId, x.ScriptId }).IsUnique();
        b.HasIndex(x => x.VersionId);
        b.HasOne<Domain.Cases.Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentScriptVersion>().WithMany().HasForeignKey(x => x.VersionId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class CaseScriptStepStateConfiguration : IEntityTypeConfiguration<CaseScriptStepState>
{
    public void Configure(EntityTypeBuilder<CaseScriptStepState> b)
    {
        b.ToTable("CaseScriptStepStates");
        b.HasKey(x => x.Id);
        b.Property(x => x.ActorId).HasMaxLength(450).IsRequired();
        b.Property(x => x.ActorName).HasMaxLength(200).IsRequired();
        b.HasIndex(x => new { x.CaseId, x.StepId }).IsUnique();
        b.HasOne<Domain.Cases.Case>().WithMany().HasForeignKey(x => x.CaseId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<AgentScriptStep>().WithMany().HasForeignKey(x => x.StepId).OnDelete(DeleteBehavior.Restrict);
    }
}
