using AgentWorkspace.Core.Persistence.Sqlite;
using System.Diagnostics;
using System.Globalization;
using AgentWorkspace.Core.Domain.Cards;
using AgentWorkspace.Core.Domain.Cases;
using AgentWorkspace.Core.Domain.Channels;
using AgentWorkspace.Core.Domain.Crm;
using AgentWorkspace.Core.Domain.CustomFields;
using AgentWorkspace.Core.Domain.Queues;
using AgentWorkspace.Core.Persistence;
using Bogus;
using Microsoft.EntityFrameworkCore;
using DemoCase = AgentWorkspace.Core.Domain.Cases.Case;

namespace AgentWorkspace.Core.Features.Demo;

public enum DemoProfile
{
    /// <summary>Realistic: several identities, cases on every channel and in every status, notes, planted duplicates.</summary>
    Demo,
    /// <summary>The benchmark's shape: one phone identity and one case of five messages per card.</summary>
    Benchmark,
}

public sealed record DemoSeedOptions(int Cards, DemoProfile Profile = DemoProfile.Demo, int Seed = 20261122, int PlantedDuplicates = 6);

public sealed record DemoAgent(string UserId, string DisplayName, IReadOnlyList<string> QueueNames);

/// <param name="CrmRecords">Accounts, contacts, leads and cases of the built-in CRM written with the cards.</param>
public sealed record DemoSeedResult(int Cards, int Identities, int Cases, int Messages, TimeSpan Elapsed, int CrmRecords = 0);

/// <summary>
/// Generates deterministic demo data (fixed seed, French and English locales) and writes it in bulk
/// inside large transactions, never a SaveChanges per row: prepared commands on SQLite, SqlBulkCopy on
/// SQL Server (<see cref="BulkInserter"/>).
/// </summary>
public sealed class DemoDataSeeder(IDbContextFactory<AgentWorkspaceDbContext> dbFactory, TimeProvider clock)
{
    private const int ChunkSize = 20_000;

