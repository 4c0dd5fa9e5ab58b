using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using AgentWorkspace.Tests.Inbox;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace AgentWorkspace.Tests.Crm;

/// <summary>A clock the test moves by hand (the outbox's back-off without waiting).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; private set; } = start;
    public override DateTimeOffset GetUtcNow() => Now;
    public void Advance(TimeSpan by) => Now += by;
}

/// <summary>
/// The inbox world (a fresh SQLite database, queues, Camille and Lucas agents, Sophie supervisor) with the CRM feature
/// on top: the built-in connector, optionally a fake connector kind, the card's services, the outbox and its processor,
/// all on one clock.
/// </summary>
public sealed class CrmWorld : IAsyncDisposable
{
    public static readonly Actor Camille = InboxWorld.Camille;
    public static readonly Actor Lucas = InboxWorld.Lucas;
    public static readonly Actor Sophie = InboxWorld.Sophie;
    public static readonly Actor Admin = new("u-admin", "Alex Admin", Role.Admin);

    public InboxWorld Inbox { get; private init; } = default!;
    public ManualClock Clock { get; private init; } = default!;
    public UseCaseRunner Runner { get; private init; } = default!;
    public IDataProtectionProvider Protection { get; private init; } = default!;
    public CrmConnectorFactory Factory { get; private init; } = default!;
    public BuiltInCrmConnector BuiltIn { get; private init; } = default!;
    public CrmSettingsService Settings { get; private init; } = default!;
    public CrmService Crm { get; private init; } = default!;
    public CrmPushService Pushes { get; private init; } = default!;
    public CrmPushSignal Signal { get; private init; } = default!;
    public DispositionService Dispositions { get; private init; } = default!;
    public CaseCommands Cases { get; private init; } = default!;
    public BuiltInCrmService Records { get; private init; } = default!;
    public AgentWorkspaceDbContextFactory Db => Inbox.Db.Factory;

    public static async Task<CrmWorld> CreateAsync(params ICrmConnectorKind[] extraKinds)
    {
        var inbox = await InboxWorld.CreateAsync();
        // A minute ahead of the cases the world makes with the real time: what the use cases write comes after them.
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddMinutes(1));
        var runner = new UseCaseRunner(inbox.Db.Factory, inbox.Feed, clock);
        var protection = new EphemeralDataProtectionProvider();
        var builtIn = new BuiltInCrmConnector(inbox.Db.Factory, runner);
        var factory = new CrmConnectorFactory([new BuiltInCrmKind(builtIn), .. extraKinds]);
        var settings = new CrmSettingsService(inbox.Db.Factory, runner, factory, protection);
        var app = new SettingsService(inbox.Db.Factory, runner, new SettingsDefaults());
        var signal = new CrmPushSignal();
        var world = new CrmWorld
        {
            Inbox = inbox, Clock = clock, Runner = runner, Protection = protection, Factory = factory, BuiltIn = builtIn, Settings = settings, Signal = signal,
            Crm = new CrmService(inbox.Db.Factory, runner, settings, app),
            Dispositions = new DispositionService(inbox.Db.Factory, runner),
            Records = new BuiltInCrmService(inbox.Db.Factory),
            Pushes = new CrmPushService(inbox.Db.Factory, runner, settings, signal, clock),
            Cases = new CaseCommands(runner, new ReplyDelivery(runner, new RecordingOutboundConnector(inbox.Db.Factory, clock)), signal, new CrmOptions("https://aw.example")),
        };
        return world;
    }

    /// <summary>A new processor over the same database, as after a restart: its own runner, settings service and signal.</summary>
    public CrmPushService NewProcessor(TimeProvider? clock = null)
    {
        clock ??= Clock;
        var runner = new UseCaseRunner(Db, new InProcessChangeFeed(), clock);
        var settings = new CrmSettingsService(Db, runner, Factory, Protection);
        return new CrmPushService(Db, runner, settings, new CrmPushSignal(), clock);
    }

    /// <summary>A contact of the built-in CRM matching a new card (same mobile, e-mail and name) with an account, a household member and a CRM case.</summary>
    public async Task<Seeded> SeedContactAsync(string first = "Zoé", string last = "Le Gall", Channel channel = Channel.Sms, string? assignedTo = null)
    {
        var phone = "+3361" + Random.Shared.Next(1_000_000, 9_999_999);
        var (cardId, caseId) = await Inbox.InboundAsync(Core.Domain.Queues.Queue.DefaultName, channel, firstName: first, address: phone, assignedTo: assignedTo);
        await using var db = Db.CreateDbContext();
        var card = await db.Cards.FirstAsync(c => c.Id == cardId);
        var now = DateTimeOffset.UtcNow;
        var household = new CrmHousehold($"Foyer {last}", "1 rue de la Paix, Paris", now);
        db.CrmHouseholds.Add(household);
        var account = new CrmAccount($"Société {Guid.NewGuid():N}"[..20], null, null, "Paris", "Retail", now);
        db.CrmAccounts.Add(account);
        await db.SaveChangesAsync();
        var contact = new CrmContact(card.FirstName, card.LastName!, $"{Guid.NewGuid():N}@example.com", phone, account.Name, null, "Paris", household.Id, now);
        var member = new CrmContact("Yann", card.LastName!, null, null, null, null, "Paris", household.Id, now);
        db.CrmContacts.AddRange(contact, member);
        await db.SaveChangesAsync();
        db.CrmAccountContacts.Add(new CrmAccountContact(account.Id, contact.Id, "Primary contact"));
        var crmCase = new CrmCase("Colis non reçu", null, contact.Id, account.Id, now);
        db.CrmCases.Add(crmCase);
        await db.SaveChangesAsync();
        crmCase.Numbered();
        await db.SaveChangesAsync();
        return new Seeded(cardId, caseId, contact.Id.ToString(), member.Id.ToString(), account.Id.ToString(), crmCase.Id.ToString());
    }

    public sealed record Seeded(long CardId, long CaseId, string ContactId, string MemberId, string AccountId, string CrmCaseId)
    {
        public CrmRecordRef Contact => new(CrmRecordType.Contact, ContactId);
        public CrmRecordRef Account => new(CrmRecordType.Account, AccountId);
    }

    public async Task<T> QueryAsync<T>(Func<AgentWorkspaceDbContext, Task<T>> query) => await Inbox.QueryAsync(query);

    /// <summary>Processes the outbox until nothing more is due now.</summary>
    public async Task DrainAsync(CrmPushService? processor = null)
    {
        processor ??= Pushes;
        for (var i = 0; i < 10 && await processor.ProcessDueAsync(TestContext.Current.CancellationToken) > 0; i++) { }
    }

    public ValueTask DisposeAsync() => Inbox.DisposeAsync();
}

