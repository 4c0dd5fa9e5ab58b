using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Ingest;

/// <summary>A fresh database with its default queue, and an ingest service over it.</summary>
internal sealed class IngestKit : IAsyncDisposable
{
    public static readonly Actor Script = new("apikey:test", "Test script", Role.Agent);

    public TestDatabase Database { get; }
    public IngestService Service { get; }
    public List<ChangeEvent> Events { get; } = [];
    public InProcessChangeFeed Feed { get; } = new();

    private readonly string _region;

    private IngestKit(TestDatabase database, string region)
    {
        Database = database;
        _region = region;
        Service = NewService();
    }

    /// <summary>Another service over the same database (as another server would run).</summary>
    public IngestService NewService() =>
        new(Database.Factory, Database.Runner(Feed), new SettingsService(Database.Factory, Database.Runner(Feed), new SettingsDefaults(_region)),
            new LexiconSentimentAnalyzer(), new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System);

    public static async Task<IngestKit> CreateAsync(string region = "FR")
    {
        var db = await TestDatabase.CreateAsync();
        await new ReferenceData(db.Factory, TimeProvider.System).EnsureDefaultQueueAsync();
        return new IngestKit(db, region);
    }

    public AgentWorkspaceDbContext Db() => Database.Factory.CreateDbContext();

    public static InteractionRequest Sms(string from, string? body = "Bonjour", string? externalId = null) => new()
    {
        Channel = Channel.Sms,
        ExternalId = externalId ?? Guid.NewGuid().ToString("N"),
        From = new InteractionSender { Address = from },
        Body = body,
    };

    public static InteractionRequest On(Channel channel, string from, MessageKind? kind = null, string? body = "Bonjour", string? externalId = null, string? displayName = null) => new()
    {
        Channel = channel,
        Kind = kind,
        ExternalId = externalId ?? Guid.NewGuid().ToString("N"),
        From = new InteractionSender { Address = from, DisplayName = displayName },
        Body = body,
    };

    public Task<IngestResult> IngestAsync(InteractionRequest request) => Service.IngestAsync(Script, request, TestContext.Current.CancellationToken);

    public async Task<RowCounts> CountAsync()
    {
        await using var db = Db();
        return await RowCounts.OfAsync(db);
    }

    public ValueTask DisposeAsync() => Database.DisposeAsync();
}

/// <summary>The rows ingest may write: a failed request must leave every count unchanged.</summary>
internal sealed record RowCounts(int Cards, int Identities, int Cases, int Messages, int Attachments, int CaseEvents, int Audit)
{
    public static async Task<RowCounts> OfAsync(AgentWorkspaceDbContext db) => new(
        await db.Cards.CountAsync(), await db.Identities.CountAsync(), await db.Cases.CountAsync(), await db.Messages.CountAsync(),
        await db.Attachments.CountAsync(), await db.CaseEvents.CountAsync(), await db.Audit.CountAsync());
}
