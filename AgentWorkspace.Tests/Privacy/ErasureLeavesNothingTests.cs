using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Identity;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Features.Cards;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Features.Crm;
using AgentWorkspace.Core.Features.Crm.BuiltIn;
using AgentWorkspace.Core.Features.CustomFields;
using AgentWorkspace.Core.Features.Demo;
using AgentWorkspace.Core.Features.Inbox;
using AgentWorkspace.Core.Features.Ingest;
using AgentWorkspace.Core.Features.Merge;
using AgentWorkspace.Core.Features.Privacy;
using AgentWorkspace.Core.Features.QuickReplies;
using AgentWorkspace.Core.Features.Scripts;
using AgentWorkspace.Core.Features.Settings;
using AgentWorkspace.Core.Domain.Scripts;
using AgentWorkspace.Core.Persistence;
using AgentWorkspace.Core.Persistence.Sqlite;
using AgentWorkspace.Core.Realtime;
using AgentWorkspace.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.Logging;

namespace AgentWorkspace.Tests.Privacy;

/// <summary>
/// Issue 17, "erasure that leaves nothing" (docs/decisions/010). A contact reaches the database through the
/// product's own use cases (two channels, a card created by hand, profile edits, custom fields, notes, a comment, a
/// reply, drafts with reviews, merges of the three cards), a marker is then planted directly in every text column of
/// every table that can hold customer data and that the use cases left without it (found from the EF model, so a
/// column added later is planted by itself), the survivor is anonymized, and the database files are searched byte by
/// byte, in UTF-8 and UTF-16 (both byte orders), for any form of the marker.
/// </summary>
public class ErasureLeavesNothingTests(ITestOutputHelper output)
{
    /// <summary>The marker, plain ASCII (what survives lower-casing, folding, e-mail normalisation).</summary>
    private const string Marker = "Zq7ErasureMarker";
    /// <summary>The same idea with accents, a letter outside the BMP (a surrogate pair in UTF-16) and ß.</summary>
    private const string Unfriendly = "Zq7Ér\U0001D51EsureßMärker";

    private static readonly Actor Script = new("apikey:erasure", "Connector", Role.Agent);
    private static readonly Actor Camille = new("u-camille", "Camille Laurent", Role.Agent);
    private static readonly Actor Sophie = new("u-sophie", "Sophie Moreau", Role.Supervisor);

    /// <summary>
    /// Tables that cannot hold anything about a contact, and why. A table of the model that is neither here nor in
    /// <see cref="Covered"/> fails the test: whoever adds one decides which it is.
    /// </summary>
    private static readonly Dictionary<string, string> ExcludedTables = new(StringComparer.Ordinal)
    {
        ["AspNetUsers"] = "staff accounts (ASP.NET Core Identity), never a contact",
        ["AspNetRoles"] = "staff roles",
        ["AspNetUserRoles"] = "staff roles",
        ["AspNetUserClaims"] = "staff claims",
        ["AspNetRoleClaims"] = "staff role claims",
        ["AspNetUserLogins"] = "staff external logins",
        ["AspNetUserTokens"] = "staff tokens",
        ["Settings"] = "administrator settings (default region, merge rights)",
        ["Queues"] = "routing queues: names, skills, targets",
        ["QueueMembers"] = "which agent works which queue",
        ["ApiKeys"] = "connector keys: name, hash, prefix, who created it",
        ["QuickReplies"] = "the knowledge base, written by staff for every case",
        ["CustomFieldDefinitions"] = "field definitions written by administrators; a contact's values are in CustomFieldValues",
        ["UseCaseCommits"] = "commit markers: a random key and a use-case name (docs/decisions/008)",
        ["DuplicateDismissals"] = "two card ids and the staff member who said 'not a duplicate'; no text about the contact",
        ["CrmConnection"] = "the CRM connection's settings (kind, addresses, protected secrets, which fields are pushed, the last test's outcome): no customer data",
        ["Dispositions"] = "the administrators' list of wrap-up codes; a case or an activity keeps the label it was given",
        ["DataProtectionKeys"] = "ASP.NET Core Data Protection's key ring (protects cookies and the CRM secrets)",
        ["AgentScripts"] = "agent scripts written by administrators (ADR 018): names, descriptions, languages",
        ["AgentScriptVersions"] = "published versions of the administrators' scripts",
        ["AgentScriptSteps"] = "the steps of the administrators' scripts: titles, instructions with placeholders (never filled values)",
        ["AgentScriptAssignments"] = "which script opens for which queue and channel",
        ["CaseScriptRuns"] = "which script version a case runs: ids and a time, no text",
        ["SharedIdentifiers"] = "numbers and addresses many contacts use (a switchboard, noreply@; ADR 020): nobody's own, they stay when one of those contacts is erased",
        ["MatchingRules"] = "the administrators' auto-merge levels (ADR 023): names, attributes, scores, excluded queues and one excluding value an administrator typed",
        ["MatchPreviews"] = "an auto-merge preview's state, counts, who made it and when; the pairs with their values are in MatchPreviewPairs",
        ["MatchRuns"] = "an auto-merge run's state, counts, who ran and undid it and when",
    };

