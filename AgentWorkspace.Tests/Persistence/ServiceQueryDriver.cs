using AgentWorkspace.Core.Domain.Matching;
using System.Reflection;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Features.ApiKeys;
using AgentWorkspace.Core.Features.Audit;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.Dashboard;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Matching;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.Queues;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Features.Users;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Core.UseCases;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AgentWorkspace.Tests.Persistence;

/// <summary>
/// Calls every public method of every Core service (<see cref="ServiceMethods"/>) on a real SQLite
/// database seeded with the demo data, through contexts that carry the given interceptors
/// (<see cref="RecordingDbContextFactory"/>): reads with and without their cursors and filters, and the
/// mutations, as the roles allowed to make them. Its own look-ups go through the test database's
/// factory, without the interceptors, so what they record is only what the services issue.
/// </summary>
internal sealed class ServiceQueryDriver : IAsyncDisposable
{
    private readonly TestDatabase _test;
    private readonly RecordingDbContextFactory _recording;
    private readonly ServiceProvider _services;

    /// <summary>"Type.Method" of every service method the driver called.</summary>
    public HashSet<string> Called { get; } = new(StringComparer.Ordinal);

    private ServiceQueryDriver(TestDatabase test, RecordingDbContextFactory recording, ServiceProvider services)
    {
        _test = test;
        _recording = recording;
        _services = services;
    }