    public DemoSeedResult SeedCards(DemoSeedOptions options, IReadOnlyList<DemoAgent> agents, IProgress<int>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.Cards);
        var watch = Stopwatch.StartNew();
        using var db = dbFactory.CreateDbContext();
        var queues = db.Queues.AsNoTracking().ToList();
        if (queues.Count == 0) throw new InvalidOperationException("Create the queues before seeding cards.");
        var fields = db.CustomFields.AsNoTracking().ToList();
        var ids = new IdCounters(db);
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) connection.Open();
        var sqlite = db.Database.IsSqlite();
        // The connection outlives the seed (kept connections, ADR 005): its settings are put back afterwards.
        var restore = sqlite ? SqlitePragmas.Current(connection, "synchronous", "cache_size", "temp_store", "threads") : null;
        // A large page cache keeps the index pages of a million-row load in memory; WAL + NORMAL
        // still commits durably at each chunk's checkpoint.
        if (sqlite) SqlitePragmas.Execute(connection, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-400000; PRAGMA temp_store=MEMORY; PRAGMA threads=2;");

        // Addresses already taken (a seed can run on top of earlier data): identities are unique per space.
        var taken = new HashSet<string>(db.Identities.AsNoTracking().Select(i => new { i.Space, i.NormalizedAddress }).AsEnumerable()
            .Select(i => Key(i.Space, i.NormalizedAddress)));
        // Deterministic for a given database state: the same seed on an empty database gives the same data.
        var generator = new Generator(options with { Seed = options.Seed + (int)(ids.Card - 1) }, agents, queues, fields, clock.GetUtcNow(), ids, taken);
        var totals = new int[5];
        var done = 0;
        // A large load fills its tables first and builds their indexes afterwards, by sorting once,
        // instead of inserting every row into every B-tree: the indexes come back even if the load fails.
        var deferred = sqlite && options.Cards >= DeferIndexesFrom ? DropIndexes(db, connection) : [];
        try
        {
            SeedChunks();
        }
        finally
        {
            foreach (var create in deferred) SqlitePragmas.Execute(connection, create, timeoutSeconds: 0);
            if (restore is not null) SqlitePragmas.Execute(connection, restore);
        }
        return new DemoSeedResult(totals[0], totals[1], totals[2], totals[3], watch.Elapsed, totals[4]);

        // Generating a chunk (Bogus, pure CPU) overlaps with writing the previous one (SQLite, one
        // writer): the generator runs one chunk ahead on another thread, in the same order, so the
        // data stays deterministic.
        void SeedChunks()
        {
            using var stop = new CancellationTokenSource();
            using var ready = new System.Collections.Concurrent.BlockingCollection<Batch>(boundedCapacity: 1);
            // A thread of its own: a long CPU-bound loop, joined below (no pool thread held, no task to block on).
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? generatorFailed = null;
            var producer = new Thread(() =>
            {
                try
                {
                    for (var planned = 0; planned < options.Cards; planned += ChunkSize)
                        ready.Add(generator.Next(Math.Min(ChunkSize, options.Cards - planned)), stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // The writer failed and stopped us; its error is the one to report.
                }
                catch (Exception ex)
                {
                    generatorFailed = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
                }
                finally
                {
                    ready.CompleteAdding();
                }
            }) { IsBackground = true, Name = "Demo data generator" };
            producer.Start();
            try
            {
                foreach (var batch in ready.GetConsumingEnumerable())
                {
                    BulkInserter.InChunk(connection, tx =>
                    {
                        Write(db, connection, tx, batch.Cards);
                        Write(db, connection, tx, batch.Identities);
                        Write(db, connection, tx, batch.Cases);
                        Write(db, connection, tx, batch.Messages);
                        Write(db, connection, tx, batch.Attachments);
                        Write(db, connection, tx, batch.Events);
                        Write(db, connection, tx, batch.Notes);
                        Write(db, connection, tx, batch.FieldValues);
                        // The built-in CRM's records of these cards' contacts (issue 18).
                        Write(db, connection, tx, batch.Households);
                        Write(db, connection, tx, batch.Accounts);
                        Write(db, connection, tx, batch.Contacts);
                        Write(db, connection, tx, batch.Leads);
                        Write(db, connection, tx, batch.CrmCases);
                        Write(db, connection, tx, batch.AccountContacts);
                    });
                    totals[4] += batch.Accounts.Count + batch.Contacts.Count + batch.Leads.Count + batch.CrmCases.Count;
                    totals[0] += batch.Cards.Count; totals[1] += batch.Identities.Count; totals[2] += batch.Cases.Count; totals[3] += batch.Messages.Count;
                    done += batch.Cards.Count;
                    progress?.Report(done);
                }
            }
            catch
            {
                stop.Cancel();
                throw;
            }
            finally
            {
                // A failed generator surfaces here (the writer saw the collection end early).
                producer.Join();
                generatorFailed?.Throw();
            }
        }
    }

    /// <summary>Loads of at least this many cards defer their index building (SQLite).</summary>
    public const int DeferIndexesFrom = 50_000;

    /// <summary>Drops the secondary indexes of the tables a seed fills and returns the statements that recreate them.</summary>
    private static List<string> DropIndexes(AgentWorkspaceDbContext db, System.Data.Common.DbConnection connection)
    {
        var tables = new[] { typeof(CustomerCard), typeof(ChannelIdentity), typeof(Case), typeof(Message), typeof(CrmContact), typeof(CrmCase) }
            .Select(t => db.Model.FindEntityType(t)?.GetTableName()).OfType<string>().ToList();
        var creates = new List<(string Name, string Sql)>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (" +
                string.Join(", ", tables.Select((_, i) => "$t" + i)) + ")";
            for (var i = 0; i < tables.Count; i++)
            {
                var parameter = list.CreateParameter();
                parameter.ParameterName = "$t" + i;
                parameter.Value = tables[i];
                list.Parameters.Add(parameter);
            }
            using var reader = list.ExecuteReader();
            while (reader.Read()) creates.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in creates) SqlitePragmas.Execute(connection, $"DROP INDEX \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
        return creates.Select(c => c.Sql).ToList();
    }

    private static string Key(IdentitySpace space, string normalized) => $"{(int)space}:{normalized}";

    private static void Write<T>(AgentWorkspaceDbContext db, System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction tx, List<T> rows) where T : class =>
        BulkInserter.Insert(db, connection, tx, rows);

    /// <summary>Next free id per table, so a seed can add to a database that already holds data.</summary>
    private sealed class IdCounters
    {
        public long Card, Identity, Case, Message, Attachment, Event, Note, FieldValue;
        public long Household, Account, Contact, Lead, CrmCase, AccountContact;

        public IdCounters(AgentWorkspaceDbContext db)
        {
            Card = (db.Cards.Max(x => (long?)x.Id) ?? 0) + 1;
            Identity = (db.Identities.Max(x => (long?)x.Id) ?? 0) + 1;
            Case = (db.Cases.Max(x => (long?)x.Id) ?? 0) + 1;
            Message = (db.Messages.Max(x => (long?)x.Id) ?? 0) + 1;
            Attachment = (db.Attachments.Max(x => (long?)x.Id) ?? 0) + 1;
            Event = (db.CaseEvents.Max(x => (long?)x.Id) ?? 0) + 1;
            Note = (db.Notes.Max(x => (long?)x.Id) ?? 0) + 1;
            FieldValue = (db.CustomFieldValues.Max(x => (long?)x.Id) ?? 0) + 1;
            Household = (db.CrmHouseholds.Max(x => (long?)x.Id) ?? 0) + 1;
            Account = (db.CrmAccounts.Max(x => (long?)x.Id) ?? 0) + 1;
            Contact = (db.CrmContacts.Max(x => (long?)x.Id) ?? 0) + 1;
            Lead = (db.CrmLeads.Max(x => (long?)x.Id) ?? 0) + 1;
            CrmCase = (db.CrmCases.Max(x => (long?)x.Id) ?? 0) + 1;
            AccountContact = (db.CrmAccountContacts.Max(x => (long?)x.Id) ?? 0) + 1;
        }
    }

    private sealed class Batch
    {
        public List<CustomerCard> Cards { get; } = [];
        public List<ChannelIdentity> Identities { get; } = [];
        public List<DemoCase> Cases { get; } = [];
        public List<Message> Messages { get; } = [];
        public List<MessageAttachment> Attachments { get; } = [];
        public List<CaseEvent> Events { get; } = [];
        public List<Note> Notes { get; } = [];
        public List<CustomFieldValue> FieldValues { get; } = [];
        public List<CrmHousehold> Households { get; } = [];
        public List<CrmAccount> Accounts { get; } = [];
        public List<CrmContact> Contacts { get; } = [];
        public List<CrmLead> Leads { get; } = [];
        public List<CrmCase> CrmCases { get; } = [];
        public List<CrmAccountContact> AccountContacts { get; } = [];
    }

    private sealed class Generator
    {
        private readonly DemoSeedOptions _options;
        private readonly IReadOnlyList<DemoAgent> _agents;
        private readonly Dictionary<string, Queue> _queues;
        private readonly Queue _default;
        private readonly IReadOnlyList<CustomFieldDefinition> _fields;
        private readonly DateTimeOffset _now;
        private readonly IdCounters _ids;
        private readonly Random _rnd;
        private readonly Faker _fr;
        private readonly Faker _en;
        private readonly HashSet<string> _usedAddresses;
        private int _plantedLeft;
        // The CRM's data has its own random streams: adding it left the cards, cases and messages of a seed as they were.
        private readonly Random _crm;
        private readonly Faker _crmFr;
        private readonly Faker _crmEn;
        private readonly Dictionary<string, long> _accounts = new(StringComparer.Ordinal);

        public Generator(DemoSeedOptions options, IReadOnlyList<DemoAgent> agents, List<Queue> queues, IReadOnlyList<CustomFieldDefinition> fields, DateTimeOffset now, IdCounters ids, HashSet<string> taken)
        {
            _usedAddresses = taken;
            _options = options;
            _agents = agents;
            _queues = queues.ToDictionary(q => q.Name, StringComparer.OrdinalIgnoreCase);
            _default = queues.FirstOrDefault(q => q.IsDefault) ?? queues[0];
            _fields = fields;
            _now = now;
            _ids = ids;
            _rnd = new Random(options.Seed);
            _fr = new Faker("fr") { Random = new Randomizer(options.Seed) };
            _en = new Faker("en") { Random = new Randomizer(options.Seed + 1) };
            _plantedLeft = options.Profile == DemoProfile.Demo ? Math.Min(options.PlantedDuplicates, options.Cards / 20) : 0;
            _crm = new Random(options.Seed + 18);
            _crmFr = new Faker("fr") { Random = new Randomizer(options.Seed + 19) };
            _crmEn = new Faker("en") { Random = new Randomizer(options.Seed + 20) };
        }

        public Batch Next(int count)
        {
            var batch = new Batch();
            for (var i = 0; i < count; i++)
            {
                if (_options.Profile == DemoProfile.Benchmark) BenchmarkCard(batch);
                else DemoCard(batch, planted: i % 17 == 3 && _plantedLeft-- > 0);
            }
            return batch;
        }

        // ---------- benchmark shape: 1 identity, 1 case, 5 messages ----------
        private void BenchmarkCard(Batch batch)
        {
            var fr = _rnd.Next(10) < 7;
            var f = fr ? _fr : _en;
            var cardId = _ids.Card++;
            var created = _now.AddMinutes(-_rnd.Next(60, 60 * 24 * 365));
            var card = new CustomerCard(new CardProfile { FirstName = f.Name.FirstName(), LastName = f.Name.LastName(), City = f.Address.City() }, "FR", created, cardId);
            var n = cardId;
            string e164;
            do { e164 = "+336" + (10_000_000 + n++ % 90_000_000).ToString(CultureInfo.InvariantCulture); }
            while (!_usedAddresses.Add(Key(IdentitySpace.Phone, e164)));
            var phone = ChannelIdentity.Create(_ids.Identity++, cardId, Channel.Sms, e164, new IdentityAddress(IdentitySpace.Phone, e164), created);
            batch.Identities.Add(phone);
            var @case = new DemoCase(cardId, Channel.Sms, _default.Id, fr ? "Demande SMS" : "SMS request", created, id: _ids.Case++);
            @case.CameFrom(phone.Id);
            var at = created;
            int pos = 0, neu = 0, neg = 0;
            var inbound = fr ? DemoTexts.InboundFr : DemoTexts.InboundEn;
            var outbound = fr ? DemoTexts.OutboundFr : DemoTexts.OutboundEn;
            string last = string.Empty;
            for (var m = 0; m < 5; m++)
            {
                at = at.AddMinutes(_rnd.Next(1, 120));
                var isIn = m % 2 == 0;
                Message msg;
                if (isIn)
                {
                    var line = inbound[_rnd.Next(inbound.Length)];
                    last = Fill(line.Text, f);
                    msg = new Message(@case.Id, cardId, Channel.Sms, null, Direction.Inbound, MessageKind.Sms, card.DisplayName, null, null, last, null, line.Sentiment, at, id: _ids.Message++);
                    if (line.Sentiment == Sentiment.Positive) pos++; else if (line.Sentiment == Sentiment.Negative) neg++; else neu++;
                }
                else
                {
                    last = outbound[_rnd.Next(outbound.Length)];
                    msg = new Message(@case.Id, cardId, Channel.Sms, null, Direction.Outbound, MessageKind.Sms, "Agent", null, null, last, null, Sentiment.Neutral, at, id: _ids.Message++);
                    msg.SetDelivery(DeliveryStatus.Delivered);
                }
                batch.Messages.Add(msg);
            }
            @case.SeedState(CaseStatus.Resolved, CasePriority.Normal, null, created.AddMinutes(30), at, at, last, 0);
            card.SetIndicators(pos, neu, neg);
            card.SetLastContact(at);
            batch.Cards.Add(card);
            batch.Cases.Add(@case);

            // About one CRM record per card: the contact, and a CRM case for one card in ten.
            var contact = new CrmContact(card.FirstName, card.LastName ?? "-", null, e164, null, null, card.City, null, created, _ids.Contact++);
            batch.Contacts.Add(contact);
            if (cardId % 10 == 0)
                batch.CrmCases.Add(new CrmCase(fr ? "Demande de rappel" : "Callback request", null, contact.Id, null, created, _ids.CrmCase++));
        }

        // ---------- demo shape ----------
        private sealed record Person(string First, string Last, string? Company, string City, bool French, Gender Gender);

        private Person? _lastPerson;

        private void DemoCard(Batch batch, bool planted)
        {
            var french = _rnd.Next(10) < 7;
            var f = french ? _fr : _en;
            Person person;
            if (planted && _lastPerson is not null)
            {
                // The same person again, as the channel saw them: another number or another Facebook account,
                // sometimes without the accent of the first card.
                var p = _lastPerson;
                person = p with { First = Text.StripAccents(p.First) };
            }
            else
            {
                var gender = _rnd.Next(2) == 0 ? Gender.Female : Gender.Male;
                var first = f.Name.FirstName(gender == Gender.Female ? Bogus.DataSets.Name.Gender.Female : Bogus.DataSets.Name.Gender.Male);
                person = new Person(first, f.Name.LastName(), _rnd.Next(2) == 0 ? f.Company.CompanyName() : null, f.Address.City(), french, gender);
                _lastPerson = person;
            }

            var cardId = _ids.Card++;
            var created = _now.AddDays(-_rnd.Next(1, 720)).AddMinutes(-_rnd.Next(0, 1440));
            var slug = Slug(person.First) + "." + Slug(person.Last);
            var email = Unique(slug + "@" + (person.French ? Pick("orange.fr", "free.fr", "gmail.com", "laposte.net", "outlook.fr") : Pick("gmail.com", "outlook.com", "yahoo.co.uk", "icloud.com")), IdentitySpace.Email);
            var mobile = NewMobile(person.French);
            var tags = _rnd.Next(3) == 0 ? new[] { DemoTexts.Tags[_rnd.Next(DemoTexts.Tags.Length)] } : [];
            var profile = new CardProfile
            {
                FirstName = person.First, LastName = person.Last, Company = person.Company, Gender = person.Gender,
                JobTitle = person.Company is null ? null : f.Name.JobTitle(), City = person.City,
                Category = Pick(person.French ? DemoTexts.CategoriesFr : DemoTexts.CategoriesEn),
                RelationshipType = Pick(person.French ? DemoTexts.RelationshipsFr : DemoTexts.RelationshipsEn),
                PreferredChannel = Pick(Channel.Sms, Channel.Email, Channel.Voice, Channel.WhatsApp, Channel.Chat),
                Tags = tags, PrimaryEmail = planted ? null : email, MobilePhone = mobile.E164,
            };
            var card = new CustomerCard(profile, "FR", created, cardId);

            // Identities: phone always, e-mail often, social accounts sometimes (a planted duplicate gets only new ones).
            var identities = new List<ChannelIdentity>();
            var phoneChannel = Pick(Channel.Voice, Channel.Sms, Channel.WhatsApp, Channel.Voicemail);
            identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, phoneChannel, RawPhone(mobile, person.French), new IdentityAddress(IdentitySpace.Phone, mobile.E164), created, $"{person.First} {person.Last}"));
            if (!planted && _rnd.Next(10) < 7)
                identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, Channel.Email, email, new IdentityAddress(IdentitySpace.Email, email), created, $"{person.First} {person.Last}"));
            if (_rnd.Next(10) < 4 || planted)
            {
                var handle = Unique(slug + "." + _rnd.Next(10, 99), IdentitySpace.Facebook);
                identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, Channel.Facebook, handle, new IdentityAddress(IdentitySpace.Facebook, handle), created,
                    $"{person.First} {person.Last}", $"https://www.facebook.com/{handle}", _rnd.Next(20, 2500), _rnd.Next(20, 900)));
            }
            if (!planted && _rnd.Next(10) < 3)
            {
                var handle = Unique(Slug(person.First) + Slug(person.Last) + _rnd.Next(1, 999), IdentitySpace.Twitter);
                identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, Channel.Twitter, "@" + handle, new IdentityAddress(IdentitySpace.Twitter, handle), created,
                    $"{person.First} {person.Last}", $"https://x.com/{handle}", _rnd.Next(5, 20000), _rnd.Next(5, 1500)));
            }
            if (!planted && person.Company is not null && _rnd.Next(10) < 3)
            {
                var handle = Unique(Slug(person.First) + "-" + Slug(person.Last) + "-" + _rnd.Next(100, 999), IdentitySpace.LinkedIn);
                identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, Channel.LinkedIn, handle, new IdentityAddress(IdentitySpace.LinkedIn, handle), created,
                    $"{person.First} {person.Last}", $"https://www.linkedin.com/in/{handle}", _rnd.Next(50, 5000), _rnd.Next(50, 800)));
            }
            if (!planted && _rnd.Next(20) == 0)
            {
                var id = "urn:mbid:" + _rnd.NextInt64().ToString("x16", CultureInfo.InvariantCulture);
                identities.Add(ChannelIdentity.Create(_ids.Identity++, cardId, Channel.AppleMessages, id, new IdentityAddress(IdentitySpace.AppleMessages, id), created, $"{person.First} {person.Last}"));
            }
            card.SetAudience(identities.Sum(i => i.Followers ?? 0), identities.Sum(i => i.Following ?? 0));
            batch.Identities.AddRange(identities);

            // Cases with their messages and history.
            int pos = 0, neu = 0, neg = 0;
            DateTimeOffset? lastContact = null;
            var caseCount = planted ? 1 : _rnd.Next(0, 4);
            for (var c = 0; c < caseCount; c++)
            {
                var identity = planted ? identities[^1] : identities[_rnd.Next(identities.Count)];
                var channel = ChannelFor(identity);
                var origin = OriginFor(batch, identity, channel, created);
                var (p, n, g, last) = DemoCaseFor(batch, card, person, f, channel, origin, created, c == 0 && _rnd.Next(3) == 0);
                pos += p; neu += n; neg += g;
                if (lastContact is null || last > lastContact) lastContact = last;
            }
            card.SetIndicators(pos, neu, neg);
            card.SetLastContact(lastContact);

            if (_rnd.Next(10) < 3)
            {
                var agent = _agents.Count > 0 ? _agents[_rnd.Next(_agents.Count)] : null;
                var text = Pick(person.French ? DemoTexts.NotesFr : DemoTexts.NotesEn);
                batch.Notes.Add(new Note(cardId, null, agent?.UserId ?? "system", agent?.DisplayName ?? "System", text, created.AddDays(_rnd.Next(0, 30)), _ids.Note++));
            }

            foreach (var field in _fields)
            {
                string? value = field.Ident switch
                {
                    "loyalty-tier" when _rnd.Next(10) < 6 => field.Options[_rnd.Next(field.Options.Count)],
                    "customer_number" => "C-" + cardId.ToString("D6", CultureInfo.InvariantCulture),
                    "birth-date" when _rnd.Next(10) < 3 => new DateOnly(_rnd.Next(1950, 2004), _rnd.Next(1, 13), _rnd.Next(1, 29)).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    "newsletter" when _rnd.Next(2) == 0 => _rnd.Next(2) == 0 ? "true" : "false",
                    _ => null,
                };
                if (value is not null)
                {
                    batch.FieldValues.Add(new CustomFieldValue(cardId, field.Id, value, created, _ids.FieldValue++));
                }
            }
            if (!planted) DemoCrm(batch, person, email, mobile.E164, created);
            batch.Cards.Add(card);
        }

        // ---------- the built-in CRM of the demo's contacts ----------

        /// <summary>
        /// Most contacts are CRM contacts (their e-mail and mobile match the card), some work at an account, some share a
        /// household with others, some have CRM cases; the rest are leads or unknown to the CRM.
        /// </summary>
        private void DemoCrm(Batch batch, Person person, string email, string e164, DateTimeOffset created)
        {
            var f = person.French ? _crmFr : _crmEn;
            var roll = _crm.Next(10);
            if (roll >= 8)
            {
                if (roll == 8)
                {
                    var lead = new CrmLead(person.First, person.Last, email, e164, person.Company,
                        person.French ? PickCrm("Demande de devis", "Intérêt pour l'offre premium", "Renouvellement") : PickCrm("Quote request", "Interested in premium", "Renewal"),
                        created.AddDays(-_crm.Next(1, 60)), _ids.Lead++);
                    lead.SeedStatus(PickCrm("Open", "Open", "Qualified", "Disqualified"));
                    batch.Leads.Add(lead);
                }
                return;
            }
            long? householdId = null;
            var address = $"{f.Address.StreetAddress()}, {person.City}";
            if (_crm.Next(4) == 0)
            {
                var household = new CrmHousehold(person.French ? $"Foyer {person.Last}" : $"{person.Last} household", address, created, _ids.Household++);
                batch.Households.Add(household);
                householdId = household.Id;
            }
            var contact = new CrmContact(person.First, person.Last, email, e164, person.Company, person.Company is null ? null : f.Name.JobTitle(), person.City, householdId,
                created.AddDays(-_crm.Next(0, 400)), _ids.Contact++);
            batch.Contacts.Add(contact);
            if (person.Company is not null)
            {
                var key = Domain.Common.Text.Fold(person.Company);
                if (!_accounts.TryGetValue(key, out var accountId))
                {
                    var account = new CrmAccount(person.Company, null, null, person.City, PickCrm("Retail", "Banking", "Insurance", "Telecom", "Energy", "Transport"), created, _ids.Account++);
                    batch.Accounts.Add(account);
                    _accounts[key] = accountId = account.Id;
                }
                batch.AccountContacts.Add(new CrmAccountContact(accountId, contact.Id, PickCrm("Primary contact", "Billing", "Employee"), _ids.AccountContact++));
            }
            if (householdId is { } h)
            {
                for (var i = 0; i < 1 + _crm.Next(2); i++)
                {
                    var member = new CrmContact(f.Name.FirstName(), person.Last, null, null, null, null, person.City, h, created, _ids.Contact++);
                    batch.Contacts.Add(member);
                    if (_crm.Next(3) == 0) batch.CrmCases.Add(DemoCrmCase(member.Id, null, person.French, created));
                }
            }
            var cases = _crm.Next(10) < 4 ? 1 + _crm.Next(2) : 0;
            for (var i = 0; i < cases; i++)
                batch.CrmCases.Add(DemoCrmCase(contact.Id, person.Company is null ? null : _accounts[Domain.Common.Text.Fold(person.Company)], person.French, created));
        }

        private CrmCase DemoCrmCase(long contactId, long? accountId, bool french, DateTimeOffset after)
        {
            var subjects = french
                ? new[] { "Colis non reçu", "Remboursement en attente", "Changement d'adresse", "Résiliation", "Facture contestée", "Panne de l'appareil" }
                : new[] { "Parcel not received", "Refund pending", "Change of address", "Cancellation", "Disputed invoice", "Device fault" };
            var @case = new CrmCase(subjects[_crm.Next(subjects.Length)], null, contactId, accountId, after.AddDays(_crm.Next(0, 200)) is var at && at > _now ? _now : at, _ids.CrmCase++);
            @case.SeedState(PickCrm("Active", "Active", "Resolved", "Cancelled"), PickCrm("Normal", "Normal", "High", "Low"));
            return @case;
        }

        private T PickCrm<T>(params T[] items) => items[_crm.Next(items.Length)];

        private Channel ChannelFor(ChannelIdentity identity) => identity.Space switch
        {
            IdentitySpace.Phone => Pick(Channel.Voice, Channel.Voicemail, Channel.Sms, Channel.Sms, Channel.WhatsApp),
            IdentitySpace.Email => Pick(Channel.Email, Channel.Email, Channel.Chat, Channel.ChatMessaging),
            IdentitySpace.Facebook => Pick(Channel.Facebook, Channel.Messenger),
            IdentitySpace.Twitter => Channel.Twitter,
            IdentitySpace.LinkedIn => Channel.LinkedIn,
            IdentitySpace.AppleMessages => Channel.AppleMessages,
            _ => Channel.Chat,
        };

        /// <summary>
        /// The identity a demo case comes from, as ingest would have recorded it: the drawn identity, except that a
        /// Messenger conversation comes from a Messenger user id (page-scoped, not the Facebook handle), which the card
        /// gets once. A chat from an e-mail identity is right as it is (ingest knows a visitor who gave an e-mail by it).
        /// Derived from the card's id, not drawn, so that the rest of the demo data stays the same.
        /// </summary>
        private ChannelIdentity OriginFor(Batch batch, ChannelIdentity identity, Channel channel, DateTimeOffset created)
        {
            if (channel != Channel.Messenger) return identity;
            var existing = batch.Identities.LastOrDefault(i => i.CardId == identity.CardId && i.Space == IdentitySpace.Messenger);
            if (existing is not null) return existing;
            var psid = (7_000_000_000_000_000L + identity.CardId * 7_919L).ToString(CultureInfo.InvariantCulture);
            _usedAddresses.Add(Key(IdentitySpace.Messenger, psid));
            var messenger = ChannelIdentity.Create(_ids.Identity++, identity.CardId, Channel.Messenger, psid, new IdentityAddress(IdentitySpace.Messenger, psid), created, identity.DisplayName);
            batch.Identities.Add(messenger);
            return messenger;
        }

        private (int Pos, int Neu, int Neg, DateTimeOffset Last) DemoCaseFor(Batch batch, CustomerCard card, Person person, Faker f, Channel channel, ChannelIdentity origin, DateTimeOffset cardCreated, bool recent)
        {
            var status = _rnd.Next(100) switch { < 15 => CaseStatus.New, < 45 => CaseStatus.Open, < 58 => CaseStatus.Pending, < 90 => CaseStatus.Resolved, _ => CaseStatus.Cancelled };
            var queue = channel.IsSocial() ? Q("Social Media") : card.TagList.Contains("vip") ? Q("VIP") : _rnd.Next(4) == 0 ? Q("Sales") : _rnd.Next(2) == 0 ? Q("Support") : _default;
            var titles = person.French ? DemoTexts.CaseTitlesFr : DemoTexts.CaseTitlesEn;
            var created = recent || status is CaseStatus.New or CaseStatus.Open
                ? _now.AddMinutes(-_rnd.Next(2, 60 * 36))
                : cardCreated.AddDays(_rnd.Next(0, Math.Max(1, (int)(_now - cardCreated).TotalDays)));
            if (created > _now) created = _now.AddMinutes(-5);
            var @case = new DemoCase(card.Id, channel, queue.Id, Pick(titles), created, queue.SkillList.Take(2), _ids.Case++);
            @case.CameFrom(origin.Id);
            var members = _agents.Where(a => a.QueueNames.Contains(queue.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            var agent = status == CaseStatus.New || members.Count == 0 || _rnd.Next(5) == 0 ? null : members[_rnd.Next(members.Count)];
            if (status == CaseStatus.New && _rnd.Next(3) == 0 && members.Count > 0) agent = members[_rnd.Next(members.Count)];

            batch.Events.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Created, "system", "System", $"{channel} → {queue.Name}", created, _ids.Event++));
            if (agent is not null) batch.Events.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Assigned, "system", "System", agent.DisplayName, created.AddMinutes(1), _ids.Event++));

            var inbound = person.French ? DemoTexts.InboundFr : DemoTexts.InboundEn;
            var outbound = person.French ? DemoTexts.OutboundFr : DemoTexts.OutboundEn;
            var kindIn = KindFor(channel);
            var messageCount = status == CaseStatus.New ? _rnd.Next(1, 3) : _rnd.Next(2, 7);
            var at = created;
            int pos = 0, neu = 0, neg = 0, unread = 0;
            DateTimeOffset? firstResponse = null;
            long? postId = null;
            string last = string.Empty;
            var author = $"{person.First} {person.Last}";
            for (var m = 0; m < messageCount; m++)
            {
                var isIn = status == CaseStatus.New || m % 2 == 0;
                if (m > 0) at = at.AddMinutes(_rnd.Next(1, status is CaseStatus.New or CaseStatus.Open ? 25 : 240));
                if (at > _now) at = _now.AddSeconds(-m);
                Message msg;
                if (isIn)
                {
                    var line = inbound[_rnd.Next(inbound.Length)];
                    last = Fill(line.Text, f, person.City);
                    var kind = kindIn == MessageKind.Post && postId is not null ? MessageKind.Comment : kindIn;
                    var html = channel == Channel.Email ? "<p>" + System.Net.WebUtility.HtmlEncode(last) + "</p><p>" + System.Net.WebUtility.HtmlEncode(author) + "</p>" : null;
                    msg = new Message(@case.Id, card.Id, channel, $"demo-{@case.Id}-{m}", Direction.Inbound, kind, author, null,
                        channel == Channel.Email ? @case.Title : null, last, html, line.Sentiment, at, kind == MessageKind.Comment ? postId : null, _ids.Message++);
                    if (kind == MessageKind.Post) postId = msg.Id;
                    if (line.Sentiment == Sentiment.Positive) pos++; else if (line.Sentiment == Sentiment.Negative) neg++; else neu++;
                    unread++;
                    if (channel == Channel.Email && _rnd.Next(8) == 0)
                    {
                        var attachment = new MessageAttachment(msg.Id, person.French ? "facture.pdf" : "invoice.pdf", "application/pdf", _rnd.Next(20_000, 900_000), null, _ids.Attachment++);
                        msg.SetAttachmentCount(1);
                        batch.Attachments.Add(attachment);
                    }
                }
                else
                {
                    last = outbound[_rnd.Next(outbound.Length)];
                    var name = agent?.DisplayName ?? "Agent";
                    msg = new Message(@case.Id, card.Id, channel, null, Direction.Outbound, channel.IsSocial() && postId is not null ? MessageKind.Comment : kindIn == MessageKind.Post ? MessageKind.DirectMessage : kindIn,
                        name, agent?.UserId, null, last, null, Sentiment.Neutral, at, channel.IsSocial() ? postId : null, _ids.Message++);
                    msg.SetDelivery(DeliveryStatus.Delivered);
                    firstResponse ??= at;
                    unread = 0;
                    batch.Events.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.Replied, agent?.UserId ?? "system", name, null, at, _ids.Event++));
                }
                batch.Messages.Add(msg);
            }
            DateTimeOffset? resolvedAt = status is CaseStatus.Resolved or CaseStatus.Cancelled ? at.AddMinutes(_rnd.Next(5, 600)) : null;
            if (resolvedAt > _now) resolvedAt = _now;
            if (resolvedAt is not null)
                batch.Events.Add(new CaseEvent(@case.Id, card.Id, CaseEventType.StatusChanged, agent?.UserId ?? "system", agent?.DisplayName ?? "System", status.ToString(), resolvedAt.Value, _ids.Event++));
            var priority = card.TagList.Contains("vip") ? CasePriority.High : _rnd.Next(12) == 0 ? CasePriority.Urgent : _rnd.Next(5) == 0 ? CasePriority.Low : CasePriority.Normal;
            @case.SeedState(status, priority, agent?.UserId, firstResponse, resolvedAt, at, last, @case.IsOpen ? unread : 0);
            batch.Cases.Add(@case);
            return (pos, neu, neg, at);
        }

        private static MessageKind KindFor(Channel channel) => channel switch
        {
            Channel.Voice => MessageKind.Call,
            Channel.Voicemail => MessageKind.Voicemail,
            Channel.Sms => MessageKind.Sms,
            Channel.Email => MessageKind.Email,
            Channel.Chat or Channel.ChatMessaging => MessageKind.Chat,
            Channel.Facebook or Channel.LinkedIn => MessageKind.Post,
            Channel.Twitter => MessageKind.Mention,
            _ => MessageKind.DirectMessage,
        };

        private Queue Q(string name) => _queues.TryGetValue(name, out var q) ? q : _default;

        private T Pick<T>(params T[] items) => items[_rnd.Next(items.Length)];

        private string Fill(string template, Faker f, string? city = null) => template
            .Replace("{n}", _rnd.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("{city}", city ?? f.Address.City(), StringComparison.Ordinal)
            .Replace("{date}", _now.AddDays(_rnd.Next(5, 60)).ToString("dd/MM", CultureInfo.InvariantCulture), StringComparison.Ordinal);

        private PhoneNumber NewMobile(bool french)
        {
            while (true)
            {
                var raw = french
                    ? "+33" + Pick('6', '7') + _rnd.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture)
                    : "+447" + Pick('4', '5', '7', '8', '9') + _rnd.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
                if (PhoneNumber.TryParse(raw, "FR", out var number, out _) && _usedAddresses.Add(Key(IdentitySpace.Phone, number!.E164))) return number;
            }
        }

        /// <summary>The raw form a channel reports varies: national, spaced international, 00-prefixed.</summary>
        private string RawPhone(PhoneNumber number, bool french)
        {
            var e = number.E164;
            return _rnd.Next(3) switch
            {
                0 when french => "0" + e[3..4] + " " + string.Join(' ', Enumerable.Range(0, 4).Select(i => e.Substring(4 + i * 2, 2))),
                1 => number.International,
                _ => "00" + e[1..],
            };
        }

        private string Unique(string value, IdentitySpace space)
        {
            var candidate = value.ToLowerInvariant();
            var n = 2;
            while (!_usedAddresses.Add(Key(space, candidate)))
            {
                var at = value.IndexOf('@');
                candidate = (at > 0 ? value[..at] + n + value[at..] : value + n).ToLowerInvariant();
                n++;
            }
            return candidate;
        }

        private static string Slug(string value) => new(Text.StripAccents(value).ToLowerInvariant().Where(c => c is >= 'a' and <= 'z' or >= '0' and <= '9').ToArray());
    }

    private static class Text
    {
        public static string StripAccents(string value)
        {
            var d = value.Normalize(System.Text.NormalizationForm.FormD);
            return new string(d.Where(c => CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark).ToArray()).Normalize(System.Text.NormalizationForm.FormC);
        }
    }
}