    /// <summary>
    /// Tables that can hold customer data, with the SQL condition that selects the contact's rows in them
    /// ({cards}: the survivor and the cards merged into it; {cases}, {messages}: theirs; {cardKeys}, {caseKeys},
    /// {noteKeys}, {draftKeys}: the same ids as audit keys; {linkKeys}, {pushKeys}: their cases' CRM links and pushes
    /// as audit keys; {crmContacts}, {crmLeads}, {crmCases}, {crmAccounts}, {crmHouseholds}: the built-in CRM's
    /// records of the person, or holding their address; {crmRecordKeys}: those records as the audit names them).
    /// </summary>
    private static readonly Dictionary<string, string> Covered = new(StringComparer.Ordinal)
    {
        ["Cards"] = "Id IN ({cards})",
        ["ChannelIdentities"] = "CardId IN ({cards})",
        ["Notes"] = "CardId IN ({cards})",
        ["Cases"] = "CardId IN ({cards})",
        ["Messages"] = "CardId IN ({cards}) OR CaseId IN ({cases})",
        ["MessageAttachments"] = "MessageId IN ({messages})",
        ["OutboundDeliveries"] = "MessageId IN ({messages})",
        ["CaseComments"] = "CaseId IN ({cases})",
        ["CaseEvents"] = "CaseId IN ({cases}) OR CardId IN ({cards})",
        ["ReplyDrafts"] = "CaseId IN ({cases})",
        ["ComposerDrafts"] = "CaseId IN ({cases})",
        ["CustomFieldValues"] = "CardId IN ({cards})",
        // Where each value came from (issue 21): the values, and the channel addresses they came through.
        ["ValueProvenance"] = "CardId IN ({cards})",
        ["MergeRequests"] = "SurvivorId IN ({cards}) OR MergedId IN ({cards})",
        // The count of the contact's name key (issue 21): its row goes when the last card with that name is erased.
        ["NameFrequencies"] = "NameKey IN (SELECT NameKey FROM Cards WHERE Id IN ({cards}) AND NameKey <> '')",
        ["AuditEntries"] = "(EntityType = 'Card' AND EntityId IN ({cardKeys})) OR (EntityType = 'Case' AND EntityId IN ({caseKeys})) " +
                           "OR (EntityType = 'Note' AND EntityId IN ({noteKeys})) OR (EntityType = 'Draft' AND EntityId IN ({draftKeys})) " +
                           "OR (EntityType = 'CrmLink' AND EntityId IN ({linkKeys})) OR (EntityType = 'CrmPush' AND EntityId IN ({pushKeys})) " +
                           "OR (EntityType = 'CrmRecord' AND EntityId IN ({crmRecordKeys}))",
        ["Merges"] = "SurvivorId IN ({cards}) OR MergedId IN ({cards})",
        // Auto-merge preview pairs (ADR 023): the matched numbers, addresses and names go; the ids and the run's outcome stay.
        ["MatchPreviewPairs"] = "SurvivorId IN ({cards}) OR MergedId IN ({cards}) OR LinkedToId IN ({cards})",
        // Merged conversations (ADR 021): the ledger of a case merge, by its cases.
        ["CaseMerges"] = "SurvivorCaseId IN ({cases}) OR MergedCaseId IN ({cases})",
        // Our own CRM records: the cases' links (a title snapshot) and pushes (the interaction, the CRM's message).
        ["CrmLinks"] = "CaseId IN ({cases})",
        ["CrmPushes"] = "CaseId IN ({cases})",
        // The built-in CRM (our database): activities the cases pushed, or on the person's records; the person's records.
        ["CrmActivities"] = "IdempotencyKey IN (SELECT IdempotencyKey FROM CrmPushes WHERE CaseId IN ({cases})) " +
                            $"OR (RecordType = {(int)CrmRecordType.Contact} AND RecordId IN ({{crmContacts}})) " +
                            $"OR (RecordType = {(int)CrmRecordType.Lead} AND RecordId IN ({{crmLeads}})) " +
                            $"OR (RecordType = {(int)CrmRecordType.Case} AND RecordId IN ({{crmCases}}))",
        ["CrmContacts"] = "Id IN ({crmContacts})",
        ["CrmLeads"] = "Id IN ({crmLeads})",
        ["CrmCases"] = "Id IN ({crmCases})",
        ["CrmAccountContacts"] = "ContactId IN ({crmContacts})",
        ["CrmAccounts"] = "Id IN ({crmAccounts})",
        ["CrmHouseholds"] = "Id IN ({crmHouseholds})",
        // A case's script progress (issue 19): a macro's results may quote what the placeholders brought in.
        ["CaseScriptStepStates"] = "CaseId IN ({cases})",
    };

    /// <summary>
    /// Columns of covered tables that only ever hold the staff's or the app's own values (user ids, staff names, kinds,
    /// actions, field names, queue names, labels of the administrators' lists, the app's random keys, ids a CRM gave
    /// its records): erasure keeps them (docs/decisions/010), so no marker is planted there.
    /// </summary>
    private static readonly Dictionary<string, string[]> StaffColumns = new(StringComparer.Ordinal)
    {
        ["AuditEntries"] = ["ActorId", "ActorName", "EntityType", "EntityId", "Action", "Field"],
        ["CaseComments"] = ["AuthorId", "AuthorName"],
        ["CaseEvents"] = ["ActorId", "ActorName"],
        ["Messages"] = ["AuthorUserId"],
        ["Notes"] = ["AuthorId", "AuthorName"],
        ["ReplyDrafts"] = ["AuthorId", "AuthorName", "ReviewerId", "ReviewerName"],
        ["ComposerDrafts"] = ["UserId"],
        ["Merges"] = ["ActorId", "ActorName", "UndoneBy"],
        // The ledger of a case merge holds the moved rows' ids, both cases' times, statuses, priority and unread counts:
        // the app's own values, never what the contact said (the survivor's preview is read back from its messages).
        ["CaseMerges"] = ["ActorId", "ActorName", "UndoneById", "UndoneByName", "LedgerJson"],
        ["MergeRequests"] = ["ProposedById", "ProposedByName", "DecidedById", "DecidedByName"],
        ["MatchPreviewPairs"] = ["RuleName", "SkipCode", "UndoCode"],
        ["Cases"] = ["AssignedAgentId", "Skills", "Disposition"],
        ["CrmLinks"] = ["ConnectorKind", "RecordId", "CreatedById", "CreatedByName", "UnlinkedById", "UnlinkedByName"],
        ["CrmPushes"] = ["ConnectorKind", "RecordId", "IdempotencyKey", "ExternalId"],
        ["CrmActivities"] = ["IdempotencyKey", "Channel", "Queue", "Agent", "Disposition", "CaseUrl"],
        ["CrmCases"] = ["Number", "Status", "Priority"],
        ["CaseScriptStepStates"] = ["ActorId", "ActorName"],
    };

    /// <summary>
    /// Columns of shared records that belong to the organisation, not to the person: an account (a company) stays
    /// with its name, city and industry when the erasure takes the person's address and number off it.
    /// </summary>
    private static readonly Dictionary<string, string[]> SharedColumns = new(StringComparer.Ordinal)
    {
        ["CrmAccounts"] = ["Name", "SearchName", "City", "Industry"],
    };

    /// <summary>
    /// Columns through which the erasure finds the person in the built-in CRM (their e-mail addresses and phone
    /// numbers, as the card's CRM section matches them): planting the marker there would cut the row off from the
    /// person, so the test checks instead that they hold one of the person's values before the erasure and none after.
    /// </summary>
    private static readonly Dictionary<string, string[]> KeyColumns = new(StringComparer.Ordinal)
    {
        ["CrmContacts"] = ["Email", "Phone"],
        ["CrmLeads"] = ["Email", "Phone"],
        ["CrmAccounts"] = ["Email", "Phone"],
    };