    public static async Task<ServiceQueryDriver> CreateAsync(params IInterceptor[] interceptors)
    {
        var test = await TestDatabase.CreateAsync();
        var recording = new RecordingDbContextFactory(test, interceptors);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IDbContextFactory<AgentWorkspaceDbContext>>(recording);
        services.AddScoped<AgentWorkspaceDbContext>(_ => recording.CreateDbContext());
        services.AddIdentityCore<AppUser>(o => { o.Password.RequiredLength = 12; o.User.RequireUniqueEmail = true; })
            .AddRoles<IdentityRole>().AddEntityFrameworkStores<AgentWorkspaceDbContext>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IChangeFeed, InProcessChangeFeed>();
        services.AddSingleton(new SettingsDefaults());
        services.AddSingleton(new IngestOptions());
        services.AddSingleton<ISentimentAnalyzer, LexiconSentimentAnalyzer>();
        services.AddSingleton<EmailSanitizer>();
        services.AddSingleton<IOutboundConnector, RecordingOutboundConnector>();
        services.AddSingleton<Microsoft.AspNetCore.DataProtection.IDataProtectionProvider, Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider>();
        services.AddSingleton<ICrmConnectorKind, BuiltInCrmKind>();
        // Every Core class by its own type, as the app registers its services: a service whose constructor
        // gains a dependency from Core (a use-case runner, say) still resolves here.
        foreach (var type in typeof(AgentWorkspaceDbContext).Assembly.GetExportedTypes()
                     .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false, IsNested: false }
                                 && !typeof(Exception).IsAssignableFrom(t)
                                 && (t.Namespace?.StartsWith("AgentWorkspace.Core.Features", StringComparison.Ordinal) == true
                                     || t.Namespace?.StartsWith("AgentWorkspace.Core.UseCases", StringComparison.Ordinal) == true)))
            services.TryAddSingleton(type);
        var provider = services.BuildServiceProvider();
        using (QueryRecorder.Step("driver setup (Identity roles)"))
        await using (var scope = provider.CreateAsyncScope())
        {
            var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
            foreach (var role in Roles.All) await roles.CreateAsync(new IdentityRole(role));
        }
        return new ServiceQueryDriver(test, recording, provider);
    }

    /// <summary>
    /// The services whose queries are checked: Core feature classes named *Service, and any other Core
    /// feature class built on a context factory, a service scope or the use-case runner (card reads, search
    /// and edits, inbox queries, case commands, seeder, reference data, outbound connector).
    /// </summary>
    public static IReadOnlyList<Type> ServiceTypes() =>
        typeof(AgentWorkspaceDbContext).Assembly.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false }
                        && t.Namespace?.StartsWith("AgentWorkspace.Core.Features", StringComparison.Ordinal) == true
                        && (t.Name.EndsWith("Service", StringComparison.Ordinal)
                            || t.GetConstructors().Any(c => c.GetParameters().Any(p =>
                                p.ParameterType == typeof(IDbContextFactory<AgentWorkspaceDbContext>) || p.ParameterType == typeof(IServiceScopeFactory)
                                || p.ParameterType == typeof(UseCaseRunner)))))
            .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();

    /// <summary>
    /// "Type.Method" of the public methods that may touch the database: every public instance method
    /// that returns something (the void ones only drop caches), and public static ones that take a context.
    /// </summary>
    public static IReadOnlyList<string> ServiceMethods() =>
        ServiceTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName && (m.IsStatic
                    ? m.GetParameters().Any(p => typeof(AgentWorkspaceDbContext).IsAssignableFrom(p.ParameterType))
                    : m.ReturnType != typeof(void)))
                .Select(m => $"{t.Name}.{m.Name}"))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    private T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    private async Task<TResult> Call<TService, TResult>(string method, Func<TService, Task<TResult>> call) where TService : notnull
    {
        var name = $"{typeof(TService).Name}.{method}";
        Called.Add(name);
        using var step = QueryRecorder.Step(name);
        return await call(Get<TService>());
    }

    private Task Call<TService>(string method, Func<TService, Task> call) where TService : notnull =>
        Call<TService, bool>(method, async s => { await call(s); return true; });

    private async Task<T> PeekAsync<T>(Func<AgentWorkspaceDbContext, Task<T>> read)
    {
        await using var db = _test.Factory.CreateDbContext();
        return await read(db);
    }

    public async Task RunAsync()
    {
        var admin = new Actor("driver-admin", "Alex Martin", Role.Admin);

        // ---- reference data, users, settings, demo data
        await Call<ReferenceData>(nameof(ReferenceData.EnsureDefaultQueueAsync), s => s.EnsureDefaultQueueAsync());
        await Call<ReferenceData>(nameof(ReferenceData.EnsureDemoReferenceDataAsync), s => s.EnsureDemoReferenceDataAsync());
        await Call<ReferenceData>(nameof(ReferenceData.EnsureDemoScriptsAsync), s => s.EnsureDemoScriptsAsync());
        var queues = await PeekAsync(db => db.Queues.ToDictionaryAsync(q => q.Name, q => q.Id));
        var general = queues[Core.Domain.Queues.Queue.DefaultName];
        var support = queues["Support"];

        var camilleUser = await Call<UserAdminService, UserView>(nameof(UserAdminService.CreateAsync), s => s.CreateAsync(admin,
            new NewUserInput("camille@driver.test", "Camille Laurent", Role.Agent, "Camille-Driver-2026!", [general, support])));
        var hugoUser = await Call<UserAdminService, UserView>(nameof(UserAdminService.CreateAsync), s => s.CreateAsync(admin,
            new NewUserInput("hugo@driver.test", "Hugo Bernard", Role.Agent, "Hugo-Driver-2026!", [general])));
        var sophieUser = await Call<UserAdminService, UserView>(nameof(UserAdminService.CreateAsync), s => s.CreateAsync(admin,
            new NewUserInput("sophie@driver.test", "Sophie Moreau", Role.Supervisor, "Sophie-Driver-2026!", [.. queues.Values])));
        var camille = new Actor(camilleUser.Id, camilleUser.DisplayName, camilleUser.Role);
        var sophie = new Actor(sophieUser.Id, sophieUser.DisplayName, sophieUser.Role);
        await Call<UserAdminService>(nameof(UserAdminService.ListAsync), s => s.ListAsync(admin));
        await Call<UserAdminService>(nameof(UserAdminService.SetQueuesAsync), s => s.SetQueuesAsync(admin, hugoUser.Id, [general, queues["Sales"]]));
        await Call<UserAdminService>(nameof(UserAdminService.SetRoleAsync), s => s.SetRoleAsync(admin, hugoUser.Id, Role.Supervisor));
        await Call<UserAdminService>(nameof(UserAdminService.SetRoleAsync), s => s.SetRoleAsync(admin, hugoUser.Id, Role.Agent));
        await Call<UserAdminService>(nameof(UserAdminService.SetDisabledAsync), s => s.SetDisabledAsync(admin, hugoUser.Id, true));
        await Call<UserAdminService>(nameof(UserAdminService.SetDisabledAsync), s => s.SetDisabledAsync(admin, hugoUser.Id, false));
        // Two administrators: disabling one checks that another remains.
        foreach (var (mail, name) in new[] { ("nina@driver.test", "Nina Petit"), ("omar@driver.test", "Omar Haddad") })
            await Call<UserAdminService>(nameof(UserAdminService.CreateAsync), s => s.CreateAsync(admin, new NewUserInput(mail, name, Role.Admin, "Admin-Driver-2026!", [])));
        var omar = (await Call<UserAdminService, IReadOnlyList<UserView>>(nameof(UserAdminService.ListAsync), s => s.ListAsync(admin))).Single(u => u.Email == "omar@driver.test");
        await Call<UserAdminService>(nameof(UserAdminService.SetDisabledAsync), s => s.SetDisabledAsync(admin, omar.Id, true));
        await Call<UserAdminService>(nameof(UserAdminService.ResetPasswordAsync), s => s.ResetPasswordAsync(admin, hugoUser.Id, "Hugo-Driver-2027!"));

        Called.Add($"{nameof(DemoDataSeeder)}.{nameof(DemoDataSeeder.SeedCards)}");
        using (QueryRecorder.Step(nameof(DemoDataSeeder.SeedCards)))
            Get<DemoDataSeeder>().SeedCards(new DemoSeedOptions(40),
                [new DemoAgent(camille.UserId, camille.DisplayName, [Core.Domain.Queues.Queue.DefaultName, "Support"]), new DemoAgent(hugoUser.Id, hugoUser.DisplayName, [Core.Domain.Queues.Queue.DefaultName, "Sales"])]);

        await Call<SettingsService>(nameof(SettingsService.GetAsync), s => s.GetAsync());
        await Call<SettingsService>(nameof(SettingsService.DefaultRegionAsync), s => s.DefaultRegionAsync());
        await Call<SettingsService>(nameof(SettingsService.UpdateAsync), s => s.UpdateAsync(admin, "FR", agentsMayMerge: true));

        // ---- ingest: SQLite's group commit, then the path SQL Server takes (EF Core, one transaction per interaction)
        var sms = await Call<IngestService, IngestResult>(nameof(IngestService.IngestAsync), s => s.IngestAsync(admin, new InteractionRequest
        {
            Channel = Channel.Sms, ExternalId = "driver-sms-1", From = new InteractionSender { Address = "06 12 34 56 78", DisplayName = "Zoé Martin" },
            Body = "Bonjour, ma commande n'est pas arrivée.",
        }));
        var efIngest = ActivatorUtilities.CreateInstance<IngestService>(_services);
        efIngest.GroupCommitForTests = false;
        async Task<IngestResult> IngestOnEf(InteractionRequest r)
        {
            Called.Add($"{nameof(IngestService)}.{nameof(IngestService.IngestAsync)}");
            using var step = QueryRecorder.Step("IngestService.IngestAsync (without group commit)");
            return await efIngest.IngestAsync(admin, r);
        }
        await IngestOnEf(new InteractionRequest
        {
            Channel = Channel.Sms, ExternalId = "driver-sms-2", From = new InteractionSender { Address = "+33 6 12 34 56 78" },
            Body = "Toujours rien.", InReplyTo = "driver-sms-1", Queue = "Support",
        });
        await IngestOnEf(new InteractionRequest { Channel = Channel.Sms, ExternalId = "driver-sms-2", From = new InteractionSender { Address = "0612345678" }, Body = "Toujours rien." });
        await IngestOnEf(new InteractionRequest
        {
            Channel = Channel.Sms, ExternalId = "driver-sms-3", From = new InteractionSender { Address = "06 98 76 54 32", DisplayName = "MARTIN Paul" }, Body = "Merci !",
        });
        var facebook = await IngestOnEf(new InteractionRequest
        {
            Channel = Channel.Facebook, Kind = MessageKind.Post, ExternalId = "driver-fb-1",
            From = new InteractionSender { Address = "zoe.fb", DisplayName = "Zoé Martin", ProfileUrl = "https://facebook.example/zoe.fb", Followers = 120, Following = 80 },
            Body = "@Marque votre service client ne répond pas",
        });
        var email = await IngestOnEf(new InteractionRequest
        {
            Channel = Channel.Email, ExternalId = "driver-mail-1", From = new InteractionSender { Address = "Zoé Martin <zoe.martin@driver.test>" },
            Subject = "Facture", Html = "<p>Bonjour, voici ma <b>facture</b>.</p>",
            Attachments = [new InteractionAttachment { Name = "facture.pdf", ContentType = "application/pdf", Size = 12_345 }],
        });

        // A long thread, so that opening the case pages its notes and comments from the oldest message shown.
        await PeekAsync(async db =>
        {
            var @case = await db.Cases.FirstAsync(c => c.Id == sms.CaseId);
            var start = DateTimeOffset.UtcNow.AddHours(-5);
            for (var i = 0; i < InboxQueries.ThreadPageSize + 5; i++)
                db.Messages.Add(new Message(@case.Id, @case.CardId, Channel.Sms, $"driver-long-{i}", Direction.Inbound, MessageKind.Sms, "Zoé", null, null, $"Message {i}", null, Sentiment.Neutral, start.AddMinutes(i)));
            return await db.SaveChangesAsync();
        });

        // ---- inbox and approvals
        var anyCursor = new InboxCursor(DateTimeOffset.UtcNow.AddYears(1), long.MaxValue);
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(camille, new InboxFilter()));
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(camille, new InboxFilter(InboxScope.Unassigned, general, Channel.Sms, CaseStatus.New, InboxSort.Oldest)));
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(camille, new InboxFilter(InboxScope.Mine, general, Channel.Sms, CaseStatus.Open), anyCursor));
        // Issue 22 item 12: the search, by words (names, messages, addresses) and by a number as said.
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(camille, new InboxFilter(Text: "zoé 100%_x")));
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(camille, new InboxFilter(InboxScope.Unassigned, general, Text: "06 12 34 56 78"), anyCursor));
        await Call<InboxQueries>(nameof(InboxQueries.ListAsync), s => s.ListAsync(sophie, new InboxFilter(Sort: InboxSort.Oldest), new InboxCursor(DateTimeOffset.MinValue, 0)));
        await Call<InboxQueries>(nameof(InboxQueries.CountsAsync), s => s.CountsAsync(camille));
        await Call<InboxQueries>(nameof(InboxQueries.CountsAsync), s => s.CountsAsync(sophie));
        await Call<InboxCountsBoard>(nameof(InboxCountsBoard.SettledAsync), s => s.SettledAsync());
        await Call<InboxCountsBoard>(nameof(InboxCountsBoard.CountsAsync), s => s.CountsAsync(camille, [general]));
        await Call<InboxCountsBoard>(nameof(InboxCountsBoard.CountsAsync), s => s.CountsAsync(sophie, [general]));
        await Call<InboxCountsBoard>(nameof(InboxCountsBoard.Subscribe), s => { s.Subscribe(() => { }).Dispose(); return Task.FromResult(0); });
        await Call<InboxQueries>(nameof(InboxQueries.QueuesAsync), s => s.QueuesAsync(camille));
        await Call<InboxQueries>(nameof(InboxQueries.AgentsAsync), s => s.AgentsAsync(camille));
        await Call<InboxQueries>(nameof(InboxQueries.QuickRepliesAsync), s => s.QuickRepliesAsync(camille, "fr"));
        await Call<InboxQueries>(nameof(InboxQueries.QuickRepliesAsync), s => s.QuickRepliesAsync(camille, "fr", "livraison"));
        await Call<InboxQueries>(nameof(InboxQueries.ContactAsync), s => s.ContactAsync(camille, sms.CardId));
        var firstReply = (await Call<InboxQueries, IReadOnlyList<Core.Features.Inbox.QuickReplyView>>(nameof(InboxQueries.QuickRepliesAsync), s => s.QuickRepliesAsync(camille, "fr", "paiement")))[0];
        await Call<QuickReplyPlaceholders>(nameof(QuickReplyPlaceholders.FillQuickReplyAsync), s => s.FillQuickReplyAsync(camille, firstReply.Id, sms.CaseId));
        await Call<QuickReplyPlaceholders>(nameof(QuickReplyPlaceholders.FillAsync), s => s.FillAsync(camille, "Bonjour {{customer.firstName}} ({{case.queue}})", sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.TakeAsync), s => s.TakeAsync(camille, sms.CaseId));
        var opened = await Call<InboxQueries, CaseDetail>(nameof(InboxQueries.OpenAsync), s => s.OpenAsync(camille, sms.CaseId));
        await Call<InboxQueries>(nameof(InboxQueries.OpenAsync), s => s.OpenAsync(sophie, email.CaseId));
        await Call<InboxQueries>(nameof(InboxQueries.EarlierAsync), s => s.EarlierAsync(camille, sms.CaseId, opened.EarlierCursor ?? new ThreadCursor(DateTimeOffset.UtcNow, long.MaxValue)));
        await Call<InboxQueries>(nameof(InboxQueries.HistoryAsync), s => s.HistoryAsync(camille, sms.CaseId));
        await Call<InboxQueries>(nameof(InboxQueries.HistoryAsync), s => s.HistoryAsync(camille, sms.CaseId, new HistoryCursor(DateTimeOffset.UtcNow.AddYears(1), long.MaxValue)));
        await Call<InboxQueries>(nameof(InboxQueries.UnreadCaseIdsAsync), s => s.UnreadCaseIdsAsync(camille));
        await Call<InboxQueries>(nameof(InboxQueries.TileAsync), s => s.TileAsync(camille, sms.CaseId));
        // Issue 20: the tile read once per change for every open inbox (and the queues of its member, kept).
        await Call<InboxQueries>(nameof(InboxQueries.TileAfterChangeAsync), s => s.TileAfterChangeAsync(camille, sms.CaseId, System.Diagnostics.Stopwatch.GetTimestamp()));
        await Call<ComposerDrafts>(nameof(ComposerDrafts.SaveAsync), s => s.SaveAsync(camille, sms.CaseId, ComposerMode.Note, "Client relancé"));
        await Call<ComposerDrafts>(nameof(ComposerDrafts.SaveAsync), s => s.SaveAsync(camille, sms.CaseId, ComposerMode.Note, "Client relancé par SMS."));
        await Call<ComposerDrafts>(nameof(ComposerDrafts.FindAsync), s => s.FindAsync(camille, sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.AddNoteAsync), s => s.AddNoteAsync(camille, sms.CaseId, "Client relancé par SMS."));
        await Call<CaseCommands>(nameof(CaseCommands.ReplyAsync), s => s.ReplyAsync(camille, sms.CaseId, "Bonjour, je regarde votre commande."));
        await Call<ComposerDrafts>(nameof(ComposerDrafts.SaveAsync), s => s.SaveAsync(camille, sms.CaseId, ComposerMode.Reply, "Bonjour"));
        await Call<ComposerDrafts>(nameof(ComposerDrafts.SaveAsync), s => s.SaveAsync(camille, sms.CaseId, ComposerMode.Reply, "  "));
        var approve = await Call<CaseCommands, DraftView>(nameof(CaseCommands.SubmitDraftAsync), s => s.SubmitDraftAsync(camille, sms.CaseId, "Un geste commercial vous est accordé."));
        var reject = await Call<CaseCommands, DraftView>(nameof(CaseCommands.SubmitDraftAsync), s => s.SubmitDraftAsync(camille, sms.CaseId, "Remboursement intégral."));
        await Call<ApprovalService>(nameof(ApprovalService.PendingAsync), s => s.PendingAsync(sophie));
        await Call<ApprovalService>(nameof(ApprovalService.PendingAsync), s => s.PendingAsync(sophie, new DraftCursor(DateTimeOffset.MinValue, 0), 1));
        await Call<ApprovalService>(nameof(ApprovalService.ApproveAsync), s => s.ApproveAsync(sophie, approve.Id, "Parfait."));
        await Call<ApprovalService>(nameof(ApprovalService.RejectAsync), s => s.RejectAsync(sophie, reject.Id, "Trop généreux."));
        await Call<CaseCommands, DraftView>(nameof(CaseCommands.ResubmitDraftAsync), s => s.ResubmitDraftAsync(camille, sms.CaseId, reject.Id, "Un avoir de 10 € vous est accordé."));
        await Call<CaseCommands>(nameof(CaseCommands.SetPendingAsync), s => s.SetPendingAsync(camille, sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.ResolveAsync), s => s.ResolveAsync(camille, sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.ReopenAsync), s => s.ReopenAsync(camille, sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.UnassignAsync), s => s.UnassignAsync(camille, sms.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.AssignAsync), s => s.AssignAsync(sophie, sms.CaseId, hugoUser.Id));
        await Call<CaseCommands>(nameof(CaseCommands.TransferAsync), s => s.TransferAsync(sophie, sms.CaseId, support, camille.UserId));
        await Call<CaseCommands>(nameof(CaseCommands.ReplyAsync), s => s.ReplyAsync(sophie, facebook.CaseId, "Nous vous répondons en message privé."));
        await Call<RecordingOutboundConnector>(nameof(RecordingOutboundConnector.SendAsync), s => s.SendAsync(new OutboundRequest(sms.MessageId, sms.CaseId, Channel.Sms, "+33612345678", null, "Test")));

        // ---- cards
        await Call<CardReads>(nameof(CardReads.ResolveAsync), s => s.ResolveAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetCondensedAsync), s => s.GetCondensedAsync(camille, sms.CardId));
        var first = await Call<CardReads, CardFirstView>(nameof(CardReads.GetFirstViewAsync), s => s.GetFirstViewAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetMessagesAsync), s => s.GetMessagesAsync(camille, sms.CardId, null, 10));
        await Call<CardReads>(nameof(CardReads.GetMessagesAsync), s => s.GetMessagesAsync(camille, sms.CardId, first.Messages.Next ?? new MessageCursor(DateTimeOffset.UtcNow, long.MaxValue), 10));
        await Call<CardReads>(nameof(CardReads.GetCasesAsync), s => s.GetCasesAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetConversationSummaryAsync), s => s.GetConversationSummaryAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetCaseThreadsAsync), s => s.GetCaseThreadsAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetNotesAsync), s => s.GetNotesAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetAvatarSourceAsync), s => s.GetAvatarSourceAsync(camille, sms.CardId));
        await Call<CardReads>(nameof(CardReads.GetTimelineAsync), s => s.GetTimelineAsync(camille, sms.CardId, TimelineFilter.All));
        // A cursor of the middle kind: each source then reads with its own form of the keyset (<=, (=, <), <).
        await Call<CardReads>(nameof(CardReads.GetTimelineAsync), s => s.GetTimelineAsync(camille, sms.CardId, TimelineFilter.All, new TimelineCursor(DateTimeOffset.UtcNow, TimelineKind.Note, long.MaxValue)));

        var seededEmail = await PeekAsync(db => db.Identities.Where(i => i.Space == IdentitySpace.Email).Select(i => i.NormalizedAddress).FirstAsync());
        var seededName = await PeekAsync(db => db.Cards.Where(c => c.SearchName != "").Select(c => c.SearchName).FirstAsync());
        await Call<CardSearch>(nameof(CardSearch.RecentAsync), s => s.RecentAsync(camille));
        foreach (var query in new[] { seededEmail, "06 12 34 56 78", "@zoe.fb", "06 12 3", "zoe.mar", "zoe.martin@dri", seededName[..2], "zzz" })
            await Call<CardSearch>(nameof(CardSearch.SearchAsync), s => s.SearchAsync(camille, query));
        foreach (var stage in new[] { 1, 2, 3 })
            await Call<CardSearch>(nameof(CardSearch.SearchAsync), s => s.SearchAsync(camille, seededName[..1], new SearchCursor(stage, seededName[..1], 0), 2));

        var created = await Call<CardEdits, long>(nameof(CardEdits.CreateAsync), s => s.CreateAsync(camille,
            new CardProfile { FirstName = "Léa", LastName = "Fontaine", Company = "Fontaine SARL", PrimaryEmail = "lea@fontaine.test" },
            [new NewIdentity(Channel.Email, "lea@fontaine.test"), new NewIdentity(Channel.WhatsApp, "+33 7 98 76 54 32")]));
        var version = await Call<CardEdits, long>(nameof(CardEdits.UpdateProfileAsync), s => s.UpdateProfileAsync(camille, created, 1,
            new CardProfile { FirstName = "Léa", LastName = "Fontaine", City = "Lyon" }));
        await Call<CardEdits>(nameof(CardEdits.UpdateProfileAsync), async s =>
            await Should.ThrowAsync<ProfileConflictException>(() => s.UpdateProfileAsync(camille, created, version - 1, new CardProfile { FirstName = "Léa", City = "Nantes" })));
        await Call<CardEdits>(nameof(CardEdits.SetCustomFieldAsync), s => s.SetCustomFieldAsync(camille, created, "loyalty-tier", "Gold"));
        await Call<CardEdits>(nameof(CardEdits.SetCustomFieldAsync), s => s.SetCustomFieldAsync(camille, created, "loyalty-tier", null));
        await Call<CardReads>(nameof(CardReads.GetProvenanceAsync), s => s.GetProvenanceAsync(camille, created));
        var note = await Call<CardEdits, NoteView>(nameof(CardEdits.AddNoteAsync), s => s.AddNoteAsync(camille, sms.CardId, "Préfère être contactée le matin.", sms.CaseId));
        await Call<CardEdits>(nameof(CardEdits.EditNoteAsync), s => s.EditNoteAsync(camille, note.Id, "Préfère être contactée l'après-midi."));
        await Call<CardEdits>(nameof(CardEdits.DeleteNoteAsync), s => s.DeleteNoteAsync(camille, note.Id));
        var mailMessage = await PeekAsync(db => db.Messages.Where(m => m.CaseId == email.CaseId).Select(m => m.Id).FirstAsync());
        await Call<CardEdits>(nameof(CardEdits.AddCommentAsync), s => s.AddCommentAsync(camille, email.CaseId, mailMessage, "Facture vérifiée."));
        await Call<CardEdits>(nameof(CardEdits.CancelCaseAsync), s => s.CancelCaseAsync(camille, email.CaseId));
        Called.Add($"{nameof(CardEdits)}.{nameof(CardEdits.RemoveCommentsOfCancelledCaseAsync)}");
        await using (var db = _recording.CreateDbContext())
            await CardEdits.RemoveCommentsOfCancelledCaseAsync(db, email.CaseId);
        await Call<CaseCommands>(nameof(CaseCommands.CancelAsync), s => s.CancelAsync(sophie, facebook.CaseId));

        // ---- duplicates, merge, privacy
        await Call<DuplicateService>(nameof(DuplicateService.SuggestAsync), s => s.SuggestAsync(camille, sms.CardId));
        await Call<DuplicateService>(nameof(DuplicateService.TopPairsAsync), s => s.TopPairsAsync(sophie));
        await Call<DuplicateService>(nameof(DuplicateService.DismissAsync), s => s.DismissAsync(camille, sms.CardId, created));
        // Shared identifiers (issue 21, ADR 020): listed, counted, read, removed.
        await Call<SettingsService>(nameof(SettingsService.SharedAddressesAsync), s => s.SharedAddressesAsync());
        var switchboard = await Call<SharedIdentifierService, SharedIdentifierView>(nameof(SharedIdentifierService.AddAsync),
            s => s.AddAsync(admin, SharedKind.Phone, "01 40 00 00 00", "Standard"));
        await Call<DuplicateService>(nameof(DuplicateService.SharedAmongAsync), s => s.SharedAmongAsync([switchboard.Address]));
        await Call<SharedIdentifierService>(nameof(SharedIdentifierService.ListAsync), s => s.ListAsync(admin));
        await Call<SharedIdentifierService>(nameof(SharedIdentifierService.SetThresholdAsync), s => s.SetThresholdAsync(admin, 6));
        await Call<SharedIdentifierService>(nameof(SharedIdentifierService.DetectAllAsync), s => s.DetectAllAsync(admin));
        await Call<SharedIdentifierService>(nameof(SharedIdentifierService.RemoveAsync), s => s.RemoveAsync(admin, switchboard.Id));
        await Call<SharedIdentifierService>(nameof(SharedIdentifierService.RestoreAsync), async s =>
            await Should.ThrowAsync<AgentWorkspace.Core.Domain.Common.NotFoundException>(() => s.RestoreAsync(admin, switchboard.Id)));
        await Call<MergeService>(nameof(MergeService.RequireMayMergeAsync), s => s.RequireMayMergeAsync(camille));
        // Merge proposals (issue 21): an agent proposes, a supervisor declines one and reads the queue; the approval
        // (which merges) is below, on a second proposal.
        await Call<MergeRequestService>(nameof(MergeRequestService.RightAsync), s => s.RightAsync(camille));
        var proposal = await Call<MergeRequestService, MergeRequestView>(nameof(MergeRequestService.ProposeAsync), s => s.ProposeAsync(camille, sms.CardId, created, "Même prénom"));
        await Call<MergeRequestService>(nameof(MergeRequestService.PendingAsync), s => s.PendingAsync(sophie));
        await Call<MergeRequestService>(nameof(MergeRequestService.ForCardAsync), s => s.ForCardAsync(camille, sms.CardId));
        await Call<MergeRequestService>(nameof(MergeRequestService.GetAsync), s => s.GetAsync(camille, proposal.Id));
        await Call<MergeRequestService>(nameof(MergeRequestService.DeclineAsync), s => s.DeclineAsync(sophie, proposal.Id, "Pas la même personne"));
        // Both cards hold a value of the same field: the merge keeps one and its ledger the other.
        await Call<CardEdits>(nameof(CardEdits.SetCustomFieldAsync), s => s.SetCustomFieldAsync(camille, sms.CardId, "loyalty-tier", "Silver"));
        await Call<CardEdits>(nameof(CardEdits.SetCustomFieldAsync), s => s.SetCustomFieldAsync(camille, email.CardId, "loyalty-tier", "Gold"));
        // Field survivorship (issue 21): the rules read and set, a proposal over two cards (the preview below carries one too).
        await Call<SurvivorshipService>(nameof(SurvivorshipService.GetRulesAsync), s => s.GetRulesAsync(camille));
        await Call<SurvivorshipService>(nameof(SurvivorshipService.SaveRulesAsync), s => s.SaveRulesAsync(admin,
            new Dictionary<string, SurvivorshipRule> { ["city"] = SurvivorshipRule.MostFrequent, [SurvivorshipRules.CustomFieldsKey] = SurvivorshipRule.SourcePriority }));
        await Call<SurvivorshipService>(nameof(SurvivorshipService.ProposeAsync), s => s.ProposeAsync(sophie, [sms.CardId, email.CardId]));
        await Call<MergeService>(nameof(MergeService.PreviewAsync), s => s.PreviewAsync(sophie, sms.CardId, email.CardId));
        var merge = await Call<MergeService, MergeResult>(nameof(MergeService.MergeAsync), s => s.MergeAsync(sophie, sms.CardId, email.CardId,
            new Dictionary<string, MergeChoice> { ["firstName"] = MergeChoice.Merged, ["cf:loyalty-tier"] = MergeChoice.Merged }));
        // The merge in the survivor's timeline, with what each reader may do about it.
        await Call<CardReads>(nameof(CardReads.GetTimelineAsync), s => s.GetTimelineAsync(camille, sms.CardId, TimelineFilter.Customer));
        await Call<MergeService>(nameof(MergeService.GetUndoOffersAsync), s => s.GetUndoOffersAsync(sophie, [merge.MergeId]));
        await Call<MergeService>(nameof(MergeService.GetUndoOffersAsync), s => s.GetUndoOffersAsync(camille, [merge.MergeId]));
        await Call<MergeService>(nameof(MergeService.UndoAsync), s => s.UndoAsync(sophie, merge.MergeId));
        var again = await Call<MergeRequestService, MergeRequestView>(nameof(MergeRequestService.ProposeAsync), s => s.ProposeAsync(camille, sms.CardId, email.CardId, null));
        var approved = await Call<MergeRequestService, MergeResult>(nameof(MergeRequestService.ApproveAsync), s => s.ApproveAsync(sophie, again.Id));
        await Call<MergeService>(nameof(MergeService.UndoAsync), s => s.UndoAsync(sophie, approved.MergeId));
        await Call<PrivacyService>(nameof(PrivacyService.ExportJsonAsync), s => s.ExportJsonAsync(sophie, sms.CardId));
        await Call<PrivacyService>(nameof(PrivacyService.ExportMessagesCsvAsync), s => s.ExportMessagesCsvAsync(sophie, sms.CardId));
        await Call<PrivacyService>(nameof(PrivacyService.LockAsync), s => s.LockAsync(sophie, created));
        await Call<PrivacyService>(nameof(PrivacyService.UnlockAsync), s => s.UnlockAsync(sophie, created));
        await Call<PrivacyService>(nameof(PrivacyService.AnonymizeAsync), s => s.AnonymizeAsync(sophie, facebook.CardId, force: true));

        // ---- administration
        await Call<CustomFieldService>(nameof(CustomFieldService.ListAsync), s => s.ListAsync(camille));
        await Call<CustomFieldService>(nameof(CustomFieldService.ListAsync), s => s.ListAsync(camille, includeArchived: false));
        await Call<CustomFieldService>(nameof(CustomFieldService.GetAsync), s => s.GetAsync(camille, "loyalty-tier"));
        await Call<CustomFieldService>(nameof(CustomFieldService.CountOptionUseAsync), s => s.CountOptionUseAsync(admin, "loyalty-tier", "Gold"));
        await Call<CustomFieldService>(nameof(CustomFieldService.CreateAsync), s => s.CreateAsync(admin,
            new CustomFieldInput("plan", "Plan", "Formule", "Plan", "dropdown", ["A", "B", "C", "D"], true, true, true)));
        foreach (var (card, value) in new[] { (sms.CardId, "A"), (email.CardId, "B"), (created, "D") })
            await Call<CardEdits>(nameof(CardEdits.SetCustomFieldAsync), s => s.SetCustomFieldAsync(camille, card, "plan", value));
        // A rename (values follow), a removed option whose values move, one whose values are cleared.
        await Call<CustomFieldService>(nameof(CustomFieldService.UpdateAsync), s => s.UpdateAsync(admin, "plan",
            new CustomFieldInput("plan", "Plan", "Formule", "Plan", "dropdown", ["A2", "C"], true, true, true),
            new OptionChanges(new Dictionary<string, string> { ["A"] = "A2" }, new Dictionary<string, string?> { ["B"] = "C", ["D"] = null })));
        var idents = (await Call<CustomFieldService, IReadOnlyList<CustomFieldView>>(nameof(CustomFieldService.ListAsync), s => s.ListAsync(admin, includeArchived: false)))
            .Select(f => f.Ident).Reverse().ToList();
        await Call<CustomFieldService>(nameof(CustomFieldService.ReorderAsync), s => s.ReorderAsync(admin, idents));
        await Call<CustomFieldService>(nameof(CustomFieldService.MoveAsync), s => s.MoveAsync(admin, "plan", -1));
        await Call<CustomFieldService>(nameof(CustomFieldService.ArchiveAsync), s => s.ArchiveAsync(admin, "plan"));
        await Call<CustomFieldService>(nameof(CustomFieldService.RestoreAsync), s => s.RestoreAsync(admin, "plan"));
        await Call<CustomFieldService>(nameof(CustomFieldService.CreateAsync), s => s.CreateAsync(admin, new CustomFieldInput("spare", "Spare", null, null, "text", [], false, true, false)));
        await Call<CustomFieldService>(nameof(CustomFieldService.DeleteAsync), s => s.DeleteAsync(admin, "spare"));

        await Call<QueueService>(nameof(QueueService.ListAsync), s => s.ListAsync(camille));
        var queue = await Call<QueueService, QueueView>(nameof(QueueService.CreateAsync), s => s.CreateAsync(admin, new QueueInput("Returns", ["returns"], 30, 600)));
        await Call<QueueService>(nameof(QueueService.UpdateAsync), s => s.UpdateAsync(admin, queue.Id, new QueueInput("Returns & refunds", ["returns", "refunds"], 20, 480)));

        await Call<ApiKeyService>(nameof(ApiKeyService.ListAsync), s => s.ListAsync(admin));
        var key = await Call<ApiKeyService, CreatedApiKey>(nameof(ApiKeyService.CreateAsync), s => s.CreateAsync(admin, "CRM connector", Role.Agent));
        await Call<ApiKeyService>(nameof(ApiKeyService.RevokeAsync), s => s.RevokeAsync(admin, key.Key.Id));

        await Call<QuickReplyService>(nameof(QuickReplyService.ListAsync), s => s.ListAsync(camille));
        await Call<QuickReplyService>(nameof(QuickReplyService.ListAsync), s => s.ListAsync(camille, "FR"));
        var reply = await Call<QuickReplyService, Core.Features.QuickReplies.QuickReplyView>(nameof(QuickReplyService.CreateAsync),
            s => s.CreateAsync(admin, new QuickReplyInput("Retour", "Voici l'étiquette de retour.", "fr", ["retour"], "Retours", "Étiquette", "https://example.com/retour")));
        await Call<QuickReplyService>(nameof(QuickReplyService.UpdateAsync), s => s.UpdateAsync(admin, reply.Id, new QuickReplyInput("Retour colis", "Voici l'étiquette.", "fr", ["retour", "colis"])));
        await Call<QuickReplyService>(nameof(QuickReplyService.DeleteAsync), s => s.DeleteAsync(admin, reply.Id));

        await Call<AuditService>(nameof(AuditService.ListAsync), s => s.ListAsync(admin, new AuditFilter()));
        await Call<AuditService>(nameof(AuditService.ListAsync), s => s.ListAsync(admin,
            new AuditFilter("Alex", "Card", DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), sms.CardId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new AuditCursor(DateTimeOffset.UtcNow.AddDays(1), long.MaxValue)));
        await Call<AuditService>(nameof(AuditService.EntityTypesAsync), s => s.EntityTypesAsync(admin));

        await Call<DashboardService>(nameof(DashboardService.GetSummaryAsync), s => s.GetSummaryAsync(camille));
        await Call<DashboardService>(nameof(DashboardService.GetSummaryAsync), s => s.GetSummaryAsync(sophie));

        await RunCrmAsync(admin, camille, sophie, IngestOnEf);
        await RunAutoMergeAsync(admin);
    }

    /// <summary>The auto-merge of issue 21 (ADR 023): levels, a preview worked in the background, its pairs, a run and its undo.</summary>
    private async Task RunAutoMergeAsync(Actor admin)
    {
        var phone = await Call<MatchingRuleService, MatchingRuleView>(nameof(MatchingRuleService.CreateAsync),
            s => s.CreateAsync(admin, new MatchingRuleInput("Driver phone", true, MatchAttributes.Phone, null, 0.5)));
        var company = await Call<MatchingRuleService, MatchingRuleView>(nameof(MatchingRuleService.CreateAsync),
            s => s.CreateAsync(admin, new MatchingRuleInput("Driver name and company", true, MatchAttributes.NameCompany, null, 0.6)));
        await Call<MatchingRuleService>(nameof(MatchingRuleService.UpdateAsync),
            s => s.UpdateAsync(admin, company.Id, new MatchingRuleInput("Driver name and company", true, MatchAttributes.NameCompany, null, 0.6, true, null)));
        await Call<MatchingRuleService>(nameof(MatchingRuleService.MoveAsync), s => s.MoveAsync(admin, company.Id, 1));
        await Call<MatchingRuleService>(nameof(MatchingRuleService.ListAsync), s => s.ListAsync(admin));
        var preview = await Call<AutoMergeService, MatchPreviewView>(nameof(AutoMergeService.StartPreviewAsync), s => s.StartPreviewAsync(admin));
        await Call<AutoMergeService>(nameof(AutoMergeService.WorkAsync), async s => { while (await s.WorkAsync()) { } });
        await Call<AutoMergeService>(nameof(AutoMergeService.GetPreviewAsync), s => s.GetPreviewAsync(admin, preview.Id));
        await Call<AutoMergeService>(nameof(AutoMergeService.LatestAsync), s => s.LatestAsync(admin));
        var page = await Call<AutoMergeService, MatchPairPage>(nameof(AutoMergeService.GetPairsAsync), s => s.GetPairsAsync(admin, preview.Id, null, 50));
        await Call<AutoMergeService>(nameof(AutoMergeService.CardNamesAsync), s => s.CardNamesAsync(admin, page.Pairs.SelectMany(x => new[] { x.SurvivorId, x.MergedId }).Append(1).ToList()));
        await Call<AutoMergeService>(nameof(AutoMergeService.ExportCsvAsync), s => s.ExportCsvAsync(admin, preview.Id, new StringWriter()));
        if (page.Pairs.Count > 0)
            await Call<AutoMergeService>(nameof(AutoMergeService.SetPairExcludedAsync), s => s.SetPairExcludedAsync(admin, preview.Id, page.Pairs[0].Id, true));
        else
            await Call<AutoMergeService>(nameof(AutoMergeService.SetPairExcludedAsync), async s =>
                await Should.ThrowAsync<AgentWorkspace.Core.Domain.Common.NotFoundException>(() => s.SetPairExcludedAsync(admin, preview.Id, 1, true)));
        var run = await Call<AutoMergeService, MatchRunView>(nameof(AutoMergeService.StartRunAsync), s => s.StartRunAsync(admin, preview.Id));
        await Call<AutoMergeService>(nameof(AutoMergeService.WaitForWorkAsync), s => s.WaitForWorkAsync(TimeSpan.FromMilliseconds(10), CancellationToken.None));
        await Call<AutoMergeService>(nameof(AutoMergeService.Wake), s => { s.Wake(); return Task.CompletedTask; });
        await Call<AutoMergeService>(nameof(AutoMergeService.WorkAsync), async s => { while (await s.WorkAsync()) { } });
        await Call<AutoMergeService>(nameof(AutoMergeService.GetRunAsync), s => s.GetRunAsync(admin, run.Id));
        await Call<AutoMergeService>(nameof(AutoMergeService.UndoRunAsync), s => s.UndoRunAsync(admin, run.Id));
        await Call<AutoMergeService>(nameof(AutoMergeService.WorkAsync), async s => { while (await s.WorkAsync()) { } });
        await Call<MatchingRuleService>(nameof(MatchingRuleService.DeleteAsync), s => s.DeleteAsync(admin, phone.Id));
    }

    /// <summary>The CRM of issue 18: connection, dispositions, the card's sections, links, create, after-call work, the outbox, the built-in CRM.</summary>
    private async Task RunCrmAsync(Actor admin, Actor camille, Actor sophie, Func<InteractionRequest, Task<IngestResult>> ingest)
    {
        await Call<CrmSettingsService>(nameof(CrmSettingsService.GetAsync), s => s.GetAsync(admin));
        await Call<CrmSettingsService>(nameof(CrmSettingsService.AgentOptionsAsync), s => s.AgentOptionsAsync(camille));
        await Call<CrmSettingsService>(nameof(CrmSettingsService.SaveAsync), s => s.SaveAsync(admin, new CrmSettingsInput("builtin",
            new Dictionary<string, string?> { ["note"] = "driver" }, new Dictionary<string, string?> { ["token"] = "driver-secret" },
            CrmSettingsService.DefaultCreatableTypes, CrmPushedFields.All, 5)));
        await Call<CrmSettingsService>(nameof(CrmSettingsService.TestConnectionAsync), s => s.TestConnectionAsync(admin));

        await Call<DispositionService>(nameof(DispositionService.ListAsync), s => s.ListAsync(camille));
        await Call<DispositionService>(nameof(DispositionService.ListAsync), s => s.ListAsync(admin, includeInactive: true));
        var disposition = await Call<DispositionService, DispositionView>(nameof(DispositionService.CreateAsync), s => s.CreateAsync(admin, "Driver sale"));
        await Call<DispositionService>(nameof(DispositionService.RenameAsync), s => s.RenameAsync(admin, disposition.Id, "Driver sale done"));
        await Call<DispositionService>(nameof(DispositionService.SetActiveAsync), s => s.SetActiveAsync(admin, disposition.Id, false));
        await Call<DispositionService>(nameof(DispositionService.SetActiveAsync), s => s.SetActiveAsync(admin, disposition.Id, true));

        // A call from a number the built-in CRM knows.
        var known = await PeekAsync(db => db.CrmContacts.Where(c => c.Phone != null).OrderBy(c => c.Id).Select(c => new { c.Id, c.Phone }).FirstAsync());
        var call = await ingest(new InteractionRequest
        {
            Channel = Channel.Voice, Kind = MessageKind.Call, ExternalId = "driver-call-1", From = new InteractionSender { Address = known.Phone!, DisplayName = "Appelant Driver" },
            Body = "Appel entrant",
        });
        await Call<CaseCommands>(nameof(CaseCommands.TakeAsync), s => s.TakeAsync(camille, call.CaseId));
        await Call<CrmService>(nameof(CrmService.GetForCaseAsync), s => s.GetForCaseAsync(camille, call.CaseId));
        await Call<CrmService>(nameof(CrmService.GetForCardAsync), s => s.GetForCardAsync(camille, call.CardId));
        var contact = new CrmRecordRef(CrmRecordType.Contact, known.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Call<CrmService>(nameof(CrmService.LinkAsync), s => s.LinkAsync(camille, call.CaseId, contact));
        await Call<CrmService>(nameof(CrmService.GetAssociatedAsync), s => s.GetAssociatedAsync(camille, contact, call.CaseId));
        await Call<CrmService>(nameof(CrmService.GetAssociatedAsync), s => s.GetAssociatedAsync(camille, contact));
        await Call<CrmService>(nameof(CrmService.GetPrefillAsync), s => s.GetPrefillAsync(camille, call.CardId, call.CaseId));
        var crmCase = await Call<CrmService, CreatedCrmRecord>(nameof(CrmService.CreateRecordAsync), s => s.CreateRecordAsync(camille, call.CardId,
            new CrmNewRecord(CrmRecordType.Case, new Dictionary<string, string?> { [CrmFields.Subject] = "Rappel", [CrmFields.Description] = "Driver" }), call.CaseId));
        await Call<CrmService>(nameof(CrmService.CreateRecordAsync), s => s.CreateRecordAsync(camille, call.CardId,
            new CrmNewRecord(CrmRecordType.Contact, new Dictionary<string, string?> { [CrmFields.LastName] = "Driver", [CrmFields.Email] = "driver@crm.test", [CrmFields.Company] = "Driver SA" })));
        await Call<CrmService>(nameof(CrmService.UnlinkAsync), s => s.UnlinkAsync(camille, call.CaseId, crmCase.LinkId!.Value));
        await Call<CrmService>(nameof(CrmService.GetLinksAsync), s => s.GetLinksAsync(camille, call.CaseId, includeUnlinked: true));
        await Call<CaseCommands>(nameof(CaseCommands.EndCallAsync), s => s.EndCallAsync(camille, call.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.WrapUpAsync), s => s.WrapUpAsync(camille, call.CaseId, "Driver sale done", "Notes du driver"));
        await Call<InboxQueries>(nameof(InboxQueries.AfterCallWorkAsync), s => s.AfterCallWorkAsync(camille, call.CaseId));

        // A digital case of the same contact, transferred by name: pushed too.
        var sms = await ingest(new InteractionRequest { Channel = Channel.Sms, ExternalId = "driver-crm-sms", From = new InteractionSender { Address = known.Phone! }, Body = "Suite" });
        await Call<CaseCommands>(nameof(CaseCommands.TakeAsync), s => s.TakeAsync(camille, sms.CaseId));
        await Call<CrmService>(nameof(CrmService.LinkAsync), s => s.LinkAsync(camille, sms.CaseId, contact));
        await Call<CaseCommands>(nameof(CaseCommands.TransferToAsync), s => s.TransferToAsync(camille, sms.CaseId, "Support", "sophie@driver.test"));
        // Merged conversations (ADR 021): the SMS goes into the call, a reply goes back by SMS, the merge is undone.
        await Call<CaseMerges>(nameof(CaseMerges.CandidatesAsync), s => s.CandidatesAsync(sophie, call.CaseId));
        await Call<CaseMerges>(nameof(CaseMerges.MergeAsync), s => s.MergeAsync(sophie, call.CaseId, sms.CaseId));
        await Call<InboxQueries>(nameof(InboxQueries.OpenAsync), s => s.OpenAsync(sophie, call.CaseId));
        await Call<CaseCommands>(nameof(CaseCommands.ReplyAsync), s => s.ReplyAsync(sophie, call.CaseId, "Réponse par SMS.", Channel.Sms));
        await Call<CaseMerges>(nameof(CaseMerges.UnmergeAsync), s => s.UnmergeAsync(sophie, call.CaseId, sms.CaseId));

        await Call<CrmPushService>(nameof(CrmPushService.ProcessDueAsync), s => s.ProcessDueAsync());
        await PeekAsync(async db =>
        {
            var push = await db.CrmPushes.OrderBy(p => p.Id).FirstAsync();
            push.Failed("driver: refused");
            return await db.SaveChangesAsync();
        });
        var failed = await Call<CrmPushService, CrmPushFailurePage>(nameof(CrmPushService.ListFailedAsync), s => s.ListFailedAsync(admin));
        await Call<CrmPushService>(nameof(CrmPushService.ListFailedAsync), s => s.ListFailedAsync(admin, new CrmPushCursor(long.MaxValue), 1));
        await Call<CrmPushService>(nameof(CrmPushService.RetryAsync), s => s.RetryAsync(admin, failed.Items[0].PushId));
        await Call<CrmPushService>(nameof(CrmPushService.ProcessDueAsync), s => s.ProcessDueAsync());

        await Call<BuiltInCrmService>(nameof(BuiltInCrmService.GetRecordAsync), s => s.GetRecordAsync(camille, CrmRecordType.Contact, contact.Id));
        await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.FindAsync), s => s.FindAsync(
            new CrmLookup([known.Phone!], ["driver@crm.test"], "Zoé", "Martin", "Driver SA"), CancellationToken.None));
        await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.GetAsync), s => s.GetAsync(contact, CancellationToken.None));
        foreach (var type in Enum.GetValues<CrmRecordType>())
            await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.GetAssociatedAsync), s => s.GetAssociatedAsync(new CrmRecordRef(type, "1"), CancellationToken.None));
        await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.CreateAsync), s => s.CreateAsync(
            new CrmNewRecord(CrmRecordType.Lead, new Dictionary<string, string?> { [CrmFields.LastName] = "Prospect", [CrmFields.Phone] = "+33611223344" }), CancellationToken.None));
        await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.PushAsync), s => s.PushAsync(contact,
            new CrmActivity("driver-key", false, "Driver", "sms", null, null, null, DateTimeOffset.UtcNow, null, null, null, null), CancellationToken.None));
        await Call<BuiltInCrmConnector, Uri?>(nameof(BuiltInCrmConnector.RecordUrl), s => Task.FromResult(s.RecordUrl(contact)));
        await Call<BuiltInCrmConnector>(nameof(BuiltInCrmConnector.TestConnectionAsync), s => s.TestConnectionAsync(CancellationToken.None));
        // ---- agent scripts (issue 19): a script with a sub-script, opened on a case, a step done, a macro run
        var refund = await Call<ScriptService, ScriptSaved>(nameof(ScriptService.CreateAsync), s => s.CreateAsync(admin,
            new ScriptInput("Refund policy", null, "en", [], [], [new ScriptStepInput(ScriptStepKind.Text, "Explain", "Fourteen days, {{customer.firstName}}")])));
        var billing = await Call<ScriptService, ScriptSaved>(nameof(ScriptService.CreateAsync), s => s.CreateAsync(admin,
            new ScriptInput("Billing dispute", null, "en", [Core.Domain.Queues.Queue.DefaultName], ["sms"], [
                new ScriptStepInput(ScriptStepKind.Text, "Greet", "Hello {{customer.firstName}} ({{case.queue}}, {{context.variables.orderNumber}})"),
                new ScriptStepInput(ScriptStepKind.Macro, "Escalate", null, [
                    new MacroAction { Type = MacroActionType.SetPriority, Priority = "high" },
                    new MacroAction { Type = MacroActionType.AddNote, Text = "Dispute for {{customer.lastName}}" }]),
                new ScriptStepInput(ScriptStepKind.SubScript, "Refund policy", null, null, refund.Id)])));
        await Call<ScriptService>(nameof(ScriptService.UpdateAsync), s => s.UpdateAsync(admin, refund.Id,
            new ScriptInput("Refund policy", "v2", "en", [], [], [new ScriptStepInput(ScriptStepKind.Text, "Explain", "Thirty days")])));
        await Call<ScriptService>(nameof(ScriptService.ListAsync), s => s.ListAsync(admin));
        await Call<ScriptService>(nameof(ScriptService.GetAsync), s => s.GetAsync(admin, billing.Id));
        await Call<ScriptService>(nameof(ScriptService.EditorOptionsAsync), s => s.EditorOptionsAsync(admin));
        await Call<ScriptService>(nameof(ScriptService.CheckAsync), s => s.CheckAsync(admin, new ScriptInput("x", null, "en", [], [], [new ScriptStepInput(ScriptStepKind.SubScript, "Loop", null, null, billing.Id)]), refund.Id));
        var scripted = await ingest(new InteractionRequest { Channel = Channel.Sms, ExternalId = "driver-script-sms", From = new InteractionSender { Address = "+33698765432" }, Body = "Facture" });
        await Call<CaseCommands>(nameof(CaseCommands.TakeAsync), s => s.TakeAsync(camille, scripted.CaseId));
        var caseScript = await Call<CaseScriptService, CaseScriptView?>(nameof(CaseScriptService.GetForCaseAsync), s => s.GetForCaseAsync(camille, scripted.CaseId));
        await Call<CaseScriptService>(nameof(CaseScriptService.MarkDoneAsync), s => s.MarkDoneAsync(camille, scripted.CaseId, caseScript!.Steps[0].Id));
        await Call<CaseScriptService>(nameof(CaseScriptService.RunMacroAsync), s => s.RunMacroAsync(camille, scripted.CaseId, caseScript!.Steps[1].Id));
        await Call<CaseScriptService>(nameof(CaseScriptService.GetForCaseAsync), s => s.GetForCaseAsync(camille, scripted.CaseId, refund.Id));
        await Call<CaseCommands>(nameof(CaseCommands.SetPriorityAsync), s => s.SetPriorityAsync(camille, scripted.CaseId, CasePriority.Urgent));
        await Call<ScriptService>(nameof(ScriptService.ArchiveAsync), s => s.ArchiveAsync(admin, billing.Id));
        await Call<ScriptService>(nameof(ScriptService.RestoreAsync), s => s.RestoreAsync(admin, billing.Id));

        // Erasing the contact of the call and the SMS reaches its links, pushes and built-in CRM records (docs/decisions/010).
        await Call<PrivacyService>(nameof(PrivacyService.AnonymizeAsync), s => s.AnonymizeAsync(sophie, call.CardId, force: true));
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await _test.DisposeAsync();
    }
}