/// <summary>A connector kind for tests: it delegates to a function per call, so a test says how the CRM answers.</summary>
public sealed class FakeCrmKind(string kind = "fake") : ICrmConnectorKind, ICrmConnector
{
    public Func<CrmRecordRef, CrmActivity, CancellationToken, Task<string>> Push { get; set; } = (_, a, _) => Task.FromResult("act-" + a.IdempotencyKey);
    public Func<CrmLookup, CancellationToken, Task<IReadOnlyList<CrmRecord>>> Find { get; set; } = (_, _) => Task.FromResult<IReadOnlyList<CrmRecord>>([]);
    public List<(CrmRecordRef Target, CrmActivity Activity)> Pushed { get; } = [];

    public string Kind { get; } = kind;
    public ICrmConnector Create(CrmConnection connection) => this;

    public Task<IReadOnlyList<CrmRecord>> FindAsync(CrmLookup lookup, CancellationToken ct) => Find(lookup, ct);
    public Task<CrmRecord?> GetAsync(CrmRecordRef record, CancellationToken ct) =>
        Task.FromResult<CrmRecord?>(new CrmRecord(record.Type, record.Id, $"Fake {record.Id}", null, new Dictionary<string, string?>(), null));
    public Task<IReadOnlyList<CrmRecord>> GetAssociatedAsync(CrmRecordRef record, CancellationToken ct) => Task.FromResult<IReadOnlyList<CrmRecord>>([]);
    public Task<CrmRecord> CreateAsync(CrmNewRecord record, CancellationToken ct) =>
        Task.FromResult(new CrmRecord(record.Type, "new-1", "New", null, new Dictionary<string, string?>(), null));
    public async Task<string> PushAsync(CrmRecordRef target, CrmActivity activity, CancellationToken ct)
    {
        var id = await Push(target, activity, ct);
        lock (Pushed) Pushed.Add((target, activity));
        return id;
    }
    public Uri? RecordUrl(CrmRecordRef record) => null;
    public Task<CrmConnectionCheck> TestConnectionAsync(CancellationToken ct) => Task.FromResult(new CrmConnectionCheck(true, "fake ok"));
}