    [Fact]
    public async Task AnonymizingAMergedContactLeavesNoTraceInAnyColumnExportOrByteOfTheDatabaseFiles()
    {
        TestDatabase.RequireSqlite("the bytes of the database files");
        var test = await TestDatabase.CreateAsync(wal: true);
        await using var _ = test;
        var world = await World.CreateAsync(test);

        var (survivor, tombstones, crm) = await world.ContactThroughTheUseCasesAsync();
        var cardIds = tombstones.Append(survivor).ToList();
        var rows = await RowsOfTheContactAsync(test, cardIds, crm);
        var columns = TextColumnsOfTheModel(test);

        // Every table of the model is either covered or excluded, and the lists name nothing that is gone.
        columns.Keys.Where(t => !Covered.ContainsKey(t) && !ExcludedTables.ContainsKey(t))
            .ShouldBeEmpty("a new table: add it to Covered (with the condition selecting a contact's rows, and make the erasure reach it) or to ExcludedTables (saying why it cannot hold customer data)");
        Covered.Keys.Concat(ExcludedTables.Keys).Where(t => !columns.ContainsKey(t)).ShouldBeEmpty("listed tables that are no longer in the model");
        StaffColumns.Concat(SharedColumns).Concat(KeyColumns).SelectMany(kv => kv.Value.Where(c => !columns[kv.Key].Contains(c)).Select(c => $"{kv.Key}.{c}"))
            .ShouldBeEmpty("staff, shared or key columns that are no longer in the model");

        // Plant the marker wherever the use cases did not put it, in the contact's rows of every covered column.
        var planted = new List<string>();
        await using (var connection = await OpenAsync(test))
        {
            foreach (var (table, where) in Covered)
            {
                var owner = rows.Expand(where);
                (await ScalarAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE {owner}")).ShouldBeGreaterThan(0,
                    $"the use cases left no row of the contact in {table}: make them create one, or the planting proves nothing there");
                foreach (var column in CoveredColumns(columns, table))
                {
                    if (await HoldersAsync(connection, table, column, owner) > 0) continue;
                    // Both markers in one value, made unique by the row id (unique indexes: addresses, channel ids).
                    await ExecuteAsync(connection, $"UPDATE \"{table}\" SET \"{column}\" = $v || '-' || rowid WHERE {owner}", ("$v", $"{Marker} {Unfriendly}"));
                    planted.Add($"{table}.{column}");
                }
            }
            output.WriteLine("Planted directly: " + string.Join(", ", planted));

            // Positive control 1: every covered column now holds the marker in a row of the contact, and every key
            // column one of the person's addresses or numbers.
            foreach (var (table, where) in Covered)
                foreach (var column in CoveredColumns(columns, table))
                    (await HoldersAsync(connection, table, column, rows.Expand(where))).ShouldBeGreaterThan(0, $"{table}.{column} holds no marker before the erasure");
            foreach (var (table, keyColumns) in KeyColumns)
                foreach (var column in keyColumns)
                    (await KeyHoldersAsync(connection, table, column, crm)).ShouldBeGreaterThan(0, $"{table}.{column} holds none of the person's addresses or numbers before the erasure");
        }
        planted.ShouldNotContain("Cards.FirstName", "the use cases themselves put the contact's name on the cards");

        // Positive control 2: the byte search finds both markers in the files before the erasure.
        var before = Search(test.FilePath);
        before.ShouldContain(f => f.Needle.StartsWith(Marker, StringComparison.OrdinalIgnoreCase), "the byte search must find the ASCII marker before the erasure");
        before.ShouldContain(f => f.Needle.Contains("\U0001D51E", StringComparison.Ordinal), "the byte search must find the marker with a non-BMP letter before the erasure");

        var log = new RecordingLogger();
        using var loggers = new LoggerFactory([log]);
        await new PrivacyService(test.Factory, world.Runner, TimeProvider.System, loggers.CreateLogger<PrivacyService>()).AnonymizeAsync(Sophie, survivor, force: true);
        log.At(LogLevel.Warning).ShouldBeEmpty("the write-ahead log was emptied at the first attempts (nobody else reads now)");

        // Not one text column of any table, covered or not, holds the marker any more.
        await using (var connection = await OpenAsync(test))
        {
            var left = new List<string>();
            foreach (var (table, names) in columns)
                foreach (var column in names)
                    if (await HoldersAsync(connection, table, column, "1 = 1") > 0) left.Add($"{table}.{column}");
            left.ShouldBeEmpty("columns that still hold the marker after the erasure");
            foreach (var (table, keyColumns) in KeyColumns)
                foreach (var column in keyColumns)
                    (await KeyHoldersAsync(connection, table, column, crm)).ShouldBe(0, $"{table}.{column} still holds an address or number of the person");
        }

        // The built-in CRM lost the person, not the other people: the household member, the shared household, the
        // account (without the person's address and number) and the activity the contact's case pushed to it.
        await using (var db = test.Factory.CreateDbContext())
        {
            (await db.CrmContacts.AnyAsync(c => c.Id == crm.OtherPerson && c.LastName == "Autre")).ShouldBeTrue("another person of the shared household");
            (await db.CrmHouseholds.AnyAsync(h => h.Id == crm.SharedHousehold && h.Name == "Foyer partagé")).ShouldBeTrue("the household shared with another person");
            var account = await db.CrmAccounts.SingleAsync(a => a.Id == crm.Accounts[0]);
            (account.Name, account.Email, account.Phone).ShouldBe(("Acme Distribution", (string?)null, (string?)null));
            var activity = await db.CrmActivities.SingleAsync(a => a.RecordType == CrmRecordType.Account && a.RecordId == account.Id);
            (activity.Subject, activity.Agent).ShouldBe((PrivacyService.Erased, Camille.DisplayName));
            (await db.CrmLinks.CountAsync(l => rows.Cases.Contains(l.CaseId) && l.UnlinkedAt == null)).ShouldBe(0, "the contact's links are ended: nothing more is pushed");
            (await db.CrmPushes.CountAsync(p => rows.Cases.Contains(p.CaseId) && p.State == CrmPushState.Pending)).ShouldBe(0);
        }

        // The exports of the survivor and of the cards merged into it follow the erasure.
        var privacy = new PrivacyService(test.Factory, world.Runner, TimeProvider.System);
        foreach (var id in cardIds)
        {
            var json = await privacy.ExportJsonAsync(Sophie, id);
            Needles().Where(n => json.Contains(n, StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty($"the JSON export of card {id} after the erasure");
            var csv = await privacy.ExportMessagesCsvAsync(Sophie, id);
            Needles().Where(n => csv.Contains(n, StringComparison.OrdinalIgnoreCase)).ShouldBeEmpty($"the CSV export of card {id} after the erasure");
        }

        // The files, while the app's connections are still open: the erasure's own checkpoint emptied the log.
        Search(test.FilePath).Select(f => f.ToString()).ShouldBeEmpty("bytes of the marker left in the database files with the connections open");
        // And once every connection is closed (SQLite checkpoints and removes the log with the last one).
        test.Factory.Dispose();
        SqliteConnection.ClearAllPools();
        Search(test.FilePath).Select(f => f.ToString()).ShouldBeEmpty("bytes of the marker left in the database files after closing");
    }

    [Fact]
    public void TheByteSearchFindsEveryFormOfTheMarkerInEveryEncoding()
    {
        // Its own control, without a database: a search that found nothing anywhere would pass every test above.
        var file = Path.Combine(Path.GetTempPath(), $"erasure-search-{Guid.NewGuid():N}.bin");
        try
        {
            var samples = new (string Text, Encoding Encoding)[]
            {
                ("xx" + Marker.ToUpperInvariant() + "yy", Encoding.UTF8),
                ("xx" + Core.Domain.Common.Text.Fold(Unfriendly) + "yy", Encoding.Unicode),
                ("xx" + Unfriendly + "yy", Encoding.BigEndianUnicode),
                ("{\"a\":" + System.Text.Json.JsonSerializer.Serialize(Unfriendly) + "}", Encoding.UTF8),
            };
            foreach (var (text, encoding) in samples)
            {
                File.WriteAllBytes(file, [0, 1, 2, .. encoding.GetBytes(text), 3]);
                Search(file).ShouldNotBeEmpty($"'{text}' in {encoding.WebName}");
            }
            File.WriteAllBytes(file, Encoding.UTF8.GetBytes("Zq7 Erasure Marker, almost"));
            Search(file).ShouldBeEmpty();
        }
        finally
        {
            File.Delete(file);
        }
    }

    // ---- the contact, through the use cases

    private sealed class World
    {
        public required TestDatabase Test { get; init; }
        public required Core.UseCases.UseCaseRunner Runner { get; init; }
        public required IngestService Ingest { get; init; }
        public required CardEdits Cards { get; init; }
        public required CaseCommands Cases { get; init; }
        public required ApprovalService Approvals { get; init; }
        public required MergeService Merges { get; init; }
        public required CrmService Crm { get; init; }
        public required CrmPushService Pushes { get; init; }
        public required DispositionService Dispositions { get; init; }
        public required ScriptService Scripts { get; init; }
        public required CaseScriptService CaseScripts { get; init; }

        public static async Task<World> CreateAsync(TestDatabase test)
        {
            await new ReferenceData(test.Factory, TimeProvider.System).EnsureDemoReferenceDataAsync();
            var runner = test.Runner(new InProcessChangeFeed());
            var settings = new SettingsService(test.Factory, runner, new SettingsDefaults("FR"));
            var delivery = new ReplyDelivery(runner, new RecordingOutboundConnector(test.Factory, TimeProvider.System));
            // The CRM as the app wires it, with the built-in connector (the default connection).
            var crmSettings = new CrmSettingsService(test.Factory, runner,
                new CrmConnectorFactory([new BuiltInCrmKind(new BuiltInCrmConnector(test.Factory, runner))]), new EphemeralDataProtectionProvider());
            var signal = new CrmPushSignal();
            await using (var db = test.Factory.CreateDbContext())
            {
                var queue = await db.Queues.FirstAsync(q => q.Name == Queue.DefaultName);
                foreach (var actor in new[] { Camille, Sophie })
                {
                    db.Users.Add(new AppUser { Id = actor.UserId, UserName = actor.UserId, Email = actor.UserId + "@test", DisplayName = actor.DisplayName, Role = actor.Role });
                    db.QueueMembers.Add(new QueueMember(queue.Id, actor.UserId));
                }
                await db.SaveChangesAsync();
            }
            var cards = new CardEdits(test.Factory, runner, settings, TimeProvider.System);
            var cases = new CaseCommands(runner, delivery, signal, new CrmOptions("https://aw.example"));
            var crm = new CrmService(test.Factory, runner, crmSettings, settings);
            return new World
            {
                Test = test,
                Runner = runner,
                Ingest = new IngestService(test.Factory, runner, settings, new LexiconSentimentAnalyzer(),
                    new InteractionValidator(new EmailSanitizer(), new IngestOptions(20_000)), TimeProvider.System),
                Cards = cards,
                Cases = cases,
                Approvals = new ApprovalService(test.Factory, runner, delivery),
                Merges = new MergeService(test.Factory, runner, settings),
                Crm = crm,
                Pushes = new CrmPushService(test.Factory, runner, crmSettings, signal, TimeProvider.System),
                Dispositions = new DispositionService(test.Factory, runner),
                Scripts = new ScriptService(test.Factory, runner, crmSettings),
                CaseScripts = new CaseScriptService(test.Factory, runner, cases, cards, crm, new QuickReplyService(test.Factory, runner)),
            };
        }

        /// <summary>
        /// Three cards of one person (an e-mail, an SMS and a call, one created by hand), with their CRM records, merged
        /// into the first; its id, the tombstones' and the person's records in the built-in CRM.
        /// </summary>
        public async Task<(long Survivor, List<long> Tombstones, CrmRows Crm)> ContactThroughTheUseCasesAsync()
        {
            // 0. An administrator adds an editable text field to the cards.
            await new CustomFieldService(Test.Factory, Runner).CreateAsync(new Actor("u-admin", "Admin", Role.Admin),
                new CustomFieldInput("nickname", "Surnom", "Surnom", "Nickname", "text", null, VisibleInRightPanel: true, Editable: true, VisibleInCard: true));

            // 1. Two interactions on two channels make two cards.
            var mail = await Ingest.IngestAsync(Script, new InteractionRequest
            {
                Channel = Channel.Email,
                ExternalId = $"<{Marker}.1@mail.example.org>",
                From = new InteractionSender { Address = $"{Marker}.mail@example.org", DisplayName = $"{Unfriendly} {Marker}", ProfileUrl = $"https://example.org/{Marker}" },
                Subject = $"Commande de {Unfriendly}",
                Html = $"<p>Bonjour, ici <b>{Unfriendly}</b> ({Marker}).</p>",
                Attachments = [new InteractionAttachment { Name = $"facture-{Marker}.pdf", ContentType = "application/pdf", Size = 1200, Url = $"https://files.example.org/{Marker}.pdf" }],
                Context = new ConversationContext
                {
                    PreChatSurvey = new Dictionary<string, string?> { ["nom"] = Unfriendly },
                    Visitor = new VisitorDetails { Location = $"Lyon {Marker}", Browser = "Firefox" },
                    SelfService = [new SelfServiceStep(SelfServiceType.SearchPhrase, $"{Marker} remboursement", null)],
                    Variables = new Dictionary<string, string?> { ["client"] = Marker },
                },
            });
            var sms = await Ingest.IngestAsync(Script, new InteractionRequest
            {
                Channel = Channel.Sms,
                ExternalId = $"sms-{Marker}",
                From = new InteractionSender { Address = "+33 6 12 34 56 78", DisplayName = $"{Marker} {Unfriendly}" },
                Body = $"C'est encore {Unfriendly}, numéro client {Marker}.",
            });
            mail.CardId.ShouldNotBe(sms.CardId);
            // 2. A third card, created by hand ("Created" names the card in the audit).
            var manual = await Cards.CreateAsync(Camille, new CardProfile
            {
                FirstName = Unfriendly, LastName = Marker, Company = $"{Marker} SARL", JobTitle = $"Directrice {Unfriendly}", City = $"{Marker}ville",
                Category = Marker, RelationshipType = Marker, Tags = [Marker, Unfriendly], AvatarUrl = $"https://img.example.org/{Marker}.png",
                PrimaryEmail = $"{Marker}.perso@example.org", SecondaryEmail = $"{Marker}.pro@example.org", MobilePhone = "+33698765432", HomePhone = "+33123456789",
            }, [new NewIdentity(Channel.Facebook, $"{Marker}-fb", $"{Unfriendly} FB", $"https://facebook.example.org/{Marker}")]);

            // 3. Profile edits (the audit keeps before and after), custom fields on two cards (a clash at the merge).
            await EditProfileAsync(mail.CardId, p => p with { JobTitle = $"Cheffe {Marker}", City = $"Paris {Unfriendly}" });
            await EditProfileAsync(mail.CardId, p => p with { JobTitle = "Cheffe", City = "Paris" });
            await Cards.SetCustomFieldAsync(Camille, mail.CardId, "nickname", $"C-{Marker}-1");
            await Cards.SetCustomFieldAsync(Camille, mail.CardId, "nickname", $"C-{Marker}-2");
            await Cards.SetCustomFieldAsync(Camille, sms.CardId, "nickname", $"C-{Marker}-3");
            await Cards.SetCustomFieldAsync(Camille, manual, "nickname", $"C-{Marker}-4");

            // 4. Notes (edited, deleted), a comment on the message.
            var note = await Cards.AddNoteAsync(Camille, mail.CardId, $"Rappeler {Unfriendly} demain.", mail.CaseId);
            await Cards.EditNoteAsync(Camille, note.Id, $"Rappeler {Unfriendly} jeudi ({Marker}).");
            var gone = await Cards.AddNoteAsync(Camille, sms.CardId, $"Note supprimée sur {Marker}.");
            await Cards.DeleteNoteAsync(Camille, gone.Id);
            await Cards.AddCommentAsync(Camille, mail.CaseId, mail.MessageId, $"Voir la pièce jointe de {Unfriendly}.");

            // 5. The case: taken, a note, a reply, a draft approved with a comment, a draft rejected with one.
            await Cases.TakeAsync(Camille, mail.CaseId);
            await Cases.AddNoteAsync(Camille, mail.CaseId, $"Client {Marker} pressé.");
            await Cases.ReplyAsync(Camille, mail.CaseId, $"Bonjour {Unfriendly}, nous regardons.");
            var approved = await Cases.SubmitDraftAsync(Camille, mail.CaseId, $"Cher {Unfriendly}, voici le remboursement.");
            await Approvals.ApproveAsync(Sophie, approved.Id, $"OK pour {Marker}");
            var rejected = await Cases.SubmitDraftAsync(Camille, mail.CaseId, $"Cher {Marker}, non.");
            await Approvals.RejectAsync(Sophie, rejected.Id, $"Trop sec pour {Unfriendly}");
            await Cases.TakeAsync(Camille, sms.CaseId);
            await Cases.ReplyAsync(Camille, sms.CaseId, $"Bien reçu {Marker}.");
            // A reply begun and kept, not sent (issue 22).
            await new ComposerDrafts(Runner, Test.Factory).SaveAsync(Camille, sms.CaseId, Core.Domain.Cases.ComposerMode.Reply, $"Je rappelle {Unfriendly} demain");

            // 5b. The agent script of the queue (issue 19): an instruction done and a macro run on the e-mail case.
            await ScriptOnTheCaseAsync(mail.CaseId);

            // 6. The CRM (issue 18).
            var crm = await CrmAsync(mail, sms, manual);

            // 7. Merge proposals (issue 21): one declined, with the staff's words about the contact on both sides.
            var proposal = await new MergeRequestService(Test.Factory, Runner, new SettingsService(Test.Factory, Runner, new SettingsDefaults("FR")))
                .ProposeAsync(Camille, sms.CardId, manual, $"Même personne : {Unfriendly}");
            await new MergeRequestService(Test.Factory, Runner, new SettingsService(Test.Factory, Runner, new SettingsDefaults("FR")))
                .DeclineAsync(Sophie, proposal.Id, $"Pas encore, {Marker}");

            // 7b. An auto-merge preview (ADR 023) pairing the SMS card and the hand-made card on their nickname: its pair
            // holds the matched value.
            await Cards.SetCustomFieldAsync(Camille, sms.CardId, "nickname", $"C-{Marker}-4");
            var admin = new Actor("u-admin", "Admin", Role.Admin);
            long nicknameField;
            await using (var db = Test.Factory.CreateDbContext())
                nicknameField = await db.CustomFields.Where(f => f.Ident == "nickname").Select(f => f.Id).SingleAsync();
            await new Core.Features.Matching.MatchingRuleService(Test.Factory, Runner).CreateAsync(admin,
                new Core.Features.Matching.MatchingRuleInput("Nickname", true, Core.Domain.Matching.MatchAttributes.CustomField, nicknameField, 0));
            var settings = new SettingsService(Test.Factory, Runner, new SettingsDefaults("FR"));
            var automerge = new Core.Features.Matching.AutoMergeService(Test.Factory, Runner, settings, TimeProvider.System);
            var preview = await automerge.StartPreviewAsync(admin);
            while (await automerge.WorkAsync()) { }
            (await automerge.GetPairsAsync(admin, preview.Id)).Pairs.ShouldContain(p => p.MergedId == manual);

            // 8. Merges: the hand-made card into the SMS card, then that one into the e-mail card (a tombstone of a tombstone).
            await Merges.MergeAsync(Sophie, sms.CardId, manual, new Dictionary<string, MergeChoice> { ["cf:nickname"] = MergeChoice.Merged });
            await Merges.MergeAsync(Sophie, mail.CardId, sms.CardId);
            // 9. Merged conversations (ADR 021): the SMS case, now the e-mail card's, goes into the e-mail case.
            await new CaseMerges(Test.Factory, Runner).MergeAsync(Sophie, mail.CaseId, sms.CaseId);
            return (mail.CardId, [sms.CardId, manual], crm);
        }

        /// <summary>
        /// The person in the CRM: records the built-in CRM had before (imported: planted, no use case makes them),
        /// records created from the cards and linked to the cases, links, a call wrapped up, a transfer and an
        /// unassignment that push the interactions, the outbox processed by the built-in connector.
        /// </summary>
        private async Task<CrmRows> CrmAsync(IngestResult mail, IngestResult sms, long manual)
        {
            const string phone = "+33612345678"; // the SMS's sender, in E.164
            var mailAddress = $"{Marker}.mail@example.org".ToLowerInvariant();
            var personal = $"{Marker}.perso@example.org".ToLowerInvariant();
            var now = DateTimeOffset.UtcNow;
            CrmHousehold own, shared;
            CrmAccount account;
            CrmContact byEmail, byPhone, other;
            CrmLead lead, converted;
            CrmCase imported;
            await using (var db = Test.Factory.CreateDbContext())
            {
                own = new CrmHousehold($"Foyer {Marker}", $"3 rue {Unfriendly}, Lyon", now);
                shared = new CrmHousehold("Foyer partagé", "1 place Bellecour, Lyon", now);
                account = new CrmAccount("Acme Distribution", phone, personal, "Lyon", "Retail", now);
                db.AddRange(own, shared, account);
                await db.SaveChangesAsync();
                byEmail = new CrmContact(Unfriendly, Marker, personal, null, $"{Marker} SARL", $"Directrice {Marker}", $"{Marker}ville", own.Id, now);
                byPhone = new CrmContact("Zoé", "Ancienne", "old-address@example.net", phone, null, null, null, shared.Id, now);
                other = new CrmContact("Yann", "Autre", "yann@example.net", "+33700000001", null, null, "Lyon", shared.Id, now);
                lead = new CrmLead(Unfriendly, Marker, mailAddress, null, null, $"Devis {Marker}", now);
                db.AddRange(byEmail, byPhone, other, lead);
                await db.SaveChangesAsync();
                converted = new CrmLead("Zoé", "Prospect", null, null, null, $"Salon {Marker}", now);
                converted.ConvertedTo(byEmail.Id);
                db.AddRange(converted, new CrmAccountContact(account.Id, byEmail.Id, "Primary contact"));
                imported = new CrmCase($"Colis de {Unfriendly}", $"{Marker} attend son colis.", byPhone.Id, account.Id, now);
                db.Add(imported);
                await db.SaveChangesAsync();
                imported.Numbered();
                await db.SaveChangesAsync();
            }

            // From the e-mail case's card: a contact and a CRM case (its description quotes the conversation), both linked.
            var prefill = await Crm.GetPrefillAsync(Camille, mail.CardId, mail.CaseId);
            var contactFields = prefill.FieldsFor(CrmRecordType.Contact).ToDictionary();
            contactFields[CrmFields.LastName] ??= Marker;
            var created = await Crm.CreateRecordAsync(Camille, mail.CardId, new CrmNewRecord(CrmRecordType.Contact, contactFields), mail.CaseId);
            var crmCase = await Crm.CreateRecordAsync(Camille, mail.CardId, new CrmNewRecord(CrmRecordType.Case, prefill.FieldsFor(CrmRecordType.Case)), mail.CaseId);
            // From the SMS card, not linked: only the audit ties it to the card.
            var newLead = await Crm.CreateRecordAsync(Camille, sms.CardId, new CrmNewRecord(CrmRecordType.Lead, new Dictionary<string, string?>
            {
                [CrmFields.FirstName] = Unfriendly, [CrmFields.LastName] = "Nouveau", [CrmFields.Phone] = "06 12 34 56 78", [CrmFields.Subject] = $"Abonnement {Marker}",
            }));
            // The SMS case linked to the shared account and to the imported CRM case, then given back to the queue.
            await Crm.LinkAsync(Camille, sms.CaseId, new CrmRecordRef(CrmRecordType.Account, Id(account.Id)));
            await Crm.LinkAsync(Camille, sms.CaseId, new CrmRecordRef(CrmRecordType.Case, Id(imported.Id)));
            await Cases.UnassignAsync(Camille, sms.CaseId);
            // A call from the same number (the SMS card), linked to the contact known by that number, wrapped up with notes.
            await Dispositions.CreateAsync(new Actor("u-admin", "Admin", Role.Admin), "Rappel");
            var call = await Ingest.IngestAsync(Script, new InteractionRequest
            {
                Channel = Channel.Voice, Kind = MessageKind.Call, ExternalId = $"call-{Marker}",
                From = new InteractionSender { Address = "+33 6 12 34 56 78", DisplayName = $"{Marker} au téléphone" }, Body = $"Appel de {Unfriendly}",
            });
            call.CardId.ShouldBe(sms.CardId);
            await Cases.TakeAsync(Camille, call.CaseId);
            await Crm.LinkAsync(Camille, call.CaseId, new CrmRecordRef(CrmRecordType.Contact, Id(byPhone.Id)));
            await Cases.EndCallAsync(Camille, call.CaseId);
            await Cases.WrapUpAsync(Camille, call.CaseId, "rappel", $"Rappeler {Unfriendly} demain ({Marker}).");
            // The e-mail case transferred to Sophie: its linked contact and CRM case get the interaction.
            long queueId;
            await using (var db = Test.Factory.CreateDbContext())
                queueId = await db.Cases.Where(c => c.Id == mail.CaseId).Select(c => c.QueueId).SingleAsync();
            await Cases.TransferAsync(Camille, mail.CaseId, queueId, Sophie.UserId);
            for (var i = 0; i < 10 && await Pushes.ProcessDueAsync() > 0; i++) { }

            await using (var db = Test.Factory.CreateDbContext())
            {
                var pushes = await db.CrmPushes.Where(p => p.CaseId == mail.CaseId || p.CaseId == sms.CaseId || p.CaseId == call.CaseId).ToListAsync();
                pushes.Count.ShouldBe(5, "two links of the e-mail case, two of the SMS case, one of the call");
                pushes.ShouldAllBe(p => p.State == CrmPushState.Sent);
                (await db.CrmActivities.CountAsync()).ShouldBe(5, "the built-in connector recorded each push once");
            }
            return new CrmRows(
                Contacts: [byEmail.Id, byPhone.Id, long.Parse(created.Record.Id, CultureInfo.InvariantCulture)],
                Leads: [lead.Id, converted.Id, long.Parse(newLead.Record.Id, CultureInfo.InvariantCulture)],
                Cases: [imported.Id, long.Parse(crmCase.Record.Id, CultureInfo.InvariantCulture)],
                Accounts: [account.Id],
                Households: [own.Id],
                Emails: [mailAddress, personal, $"{Marker}.pro@example.org".ToLowerInvariant()],
                Phones: [phone, "+33698765432", "+33123456789"],
                OtherPerson: other.Id, SharedHousehold: shared.Id);
        }

        /// <summary>A script on the default queue, its instruction marked done and its macro (a note quoting the customer) run on the case.</summary>
        private async Task ScriptOnTheCaseAsync(long caseId)
        {
            var admin = new Actor("u-admin", "Admin", Role.Admin);
            var script = await Scripts.CreateAsync(admin, new ScriptInput("Accueil", null, "fr", [Queue.DefaultName], [],
            [
                new ScriptStepInput(ScriptStepKind.Text, "Accueillir le client", "Saluez {{customer.firstName}}."),
                new ScriptStepInput(ScriptStepKind.Macro, "Noter la demande", null, [new MacroAction { Type = MacroActionType.AddNote, Text = "Demande de {{customer.fullName}}" }]),
            ]));
            var view = await CaseScripts.GetForCaseAsync(Camille, caseId) ?? throw new InvalidOperationException($"No script opens for case {caseId}.");
            view.ScriptId.ShouldBe(script.Id);
            await CaseScripts.MarkDoneAsync(Camille, caseId, view.Steps[0].Id);
            var run = await CaseScripts.RunMacroAsync(Camille, caseId, view.Steps[1].Id);
            run.Actions.ShouldAllBe(a => a.Ok);
        }

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

        private async Task EditProfileAsync(long cardId, Func<CardProfile, CardProfile> change)
        {
            await using var db = Test.Factory.CreateDbContext();
            var card = await db.Cards.AsNoTracking().SingleAsync(c => c.Id == cardId);
            await Cards.UpdateProfileAsync(Camille, cardId, card.Version, change(card.Profile));
        }
    }

    // ---- the model's text columns, the contact's rows

    /// <summary>Every table of the EF model and its text columns (string properties, and the container column of JSON-mapped owned types).</summary>
    private static Dictionary<string, SortedSet<string>> TextColumnsOfTheModel(TestDatabase test)
    {
        using var db = test.Factory.CreateDbContext();
        var result = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var entity in db.Model.GetEntityTypes())
        {
            var table = entity.GetTableName();
            table.ShouldNotBeNull($"{entity.DisplayName()} is not mapped to a table: decide how erasure reaches it");
            if (!result.TryGetValue(table, out var names)) result[table] = names = new SortedSet<string>(StringComparer.Ordinal);
            if (entity.IsMappedToJson())
            {
                names.Add(entity.GetContainerColumnName()!);
                continue;
            }
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
            {
                var mapping = property.GetTypeMapping();
                if ((mapping.Converter?.ProviderClrType ?? mapping.ClrType) == typeof(string) && property.GetColumnName(store) is { } column) names.Add(column);
            }
        }
        return result;
    }

    private static IEnumerable<string> CoveredColumns(Dictionary<string, SortedSet<string>> columns, string table) =>
        columns[table].Where(c => !new[] { StaffColumns, SharedColumns, KeyColumns }.Any(list => list.TryGetValue(table, out var kept) && kept.Contains(c)));

    private sealed record ContactRows(List<long> Cards, List<long> Cases, List<long> Messages, List<long> Notes, List<long> Drafts,
        List<long> Links, List<long> Pushes, CrmRows Crm)
    {
        public string Expand(string where) => where
            .Replace("{cardKeys}", Keys(Cards), StringComparison.Ordinal).Replace("{caseKeys}", Keys(Cases), StringComparison.Ordinal)
            .Replace("{noteKeys}", Keys(Notes), StringComparison.Ordinal).Replace("{draftKeys}", Keys(Drafts), StringComparison.Ordinal)
            .Replace("{linkKeys}", Keys(Links), StringComparison.Ordinal).Replace("{pushKeys}", Keys(Pushes), StringComparison.Ordinal)
            .Replace("{crmRecordKeys}", Texts(Crm.RecordKeys), StringComparison.Ordinal)
            .Replace("{cards}", Ids(Cards), StringComparison.Ordinal).Replace("{cases}", Ids(Cases), StringComparison.Ordinal)
            .Replace("{messages}", Ids(Messages), StringComparison.Ordinal)
            .Replace("{crmContacts}", Ids(Crm.Contacts), StringComparison.Ordinal).Replace("{crmLeads}", Ids(Crm.Leads), StringComparison.Ordinal)
            .Replace("{crmCases}", Ids(Crm.Cases), StringComparison.Ordinal).Replace("{crmAccounts}", Ids(Crm.Accounts), StringComparison.Ordinal)
            .Replace("{crmHouseholds}", Ids(Crm.Households), StringComparison.Ordinal);

        private static string Ids(List<long> ids) => ids.Count == 0 ? "NULL" : string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        private static string Keys(List<long> ids) => Texts(ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));
        private static string Texts(IEnumerable<string> texts) => texts.Any() ? string.Join(",", texts.Select(t => $"'{t.Replace("'", "''", StringComparison.Ordinal)}'")) : "NULL";
    }

    /// <summary>
    /// The person in the built-in CRM, as the scenario made it (their contacts, leads, CRM cases, the account holding
    /// their address and number, the household only they belong to), their addresses and numbers, and the other
    /// person and household that must stay.
    /// </summary>
    private sealed record CrmRows(List<long> Contacts, List<long> Leads, List<long> Cases, List<long> Accounts, List<long> Households,
        List<string> Emails, List<string> Phones, long OtherPerson, long SharedHousehold)
    {
        public IEnumerable<string> RecordKeys =>
            Contacts.Select(id => $"builtin:contact:{id}").Concat(Leads.Select(id => $"builtin:lead:{id}")).Concat(Cases.Select(id => $"builtin:case:{id}"));
    }

    private static async Task<ContactRows> RowsOfTheContactAsync(TestDatabase test, List<long> cardIds, CrmRows crm)
    {
        await using var db = test.Factory.CreateDbContext();
        var cases = await db.Cases.Where(c => cardIds.Contains(c.CardId)).Select(c => c.Id).ToListAsync();
        return new ContactRows(cardIds, cases,
            await db.Messages.Where(m => cardIds.Contains(m.CardId) || cases.Contains(m.CaseId)).Select(m => m.Id).ToListAsync(),
            await db.Notes.Where(n => cardIds.Contains(n.CardId)).Select(n => n.Id).ToListAsync(),
            await db.Drafts.Where(d => cases.Contains(d.CaseId)).Select(d => d.Id).ToListAsync(),
            await db.CrmLinks.Where(l => cases.Contains(l.CaseId)).Select(l => l.Id).ToListAsync(),
            await db.CrmPushes.Where(p => cases.Contains(p.CaseId)).Select(p => p.Id).ToListAsync(),
            crm);
    }

    /// <summary>How many rows of <paramref name="table"/> hold one of the person's addresses or numbers in <paramref name="column"/>.</summary>
    private static Task<long> KeyHoldersAsync(SqliteConnection connection, string table, string column, CrmRows crm)
    {
        var values = crm.Emails.Concat(crm.Phones).ToList();
        var list = string.Join(",", values.Select((_, i) => $"$k{i}"));
        return ScalarAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE \"{column}\" IN ({list})", values.Select((v, i) => ($"$k{i}", (object)v)).ToArray());
    }

    // ---- SQL on a connection of the test's own

    private static async Task<SqliteConnection> OpenAsync(TestDatabase test)
    {
        var connection = new SqliteConnection(test.ConnectionString);
        await connection.OpenAsync();
        // As every connection of the app (the planting stands for data that came through it): what this one
        // overwrites is zeroed too, instead of staying in free space that no erasure can find.
        SqliteSecureDelete.Apply(connection);
        return connection;
    }

    /// <summary>How many rows matching <paramref name="where"/> hold a form of the marker in <paramref name="column"/> (SQLite's lower() folds ASCII only: the forms cover the rest).</summary>
    private static async Task<long> HoldersAsync(SqliteConnection connection, string table, string column, string where)
    {
        var needles = Needles().Select(n => Encoding.UTF8.GetString(AsciiLower(Encoding.UTF8.GetBytes(n)))).Distinct(StringComparer.Ordinal).ToList();
        var any = string.Join(" OR ", needles.Select((_, i) => $"instr(lower(CAST(\"{column}\" AS TEXT)), $n{i}) > 0"));
        return await ScalarAsync(connection, $"SELECT COUNT(*) FROM \"{table}\" WHERE ({where}) AND \"{column}\" IS NOT NULL AND ({any})",
            needles.Select((n, i) => ($"$n{i}", (object)n)).ToArray());
    }

    private static async Task<long> ScalarAsync(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        await command.ExecuteNonQueryAsync();
    }

    // ---- the byte search

    /// <summary>
    /// Every form the marker can take once stored: as written, lower and upper case, folded for search, escaped in
    /// JSON (ledgers, context) and in HTML (sanitized e-mail).
    /// </summary>
    private static IReadOnlyList<string> Needles()
    {
        var forms = new[] { Marker, Unfriendly }
            .SelectMany(m => new[] { m, m.ToLowerInvariant(), m.ToUpperInvariant(), Core.Domain.Common.Text.Fold(m) })
            .Distinct(StringComparer.Ordinal).ToList();
        return forms.Concat(forms.Select(f => System.Text.Json.JsonSerializer.Serialize(f).Trim('"')))
            .Concat(forms.Select(f => HtmlEncoder.Default.Encode(f)))
            .Distinct(StringComparer.Ordinal).ToList();
    }

    private sealed record Found(string File, string Needle, string Encoding, long Offset, string Around)
    {
        public override string ToString() => $"{Path.GetFileName(File)} @{Offset} (page {Offset / 4096 + 1}): '{Needle}' ({Encoding}) in \"{Around}\"";
    }

    /// <summary>The database file, its write-ahead log and its shared-memory index, each read whole and searched byte by byte.</summary>
    private static List<Found> Search(string file)
    {
        var found = new List<Found>();
        var encodings = new[] { Encoding.UTF8, Encoding.Unicode, Encoding.BigEndianUnicode };
        foreach (var path in new[] { file, file + "-wal", file + "-shm", file + "-journal" }.Where(File.Exists))
        {
            byte[] bytes;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                bytes = new byte[stream.Length];
                stream.ReadExactly(bytes);
            }
            var haystack = AsciiLower(bytes);
            foreach (var needle in Needles())
                foreach (var encoding in encodings)
                {
                    var at = haystack.AsSpan().IndexOf(AsciiLower(encoding.GetBytes(needle)));
                    if (at >= 0) found.Add(new Found(path, needle, encoding.WebName, at, Around(bytes, at)));
                }
        }
        return found;
    }

    /// <summary>The printable bytes around a find, to tell which row or page it belongs to.</summary>
    private static string Around(byte[] bytes, int at)
    {
        var from = Math.Max(0, at - 60);
        var to = Math.Min(bytes.Length, at + 80);
        return new string(bytes[from..to].Select(b => b is >= 32 and < 127 ? (char)b : '.').ToArray());
    }

    /// <summary>ASCII letters lower-cased, every other byte as it is (a needle lower-cased the same way then matches any case of its ASCII letters).</summary>
    private static byte[] AsciiLower(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < copy.Length; i++)
            if (copy[i] is >= (byte)'A' and <= (byte)'Z') copy[i] = (byte)(copy[i] + 32);
        return copy;
    }
}
